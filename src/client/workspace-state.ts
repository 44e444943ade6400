/**
 * The in-memory working copies of one workspace, persisted through atomic batches.
 * @module
 */
import type { BlockId, RealmId, VlobId } from '../codec/ids.js';
import { rootFolderId } from '../manifests/types.js';
import type { StorageOp } from '../storage/storage.js';
import type { EntryView, LocalEntry } from './local-entry.js';
import type { LocalStore } from './local-store.js';
import type { Tombstone, TombstoneChanges, TombstoneView } from './tombstones.js';
import type { Changes } from './tree.js';

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

  private constructor(
    readonly realmId: RealmId,
    private readonly store: LocalStore,
    private readonly entries: Map<VlobId, LocalEntry>,
    private readonly tombstones: Map<VlobId, Tombstone>,
  ) {}

  /** Loads every entry of the workspace (the root is a placeholder until fetched or created). */
  static async load(store: LocalStore, realmId: RealmId, me: LocalEntry['local']['author']): Promise<WorkspaceState> {
    const entries = await store.loadEntries(realmId);
    const root = rootFolderId(realmId);
    if (!entries.has(root)) entries.set(root, placeholderRoot(realmId, me));
    return new WorkspaceState(realmId, store, entries, await store.loadTombstones(realmId));
  }

  get rootId(): VlobId {
    return rootFolderId(this.realmId);
  }

  get(id: VlobId): LocalEntry | undefined {
    return this.entries.get(id);
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
