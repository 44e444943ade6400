/**
 * The in-memory working copies of one workspace, persisted through atomic batches.
 * @module
 */
import type { BlockId, RealmId, VlobId } from '../codec/ids.js';
import { rootFolderId } from '../manifests/types.js';
import type { StorageOp } from '../storage/storage.js';
import type { EntryView, LocalEntry } from './local-entry.js';
import { collectedBucket, type LocalStore } from './local-store.js';
import type { Tombstone, TombstoneChanges, TombstoneView } from './tombstones.js';
import type { Changes } from './tree.js';
import type { CollectedMark, Verified } from './verified.js';

/** Placeholder root for a workspace whose root manifest has not been fetched yet: empty, version 0, nothing to upload. */
function placeholderRoot(realmId: RealmId, author: LocalEntry['local']['author']): LocalEntry {
  const id = rootFolderId(realmId);
  return {
    local: { type: 'folder', id, parent: id, version: 0, created: 0, updated: 0, author, timestamp: 0, prev: null, children: new Map() },
    needSync: false,
    base: null,
  };
}

export class WorkspaceState implements EntryView, TombstoneView {
  /**
   * Blocks the server acknowledged during this session whose entries are not all uploaded yet
   * (a manifest refused for a conflict): not sent again by the next pass. Memory only: after a
   * restart they are re-sent once, and "already exists" is success.
   */
  readonly uploadedBlocks = new Set<BlockId>();

  /** The newest collection's counter (0 before the first). */
  #lastSeq = 0;

  private constructor(
    readonly realmId: RealmId,
    private readonly store: LocalStore,
    private readonly entries: Map<VlobId, LocalEntry>,
    private readonly tombstones: Map<VlobId, Tombstone>,
    /** Marks of collected entries, oldest collection first (entry GC). */
    private readonly marks: Map<VlobId, CollectedMark>,
  ) {
    for (const m of marks.values()) this.#lastSeq = Math.max(this.#lastSeq, m.seq);
  }

  /** Loads every entry of the workspace (the root is a placeholder until fetched or created). */
  static async load(store: LocalStore, realmId: RealmId, me: LocalEntry['local']['author']): Promise<WorkspaceState> {
    const entries = await store.loadEntries(realmId);
    const root = rootFolderId(realmId);
    if (!entries.has(root)) entries.set(root, placeholderRoot(realmId, me));
    return new WorkspaceState(realmId, store, entries, await store.loadTombstones(realmId), await store.loadCollected(realmId));
  }

  get rootId(): VlobId {
    return rootFolderId(this.realmId);
  }

  get(id: VlobId): LocalEntry | undefined {
    return this.entries.get(id);
  }

  /** The mark of a collected entry (what this device verified of it before it let it go), if any. */
  collected(id: VlobId): CollectedMark | undefined {
    return this.marks.get(id);
  }

  /** Every collected entry's mark, oldest collection first. */
  allCollected(): IterableIterator<[VlobId, CollectedMark]> {
    return this.marks.entries();
  }

  /** Number of collected entries' marks held. */
  get collectedCount(): number {
    return this.marks.size;
  }

  /** The counter value for the next collection (above every mark's). */
  nextCollection(): number {
    return this.#lastSeq + 1;
  }

  /**
   * What this device verified of `id`: the base version of its entry, or the mark it kept when it
   * collected the entry, or `null`. Every rollback check reads this, not `get(id)?.base`.
   */
  verified(id: VlobId): Verified | null {
    return this.entries.get(id)?.base ?? this.marks.get(id) ?? null;
  }

  /**
   * Removes the entries `drop` and applies the mark changes `marks` (`null` = forget; a new mark
   * goes last, its collection being the newest) in one atomic batch, then in memory: after a
   * crash, either the entries are there or their marks are.
   */
  async forget(drop: readonly VlobId[], marks: ReadonlyMap<VlobId, CollectedMark | null>): Promise<void> {
    if (drop.length === 0 && marks.size === 0) return;
    const touched = new Set([...marks.keys()].map(collectedBucket));
    const buckets = new Map<string, [VlobId, CollectedMark][]>([...touched].map((b) => [b, []]));
    for (const [id, m] of this.marks) if (!marks.has(id)) buckets.get(collectedBucket(id))?.push([id, m]);
    for (const [id, m] of marks) if (m !== null) buckets.get(collectedBucket(id))!.push([id, m]);
    await this.store.storage.batch([...this.store.dropEntryOps(this.realmId, drop), ...this.store.collectedOps(this.realmId, buckets)]);
    for (const id of drop) this.entries.delete(id);
    for (const [id, m] of marks) {
      this.marks.delete(id);
      if (m !== null) {
        this.marks.set(id, m);
        this.#lastSeq = Math.max(this.#lastSeq, m.seq);
      }
    }
  }

  /** This device's tombstone of removing `id`, if it removed it (to spot later changes the removal never saw). */
  tombstone(id: VlobId): Tombstone | undefined {
    return this.tombstones.get(id);
  }

  /** Every tombstone of this device (id, tombstone). */
  allTombstones(): IterableIterator<[VlobId, Tombstone]> {
    return this.tombstones.entries();
  }

  /** Every entry (id, entry). */
  all(): IterableIterator<[VlobId, LocalEntry]> {
    return this.entries.entries();
  }

  /**
   * Persists `changes`, `tombstones` (`null` = forget) and `extra` ops in one atomic batch, then
   * applies them in memory: a crash never leaves a remove without its tombstone.
   */
  async commit(changes: Changes, extra: readonly StorageOp[] = [], tombstones: TombstoneChanges = new Map()): Promise<void> {
    if (changes.size === 0 && extra.length === 0 && tombstones.size === 0) return;
    await this.store.storage.batch([...this.store.entryOps(this.realmId, changes), ...this.store.tombstoneOps(this.realmId, tombstones), ...extra]);
    for (const [id, e] of changes) this.entries.set(id, e);
    for (const [id, t] of tombstones) {
      if (t === null) this.tombstones.delete(id);
      else this.tombstones.set(id, t);
    }
  }

  /** The path of a folder (names from the root), or `null` if it is not reachable. */
  pathOf(id: VlobId): string | null {
    const names: string[] = [];
    let cur = id;
    for (let steps = 0; steps < 10_000; steps++) {
      if (cur === this.rootId) return `/${names.reverse().join('/')}`;
      const e = this.entries.get(cur);
      if (e === undefined) return null;
      const parent = this.entries.get(e.local.parent);
      if (parent === undefined || parent.local.type !== 'folder') return null;
      const name = [...parent.local.children].find(([, c]) => c === cur)?.[0];
      if (name === undefined) return null;
      names.push(name);
      cur = e.local.parent;
    }
    return null;
  }
}
