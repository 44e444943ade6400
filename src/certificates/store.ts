/**
 * `CertificateStore`: ingests signed certificates atomically and answers point-in-time questions
 * about the trust state (the certificate rules).
 * @module
 */
import type { DeviceId, RealmId, UserId } from '../codec/ids.js';
import type { Timestamp } from '../codec/timestamps.js';
import { CertificateError } from '../errors.js';
import { verifyBatch, type PublicKey, type VerifyItem, type VerifyKey } from '../keys/index.js';
import { certificateDigest, checkDeliveryOrder, nextLink } from './chain.js';
import { BatchValidator } from './engine.js';
import { certificateError, REASONS } from './reasons.js';
import { readCertificate, type UnverifiedCertificate } from './sign.js';
import { lastAtOrBefore, profileAt, revokedAt, roleAt, TrustState, type UserRecord } from './state.js';
import type { Clearance } from './label.js';
import type { LabelPolicy } from './label-policy.js';
import { clearanceAt, clearanceProblem, newestPolicyAt, realmLabelAt } from './label-rules.js';
import { MemoryCertificateStoreStorage, type CertificateStoreStorage, type TopicCertificates } from './storage.js';
import {
  COMMON_TOPIC,
  type Certificate,
  type ChainHead,
  type ChainLink,
  type DeviceCertificate,
  type HumanHandle,
  type RealmArchivingConfiguration,
  type RealmKeyRotationCertificate,
  type RealmNameCertificate,
  type RealmRole,
  type RevisedLabel,
  type Topic,
  type UserCertificate,
  type UserProfile,
} from './types.js';

/** "Now": the newest state. */
const LATEST = Number.MAX_SAFE_INTEGER;

/** A user as the certificates describe it at a point in time (`CertificateStore.getUser`). */
export interface UserInfo {
  readonly userId: UserId;
  readonly humanHandle: HumanHandle;
  readonly publicKey: PublicKey;
  /** Profile at the asked timestamp. */
  readonly profile: UserProfile;
  readonly createdOn: Timestamp;
  /** Creating device, `null` for the bootstrap user. */
  readonly createdBy: DeviceId | null;
  /** Revocation timestamp if revoked at the asked timestamp, else `null`. */
  readonly revokedOn: Timestamp | null;
  readonly certificate: UserCertificate;
}

/** A device as the certificates describe it (`CertificateStore.getDevice`). */
export interface DeviceInfo {
  readonly deviceId: DeviceId;
  readonly userId: UserId;
  readonly label: string;
  readonly verifyKey: VerifyKey;
  readonly createdOn: Timestamp;
  readonly createdBy: DeviceId | null;
  readonly certificate: DeviceCertificate;
}

/** A member of a realm and its role, at a point in time (`CertificateStore.listRealmMembers`). */
export interface RealmMember {
  readonly userId: UserId;
  readonly role: RealmRole;
}

/** Options of `CertificateStore.open`. */
export interface CertificateStoreOptions {
  /** The organisation's root verify key: the trust anchor every client pins. */
  readonly rootVerifyKey: VerifyKey;
  /** Where accepted certificates are kept; default in memory. */
  readonly storage?: CertificateStoreStorage;
}

/** Signatures verified per concurrent batch while the next certificates are checked. */
const VERIFY_CHUNK = 128;
/** Chunks whose verification may still run while the next one is checked. */
const MAX_CHUNKS_IN_FLIGHT = 2;

/** Lets queued crypto jobs and their continuations run (setImmediate in Node, else a task). */
function yieldToEventLoop(): Promise<void> {
  const g = globalThis as { setImmediate?: (cb: () => void) => unknown };
  return new Promise((resolve) => (g.setImmediate ? g.setImmediate(resolve) : setTimeout(resolve, 0)));
}

interface Parsed {
  readonly topic: Topic;
  readonly signed: Uint8Array;
  readonly cert: UnverifiedCertificate;
  readonly digest: Uint8Array;
}

/**
 * Decodes every certificate of a batch (own copies: the caller may reuse its buffers, and stored
 * bytes must stay what we checked) and refuses a topic delivered out of position order before
 * any other rule looks at it. Throws `CertificateError` naming the batch index.
 */
function parseBatch(batch: readonly TopicCertificates[]): Parsed[] {
  const out: Parsed[] = [];
  for (const { topic, certificates } of batch) {
    const positions: number[] = [];
    const indexes: number[] = [];
    for (const input of certificates) {
      const signed = input instanceof Uint8Array ? input.slice() : input;
      let cert: UnverifiedCertificate;
      try {
        cert = readCertificate(signed);
      } catch (err) {
        throw withIndex(err, out.length);
      }
      positions.push(cert.certificate.chain.position);
      indexes.push(out.length);
      out.push({ topic, signed, cert, digest: certificateDigest(signed) });
    }
    checkDeliveryOrder(topic, positions, indexes);
  }
  return out;
}

function withIndex(err: unknown, index: number): unknown {
  if (err instanceof CertificateError) {
    return new CertificateError(err.reason, `certificate #${index}: ${err.message}`, { cause: err });
  }
  return err;
}

/**
 * The validated certificates of an organisation. Ingestion is serialised and atomic; queries are
 * synchronous and never see half a batch.
 */
export class CertificateStore {
  private readonly state = new TrustState();
  private readonly signed = new Map<Topic, { timestamp: Timestamp; signed: Uint8Array; digest: Uint8Array }[]>();
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    readonly rootVerifyKey: VerifyKey,
    private readonly storage: CertificateStoreStorage,
  ) {}

  /**
   * Opens a store over `storage`, re-validating everything it holds (storage is not trusted more
   * than the server). Throws `CertificateError` if stored certificates break a rule.
   */
  static async open(options: CertificateStoreOptions): Promise<CertificateStore> {
    const store = new CertificateStore(options.rootVerifyKey, options.storage ?? new MemoryCertificateStoreStorage());
    const stored = await store.storage.load();
    // Common first: realm rules read users and devices. Order within a topic is preserved.
    const ordered = [...stored.filter((t) => t.topic === COMMON_TOPIC), ...stored.filter((t) => t.topic !== COMMON_TOPIC)];
    if (ordered.some((t) => t.certificates.length > 0)) await store.run(ordered, false);
    return store;
  }

  /** Ingests certificates of one topic. See `ingestBatch`. */
  ingest(topic: Topic, certificates: readonly Uint8Array[]): Promise<Certificate[]> {
    return this.ingestBatch([{ topic, certificates }]);
  }

  /**
   * Ingests certificates of several topics, in the order given (common first, then each realm,
   * as the server delivers them). Atomic: if any certificate is malformed, breaks a rule or has a
   * bad signature, throws `CertificateError` (message names its index in the batch) and the
   * store is exactly as before; a storage failure propagates and likewise leaves it unchanged.
   * Returns the decoded certificates in order.
   */
  ingestBatch(batch: readonly TopicCertificates[]): Promise<Certificate[]> {
    const next = this.queue.then(() => this.run(batch, true));
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async run(batch: readonly TopicCertificates[], persist: boolean): Promise<Certificate[]> {
    const validator = new BatchValidator(this.state, this.rootVerifyKey);
    const accepted: { topic: Topic; certificate: Certificate; signed: Uint8Array }[] = [];
    const verifications: Promise<number>[] = [];
    let chunk: VerifyItem[] = [];
    let ruleError: unknown = null;
    let ruleErrorIndex = Infinity;
    // Signatures of a chunk are verified (WebCrypto: on worker threads) while the next chunk is
    // decoded and checked on this thread. Author keys depend on earlier certificates of the
    // batch, the verifications do not, so both can overlap.
    const flush = () => {
      if (chunk.length === 0) return;
      const start = accepted.length - chunk.length;
      const firstFalse = (ok: boolean[]) => (ok.indexOf(false) < 0 ? -1 : start + ok.indexOf(false));
      verifications.push(verifyBatch(chunk).then(firstFalse, () => start));
      chunk = [];
    };
    let position = 0; // index of the certificate being checked, for the error ordering below
    try {
      const parsed = parseBatch(batch);
      for (const { topic, signed, cert, digest } of parsed) {
        position = accepted.length;
        const key = validator.add({ topic, certificate: cert.certificate, digest });
        accepted.push({ topic, certificate: cert.certificate, signed });
        chunk.push({ key, message: cert.body, signature: cert.signature });
        if (chunk.length === VERIFY_CHUNK) {
          flush();
          // Bounded: a deep queue of crypto jobs starves this thread on a small machine.
          const older = verifications[verifications.length - 1 - MAX_CHUNKS_IN_FLIGHT];
          if (older) await older;
          else await yieldToEventLoop();
        }
      }
      position = accepted.length;
      validator.finish();
    } catch (err) {
      ruleError = err;
      ruleErrorIndex = position;
    }
    flush();
    // Report the first bad certificate in batch order, whichever check caught it.
    const bad = (await Promise.all(verifications)).filter((i) => i >= 0);
    const firstBad = bad.length === 0 ? -1 : Math.min(...bad);
    if (firstBad >= 0 && firstBad < ruleErrorIndex) {
      throw certificateError(REASONS.badSignature, `the ${accepted[firstBad]!.certificate.type} certificate signature does not verify`, firstBad);
    }
    if (ruleError !== null) throw ruleError;
    if (accepted.length === 0) return [];
    if (persist) await this.storage.append(batch.filter((t) => t.certificates.length > 0));
    validator.draft.commit();
    for (const it of accepted) {
      let list = this.signed.get(it.topic);
      if (!list) this.signed.set(it.topic, (list = []));
      list.push({ timestamp: it.certificate.timestamp, signed: it.signed, digest: this.state.chains.get(it.topic)![list.length]!.digest });
    }
    return accepted.map((it) => it.certificate);
  }

  // ---- topics ---------------------------------------------------------------------------

  /**
   * The head of `topic`: position and digest of its newest accepted certificate, or `null` for a
   * topic with none. This, not a timestamp, is the mark a reader keeps (format v2).
   */
  topicHead(topic: Topic): ChainHead | null {
    const chain = this.state.chains.get(topic);
    if (!chain || chain.length === 0) return null;
    return { position: chain.length, digest: chain[chain.length - 1]!.digest };
  }

  /**
   * The chain link of the next certificate to sign in `topic`: position head + 1, `prev` the
   * head's digest, and for a realm topic the common head this device verified. Sync
   * certificates first: a link built on a stale head is refused by the server (`chain-replaced`
   * / `chain-prev-mismatch`) and by every reader.
   * @example
   * const signed = await signCertificate(key, { type: 'realm_role', author, timestamp, realmId, userId, role: 'READER' }, store.nextLink(realmId));
   */
  nextLink(topic: Topic): ChainLink {
    return nextLink(this.topicHead(topic), topic === COMMON_TOPIC ? null : this.topicHead(COMMON_TOPIC));
  }

  /** The signed certificate at `position` (1-based) of `topic`, or `undefined`. */
  certificateAt(topic: Topic, position: number): Uint8Array | undefined {
    return this.signed.get(topic)?.[position - 1]?.signed;
  }

  /** The chain entry at `position` (1-based) of `topic`: its digest and timestamp, or `undefined`. */
  entryAt(topic: Topic, position: number): { readonly position: number; readonly digest: Uint8Array; readonly timestamp: Timestamp } | undefined {
    const e = position >= 1 ? this.signed.get(topic)?.[position - 1] : undefined;
    return e === undefined ? undefined : { position, digest: e.digest, timestamp: e.timestamp };
  }

  /** The timestamp of the certificate at `position` (1-based) of `topic`, or `undefined`. */
  timestampAt(topic: Topic, position: number): Timestamp | undefined {
    return this.signed.get(topic)?.[position - 1]?.timestamp;
  }

  /** Newest accepted timestamp of `topic` (the high-water mark to fetch from), or `null`. */
  lastTimestamp(topic: Topic): Timestamp | null {
    if (topic === COMMON_TOPIC) return this.state.commonLast;
    return this.state.realms.get(topic)?.last ?? null;
  }

  /** The signed bytes of `topic`'s certificates, in order, optionally only those after `after`. */
  signedCertificates(topic: Topic, after?: Timestamp): Uint8Array[] {
    const list = this.signed.get(topic) ?? [];
    const from = after === undefined ? 0 : lastAtOrBefore(list, after, (e) => e.timestamp) + 1;
    return list.slice(from).map((e) => e.signed);
  }

  /** Realm topics known to the store, in first-ingestion order. */
  topics(): Topic[] {
    return [...this.signed.keys()];
  }

  // ---- users and devices ----------------------------------------------------------------

  private userRecord(userId: UserId, at: Timestamp): UserRecord | undefined {
    const rec = this.state.users.get(userId);
    return rec && rec.certificate.timestamp <= at ? rec : undefined;
  }

  private userInfo(rec: UserRecord, at: Timestamp): UserInfo {
    const c = rec.certificate;
    return {
      userId: c.userId,
      humanHandle: c.humanHandle,
      publicKey: c.publicKey,
      profile: profileAt(rec, at)!,
      createdOn: c.timestamp,
      createdBy: c.author,
      revokedOn: revokedAt(rec, at) ? rec.revoked!.timestamp : null,
      certificate: c,
    };
  }

  /** The user as it was at `at` (default: now), or `undefined` if it did not exist yet. */
  getUser(userId: UserId, at: Timestamp = LATEST): UserInfo | undefined {
    const rec = this.userRecord(userId, at);
    return rec && this.userInfo(rec, at);
  }

  /** The user's profile at `at`, or `undefined` if it did not exist yet. */
  getProfile(userId: UserId, at: Timestamp = LATEST): UserProfile | undefined {
    const rec = this.userRecord(userId, at);
    return rec && profileAt(rec, at);
  }

  /** True if the user exists and is revoked at `at`. */
  isRevoked(userId: UserId, at: Timestamp = LATEST): boolean {
    const rec = this.userRecord(userId, at);
    return rec !== undefined && revokedAt(rec, at);
  }

  /** Every user created at or before `at` (revoked ones included, see `revokedOn`), in creation order. */
  listUsers(at: Timestamp = LATEST): UserInfo[] {
    const order = this.state.userOrder;
    const n = lastAtOrBefore(order, at, (id) => this.state.users.get(id)!.certificate.timestamp) + 1;
    return order.slice(0, n).map((id) => this.userInfo(this.state.users.get(id)!, at));
  }

  /** The device as it was at `at`, or `undefined` if it did not exist yet. */
  getDevice(deviceId: DeviceId, at: Timestamp = LATEST): DeviceInfo | undefined {
    const rec = this.state.devices.get(deviceId);
    if (!rec || rec.certificate.timestamp > at) return undefined;
    const c = rec.certificate;
    return { deviceId: c.deviceId, userId: c.userId, label: c.deviceLabel, verifyKey: c.verifyKey, createdOn: c.timestamp, createdBy: c.author, certificate: c };
  }

  /** The device's verify key at `at`, or `undefined` if the device did not exist yet. */
  getVerifyKey(deviceId: DeviceId, at: Timestamp = LATEST): VerifyKey | undefined {
    return this.getDevice(deviceId, at)?.verifyKey;
  }

  /** The user's devices that existed at `at`, in creation order. */
  listDevices(userId: UserId, at: Timestamp = LATEST): DeviceInfo[] {
    const rec = this.userRecord(userId, at);
    if (!rec) return [];
    const n = lastAtOrBefore(rec.devices, at, (id) => this.state.devices.get(id)!.certificate.timestamp) + 1;
    return rec.devices.slice(0, n).map((id) => this.getDevice(id, at)!);
  }

  // ---- realms ---------------------------------------------------------------------------

  /** The user's role in the realm at `at` (`null`: not a member, or unknown realm). */
  getRealmRole(realmId: RealmId, userId: UserId, at: Timestamp = LATEST): RealmRole | null {
    return roleAt(this.state.realms.get(realmId)?.roles.get(userId), at);
  }

  /** Members of the realm at `at` (users revoked at `at` excluded), in first-role order. */
  listRealmMembers(realmId: RealmId, at: Timestamp = LATEST): RealmMember[] {
    const realm = this.state.realms.get(realmId);
    if (!realm) return [];
    const out: RealmMember[] = [];
    for (const [userId, history] of realm.roles) {
      const role = roleAt(history, at);
      if (role !== null && !this.isRevoked(userId, at)) out.push({ userId, role });
    }
    return out;
  }

  /** The realms where the user has a role at `at`, with that role. */
  listUserRealms(userId: UserId, at: Timestamp = LATEST): { realmId: RealmId; role: RealmRole }[] {
    const out: { realmId: RealmId; role: RealmRole }[] = [];
    for (const realm of this.state.realms.values()) {
      const role = roleAt(realm.roles.get(userId), at);
      if (role !== null) out.push({ realmId: realm.realmId, role });
    }
    return out;
  }

  /** Realms created at or before `at`. */
  listRealms(at: Timestamp = LATEST): RealmId[] {
    return [...this.state.realms.values()].filter((r) => r.created <= at).map((r) => r.realmId);
  }

  /** The realm's current key index at `at` (0: no key yet or unknown realm). */
  getKeyIndex(realmId: RealmId, at: Timestamp = LATEST): number {
    const rotations = this.state.realms.get(realmId)?.keyRotations ?? [];
    return lastAtOrBefore(rotations, at, (c) => c.timestamp) + 1;
  }

  /** The rotation certificate of key `keyIndex` (any time), or `undefined`. */
  getKeyRotation(realmId: RealmId, keyIndex: number): RealmKeyRotationCertificate | undefined {
    return this.state.realms.get(realmId)?.keyRotations[keyIndex - 1];
  }

  /** The rotation certificate of the key current at `at`, or `undefined`. */
  getCurrentKeyRotation(realmId: RealmId, at: Timestamp = LATEST): RealmKeyRotationCertificate | undefined {
    const i = this.getKeyIndex(realmId, at);
    return i === 0 ? undefined : this.getKeyRotation(realmId, i);
  }

  /** The realm's name certificate in force at `at`, or `undefined`. */
  getRealmName(realmId: RealmId, at: Timestamp = LATEST): RealmNameCertificate | undefined {
    const names = this.state.realms.get(realmId)?.names ?? [];
    return names[lastAtOrBefore(names, at, (c) => c.timestamp)];
  }

  /** The realm's archiving configuration at `at` (`available` when never set). */
  getArchiving(realmId: RealmId, at: Timestamp = LATEST): RealmArchivingConfiguration {
    const list = this.state.realms.get(realmId)?.archiving ?? [];
    return list[lastAtOrBefore(list, at, (c) => c.timestamp)]?.configuration ?? { status: 'available' };
  }

  // ---- labels (STANAG 4774) --------------------------------------------------------------------

  #labels() {
    const st = this.state;
    return { policyRevisions: (id: string) => st.labelPolicies.get(id) ?? [], clearanceHistory: (key: string) => st.clearances.get(key) ?? [] };
  }

  /** Revision `revision` of label policy `policyId` (whenever published), or `undefined`. */
  getLabelPolicy(policyId: string, revision: number): LabelPolicy | undefined {
    return this.state.labelPolicies.get(policyId)?.[revision - 1]?.policy;
  }

  /** The newest revision of `policyId` published at or before `at`, with its number. */
  getNewestLabelPolicy(policyId: string, at: Timestamp = LATEST): { revision: number; policy: LabelPolicy } | undefined {
    return newestPolicyAt(this.#labels(), policyId, at);
  }

  /** The label policy identifiers published, in first-publication order. */
  listLabelPolicies(): string[] {
    return [...this.state.labelPolicies.keys()];
  }

  /** The user's clearance under `policyId` at `at` (`null`: none, or withdrawn). */
  getClearance(userId: UserId, policyId: string, at: Timestamp = LATEST): Clearance | null {
    return clearanceAt(this.#labels(), userId, policyId, at);
  }

  /** The workspace label (ceiling) of `realmId` at `at` (`null`: unlabelled). */
  getRealmLabel(realmId: RealmId, at: Timestamp = LATEST): RevisedLabel | null {
    return realmLabelAt(this.state.realms.get(realmId), at);
  }

  /** `null` if `userId` is cleared for `label` at `at` (its clearance dominates it), else why not. */
  clearanceProblem(userId: UserId, label: RevisedLabel, at: Timestamp = LATEST): string | null {
    return clearanceProblem(this.#labels(), userId, label, at);
  }
}
