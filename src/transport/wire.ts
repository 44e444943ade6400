/**
 * Wire encoding of the protocol (the encoding rules, the sync model): every request is a deterministic CBOR document
 * `{type: 'req', v: 1, cmd, …fields}` and every reply `{type: 'rep', v: 1, status: 'ok' | 'error',
 * …fields}`, checked field by field through the codec schemas in both directions, so a writer
 * cannot emit what a reader would refuse and a reader never hands a malformed value to a handler.
 *
 * Decoding is strict (the codec refuses non-canonical CBOR, duplicate keys, trailing bytes, deep
 * nesting, oversized input) and every failure is a `CodecError` (or `UnsupportedFormatError` for a
 * newer `v`): hostile bytes never crash a server or client with anything else.
 * @module
 */
import { MAX_CERTIFICATE_SIZE } from '../certificates/formats.js';
import { MAX_CHAIN_LENGTH } from '../pki/chain.js';
import { MAX_CERTIFICATE_DER } from '../pki/x509.js';
import { MAX_SHAMIR_DOCUMENT_SIZE } from '../shamir/formats.js';
import { REVEAL_TOKEN_LENGTH } from '../shamir/setup.js';
import { MAX_TOTAL_WEIGHT } from '../shamir/types.js';
import { decodeCbor, type CborValue } from '../codec/cbor.js';
import { defineDocument, type DocumentCodec } from '../codec/document.js';
import { parseId, type BlockId, type DeviceId, type InvitationToken, type RealmId, type UserId, type VlobId } from '../codec/ids.js';
import { s, schemaError, type Fields, type Schema } from '../codec/schema.js';
import { CodecError } from '../errors.js';
import type {
  AnonymousRequest,
  AuthenticatedRequest,
  ErrorCode,
  ErrorReply,
  Reply,
  Request,
  ServerEvent,
  TopicName,
} from './commands.js';
import { ERROR_FIELDS, checkErrorExtras, itemResult } from './wire-errors.js';
import {
  BOOTSTRAP_TOKEN_LENGTH,
  DEFAULT_MAX_REPLY_SIZE,
  DEFAULT_MAX_REQUEST_SIZE,
  MAX_BATCH_ITEMS,
  MAX_BLOCK_BATCH_ITEMS,
  MAX_WRITE_BATCH_ITEMS,
  MAX_BLOB_SIZE,
  MAX_BLOCK_SIZE,
  MAX_EMAIL_BYTES,
  MAX_EVENTS_PER_REPLY,
  MAX_KEYS_BUNDLE_ACCESS_SIZE,
  MAX_KEYS_BUNDLE_SIZE,
  MAX_MESSAGE_BYTES,
  MAX_REALM_MEMBERS,
  MAX_REASON_BYTES,
  MAX_STEP_PAYLOAD_SIZE,
  MAX_TOPICS,
} from './limits.js';

/** Format version of requests and replies. */
export const WIRE_VERSION = 1;
/** Media type of request and reply bodies. */
export const CBOR_MEDIA_TYPE = 'application/cbor';

// ---- field schemas -----------------------------------------------------------------------------

const certificate = s.bytes({ min: 1, max: MAX_CERTIFICATE_SIZE });
const shamirDocument = s.bytes({ min: 65, max: MAX_SHAMIR_DOCUMENT_SIZE });
const x509Chain = s.array(s.bytes({ min: 1, max: MAX_CERTIFICATE_DER }), { min: 1, max: MAX_CHAIN_LENGTH + 1 });
const pkiRequest = s.bytes({ min: 1, max: 4096 });
const pkiSignature = s.bytes({ min: 1, max: 1024 });
const enrollmentId = s.id<UserId>();
const realmId = s.id<RealmId>();
const vlobId = s.id<VlobId>();
const blockId = s.id<BlockId>();
const userId = s.id<UserId>();
const deviceId = s.id<DeviceId>();
const token = s.id<InvitationToken>();
const keyIndex = s.uint({ min: 1, max: 0xffffffff });
const version = s.uint({ min: 1, max: 0xffffffff });
const checkpoint = s.uint();
const stepNumber = s.uint({ max: 0xff });
const attempt = s.uint({ min: 1, max: 0xffff });
const waitMs = s.uint({ max: 0xffffffff });
const reason = s.text({ maxBytes: MAX_REASON_BYTES });
const payload = s.bytes({ max: MAX_STEP_PAYLOAD_SIZE });
const keysBundle = s.bytes({ min: 1, max: MAX_KEYS_BUNDLE_SIZE });
const keysBundleAccess = s.bytes({ min: 1, max: MAX_KEYS_BUNDLE_ACCESS_SIZE });

/** `common` or a realm id, as a text map key. */
const topicKey: Schema<TopicName> = s.transform(s.text({ maxBytes: 32 }), {
  description: 'topic (common or realm id)',
  decode: (t) => (t === 'common' ? 'common' : parseId<RealmId>(t)),
  encode: (t) => (t === 'common' ? 'common' : parseId<RealmId>(t)),
});
/** A user id as a text map key (lowercase hex). */
const userIdKey: Schema<UserId> = s.transform(s.text({ maxBytes: 32 }), {
  description: 'user id',
  decode: (t) => parseId<UserId>(t),
  encode: (t) => parseId<UserId>(t),
});

const vlobItem = s.struct({ vlobId, version, keyIndex, author: deviceId, timestamp: s.timestamp(), blob: s.bytes({ max: MAX_BLOB_SIZE }) });

/** A union of structs told apart by the text field `tag`. */
function taggedUnion<T>(tag: string, variants: Record<string, Fields>): Schema<T> {
  const structs = new Map(Object.entries(variants).map(([k, f]) => [k, s.struct({ [tag]: s.literal(k), ...f })]));
  const pick = (value: unknown, path?: string) => {
    const t = value instanceof Map ? value.get(tag) : typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[tag] : undefined;
    const schema = typeof t === 'string' ? structs.get(t) : undefined;
    if (schema === undefined) throw schemaError(path, `unknown ${tag} ${typeof t === 'string' ? JSON.stringify(t) : ''}`.trim());
    return schema;
  };
  return {
    description: `one of ${[...structs.keys()].join(', ')}`,
    encode: (v, path) => pick(v, path).encode(v as never, path),
    decode: (v, path) => pick(v, path).decode(v, path) as T,
  };
}

const serverEvent = taggedUnion<ServerEvent>('event', {
  certificates: { topic: topicKey, timestamp: s.timestamp() },
  vlob: { realmId, checkpoint, vlobId, version },
  invitation: { token, status: s.literal('ready', 'step', 'cancelled', 'finished') },
});

type Cmd = Request['cmd'];

/** Fields of each request (besides `type`, `v`, `cmd`). */
const REQUEST_FIELDS: { readonly [C in Cmd]: Fields } = {
  certificates_get: { after: s.map(s.timestamp(), { key: topicKey, max: MAX_TOPICS }) },
  user_create: { userCertificate: certificate, deviceCertificate: certificate },
  user_update: { certificate },
  user_revoke: { certificate },
  label_certificate: { certificate },
  device_create: { certificate },
  realm_create: { roleCertificate: certificate, keyRotationCertificate: certificate, keysBundle, keysBundleAccess },
  realm_share: { roleCertificate: certificate, keysBundleAccess },
  realm_unshare: { roleCertificate: certificate },
  realm_rotate_key: {
    keyRotationCertificate: certificate,
    keysBundle,
    keysBundleAccesses: s.map(keysBundleAccess, { key: userIdKey, min: 1, max: MAX_REALM_MEMBERS }),
  },
  realm_get_keys_bundle: { realmId, keyIndex },
  realm_rename: { nameCertificate: certificate },
  realm_update_archiving: { archivingCertificate: certificate },
  vlob_create: { realmId, vlobId, keyIndex, timestamp: s.timestamp(), blob: s.bytes({ max: MAX_BLOB_SIZE }) },
  vlob_update: { realmId, vlobId, keyIndex, timestamp: s.timestamp(), version, blob: s.bytes({ max: MAX_BLOB_SIZE }) },
  vlob_write_batch: {
    realmId,
    items: s.array(s.struct({ vlobId, keyIndex, timestamp: s.timestamp(), version, blob: s.bytes({ max: MAX_BLOB_SIZE }) }), { min: 1, max: MAX_WRITE_BATCH_ITEMS }),
  },
  vlob_read_batch: { realmId, vlobIds: s.array(vlobId, { max: MAX_BATCH_ITEMS }), at: s.optional(s.timestamp()) },
  vlob_read_versions: { realmId, items: s.array(s.struct({ vlobId, version }), { max: MAX_BATCH_ITEMS }) },
  vlob_poll_changes: { realmId, lastCheckpoint: checkpoint },
  block_create: { realmId, blockId, keyIndex, block: s.bytes({ max: MAX_BLOCK_SIZE }) },
  block_read: { realmId, blockId },
  block_create_batch: { realmId, items: s.array(s.struct({ blockId, keyIndex, block: s.bytes({ max: MAX_BLOCK_SIZE }) }), { min: 1, max: MAX_BLOCK_BATCH_ITEMS }) },
  block_read_batch: { realmId, blockIds: s.array(blockId, { min: 1, max: MAX_BLOCK_BATCH_ITEMS }) },
  realm_reencrypt_vlobs: { realmId, keyIndex, items: s.array(s.struct({ vlobId, version, blob: s.bytes({ max: MAX_BLOB_SIZE }) }), { min: 1, max: MAX_BATCH_ITEMS }) },
  realm_reencrypt_block: { realmId, blockId, keyIndex, block: s.bytes({ max: MAX_BLOCK_SIZE }) },
  pki_trust_anchors_set: { anchors: s.array(s.bytes({ min: 1, max: MAX_CERTIFICATE_DER }), { max: 16 }) },
  pki_enrollment_list: {},
  pki_enrollment_accept: { enrollmentId, userCertificate: certificate, deviceCertificate: certificate },
  pki_enrollment_reject: { enrollmentId },
  shamir_setup_create: {
    brief: shamirDocument,
    shares: s.array(shamirDocument, { min: 1, max: MAX_TOTAL_WEIGHT }),
    cipheredData: s.bytes({ max: 1024 }),
    revealToken: s.bytes(REVEAL_TOKEN_LENGTH),
    recoveryDeviceCertificate: certificate,
  },
  shamir_setup_delete: { deletion: shamirDocument },
  shamir_setup_get: {},
  shamir_recipient_list: {},
  invite_new_shamir_recovery: { userId },
  invite_new_user: { email: s.text({ minBytes: 3, maxBytes: MAX_EMAIL_BYTES }) },
  invite_new_device: {},
  invite_cancel: { token },
  invite_greeter_join: { token },
  invite_greeter_step: { token, attempt, step: stepNumber, payload: s.nullable(payload), waitMs: s.optional(waitMs) },
  invite_greeter_cancel: { token, attempt, reason },
  invite_complete: { token },
  events_listen: { after: s.uint(), waitMs },
  ping: {},
  organization_bootstrap: {
    bootstrapToken: s.bytes(BOOTSTRAP_TOKEN_LENGTH),
    rootVerifyKey: s.bytes(32),
    userCertificate: certificate,
    deviceCertificate: certificate,
  },
  invited_info: { token },
  invited_join: { token },
  invited_step: { token, attempt, step: stepNumber, payload: s.nullable(payload), waitMs: s.optional(waitMs) },
  invited_cancel: { token, attempt, reason },
  invited_shamir_reveal: { token, revealToken: s.bytes(REVEAL_TOKEN_LENGTH) },
  pki_enrollment_submit: { chain: x509Chain, request: pkiRequest, signature: pkiSignature },
  pki_enrollment_info: { enrollmentId },
};

const OK: Fields = {};
/** Fields of each success reply (besides `type`, `v`, `status`). */
const REPLY_FIELDS: { readonly [C in Cmd]: Fields } = {
  certificates_get: { topics: s.map(s.array(certificate), { key: topicKey, max: MAX_TOPICS }) },
  user_create: OK,
  user_update: OK,
  user_revoke: OK,
  label_certificate: OK,
  device_create: OK,
  realm_create: OK,
  realm_share: OK,
  realm_unshare: OK,
  realm_rotate_key: OK,
  realm_get_keys_bundle: { keysBundle, keysBundleAccess },
  realm_rename: OK,
  realm_update_archiving: OK,
  vlob_create: OK,
  vlob_update: OK,
  vlob_write_batch: { items: s.array(s.struct({ vlobId, result: itemResult() }), { max: MAX_WRITE_BATCH_ITEMS }) },
  vlob_read_batch: { items: s.array(vlobItem, { max: MAX_BATCH_ITEMS }) },
  vlob_read_versions: { items: s.array(vlobItem, { max: MAX_BATCH_ITEMS }) },
  vlob_poll_changes: { currentCheckpoint: checkpoint, changes: s.array(s.struct({ vlobId, version })) },
  block_create: OK,
  block_read: { keyIndex, block: s.bytes({ max: MAX_BLOCK_SIZE }) },
  block_create_batch: { items: s.array(s.struct({ blockId, result: itemResult() }), { max: MAX_BLOCK_BATCH_ITEMS }) },
  block_read_batch: { items: s.array(s.struct({ blockId, result: itemResult({ keyIndex, block: s.bytes({ max: MAX_BLOCK_SIZE }) }) }), { max: MAX_BLOCK_BATCH_ITEMS }) },
  realm_reencrypt_vlobs: OK,
  realm_reencrypt_block: OK,
  pki_trust_anchors_set: OK,
  pki_enrollment_list: {
    items: s.array(s.struct({ enrollmentId, chain: x509Chain, request: pkiRequest, signature: pkiSignature, submittedOn: s.timestamp() }), { max: MAX_BATCH_ITEMS }),
  },
  pki_enrollment_accept: OK,
  pki_enrollment_reject: OK,
  shamir_setup_create: OK,
  shamir_setup_delete: OK,
  shamir_setup_get: { brief: s.nullable(shamirDocument) },
  shamir_recipient_list: { items: s.array(s.struct({ brief: shamirDocument, share: shamirDocument }), { max: MAX_BATCH_ITEMS }) },
  invite_new_shamir_recovery: { token },
  invite_new_user: { token },
  invite_new_device: { token },
  invite_cancel: OK,
  invite_greeter_join: { attempt },
  invite_greeter_step: { peerPayload: s.nullable(payload) },
  invite_greeter_cancel: OK,
  invite_complete: OK,
  events_listen: { last: s.uint(), events: s.array(serverEvent, { max: MAX_EVENTS_PER_REPLY }) },
  ping: OK,
  organization_bootstrap: OK,
  invited_info: {
    kind: s.literal('user', 'device', 'shamir'),
    userId: s.optional(userId),
    email: s.nullable(s.text({ maxBytes: MAX_EMAIL_BYTES })),
    greeterUserId: userId,
    greeterDeviceId: deviceId,
  },
  invited_join: { attempt },
  invited_step: { peerPayload: s.nullable(payload) },
  invited_cancel: OK,
  invited_shamir_reveal: { cipheredData: s.bytes({ max: 1024 }) },
  pki_enrollment_submit: { enrollmentId },
  pki_enrollment_info: { enrollmentStatus: s.literal('pending', 'accepted', 'rejected'), userCertificate: s.nullable(certificate), deviceCertificate: s.nullable(certificate) },
};

/** Commands sent by an enrolled device (signed). */
export const AUTHENTICATED_COMMANDS: ReadonlySet<AuthenticatedRequest['cmd']> = new Set([
  'certificates_get',
  'user_create',
  'user_update',
  'user_revoke',
  'label_certificate',
  'device_create',
  'realm_create',
  'realm_share',
  'realm_unshare',
  'realm_rotate_key',
  'realm_get_keys_bundle',
  'realm_rename',
  'realm_update_archiving',
  'vlob_create',
  'vlob_update',
  'vlob_write_batch',
  'vlob_read_batch',
  'vlob_read_versions',
  'vlob_poll_changes',
  'block_create',
  'block_read',
  'block_create_batch',
  'block_read_batch',
  'realm_reencrypt_vlobs',
  'realm_reencrypt_block',
  'pki_trust_anchors_set',
  'pki_enrollment_list',
  'pki_enrollment_accept',
  'pki_enrollment_reject',
  'shamir_setup_create',
  'shamir_setup_delete',
  'shamir_setup_get',
  'shamir_recipient_list',
  'invite_new_shamir_recovery',
  'invite_new_user',
  'invite_new_device',
  'invite_cancel',
  'invite_greeter_join',
  'invite_greeter_step',
  'invite_greeter_cancel',
  'invite_complete',
  'events_listen',
  'ping',
] as const);

/** Commands sent without a device (bootstrap, claimer side of an invitation). */
export const ANONYMOUS_COMMANDS: ReadonlySet<AnonymousRequest['cmd']> = new Set([
  'organization_bootstrap',
  'invited_info',
  'invited_join',
  'invited_step',
  'invited_cancel',
  'invited_shamir_reveal',
  'pki_enrollment_submit',
  'pki_enrollment_info',
] as const);

/** True for a command name this protocol version knows. */
export function isCommand(cmd: unknown): cmd is Cmd {
  return typeof cmd === 'string' && Object.prototype.hasOwnProperty.call(REQUEST_FIELDS, cmd);
}

const requestCodecs = new Map<Cmd, DocumentCodec<unknown>>(
  (Object.keys(REQUEST_FIELDS) as Cmd[]).map((cmd) => [
    cmd,
    defineDocument({ type: 'req', version: WIRE_VERSION, fields: { cmd: s.literal(cmd), ...REQUEST_FIELDS[cmd] } }),
  ]),
);
const replyCodecs = new Map<Cmd, DocumentCodec<unknown>>(
  (Object.keys(REPLY_FIELDS) as Cmd[]).map((cmd) => [
    cmd,
    defineDocument({ type: 'rep', version: WIRE_VERSION, fields: { status: s.literal('ok'), ...REPLY_FIELDS[cmd] } }),
  ]),
);

const errorCodec = defineDocument({ type: 'rep', version: WIRE_VERSION, fields: { status: s.literal('error'), ...ERROR_FIELDS } });

/** Encodes an error reply (usable before the command is known, e.g. for a malformed body). */
export function encodeErrorReply(reply: ErrorReply): Uint8Array {
  return errorCodec.encode(reply as never);
}

/** Options of the decoders. */
export interface WireDecodeOptions {
  /** Largest accepted document; default 16 MiB for requests, 64 MiB for replies. */
  readonly maxSize?: number;
  /**
   * Large byte strings (blocks, blobs) may be views into `bytes` instead of copies: only when the
   * caller owns `bytes` and never modifies it afterwards (see `DecodeOptions.borrow`).
   */
  readonly borrow?: boolean;
}

function peekMap(bytes: Uint8Array, maxSize: number, borrow = false): Map<string, CborValue> {
  const value = decodeCbor(bytes, { maxSize, borrow });
  if (!(value instanceof Map)) throw schemaError('', 'a request or reply is a map');
  return value;
}

/** Encodes `req` as its request document. Throws `CodecError` if a field does not fit its schema. */
export function encodeRequest(req: Request): Uint8Array {
  const codec = isCommand(req?.cmd) ? requestCodecs.get(req.cmd) : undefined;
  if (codec === undefined) throw new CodecError('codec/schema', `unknown command ${JSON.stringify(req?.cmd)}`);
  return codec.encode(req);
}

/**
 * Strictly decodes a request document. Throws `CodecError` (`codec/unknown-command` for a well
 * formed document naming a command this version does not know, other `codec/*` codes for
 * malformed bytes) or `UnsupportedFormatError` for a newer `v`.
 */
export function decodeRequest(bytes: Uint8Array, options: WireDecodeOptions = {}): Request {
  const value = peekMap(bytes, options.maxSize ?? DEFAULT_MAX_REQUEST_SIZE, options.borrow);
  const cmd = value.get('cmd');
  if (typeof cmd !== 'string') throw schemaError('cmd', 'missing or not text');
  if (!isCommand(cmd)) throw new CodecError('codec/unknown-command', `unknown command ${JSON.stringify(cmd.slice(0, 64))}`);
  return requestCodecs.get(cmd)!.fromCbor(value) as Request;
}

/**
 * Encodes the reply to a `cmd` request (success or error). Throws `CodecError` if it does not fit
 * (a server bug: the server turns it into an `internal` error reply).
 */
export function encodeReply<C extends Cmd>(cmd: C, reply: Reply<C>): Uint8Array {
  if (reply.status === 'error') return encodeErrorReply(reply);
  const codec = replyCodecs.get(cmd);
  if (codec === undefined) throw new CodecError('codec/schema', `unknown command ${JSON.stringify(cmd)}`);
  return codec.encode(reply);
}

/**
 * Strictly decodes the reply to a `cmd` request. Throws `CodecError`/`UnsupportedFormatError` for
 * anything that is not a well-formed reply of that command (including an error reply missing the
 * fields its code requires).
 */
export function decodeReply<C extends Cmd>(cmd: C, bytes: Uint8Array, options: WireDecodeOptions = {}): Reply<C> {
  const value = peekMap(bytes, options.maxSize ?? DEFAULT_MAX_REPLY_SIZE, options.borrow);
  const status = value.get('status');
  if (status === 'error') {
    const reply = errorCodec.fromCbor(value) as Record<string, unknown>;
    checkErrorExtras(reply);
    return reply as unknown as ErrorReply;
  }
  if (status !== 'ok') throw schemaError('status', 'expected "ok" or "error"');
  const codec = replyCodecs.get(cmd);
  if (codec === undefined) throw new CodecError('codec/schema', `unknown command ${JSON.stringify(cmd)}`);
  return codec.fromCbor(value) as Reply<C>;
}

export { ERROR_CODES, errorReply, clipMessage } from './wire-errors.js';
