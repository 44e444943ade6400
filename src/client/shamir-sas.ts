/**
 * What travels inside the SAS channel of a Shamir recovery (Parsec RFC 1000 §3): the claimer
 * names the user it recovers (step 6); the recipient answers with the signed brief, its signed
 * share certificate and its opened shares (step 7). The claimer cannot verify signatures yet (it
 * has no device, hence no certificates): it checks here that the pieces belong together, and
 * verifies everything against the certificate chain once the recovery device is open, before
 * anything is created (see `shamir-claim.ts`).
 * @module
 */
import { constantTimeEqual } from '../bytes.js';
import { defineDocument, s } from '../codec/index.js';
import type { UserId } from '../codec/ids.js';
import { sha256 } from '../keys/index.js';
import type { ClaimerBackend, GreeterBackend } from '../sas/compute.js';
import { decodeShareData, encodeShareData, MAX_SHAMIR_DOCUMENT_SIZE, readShamirDocument, type ShamirBrief, type ShamirShareData } from '../shamir/index.js';

const signed = s.bytes({ min: 65, max: MAX_SHAMIR_DOCUMENT_SIZE });

/** Step 6: the user the claimer recovers. */
const recoveryClaimDocument = defineDocument({ type: 'invite_shamir_claim', version: 1, fields: { user_id: s.id<UserId>() } });

/** Step 7: the recipient's part. */
const recoveryShareDocument = defineDocument({
  type: 'invite_shamir_share',
  version: 1,
  fields: { brief: signed, share_certificate: signed, share_data: s.bytes({ max: MAX_SHAMIR_DOCUMENT_SIZE }) },
});

/** What a recipient hands over, already verified and opened on its side. */
export interface RecipientPart {
  readonly userId: UserId;
  readonly brief: Uint8Array;
  readonly shareCertificate: Uint8Array;
  readonly data: ShamirShareData;
}

/** The greeter backend of a recipient: answers a claim for `part.userId` only. */
export function shamirGreeterBackend(part: RecipientPart): GreeterBackend {
  return {
    async processClaim(_kind, claimBytes) {
      const claim = recoveryClaimDocument.decode(claimBytes);
      if (claim.user_id !== part.userId) return { ok: false, detail: 'the claimer recovers another user' };
      const confirmation = recoveryShareDocument.encode({ brief: part.brief, share_certificate: part.shareCertificate, share_data: encodeShareData(part.data) });
      return { ok: true, confirmation, outcome: { recipient: part.data.recipient } };
    },
  };
}

/** A relayed share as the claimer keeps it (checked for consistency, not yet for signatures). */
export interface RelayedShare {
  readonly brief: ShamirBrief;
  readonly signedBrief: Uint8Array;
  readonly briefDigest: Uint8Array;
  readonly shareCertificate: Uint8Array;
  readonly data: ShamirShareData;
}

/**
 * The claimer backend: asks for `userId`'s shares and checks the answer hangs together (share
 * certificate and sealed content name the same brief, user and recipient, with the brief's
 * weight); anything else cancels the attempt (`inconsistent-payload`).
 */
export function shamirClaimerBackend(userId: UserId): ClaimerBackend {
  return {
    async prepareClaim() {
      return { claim: recoveryClaimDocument.encode({ user_id: userId }), pending: null };
    },
    async processConfirmation(_kind, bytes) {
      const doc = recoveryShareDocument.decode(bytes);
      const brief = readShamirDocument(doc.brief, 'shamir_brief').document;
      const share = readShamirDocument(doc.share_certificate, 'shamir_share').document;
      const data = decodeShareData(doc.share_data);
      const briefDigest = await sha256(doc.brief);
      if (brief.userId !== userId) return { ok: false, detail: 'the brief recovers another user' };
      if (!constantTimeEqual(share.briefDigest, briefDigest) || !constantTimeEqual(data.briefDigest, briefDigest)) return { ok: false, detail: 'the share belongs to another brief' };
      if (share.userId !== userId || data.userId !== userId || share.recipient !== data.recipient) return { ok: false, detail: 'the share names another user or recipient' };
      if (brief.recipients.get(data.recipient) !== data.shares.length) return { ok: false, detail: 'the recipient does not hold that many shares' };
      const outcome: RelayedShare = { brief, signedBrief: doc.brief, briefDigest, shareCertificate: doc.share_certificate, data };
      return { ok: true, outcome };
    },
  };
}
