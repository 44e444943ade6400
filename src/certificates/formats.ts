/**
 * Wire formats (v1) of the certificates: one versioned CBOR document per type (the encoding rules).
 *
 * The wire `type` is `<type>_certificate` so that a signed certificate body can never be taken
 * for another signed document of the same device (a manifest, a keys bundle): domain separation.
 * @module
 */
import { CertificateError, CodecError, UnsupportedFormatError } from '../errors.js';
import { decodeCbor, defineDocument, olderVersion, s, type DocumentCodec, type Schema } from '../codec/index.js';
import type { DeviceId, RealmId, UserId } from '../codec/ids.js';
import { PublicKey, VerifyKey } from '../keys/index.js';
import { certificateError, REASONS } from './reasons.js';
import { clearanceBodySchema, clearanceFromWire, clearanceToWire, labelPolicySchema, labelTokenSchema, revisedLabelSchema } from './label-formats.js';
import {
  ARCHIVING_STATUSES,
  PROFILES,
  REALM_ROLES,
  type Certificate,
  type CertificateOf,
  type CertificateType,
  type RealmArchivingConfiguration,
} from './types.js';

/** Largest accepted certificate body: certificates are small; this bounds hostile input. */
export const MAX_CERTIFICATE_SIZE = 64 * 1024;

const verifyKey: Schema<VerifyKey> = s.transform(s.bytes(32), {
  description: 'Ed25519 verify key',
  decode: (b) => VerifyKey.fromBytes(b),
  encode: (k) => k.toBytes(),
});

const publicKey: Schema<PublicKey> = s.transform(s.bytes(32), {
  description: 'X25519 public key',
  decode: (b) => PublicKey.fromBytes(b),
  encode: (k) => k.toBytes(),
});

const label = s.text({ minBytes: 1, maxBytes: 255 });
const profile = s.oneOf(PROFILES);

const archivingConfiguration: Schema<RealmArchivingConfiguration> = s.transform(
  s.struct({ status: s.oneOf(ARCHIVING_STATUSES), deletion_date: s.optional(s.timestamp()) }),
  {
    description: 'archiving configuration',
    decode: (c): RealmArchivingConfiguration => {
      if (c.status !== 'deletion_planned') return { status: c.status };
      if (c.deletion_date === undefined) throw new CodecError('codec/schema', 'deletion_date: required when deletion is planned');
      return { status: 'deletion_planned', deletionDate: c.deletion_date };
    },
    encode: (c) => (c.status === 'deletion_planned' ? { status: c.status, deletion_date: c.deletionDate } : { status: c.status }),
  },
);

/** Digest size of `prev` and of a common head (SHA-256). */
const DIGEST = 32;

/**
 * The generic envelope: author, timestamp and the chain link (position, prev, common head) that
 * every certificate type carries inside what is signed. A new certificate type spreads `base` in
 * its fields and gets the chain rules of `chain.ts` for free.
 */
const base = {
  author: s.nullable(s.id<DeviceId>()),
  timestamp: s.timestamp(),
  position: s.uint({ min: 1 }),
  prev: s.nullable(s.bytes(DIGEST)),
  common_head: s.nullable(s.struct({ position: s.uint({ min: 1 }), digest: s.bytes(DIGEST) })),
} as const;

/** The current certificate format version (v2: topics are hash chains). */
export const CERTIFICATE_FORMAT_VERSION = 2;

/**
 * Format v1 is refused, not upgraded: a v1 certificate has no position and no `prev`, so a
 * store reading it could not tell whether a certificate was dropped before it (the attack v2
 * closes) and a v1 realm certificate binds no common head. No v1 data was ever released.
 */
const V1_REFUSED = {
  1: olderVersion({}, () => {
    throw new UnsupportedFormatError(
      'format/unsafe-version',
      'certificate format v1 carries no chain position: it cannot be ingested safely (re-create the organisation)',
    );
  }),
};

const codecs = {
  user: defineDocument({
    type: 'user_certificate',
    version: CERTIFICATE_FORMAT_VERSION,
    older: V1_REFUSED,
    fields: {
      ...base,
      user_id: s.id<UserId>(),
      human_handle: s.struct({ email: s.text({ minBytes: 3, maxBytes: 254 }), label }),
      public_key: publicKey,
      profile,
    },
  }),
  device: defineDocument({
    type: 'device_certificate',
    version: CERTIFICATE_FORMAT_VERSION,
    older: V1_REFUSED,
    fields: { ...base, user_id: s.id<UserId>(), device_id: s.id<DeviceId>(), device_label: label, verify_key: verifyKey },
  }),
  user_update: defineDocument({
    type: 'user_update_certificate',
    version: CERTIFICATE_FORMAT_VERSION,
    older: V1_REFUSED,
    fields: { ...base, user_id: s.id<UserId>(), new_profile: profile },
  }),
  revoked_user: defineDocument({
    type: 'revoked_user_certificate',
    version: CERTIFICATE_FORMAT_VERSION,
    older: V1_REFUSED,
    fields: { ...base, user_id: s.id<UserId>() },
  }),
  realm_role: defineDocument({
    type: 'realm_role_certificate',
    version: CERTIFICATE_FORMAT_VERSION,
    older: V1_REFUSED,
    fields: { ...base, realm_id: s.id<RealmId>(), user_id: s.id<UserId>(), role: s.nullable(s.oneOf(REALM_ROLES)) },
  }),
  realm_key_rotation: defineDocument({
    type: 'realm_key_rotation_certificate',
    version: CERTIFICATE_FORMAT_VERSION,
    older: V1_REFUSED,
    fields: {
      ...base,
      realm_id: s.id<RealmId>(),
      key_index: s.uint({ min: 1 }),
      suite: s.text({ minBytes: 1, maxBytes: 64 }),
      key_canary: s.bytes({ min: 1, max: 1024 }),
    },
  }),
  realm_name: defineDocument({
    type: 'realm_name_certificate',
    version: CERTIFICATE_FORMAT_VERSION,
    older: V1_REFUSED,
    fields: { ...base, realm_id: s.id<RealmId>(), key_index: s.uint({ min: 1 }), encrypted_name: s.bytes({ min: 1, max: 4096 }) },
  }),
  realm_archiving: defineDocument({
    type: 'realm_archiving_certificate',
    version: CERTIFICATE_FORMAT_VERSION,
    older: V1_REFUSED,
    fields: { ...base, realm_id: s.id<RealmId>(), configuration: archivingConfiguration },
  }),
  // Label certificates (STANAG 4774 policies, clearances, workspace labels): new types, same envelope.
  label_policy: defineDocument({
    type: 'label_policy_certificate',
    version: CERTIFICATE_FORMAT_VERSION,
    older: V1_REFUSED,
    fields: { ...base, revision: s.uint({ min: 1 }), policy: labelPolicySchema },
  }),
  clearance: defineDocument({
    type: 'clearance_certificate',
    version: CERTIFICATE_FORMAT_VERSION,
    older: V1_REFUSED,
    fields: { ...base, user_id: s.id<UserId>(), policy_id: labelTokenSchema, clearance: s.nullable(clearanceBodySchema) },
  }),
  realm_label: defineDocument({
    type: 'realm_label_certificate',
    version: CERTIFICATE_FORMAT_VERSION,
    older: V1_REFUSED,
    fields: { ...base, realm_id: s.id<RealmId>(), label: s.nullable(revisedLabelSchema) },
  }),
} as const;

type Wire<T extends CertificateType> = (typeof codecs)[T] extends DocumentCodec<infer W> ? W : never;

const WIRE_TYPE_TO_TYPE = new Map<string, CertificateType>(
  (Object.keys(codecs) as CertificateType[]).map((t) => [codecs[t].type, t]),
);

function toWire(c: Certificate): unknown {
  const { position, prev, commonHead } = c.chain;
  const b = { author: c.author, timestamp: c.timestamp, position, prev, common_head: commonHead && { position: commonHead.position, digest: commonHead.digest } };
  switch (c.type) {
    case 'user':
      return { ...b, user_id: c.userId, human_handle: { email: c.humanHandle.email, label: c.humanHandle.label }, public_key: c.publicKey, profile: c.profile };
    case 'device':
      return { ...b, user_id: c.userId, device_id: c.deviceId, device_label: c.deviceLabel, verify_key: c.verifyKey };
    case 'user_update':
      return { ...b, user_id: c.userId, new_profile: c.newProfile };
    case 'revoked_user':
      return { ...b, user_id: c.userId };
    case 'realm_role':
      return { ...b, realm_id: c.realmId, user_id: c.userId, role: c.role };
    case 'realm_key_rotation':
      return { ...b, realm_id: c.realmId, key_index: c.keyIndex, suite: c.suite, key_canary: c.keyCanary };
    case 'realm_name':
      return { ...b, realm_id: c.realmId, key_index: c.keyIndex, encrypted_name: c.encryptedName };
    case 'realm_archiving':
      return { ...b, realm_id: c.realmId, configuration: c.configuration };
    case 'label_policy':
      return { ...b, revision: c.revision, policy: c.policy };
    case 'clearance':
      return { ...b, user_id: c.userId, policy_id: c.policyId, clearance: clearanceToWire(c.clearance) };
    case 'realm_label':
      return { ...b, realm_id: c.realmId, label: c.label };
  }
}

function fromWire<T extends CertificateType>(type: T, w: Wire<T>): CertificateOf<T> {
  const x = w as Wire<CertificateType> & Record<string, unknown>;
  const b = { author: x.author, timestamp: x.timestamp, chain: { position: x.position, prev: x.prev, commonHead: x.common_head } };
  const any = x as any; // fields checked by the schema of `type`
  switch (type as CertificateType) {
    case 'user':
      return { type: 'user', ...b, userId: any.user_id, humanHandle: { email: any.human_handle.email, label: any.human_handle.label }, publicKey: any.public_key, profile: any.profile } as CertificateOf<T>;
    case 'device':
      return { type: 'device', ...b, userId: any.user_id, deviceId: any.device_id, deviceLabel: any.device_label, verifyKey: any.verify_key } as CertificateOf<T>;
    case 'user_update':
      return { type: 'user_update', ...b, userId: any.user_id, newProfile: any.new_profile } as CertificateOf<T>;
    case 'revoked_user':
      return { type: 'revoked_user', ...b, userId: any.user_id } as CertificateOf<T>;
    case 'realm_role':
      return { type: 'realm_role', ...b, realmId: any.realm_id, userId: any.user_id, role: any.role } as CertificateOf<T>;
    case 'realm_key_rotation':
      return { type: 'realm_key_rotation', ...b, realmId: any.realm_id, keyIndex: any.key_index, suite: any.suite, keyCanary: any.key_canary } as CertificateOf<T>;
    case 'realm_name':
      return { type: 'realm_name', ...b, realmId: any.realm_id, keyIndex: any.key_index, encryptedName: any.encrypted_name } as CertificateOf<T>;
    case 'realm_archiving':
      return { type: 'realm_archiving', ...b, realmId: any.realm_id, configuration: any.configuration } as CertificateOf<T>;
    case 'label_policy':
      return { type: 'label_policy', ...b, revision: any.revision, policy: any.policy } as CertificateOf<T>;
    case 'clearance':
      return { type: 'clearance', ...b, userId: any.user_id, policyId: any.policy_id, clearance: clearanceFromWire(any.policy_id, any.clearance) } as CertificateOf<T>;
    case 'realm_label':
      return { type: 'realm_label', ...b, realmId: any.realm_id, label: any.label } as CertificateOf<T>;
  }
}

/**
 * Encodes a certificate body (deterministic CBOR, newest format). Throws `CodecError` if a field
 * does not fit its schema (so no writer can emit a certificate readers would refuse).
 */
export function encodeCertificate(cert: Certificate): Uint8Array {
  const codec = codecs[cert.type] as DocumentCodec<unknown>;
  return codec.encode(toWire(cert));
}

/**
 * Decodes a certificate body of any type, or of type `expected` if given. Every failure is a
 * `CertificateError`: `unsupported-format` (newer `v`), `wrong-type` (another document or
 * certificate type), `corrupted` (anything else malformed).
 */
export function decodeCertificate<T extends CertificateType = CertificateType>(body: Uint8Array, expected?: T): CertificateOf<T> {
  try {
    const value = decodeCbor(body, { maxSize: MAX_CERTIFICATE_SIZE });
    const wireType = value instanceof Map ? value.get('type') : undefined;
    const type = typeof wireType === 'string' ? WIRE_TYPE_TO_TYPE.get(wireType) : undefined;
    if (type === undefined) {
      if (typeof wireType === 'string') throw certificateError(REASONS.wrongType, `"${wireType}" is not a certificate type`);
      throw certificateError(REASONS.corrupted, 'not a certificate: no type');
    }
    if (expected !== undefined && type !== expected) {
      throw certificateError(REASONS.wrongType, `expected a ${expected} certificate, got ${type}`);
    }
    const codec = codecs[type] as DocumentCodec<Wire<T>>;
    return fromWire(type as T, codec.fromCbor(value));
  } catch (err) {
    throw asCertificateError(err);
  }
}

/** Maps a codec/crypto failure while reading a certificate onto its reason. */
export function asCertificateError(err: unknown): CertificateError {
  if (err instanceof UnsupportedFormatError) return certificateError(REASONS.unsupportedFormat, err.message, undefined, err);
  if (err instanceof CodecError && err.code === 'codec/wrong-type') return certificateError(REASONS.wrongType, err.message, undefined, err);
  if (err instanceof CertificateError) return err;
  return certificateError(REASONS.corrupted, err instanceof Error ? err.message : String(err), undefined, err);
}
