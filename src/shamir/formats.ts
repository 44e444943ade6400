/**
 * Wire formats (v1) of the Shamir documents: deterministic CBOR, signed as
 * `signature(64) ‖ body`. Wire types end in `_certificate` / `_data` so that no other signed
 * document of a device can be taken for one of them.
 * @module
 */
import { defineDocument, s } from '../codec/index.js';
import type { DeviceId, UserId } from '../codec/ids.js';
import { SealsyncError } from '../errors.js';
import { signDocument, splitSignedDocument, type SigningKey } from '../keys/index.js';
import { shamirError } from './errors.js';
import { MAX_TOTAL_WEIGHT, type ShamirBrief, type ShamirDeletion, type ShamirDocument, type ShamirShareCertificate, type ShamirShareData } from './types.js';

/** Largest Shamir document accepted (a brief of 255 recipients is ~10 KiB). */
export const MAX_SHAMIR_DOCUMENT_SIZE = 64 * 1024;

/**
 * Recipients as a list of `{ user_id, weight }` sorted by user id, each once: one encoding per
 * brief (ids stay 16-byte strings, unlike a text-keyed map).
 */
const recipientList = s.transform(s.array(s.struct({ user_id: s.id<UserId>(), weight: s.uint({ min: 1, max: MAX_TOTAL_WEIGHT }) }), { min: 1, max: MAX_TOTAL_WEIGHT }), {
  description: 'recipients sorted by user id',
  decode: (list): ReadonlyMap<UserId, number> => {
    for (let i = 1; i < list.length; i++) {
      if (!(list[i - 1]!.user_id < list[i]!.user_id)) throw shamirError('corrupted', 'recipients must be sorted by user id, each once');
    }
    return new Map(list.map((r) => [r.user_id, r.weight]));
  },
  encode: (m: ReadonlyMap<UserId, number>) => [...m].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map(([user_id, weight]) => ({ user_id, weight })),
});

const base = { author: s.id<DeviceId>(), timestamp: s.timestamp(), user_id: s.id<UserId>() } as const;
const digest = s.bytes(32);

const briefCodec = defineDocument({
  type: 'shamir_brief_certificate',
  version: 1,
  fields: { ...base, threshold: s.uint({ min: 1, max: MAX_TOTAL_WEIGHT }), recipients: recipientList, secret_digest: digest },
});
const shareCodec = defineDocument({
  type: 'shamir_share_certificate',
  version: 1,
  fields: { ...base, recipient: s.id<UserId>(), brief_digest: digest, ciphered_share: s.bytes({ max: 16 * 1024 }) },
});
const deletionCodec = defineDocument({
  type: 'shamir_deletion_certificate',
  version: 1,
  fields: { ...base, brief_digest: digest },
});
/** A share of the library: y bytes then the x coordinate (secret length + 1 bytes). */
const shareDataCodec = defineDocument({
  type: 'shamir_share_data',
  version: 1,
  fields: { user_id: s.id<UserId>(), recipient: s.id<UserId>(), brief_digest: digest, shares: s.array(s.bytes({ min: 2, max: 257 }), { min: 1, max: MAX_TOTAL_WEIGHT }) },
});

function wrap<T>(f: () => T, what: string): T {
  try {
    return f();
  } catch (err) {
    if (err instanceof SealsyncError && err.code.startsWith('shamir/')) throw err;
    throw shamirError('corrupted', `${what}: ${err instanceof Error ? err.message : String(err)}`, err);
  }
}

/**
 * The canonical CBOR body of a Shamir document (brief, share certificate or deletion), to be signed.
 * @throws {@link CodecError} `codec/schema` when a field is out of its schema (e.g. too many recipients).
 */
export function encodeShamirDocument(d: ShamirDocument): Uint8Array {
  const b = { author: d.author, timestamp: d.timestamp, user_id: d.userId };
  switch (d.type) {
    case 'shamir_brief':
      return briefCodec.encode({ ...b, threshold: d.threshold, recipients: d.recipients, secret_digest: d.secretDigest });
    case 'shamir_share':
      return shareCodec.encode({ ...b, recipient: d.recipient, brief_digest: d.briefDigest, ciphered_share: d.cipheredShare });
    case 'shamir_deletion':
      return deletionCodec.encode({ ...b, brief_digest: d.briefDigest });
  }
}

/** Decodes a document body of the `expected` type. Throws `ShamirError` `shamir/corrupted`. */
export function decodeShamirDocument<T extends ShamirDocument['type']>(body: Uint8Array, expected: T): Extract<ShamirDocument, { type: T }> {
  return wrap(() => {
    const opts = { maxSize: MAX_SHAMIR_DOCUMENT_SIZE };
    if (expected === 'shamir_brief') {
      const v = briefCodec.decode(body, opts);
      const brief: ShamirBrief = { type: 'shamir_brief', author: v.author, timestamp: v.timestamp, userId: v.user_id, threshold: v.threshold, recipients: v.recipients, secretDigest: v.secret_digest };
      return brief as Extract<ShamirDocument, { type: T }>;
    }
    if (expected === 'shamir_share') {
      const v = shareCodec.decode(body, opts);
      const share: ShamirShareCertificate = { type: 'shamir_share', author: v.author, timestamp: v.timestamp, userId: v.user_id, recipient: v.recipient, briefDigest: v.brief_digest, cipheredShare: v.ciphered_share };
      return share as Extract<ShamirDocument, { type: T }>;
    }
    const v = deletionCodec.decode(body, opts);
    const deletion: ShamirDeletion = { type: 'shamir_deletion', author: v.author, timestamp: v.timestamp, userId: v.user_id, briefDigest: v.brief_digest };
    return deletion as Extract<ShamirDocument, { type: T }>;
  }, `a ${expected} document`);
}

/**
 * The canonical CBOR of a recipient's share data (its shares of the secret), before it is sealed to the recipient.
 * @throws {@link CodecError} `codec/schema` when a field is out of its schema.
 */
export function encodeShareData(d: ShamirShareData): Uint8Array {
  return shareDataCodec.encode({ user_id: d.userId, recipient: d.recipient, brief_digest: d.briefDigest, shares: d.shares });
}

/**
 * Decodes share data opened from a share certificate.
 * @throws {@link ShamirError} `shamir/corrupted` for anything malformed or over budget.
 */
export function decodeShareData(bytes: Uint8Array): ShamirShareData {
  return wrap(() => {
    const v = shareDataCodec.decode(bytes, { maxSize: MAX_SHAMIR_DOCUMENT_SIZE });
    return { userId: v.user_id, recipient: v.recipient, briefDigest: v.brief_digest, shares: v.shares };
  }, 'share data');
}

/** Signs `d` with its author's device key. */
export function signShamirDocument(key: SigningKey, d: ShamirDocument): Promise<Uint8Array> {
  return signDocument(key, encodeShamirDocument(d));
}

/** Splits and decodes a signed document WITHOUT verifying it (see `verifyShamirDocument`). */
export function readShamirDocument<T extends ShamirDocument['type']>(signed: Uint8Array, expected: T): { document: Extract<ShamirDocument, { type: T }>; body: Uint8Array; signature: Uint8Array } {
  const parts = wrap(() => {
    if (!(signed instanceof Uint8Array) || signed.length <= 64) throw shamirError('corrupted', 'a signed document is a signature and a body');
    return splitSignedDocument(signed);
  }, 'a signed document');
  return { document: decodeShamirDocument(parts.body, expected), body: parts.body, signature: parts.signature };
}
