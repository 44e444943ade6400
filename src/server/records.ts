/**
 * What the reference server keeps in its `Storage`, as versioned CBOR documents (the encoding rules), and
 * where: one `orgs` namespace listing the organisations, and per organisation one namespace per
 * kind of data (certificates, vlob versions, blocks, keys bundles, invitations).
 *
 * Everything needed to restart is there: `SealsyncServer.open(storage)` rebuilds its in-memory
 * indexes from these records (and re-validates every certificate) — events are the only volatile
 * state (clients resynchronise through checkpoints and certificate timestamps).
 * @module
 */
import { MAX_SHAMIR_DOCUMENT_SIZE } from '../shamir/formats.js';
import { REVEAL_TOKEN_LENGTH } from '../shamir/setup.js';
import { MAX_TOTAL_WEIGHT } from '../shamir/types.js';
import { defineDocument } from '../codec/document.js';
import { isId, type BlockId, type DeviceId, type InvitationToken, type OrganizationId, type RealmId, type UserId, type VlobId } from '../codec/ids.js';
import { s } from '../codec/schema.js';
import type { Timestamp } from '../codec/timestamps.js';
import { StorageError } from '../errors.js';
import { MAX_CERTIFICATE_SIZE } from '../certificates/formats.js';
import { BOOTSTRAP_TOKEN_LENGTH, MAX_BLOB_SIZE, MAX_BLOCK_SIZE, MAX_EMAIL_BYTES, MAX_REASON_BYTES, MAX_STEP_PAYLOAD_SIZE } from '../transport/limits.js';

/** Namespace listing the organisations. */
export const ORGS_NAMESPACE = 'orgs';

/** The per-organisation namespaces. */
export function orgNamespaces(org: OrganizationId): {
  certs: string;
  vlobs: string;
  blocks: string;
  keys: string;
  invites: string;
  admin: string;
  shamir: string;
  pki: string;
} {
  return {
    certs: `${org}-certs`,
    vlobs: `${org}-vlobs`,
    blocks: `${org}-blocks`,
    keys: `${org}-keys`,
    invites: `${org}-invites`,
    admin: `${org}-admin`,
    shamir: `${org}-shamir`,
    pki: `${org}-pki`,
  };
}

/** Fixed-width decimal so that storage key order (code point order) is numeric order. */
export function pad(n: number, width: number): string {
  return n.toString().padStart(width, '0');
}

export const orgRecord = defineDocument({
  type: 'server_organization',
  version: 1,
  fields: {
    bootstrapToken: s.bytes(BOOTSTRAP_TOKEN_LENGTH),
    /** `null` until the organisation is bootstrapped. */
    rootVerifyKey: s.nullable(s.bytes(32)),
    createdOn: s.timestamp(),
  },
});

export const certificateRecord = defineDocument({
  type: 'server_certificate',
  version: 1,
  fields: {
    topic: s.text({ maxBytes: 32 }),
    certificate: s.bytes({ min: 1, max: MAX_CERTIFICATE_SIZE }),
  },
});

export const vlobRecord = defineDocument({
  type: 'server_vlob',
  version: 1,
  fields: {
    realmId: s.id<RealmId>(),
    vlobId: s.id<VlobId>(),
    version: s.uint({ min: 1 }),
    keyIndex: s.uint({ min: 1 }),
    author: s.id<DeviceId>(),
    timestamp: s.timestamp(),
    checkpoint: s.uint({ min: 1 }),
    blob: s.bytes({ max: MAX_BLOB_SIZE }),
  },
});

/** Storage key of one vlob version. */
export function vlobKey(vlobId: VlobId, version: number): string {
  return `${vlobId}-${pad(version, 10)}`;
}

export const blockRecord = defineDocument({
  type: 'server_block',
  version: 1,
  fields: {
    realmId: s.id<RealmId>(),
    blockId: s.id<BlockId>(),
    keyIndex: s.uint({ min: 1 }),
    author: s.id<DeviceId>(),
    timestamp: s.timestamp(),
    block: s.bytes({ max: MAX_BLOCK_SIZE }),
  },
});

/** Storage key of a realm's keys bundle `keyIndex`. */
export function bundleKey(realmId: RealmId, keyIndex: number): string {
  return `${realmId}-${pad(keyIndex, 10)}`;
}

/** Storage key of `userId`'s sealed access to a realm's keys bundle `keyIndex`. */
export function accessKey(realmId: RealmId, keyIndex: number, userId: UserId): string {
  return `${bundleKey(realmId, keyIndex)}-${userId}`;
}

const role = s.literal('greeter', 'claimer');
const parts = s.array(s.nullable(s.bytes({ max: MAX_STEP_PAYLOAD_SIZE })), { max: 9 });

export const invitationRecord = defineDocument({
  type: 'server_invitation',
  version: 1,
  fields: {
    token: s.id<InvitationToken>(),
    kind: s.literal('user', 'device', 'shamir'),
    email: s.nullable(s.text({ maxBytes: MAX_EMAIL_BYTES })),
    /** The user a Shamir recovery invitation recovers (absent for the other kinds). */
    claimerUserId: s.optional(s.id<UserId>()),
    greeterUserId: s.id<UserId>(),
    greeterDeviceId: s.id<DeviceId>(),
    createdOn: s.timestamp(),
    status: s.literal('ready', 'used', 'finished', 'cancelled'),
    attempts: s.array(
      s.struct({
        n: s.uint({ min: 1 }),
        joined: s.array(role, { max: 2 }),
        greeter: parts,
        claimer: parts,
        cancelled: s.nullable(s.struct({ by: s.literal('greeter', 'claimer', 'server'), reason: s.text({ maxBytes: MAX_REASON_BYTES }) })),
      }),
      { max: 64 },
    ),
  },
});

/** Parses an organisation id found as a storage key; anything else is corrupt storage. */
export function orgIdFromKey(key: string): OrganizationId {
  if (!isId(key)) throw new StorageError('storage/corrupt', `unexpected key ${JSON.stringify(key)} in ${ORGS_NAMESPACE}`);
  return key as OrganizationId;
}

/** The version metadata kept in memory (the blob stays in storage). */
export interface VersionMeta {
  readonly version: number;
  readonly keyIndex: number;
  readonly author: DeviceId;
  readonly timestamp: Timestamp;
  readonly checkpoint: number;
}

/** A user's current Shamir setup as the server keeps it (the documents as signed, the data as ciphered). */
export const shamirRecord = defineDocument({
  type: 'server_shamir_setup',
  version: 1,
  fields: {
    brief: s.bytes({ max: MAX_SHAMIR_DOCUMENT_SIZE }),
    shares: s.array(s.bytes({ max: MAX_SHAMIR_DOCUMENT_SIZE }), { min: 1, max: MAX_TOTAL_WEIGHT }),
    cipheredData: s.bytes({ max: 1024 }),
    revealToken: s.bytes(REVEAL_TOKEN_LENGTH),
  },
});

const x509Der = s.bytes({ min: 1, max: 16 * 1024 });

/** The organisation's trusted X.509 roots (set by an ADMIN). */
export const pkiAnchorsRecord = defineDocument({ type: 'server_pki_anchors', version: 1, fields: { anchors: s.array(x509Der, { max: 16 }) } });

/** One PKI enrollment request and what became of it. */
export const pkiEnrollmentRecord = defineDocument({
  type: 'server_pki_enrollment',
  version: 1,
  fields: {
    enrollmentId: s.id<UserId>(),
    chain: s.array(x509Der, { min: 1, max: 8 }),
    request: s.bytes({ max: 4096 }),
    signature: s.bytes({ max: 1024 }),
    submittedOn: s.timestamp(),
    status: s.literal('pending', 'accepted', 'rejected'),
    userCertificate: s.nullable(s.bytes({ max: MAX_CERTIFICATE_SIZE })),
    deviceCertificate: s.nullable(s.bytes({ max: MAX_CERTIFICATE_SIZE })),
  },
});
export type PkiEnrollmentRecord = ReturnType<typeof pkiEnrollmentRecord.decode>;
