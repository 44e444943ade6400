/**
 * Commands that add certificates (bootstrap, users, devices, realm roles, key rotations, names)
 * and `certificates_get`. Every certificate goes through the same `CertificateStore` rules the
 * clients apply (the certificate rules) before anything is stored; on top of them the server checks what only
 * it can: the author is the device that sent the request, the timestamp is near its clock and
 * after what it already accepted, and the keys bundle accesses match the realm's members.
 * @module
 */
import {
  COMMON_TOPIC,
  CertificateStore,
  isCommonCertificate,
  readCertificate,
  type Certificate,
  type CertificateOf,
  type CertificateType,
  type Topic,
  type TopicCertificates,
} from '../../certificates/index.js';
import type { DeviceId, RealmId, UserId } from '../../codec/ids.js';
import type { Timestamp } from '../../codec/timestamps.js';
import { constantTimeEqual } from '../../bytes.js';
import { CertificateError, CryptoError } from '../../errors.js';
import { VerifyKey } from '../../keys/index.js';
import type { StorageOp } from '../../storage/index.js';
import type {
  CertificatesGetRep,
  CertificatesGetReq,
  DeviceCreateReq,
  OkRep,
  OrganizationBootstrapReq,
  RealmCreateReq,
  RealmGetKeysBundleRep,
  RealmGetKeysBundleReq,
  RealmRenameReq,
  RealmRotateKeyReq,
  RealmShareReq,
  RealmUnshareReq,
  TopicName,
  UserCreateReq,
  LabelCertificateReq,
  UserRevokeReq,
  UserUpdateReq,
} from '../../transport/commands.js';
import { checkBallpark, checkGreater, checkRealmNotDeleted, requireRole, ANY_ROLE } from '../checks.js';
import type { AnonymousContext, DeviceContext } from '../context.js';
import type { Org } from '../org.js';
import { accessKey, bundleKey, ORGS_NAMESPACE } from '../records.js';
import { refuse } from '../reply-error.js';

const OK: OkRep = { status: 'ok' };

/** Reason of `invalid_certificate` when a certificate is not signed by the requesting device. */
export const AUTHOR_NOT_REQUESTER = 'author-not-requester';

interface Item<T extends CertificateType = CertificateType> {
  readonly signed: Uint8Array;
  /** `undefined`: any certificate type (the caller checks it). */
  readonly expected: T | undefined;
}

function parse<T extends CertificateType>(item: Item<T>): CertificateOf<T> {
  try {
    return readCertificate(item.signed, item.expected).certificate;
  } catch (err) {
    if (err instanceof CertificateError) refuse({ code: 'invalid_certificate', message: err.message, reason: err.reason });
    throw err;
  }
}

function topicOf(cert: Certificate): Topic {
  return isCommonCertificate(cert) ? COMMON_TOPIC : cert.realmId;
}

interface AcceptOptions {
  /** The author every certificate must have (`null`: the root key, bootstrap only). */
  readonly author: DeviceId | null;
  /** Command-specific checks, after the generic ones, before ingestion. */
  readonly check?: (certs: readonly Certificate[]) => void;
  /** Extra writes stored in the same batch as the certificates. */
  readonly extra?: (certs: readonly Certificate[]) => StorageOp[];
}

/**
 * Validates and stores `certs` (already parsed, in order) for `org`, atomically with `extra`
 * writes; publishes the certificate events. Call under the organisation lock.
 */
export async function accept(ctx: AnonymousContext, store: CertificateStore, certs: readonly { signed: Uint8Array; cert: Certificate }[], options: AcceptOptions): Promise<void> {
  const { org } = ctx;
  for (const { cert } of certs) {
    if (cert.author !== options.author) {
      refuse({ code: 'invalid_certificate', message: 'the certificate author is not the requesting device', reason: AUTHOR_NOT_REQUESTER });
    }
  }
  for (const { cert } of certs) checkBallpark(cert.timestamp, ctx.now, ctx.config.timestampWindow);
  for (const { cert } of certs) checkGreater(cert.timestamp, org.timestampBound(topicOf(cert)));
  options.check?.(certs.map((c) => c.cert));
  const batch: TopicCertificates[] = [];
  for (const { signed, cert } of certs) {
    const topic = topicOf(cert);
    const last = batch.at(-1);
    if (last && last.topic === topic) (last.certificates as Uint8Array[]).push(signed);
    else batch.push({ topic, certificates: [signed] });
  }
  org.certStorage.extra = options.extra?.(certs.map((c) => c.cert)) ?? [];
  try {
    await store.ingestBatch(batch);
  } catch (err) {
    if (err instanceof CertificateError) refuse({ code: 'invalid_certificate', message: err.message, reason: err.reason });
    throw err;
  } finally {
    org.certStorage.extra = [];
  }
  for (const { cert } of certs) org.noteCertificate(cert);
  for (const { topic } of batch) {
    const timestamp = store.lastTimestamp(topic)!;
    org.events.publish(
      { event: 'certificates', topic, timestamp },
      topic === COMMON_TOPIC ? { scope: 'all' } : { scope: 'realm-participants', realmId: topic },
    );
  }
}

export function one<T extends CertificateType>(signed: Uint8Array, expected: T): { signed: Uint8Array; cert: CertificateOf<T> } {
  return { signed, cert: parse({ signed, expected }) };
}

export function realmExists(store: CertificateStore, realmId: RealmId, now?: Timestamp): void {
  if (store.getKeyIndex(realmId) === 0 && !store.listRealms().includes(realmId)) refuse({ code: 'not_found', message: 'no such realm' });
  // A deleted realm takes no new role, key or name (RFC 1028 §2.2).
  if (now !== undefined) checkRealmNotDeleted(store, realmId, now);
}

// ---- organisation -------------------------------------------------------------------------------

/** `organization_bootstrap`: the first admin, signed by the root key, with the bootstrap token. */
export async function organizationBootstrap(ctx: AnonymousContext, req: OrganizationBootstrapReq): Promise<OkRep> {
  const { org } = ctx;
  return org.lock.run(async () => {
    if (org.rootVerifyKey !== null) refuse({ code: 'already_bootstrapped', message: 'the organisation is already bootstrapped' });
    // Constant time: the token is the only secret guarding an empty organisation.
    if (!constantTimeEqual(req.bootstrapToken, org.bootstrapToken)) refuse({ code: 'authentication_failed', message: 'wrong bootstrap token' });
    let root: VerifyKey;
    try {
      root = VerifyKey.fromBytes(req.rootVerifyKey);
    } catch (err) {
      if (err instanceof CryptoError) refuse({ code: 'bad_request', message: `invalid root verify key: ${err.message}` });
      throw err;
    }
    const certs = [one(req.userCertificate, 'user'), one(req.deviceCertificate, 'device')];
    const store = await CertificateStore.open({ rootVerifyKey: root, storage: org.certStorage });
    await accept(ctx, store, certs, {
      author: null,
      extra: () => [{ op: 'put', ns: ORGS_NAMESPACE, key: org.id, value: org.record(root) }],
    });
    org.rootVerifyKey = root;
    org.store = store;
    return OK;
  });
}

// ---- common topic -------------------------------------------------------------------------------

/** `user_create`: a user and its first device, by an ADMIN (store rules). */
export function userCreate(ctx: DeviceContext, req: UserCreateReq): Promise<OkRep> {
  return ctx.org.lock.run(async () => {
    await accept(ctx, ctx.store, [one(req.userCertificate, 'user'), one(req.deviceCertificate, 'device')], { author: ctx.deviceId });
    return OK;
  });
}

/** `user_update`: a profile change, by an ADMIN about someone else (store rules). */
export function userUpdate(ctx: DeviceContext, req: UserUpdateReq): Promise<OkRep> {
  return ctx.org.lock.run(async () => {
    await accept(ctx, ctx.store, [one(req.certificate, 'user_update')], { author: ctx.deviceId });
    return OK;
  });
}

/** `user_revoke`: a revocation, by an ADMIN about someone else; the user's devices stop at once. */
export function userRevoke(ctx: DeviceContext, req: UserRevokeReq): Promise<OkRep> {
  return ctx.org.lock.run(async () => {
    await accept(ctx, ctx.store, [one(req.certificate, 'revoked_user')], { author: ctx.deviceId });
    return OK;
  });
}

const LABEL_TYPES: ReadonlySet<CertificateType> = new Set<CertificateType>(['label_policy', 'clearance', 'realm_label']);

/**
 * `label_certificate`: a label policy or clearance (by an ADMIN) or a workspace label (by an OWNER of
 * a realm not deleted). The store's rules include the labelling ones (`not-cleared`,
 * `members-not-cleared`, …): the server refuses what every client would.
 */
export function labelCertificate(ctx: DeviceContext, req: LabelCertificateReq): Promise<OkRep> {
  return ctx.org.lock.run(async () => {
    const item = { signed: req.certificate, cert: parse({ signed: req.certificate, expected: undefined }) };
    if (!LABEL_TYPES.has(item.cert.type)) refuse({ code: 'invalid_certificate', message: `a ${item.cert.type} certificate is not a label certificate`, reason: 'wrong-type' });
    if (item.cert.type === 'realm_label') realmExists(ctx.store, item.cert.realmId, ctx.now);
    await accept(ctx, ctx.store, [item], { author: ctx.deviceId });
    return OK;
  });
}

/** `device_create`: a later device, signed by one of the same user's devices (store rules). */
export function deviceCreate(ctx: DeviceContext, req: DeviceCreateReq): Promise<OkRep> {
  return ctx.org.lock.run(async () => {
    await accept(ctx, ctx.store, [one(req.certificate, 'device')], { author: ctx.deviceId });
    return OK;
  });
}

// ---- realms -------------------------------------------------------------------------------------

function bundleOps(org: Org, realmId: RealmId, keyIndex: number, bundle: Uint8Array | null, accesses: ReadonlyMap<UserId, Uint8Array>): StorageOp[] {
  const ops: StorageOp[] = [];
  if (bundle !== null) ops.push({ op: 'put', ns: org.ns.keys, key: bundleKey(realmId, keyIndex), value: bundle });
  for (const [userId, access] of accesses) ops.push({ op: 'put', ns: org.ns.keys, key: accessKey(realmId, keyIndex, userId), value: access });
  return ops;
}

/** `realm_create`: the author's self-signed OWNER role, key 1, its keys bundle and own access. */
export function realmCreate(ctx: DeviceContext, req: RealmCreateReq): Promise<OkRep> {
  return ctx.org.lock.run(async () => {
    const role = one(req.roleCertificate, 'realm_role');
    const rotation = one(req.keyRotationCertificate, 'realm_key_rotation');
    const realmId = role.cert.realmId;
    if (ctx.store.listRealms().includes(realmId)) refuse({ code: 'already_exists', message: 'the realm already exists' });
    await accept(ctx, ctx.store, [role, rotation], {
      author: ctx.deviceId,
      extra: () => bundleOps(ctx.org, realmId, rotation.cert.keyIndex, req.keysBundle, new Map([[ctx.userId, req.keysBundleAccess]])),
    });
    return OK;
  });
}

/** `realm_share`: gives a role; brings the recipient's access to the current keys bundle. */
export function realmShare(ctx: DeviceContext, req: RealmShareReq): Promise<OkRep> {
  return ctx.org.lock.run(async () => {
    const role = one(req.roleCertificate, 'realm_role');
    if (role.cert.role === null) refuse({ code: 'bad_request', message: 'realm_share gives a role; use realm_unshare to remove one' });
    const { realmId, userId } = role.cert;
    realmExists(ctx.store, realmId, ctx.now);
    const keyIndex = ctx.store.getKeyIndex(realmId);
    await accept(ctx, ctx.store, [role], {
      author: ctx.deviceId,
      extra: () => bundleOps(ctx.org, realmId, keyIndex, null, new Map([[userId, req.keysBundleAccess]])),
    });
    return OK;
  });
}

/** `realm_unshare`: removes a role (the client rotates the key next). */
export function realmUnshare(ctx: DeviceContext, req: RealmUnshareReq): Promise<OkRep> {
  return ctx.org.lock.run(async () => {
    const role = one(req.roleCertificate, 'realm_role');
    if (role.cert.role !== null) refuse({ code: 'bad_request', message: 'realm_unshare removes a role; use realm_share to give one' });
    realmExists(ctx.store, role.cert.realmId, ctx.now);
    await accept(ctx, ctx.store, [role], { author: ctx.deviceId });
    return OK;
  });
}

/**
 * `realm_rotate_key`: a new key, its bundle, and one access per current member — exactly: a
 * missing member could not read new data, an extra one (unshared, revoked) could.
 */
export function realmRotateKey(ctx: DeviceContext, req: RealmRotateKeyReq): Promise<OkRep> {
  return ctx.org.lock.run(async () => {
    const rotation = one(req.keyRotationCertificate, 'realm_key_rotation');
    const { realmId, keyIndex } = rotation.cert;
    realmExists(ctx.store, realmId, ctx.now);
    await accept(ctx, ctx.store, [rotation], {
      author: ctx.deviceId,
      check: () => {
        const members = new Set(ctx.store.listRealmMembers(realmId).map((m) => m.userId));
        const given = new Set(req.keysBundleAccesses.keys());
        const missing = [...members].filter((u) => !given.has(u));
        const extra = [...given].filter((u) => !members.has(u));
        if (missing.length > 0 || extra.length > 0) {
          refuse({
            code: 'realm_members_mismatch',
            message: `accesses must be for exactly the current members (missing ${missing.length}, not members ${extra.length})`,
          });
        }
      },
      extra: () => bundleOps(ctx.org, realmId, keyIndex, req.keysBundle, req.keysBundleAccesses),
    });
    return OK;
  });
}

/** `realm_rename`: a new encrypted name (store rules: by an OWNER, known key index). */
export function realmRename(ctx: DeviceContext, req: RealmRenameReq): Promise<OkRep> {
  return ctx.org.lock.run(async () => {
    const name = one(req.nameCertificate, 'realm_name');
    realmExists(ctx.store, name.cert.realmId, ctx.now);
    await accept(ctx, ctx.store, [name], { author: ctx.deviceId });
    return OK;
  });
}

/** `realm_get_keys_bundle`: a current member's access to keys bundle `keyIndex`. */
export async function realmGetKeysBundle(ctx: DeviceContext, req: RealmGetKeysBundleReq): Promise<RealmGetKeysBundleRep> {
  requireRole(ctx.store, req.realmId, ctx.userId, ANY_ROLE);
  checkRealmNotDeleted(ctx.store, req.realmId, ctx.now);
  const { storage, ns } = ctx.org;
  const keysBundle = await storage.get(ns.keys, bundleKey(req.realmId, req.keyIndex));
  const keysBundleAccess = await storage.get(ns.keys, accessKey(req.realmId, req.keyIndex, ctx.userId));
  if (keysBundle === undefined || keysBundleAccess === undefined) refuse({ code: 'not_found', message: `no access to keys bundle ${req.keyIndex}` });
  return { status: 'ok', keysBundle, keysBundleAccess };
}

// ---- reading ------------------------------------------------------------------------------------

/**
 * `certificates_get`: the common topic and every realm topic the user is or was a member of
 * (a former member still needs them to verify what it can read of the past), after the client's
 * per-topic high-water marks.
 */
export async function certificatesGet(ctx: DeviceContext, req: CertificatesGetReq): Promise<CertificatesGetRep> {
  const topics = new Map<TopicName, Uint8Array[]>();
  const visible: Topic[] = [COMMON_TOPIC];
  for (const [realmId, users] of ctx.org.participants) if (users.has(ctx.userId)) visible.push(realmId);
  let size = 0;
  for (const topic of visible) {
    const certs = ctx.store.signedCertificates(topic, req.after.get(topic));
    for (const c of certs) size += c.length + 8;
    if (size > ctx.config.maxReplySize) refuse({ code: 'too_large', message: 'the certificates do not fit in one reply' });
    topics.set(topic, certs);
  }
  return { status: 'ok', topics };
}
