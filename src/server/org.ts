/**
 * One organisation on the server: its certificate store, in-memory indexes over its stored data,
 * invitations, events, and the write lock. The durable truth is the `Storage`; the indexes are
 * rebuilt from it by `Org.load`.
 * @module
 */
import { COMMON_TOPIC, CertificateStore, readCertificate, type CertificateStoreStorage, type Topic, type TopicCertificates } from '../certificates/index.js';
import type { InvitationToken, OrganizationId, RealmId, UserId, VlobId } from '../codec/ids.js';
import { isId } from '../codec/ids.js';
import type { Timestamp } from '../codec/timestamps.js';
import { StorageError } from '../errors.js';
import { VerifyKey } from '../keys/index.js';
import type { Storage, StorageOp } from '../storage/index.js';
import { DEFAULT_SETTINGS, FROZEN_PREFIX, SETTINGS_KEY, settingsRecord, type OrganizationSettings } from './admin/settings.js';
import { EventLog } from './events.js';
import type { Invitation } from './invitation-rules.js';
import { Mutex, Notifier } from './notifier.js';
import { StorageBlockStore, type BlockStore } from './block-store.js';
import { readShamirDocument, verifyShamirSetup, type VerifiedShamirSetup } from '../shamir/index.js';
import {
  certificateRecord,
  invitationRecord,
  orgNamespaces,
  orgRecord,
  pad,
  pkiAnchorsRecord,
  pkiEnrollmentRecord,
  shamirRecord,
  vlobRecord,
  type PkiEnrollmentRecord,
  type VersionMeta,
} from './records.js';

/**
 * The `CertificateStoreStorage` of an organisation over the server `Storage`. `extra` lets a
 * handler add its own writes (keys bundle, organisation record) to the very batch that stores the
 * certificates, so they land together or not at all.
 */
export class OrgCertificateStorage implements CertificateStoreStorage {
  private seq = 0;
  /** Ops appended to the next `append` batch (set under the organisation lock, then cleared). */
  extra: StorageOp[] = [];

  constructor(
    private readonly storage: Storage,
    private readonly ns: string,
  ) {}

  /** See `CertificateStoreStorage.load`. Throws `StorageError` `storage/corrupt` for bad records. */
  async load(): Promise<readonly TopicCertificates[]> {
    const keys = await this.storage.list(this.ns);
    const topics = new Map<Topic, Uint8Array[]>();
    for (const key of keys) {
      const bytes = await this.storage.get(this.ns, key);
      if (bytes === undefined) continue;
      const rec = decodeStored(() => certificateRecord.decode(bytes), this.ns, key);
      if (rec.topic !== COMMON_TOPIC && !isId(rec.topic)) throw new StorageError('storage/corrupt', `bad topic in ${this.ns}/${key}`);
      let list = topics.get(rec.topic as Topic);
      if (!list) topics.set(rec.topic as Topic, (list = []));
      list.push(rec.certificate);
    }
    this.seq = keys.length;
    return [...topics].map(([topic, certificates]) => ({ topic, certificates }));
  }

  /** See `CertificateStoreStorage.append`: one storage batch with the certificates and `extra`. */
  async append(batch: readonly TopicCertificates[]): Promise<void> {
    const ops: StorageOp[] = [];
    let seq = this.seq;
    for (const { topic, certificates } of batch) {
      for (const certificate of certificates) {
        ops.push({ op: 'put', ns: this.ns, key: pad(++seq, 12), value: certificateRecord.encode({ topic, certificate }) });
      }
    }
    ops.push(...this.extra);
    this.extra = [];
    await this.storage.batch(ops);
    this.seq = seq;
  }
}

function decodeStored<T>(f: () => T, ns: string, key: string): T {
  try {
    return f();
  } catch (cause) {
    throw new StorageError('storage/corrupt', `unreadable record ${ns}/${key}`, { cause });
  }
}

/**
 * Keeps the organisations of several server nodes sharing one database coherent (the PostgreSQL
 * backend implements it; a single node needs none).
 */
export interface OrgCoordinator {
  /** Brings `org` up to date with the database (call before answering from memory). */
  refresh(org: Org): Promise<void>;
  /**
   * Runs a write section (under `org.mutex`): exclusive across nodes, `org` brought up to date
   * first, committed before it resolves; rolled back (and `org` marked stale) if `fn` rejects.
   */
  write<T>(org: Org, fn: () => Promise<T>): Promise<T>;
}

/** A stored vlob: its realm and version metadata (blobs stay in storage). */
export interface VlobIndex {
  readonly realmId: RealmId;
  readonly versions: VersionMeta[];
}

/** Storage key of the trusted X.509 roots in the `pki` namespace (enrollments use their id). */
const PKI_ANCHORS_KEY = 'anchors';

/** A user's current Shamir setup (RFC 1000): as stored, and as verified. */
export interface ShamirEntry {
  readonly brief: Uint8Array;
  /** Recipient → its signed share certificate. */
  readonly shares: ReadonlyMap<UserId, Uint8Array>;
  readonly cipheredData: Uint8Array;
  readonly revealToken: Uint8Array;
  readonly setup: VerifiedShamirSetup;
}

/** The in-memory side of an organisation. */
export class Org {
  rootVerifyKey: VerifyKey | null;
  store: CertificateStore | null = null;
  /** Replaced (with `store`) when the organisation is reloaded from storage. */
  certStorage: OrgCertificateStorage;
  readonly ns: ReturnType<typeof orgNamespaces>;
  readonly vlobs = new Map<VlobId, VlobIndex>();
  /** Per realm, the change log: entry `i` is checkpoint `i + 1`. */
  readonly realmLogs = new Map<RealmId, { vlobId: VlobId; version: number }[]>();
  /** Per realm, every user that ever had a role certificate there (sees the realm's topic). */
  readonly participants = new Map<RealmId, Set<UserId>>();
  readonly invitations = new Map<InvitationToken, Invitation>();
  readonly invitationChanges = new Map<InvitationToken, Notifier>();
  readonly events: EventLog;
  /** Serialises this node's writes (and catch-ups) of the organisation. */
  readonly mutex = new Mutex();
  /**
   * A write section: this node's mutex, then, with a shared database, the coordinator's
   * transaction (exclusive across nodes, state brought up to date first, committed before it
   * resolves).
   */
  readonly lock = { run: <T>(fn: () => Promise<T>): Promise<T> => this.mutex.run(() => (this.coordinator === null ? fn() : this.coordinator.write(this, fn))) };
  /** Where the blocks are (default: the same `Storage`). */
  blocks: BlockStore;
  /** Set when nodes share a database (several server processes over one PostgreSQL). */
  coordinator: OrgCoordinator | null = null;
  /** The organisation's change sequence this node's memory reflects (shared database only). */
  seq = 0;
  /** Memory may be ahead of the database (a write failed after changing it): reload before use. */
  stale = false;
  /** Set by the server administrator (`ServerAdmin`, the admin HTTP API). */
  settings: OrganizationSettings = DEFAULT_SETTINGS;
  /** Users frozen by the server administrator. */
  readonly frozen = new Set<UserId>();
  /** Per user, its current Shamir setup. */
  readonly shamir = new Map<UserId, ShamirEntry>();
  /** Trusted X.509 roots (DER) and PKI enrollment requests by id. */
  pkiAnchors: readonly Uint8Array[] = [];
  readonly pki = new Map<string, PkiEnrollmentRecord>();

  constructor(
    readonly storage: Storage,
    readonly id: OrganizationId,
    readonly bootstrapToken: Uint8Array,
    readonly createdOn: Timestamp,
    rootVerifyKey: Uint8Array | null,
    eventCapacity?: number,
  ) {
    this.ns = orgNamespaces(id);
    this.certStorage = new OrgCertificateStorage(storage, this.ns.certs);
    this.rootVerifyKey = rootVerifyKey === null ? null : VerifyKey.fromBytes(rootVerifyKey);
    this.events = new EventLog(eventCapacity);
    this.blocks = new StorageBlockStore(storage);
  }

  /** The organisation record as stored. */
  record(rootVerifyKey: VerifyKey | null = this.rootVerifyKey): Uint8Array {
    return orgRecord.encode({ bootstrapToken: this.bootstrapToken, rootVerifyKey: rootVerifyKey?.toBytes() ?? null, createdOn: this.createdOn });
  }

  /**
   * Rebuilds an organisation from storage, re-validating every certificate (storage is trusted no
   * more than the network). Throws `StorageError` `storage/corrupt` or `CertificateError`.
   */
  static async load(storage: Storage, id: OrganizationId, recordBytes: Uint8Array, eventCapacity?: number): Promise<Org> {
    const rec = decodeStored(() => orgRecord.decode(recordBytes), 'orgs', id);
    const org = new Org(storage, id, rec.bootstrapToken, rec.createdOn, rec.rootVerifyKey, eventCapacity);
    if (org.rootVerifyKey !== null) {
      org.store = await CertificateStore.open({ rootVerifyKey: org.rootVerifyKey, storage: org.certStorage });
      for (const topic of org.store.topics()) {
        if (topic === COMMON_TOPIC) continue;
        for (const signed of org.store.signedCertificates(topic)) org.noteCertificate(readCertificate(signed).certificate);
      }
    }
    await org.loadVlobs();
    await org.loadInvitations();
    await org.loadShamir();
    await org.loadPki();
    await org.loadAdmin();
    return org;
  }

  /** Keeps the participants index in step with an accepted certificate. */
  noteCertificate(cert: { type: string; realmId?: RealmId; userId?: UserId }): void {
    if (cert.type !== 'realm_role' || cert.realmId === undefined || cert.userId === undefined) return;
    let set = this.participants.get(cert.realmId);
    if (!set) this.participants.set(cert.realmId, (set = new Set()));
    set.add(cert.userId);
  }

  private async loadVlobs(): Promise<void> {
    const entries: { realmId: RealmId; vlobId: VlobId; meta: VersionMeta }[] = [];
    for (const key of await this.storage.list(this.ns.vlobs)) {
      const bytes = await this.storage.get(this.ns.vlobs, key);
      if (bytes === undefined) continue;
      const r = decodeStored(() => vlobRecord.decode(bytes), this.ns.vlobs, key);
      entries.push({ realmId: r.realmId, vlobId: r.vlobId, meta: { version: r.version, keyIndex: r.keyIndex, author: r.author, timestamp: r.timestamp, checkpoint: r.checkpoint } });
    }
    // Keys sort by (vlob, version); checkpoints give each realm's write order.
    entries.sort((a, b) => a.meta.checkpoint - b.meta.checkpoint);
    for (const e of entries) {
      let v = this.vlobs.get(e.vlobId);
      if (!v) this.vlobs.set(e.vlobId, (v = { realmId: e.realmId, versions: [] }));
      if (v.realmId !== e.realmId || e.meta.version !== v.versions.length + 1) {
        throw new StorageError('storage/corrupt', `vlob ${e.vlobId} versions are not contiguous in one realm`);
      }
      v.versions.push(e.meta);
      let log = this.realmLogs.get(e.realmId);
      if (!log) this.realmLogs.set(e.realmId, (log = []));
      if (e.meta.checkpoint !== log.length + 1) throw new StorageError('storage/corrupt', `realm ${e.realmId} checkpoints are not contiguous`);
      log.push({ vlobId: e.vlobId, version: e.meta.version });
    }
  }

  /** Reloads the settings and frozen users (also after another node changed them). */
  async loadAdmin(): Promise<void> {
    const bytes = await this.storage.get(this.ns.admin, SETTINGS_KEY);
    this.settings = bytes === undefined ? DEFAULT_SETTINGS : decodeStored(() => settingsRecord.decode(bytes), this.ns.admin, SETTINGS_KEY);
    this.frozen.clear();
    for (const key of await this.storage.list(this.ns.admin, FROZEN_PREFIX)) {
      const userId = key.slice(FROZEN_PREFIX.length);
      if (!isId(userId)) throw new StorageError('storage/corrupt', `bad frozen user key ${key}`);
      this.frozen.add(userId as UserId);
    }
  }

  private async loadInvitations(): Promise<void> {
    for (const key of await this.storage.list(this.ns.invites)) {
      const bytes = await this.storage.get(this.ns.invites, key);
      if (bytes === undefined) continue;
      const inv = decodeStored(() => invitationRecord.decode(bytes), this.ns.invites, key) as Invitation;
      this.invitations.set(inv.token, inv);
    }
  }

  /** Reloads the Shamir setups, verified again against the certificates (storage is not trusted more). */
  private async loadShamir(): Promise<void> {
    for (const key of await this.storage.list(this.ns.shamir)) {
      const bytes = await this.storage.get(this.ns.shamir, key);
      if (bytes === undefined || this.store === null) continue;
      const rec = decodeStored(() => shamirRecord.decode(bytes), this.ns.shamir, key);
      const setup = await verifyShamirSetup(this.store, rec.brief, rec.shares).catch((cause: unknown) => {
        throw new StorageError('storage/corrupt', `Shamir setup ${key} does not verify`, { cause });
      });
      if (setup.brief.userId !== key) throw new StorageError('storage/corrupt', `Shamir setup ${key} is of another user`);
      this.shamir.set(setup.brief.userId, { ...rec, shares: sharesByRecipient(rec.shares), setup });
    }
  }

  private async loadPki(): Promise<void> {
    for (const key of await this.storage.list(this.ns.pki)) {
      const bytes = await this.storage.get(this.ns.pki, key);
      if (bytes === undefined) continue;
      if (key === PKI_ANCHORS_KEY) this.pkiAnchors = decodeStored(() => pkiAnchorsRecord.decode(bytes), this.ns.pki, key).anchors;
      else this.pki.set(key, decodeStored(() => pkiEnrollmentRecord.decode(bytes), this.ns.pki, key));
    }
  }

  /** The op that stores an enrollment record. */
  pkiOp(rec: PkiEnrollmentRecord): StorageOp {
    return { op: 'put', ns: this.ns.pki, key: rec.enrollmentId, value: pkiEnrollmentRecord.encode(rec) };
  }

  /** The op that stores the trusted roots. */
  pkiAnchorsOp(anchors: readonly Uint8Array[]): StorageOp {
    return { op: 'put', ns: this.ns.pki, key: PKI_ANCHORS_KEY, value: pkiAnchorsRecord.encode({ anchors }) };
  }

  /** The op that stores `entry` as `userId`'s current setup. */
  shamirOp(userId: UserId, entry: ShamirEntry): StorageOp {
    const value = shamirRecord.encode({ brief: entry.brief, shares: [...entry.shares.values()], cipheredData: entry.cipheredData, revealToken: entry.revealToken });
    return { op: 'put', ns: this.ns.shamir, key: userId, value };
  }

  /** The op that stores `inv`. */
  invitationOp(inv: Invitation): StorageOp {
    return { op: 'put', ns: this.ns.invites, key: inv.token, value: invitationRecord.encode(inv) };
  }

  /** The notifier of one invitation's changes (created on demand). */
  invitationNotifier(token: InvitationToken): Notifier {
    let n = this.invitationChanges.get(token);
    if (!n) this.invitationChanges.set(token, (n = new Notifier()));
    return n;
  }

  /**
   * The bound a new certificate's timestamp must exceed: for a common certificate every topic's
   * newest (the store orders all topics globally, the certificate rules), for a realm certificate the newest
   * of common and that realm (a realm certificate older than a revocation could otherwise give a
   * role to a user already revoked). `null` when nothing constrains it yet.
   */
  timestampBound(topic: Topic): Timestamp | null {
    const store = this.store;
    if (store === null) return null;
    let bound = store.lastTimestamp(COMMON_TOPIC);
    const realms = topic === COMMON_TOPIC ? store.topics().filter((t) => t !== COMMON_TOPIC) : [topic];
    for (const r of realms) {
      const t = store.lastTimestamp(r);
      if (t !== null && (bound === null || t > bound)) bound = t;
    }
    return bound;
  }
}

/** Signed share certificates by recipient (each already verified by `verifyShamirSetup`). */
export function sharesByRecipient(shares: readonly Uint8Array[]): Map<UserId, Uint8Array> {
  return new Map(shares.map((signed) => [readShamirDocument(signed, 'shamir_share').document.recipient, signed] as const));
}
