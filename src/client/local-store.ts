/**
 * The client's local state over a `Storage` (normally an `EncryptedStorage` keyed by the device's
 * local key): certificates, per-workspace entries, blocks, keys and checkpoints. Thin typed
 * accessors; every multi-record change goes through one atomic `batch`.
 * @module
 */
import type { BlockId, RealmId, VlobId } from '../codec/ids.js';
import type { CertificateStoreStorage, TopicCertificates } from '../certificates/storage.js';
import type { Topic } from '../certificates/types.js';
import type { Storage, StorageOp } from '../storage/storage.js';
import type { PollMark } from './appeared-after.js';
import { StorageError } from '../errors.js';
import type { LocalEntry } from './local-entry.js';
import type { Tombstone, TombstoneChanges } from './tombstones.js';
import type { CollectedMark } from './verified.js';
import {
  decodeCollected,
  decodeLocalEntry,
  encodeCollected,
  decodeTombstone,
  encodeLocalEntry,
  encodeTombstone,
  localBlockDocument,
  localKeysDocument,
  localRealmStateDocument,
} from './local-format.js';

const CERTS_NS = 'certs';
const SEQ_DIGITS = 12;

const entriesNs = (realm: RealmId): string => `w${realm}`;
const blocksNs = (realm: RealmId): string => `b${realm}`;

/**
 * True for the namespaces holding a realm's blocks. Their values are the realm-encrypted block
 * (AES-GCM, AAD bound to realm, id and key index) and are checked against the signed manifest on
 * every read, so `Client` stores them without a second local-key encryption (`EncryptedStorage`
 * `opaqueNamespaces`).
 */
export function isBlocksNamespace(ns: string): boolean {
  return /^b[0-9a-f]{32}$/.test(ns);
}
const pendingNs = (realm: RealmId): string => `p${realm}`;
const realmNs = (realm: RealmId): string => `m${realm}`;
const tombstonesNs = (realm: RealmId): string => `t${realm}`;
const collectedNs = (realm: RealmId): string => `g${realm}`;

/**
 * The bucket holding the mark of a collected entry (entry GC): the first two hex digits of
 * its vlob id, so a collection rewrites a few small records, not one per vlob nor one per realm.
 */
export function collectedBucket(id: VlobId): string {
  return id.slice(0, 2);
}

/** Bound on a stored pattern list (it is written by this device: far above any real list). */
const MAX_PATTERNS_BYTES = 1 << 20;

function decodePatterns(v: Uint8Array): readonly string[] {
  if (v.length > MAX_PATTERNS_BYTES) throw new StorageError('storage/corrupt', `stored ignore patterns exceed ${MAX_PATTERNS_BYTES} bytes`);
  let out: unknown;
  try {
    out = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(v));
  } catch (err) {
    throw new StorageError('storage/corrupt', 'stored ignore patterns are not readable', { cause: err });
  }
  if (!Array.isArray(out) || !out.every((p) => typeof p === 'string')) throw new StorageError('storage/corrupt', 'stored ignore patterns are not a list of strings');
  return out as string[];
}

/** A block kept locally: ciphertext and the realm key index it was encrypted under. */
export interface LocalBlock {
  readonly keyIndex: number;
  readonly ciphertext: Uint8Array;
}

/** Cached keys of a realm (verified against the rotation canaries each time they are loaded). */
export interface LocalKeys {
  readonly keys: readonly Uint8Array[];
  readonly bundleKey: Uint8Array;
}

/**
 * Persists the accepted certificates for `CertificateStore` (which re-validates all of them when
 * it opens: the local disk is not trusted more than the server). One record per certificate,
 * keyed `topic:sequence`, appended in one atomic batch per ingestion.
 */
export class LocalCertificateStorage implements CertificateStoreStorage {
  readonly #storage: Storage;
  readonly #next = new Map<Topic, number>();

  constructor(storage: Storage) {
    this.#storage = storage;
  }

  /** See `CertificateStoreStorage.load`. */
  async load(): Promise<readonly TopicCertificates[]> {
    const keys = await this.#storage.list(CERTS_NS);
    const topics = new Map<Topic, Uint8Array[]>();
    for (const key of keys) {
      const topic = key.slice(0, key.length - SEQ_DIGITS - 1) as Topic;
      const value = await this.#storage.get(CERTS_NS, key);
      if (value === undefined) continue;
      let list = topics.get(topic);
      if (list === undefined) topics.set(topic, (list = []));
      list.push(value);
    }
    for (const [topic, list] of topics) this.#next.set(topic, list.length);
    return [...topics].map(([topic, certificates]) => ({ topic, certificates }));
  }

  /** See `CertificateStoreStorage.append`: one atomic batch. */
  async append(batch: readonly TopicCertificates[]): Promise<void> {
    const ops: StorageOp[] = [];
    const next = new Map(this.#next);
    for (const { topic, certificates } of batch) {
      let n = next.get(topic) ?? 0;
      for (const c of certificates) {
        ops.push({ op: 'put', ns: CERTS_NS, key: `${topic}:${String(n).padStart(SEQ_DIGITS, '0')}`, value: c });
        n++;
      }
      next.set(topic, n);
    }
    await this.#storage.batch(ops);
    for (const [t, n] of next) this.#next.set(t, n);
  }
}

/** Typed access to the per-workspace records. */
export class LocalStore {
  readonly storage: Storage;

  constructor(storage: Storage) {
    this.storage = storage;
  }

  /** Every local entry of a workspace. Throws `CodecError`/`StorageError` for a corrupted record. */
  async loadEntries(realm: RealmId): Promise<Map<VlobId, LocalEntry>> {
    const out = new Map<VlobId, LocalEntry>();
    for (const key of await this.storage.list(entriesNs(realm))) {
      const v = await this.storage.get(entriesNs(realm), key);
      if (v !== undefined) out.set(key as VlobId, decodeLocalEntry(v));
    }
    return out;
  }

  /** Batch ops writing `entries`. */
  entryOps(realm: RealmId, entries: ReadonlyMap<VlobId, LocalEntry>): StorageOp[] {
    return [...entries].map(([id, e]) => ({ op: 'put', ns: entriesNs(realm), key: id, value: encodeLocalEntry(e) }) as const);
  }

  /** Batch ops deleting entries (local garbage collection). */
  dropEntryOps(realm: RealmId, ids: readonly VlobId[]): StorageOp[] {
    return ids.map((key) => ({ op: 'delete', ns: entriesNs(realm), key }) as const);
  }

  /**
   * Every collected entry's mark (entry GC), oldest collection first (ties by id). Throws
   * `CodecError` for a corrupted record, `StorageError` `storage/corrupt` for a mark in another
   * id's bucket.
   */
  async loadCollected(realm: RealmId): Promise<Map<VlobId, CollectedMark>> {
    const all: [VlobId, CollectedMark][] = [];
    for (const key of await this.storage.list(collectedNs(realm))) {
      const v = await this.storage.get(collectedNs(realm), key);
      if (v === undefined) continue;
      for (const [id, m] of decodeCollected(v)) {
        if (collectedBucket(id) !== key) throw new StorageError('storage/corrupt', `collected mark of vlob ${id} stored in bucket ${key}`);
        all.push([id, m]);
      }
    }
    return new Map(all.sort((a, b) => a[1].seq - b[1].seq || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)));
  }

  /** Batch ops replacing whole buckets of marks (an empty bucket is deleted). */
  collectedOps(realm: RealmId, buckets: ReadonlyMap<string, readonly (readonly [VlobId, CollectedMark])[]>): StorageOp[] {
    return [...buckets].map(([key, marks]) =>
      marks.length === 0 ? ({ op: 'delete', ns: collectedNs(realm), key } as const) : ({ op: 'put', ns: collectedNs(realm), key, value: encodeCollected(marks) } as const),
    );
  }

  /** Every delete tombstone of a workspace. Throws `CodecError`/`StorageError` for a corrupted record. */
  async loadTombstones(realm: RealmId): Promise<Map<VlobId, Tombstone>> {
    const out = new Map<VlobId, Tombstone>();
    for (const key of await this.storage.list(tombstonesNs(realm))) {
      const v = await this.storage.get(tombstonesNs(realm), key);
      if (v !== undefined) out.set(key as VlobId, decodeTombstone(v));
    }
    return out;
  }

  /** Batch ops writing (or, for `null`, deleting) tombstones. */
  tombstoneOps(realm: RealmId, changes: TombstoneChanges): StorageOp[] {
    return [...changes].map(([id, t]) =>
      t === null ? ({ op: 'delete', ns: tombstonesNs(realm), key: id } as const) : ({ op: 'put', ns: tombstonesNs(realm), key: id, value: encodeTombstone(t) } as const),
    );
  }

  /** The block stored under `id`, or `undefined`. */
  async getBlock(realm: RealmId, id: BlockId): Promise<LocalBlock | undefined> {
    const v = await this.storage.get(blocksNs(realm), id);
    // `get` returned a copy of our own: the ciphertext may stay a view into it (no second copy).
    return v === undefined ? undefined : localBlockDocument.decode(v, { borrow: true });
  }

  /** Batch op storing a block. */
  blockOps(realm: RealmId, id: BlockId, block: LocalBlock): StorageOp[] {
    // The encoded document is a fresh array only this op references: handed over, the storage
    // keeps it instead of copying the 512 KiB again (twice, through `EncryptedStorage`).
    const value = localBlockDocument.encode({ keyIndex: block.keyIndex, ciphertext: block.ciphertext });
    return [{ op: 'put', ns: blocksNs(realm), key: id, value, handOver: true }];
  }

  /**
   * Blocks carrying an upload mark. Marks are no longer written (which blocks to upload is
   * derived from the unsynced entries, see `blocksToUpload`); state written by the first client
   * version may still hold some, which the next sync uploads and clears.
   */
  /** Ids of every block stored for the realm. */
  storedBlocks(realm: RealmId): Promise<string[]> {
    return this.storage.list(blocksNs(realm));
  }

  /** Batch ops deleting stored blocks (local garbage collection). */
  dropBlockOps(realm: RealmId, ids: readonly string[]): StorageOp[] {
    return ids.map((key) => ({ op: 'delete', ns: blocksNs(realm), key }) as const);
  }

  pendingBlocks(realm: RealmId): Promise<string[]> {
    return this.storage.list(pendingNs(realm));
  }

  /** Batch op writing an upload mark (kept for the tests of the legacy marks). */
  pendingOp(realm: RealmId, id: BlockId): StorageOp {
    return { op: 'put', ns: pendingNs(realm), key: id, value: new Uint8Array(0) };
  }

  /** Batch op clearing the upload mark of a block. */
  uploadedOp(realm: RealmId, id: BlockId): StorageOp {
    return { op: 'delete', ns: pendingNs(realm), key: id };
  }

  /**
   * The ignore patterns the realm's working copies were last computed with, or
   * `undefined` when never recorded. Bounded and validated: a corrupted value is a `StorageError`.
   */
  async getIgnore(realm: RealmId): Promise<readonly string[] | undefined> {
    const v = await this.storage.get(realmNs(realm), 'ignore');
    if (v === undefined) return undefined;
    return decodePatterns(v);
  }

  /** Batch op recording the realm's ignore patterns. */
  ignoreOp(realm: RealmId, patterns: readonly string[]): StorageOp {
    return { op: 'put', ns: realmNs(realm), key: 'ignore', value: new TextEncoder().encode(JSON.stringify(patterns)) };
  }

  /** The realm's cached keys, or `undefined`. */
  async getKeys(realm: RealmId): Promise<LocalKeys | undefined> {
    const v = await this.storage.get(realmNs(realm), 'keys');
    return v === undefined ? undefined : localKeysDocument.decode(v);
  }

  /** Batch op caching the realm's keys. */
  keysOp(realm: RealmId, keys: LocalKeys): StorageOp {
    return { op: 'put', ns: realmNs(realm), key: 'keys', value: localKeysDocument.encode({ keys: [...keys.keys], bundleKey: keys.bundleKey }) };
  }

  /** The realm's vlob checkpoint (0 before the first poll). */
  async getCheckpoint(realm: RealmId): Promise<number> {
    return (await this.getRealmState(realm)).checkpoint;
  }

  /** The realm's checkpoint and poll mark (`null` before the first complete poll). */
  async getRealmState(realm: RealmId): Promise<{ checkpoint: number; mark: PollMark | null }> {
    const v = await this.storage.get(realmNs(realm), 'state');
    if (v === undefined) return { checkpoint: 0, mark: null };
    const d = localRealmStateDocument.decode(v);
    return { checkpoint: d.checkpoint, mark: d.markCommon === undefined || d.markRealm === undefined ? null : { common: d.markCommon, realm: d.markRealm } };
  }

  /** Batch op saving the checkpoint (and the poll mark taken when that poll started). */
  checkpointOp(realm: RealmId, checkpoint: number, mark?: PollMark): StorageOp {
    const doc = mark === undefined ? { checkpoint } : { checkpoint, markCommon: mark.common, markRealm: mark.realm };
    return { op: 'put', ns: realmNs(realm), key: 'state', value: localRealmStateDocument.encode(doc) };
  }
}
