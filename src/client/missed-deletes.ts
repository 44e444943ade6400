/**
 * "An edit wins over a blind delete" (the merge rules), on the deleting device: a remove only deletes
 * what this device saw. When a merge brings a remote version of an entry (or of anything under
 * it) that is newer than what this device had when it removed that entry, the remove missed a
 * concurrent change, and the entry goes back into its former folder. This covers both a remove
 * not uploaded yet (the folder's unsynced working copy lacks the entry) and one already uploaded
 * (only the local tombstone remembers it): without it the other device's edit would stay on the
 * server in a vlob no folder names, i.e. lost. The editing device cannot do this itself: it does
 * not know what the remover saw (it may be syncing the very version the remover deleted).
 * Pure: returns the entries and tombstones to persist.
 * @module
 */
import type { DeviceId, VlobId } from '../codec/ids.js';
import type { Timestamp } from '../codec/timestamps.js';
import type { EntryName } from '../manifests/entry-name.js';
import type { FolderManifest, Manifest } from '../manifests/types.js';
import { placementName } from '../merge/conflict-name.js';
import type { IgnoreMatcher } from '../merge/ignore.js';
import type { EntryView } from './local-entry.js';
import type { TombstoneChanges, TombstoneView } from './tombstones.js';
import { dropNeverShared, type Changes } from './tree.js';

/** Bound on parent walks (a corrupted tree with a parent cycle must not hang a sync). */
const MAX_DEPTH = 10_000;
const MAX_ENTRIES = 10_000_000;

/** Where a removed entry goes back to. */
interface Restore {
  readonly parent: VlobId;
  readonly name: EntryName;
}

/** An entry put back under another name because its old name was taken meanwhile. */
export interface RestoredRename {
  readonly id: VlobId;
  readonly folderId: VlobId;
  readonly from: EntryName;
  readonly to: EntryName;
}

function byId<T>(a: readonly [VlobId, T], b: readonly [VlobId, T]): number {
  return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0;
}

/**
 * Finds a remove this device has not uploaded yet without a tombstone (state written before
 * tombstones existed): folder `P = parent(id)` has unsynced changes, its verified base names
 * `id`, its working copy does not. Reverse indexes are built once per folder.
 */
function unsyncedRemovalFinder(view: EntryView, ignore: IgnoreMatcher): (id: VlobId) => Restore | undefined {
  const cache = new Map<VlobId, { base: Map<VlobId, EntryName>; local: Set<VlobId> } | null>();
  return (id) => {
    const parentId = view.get(id)?.local.parent;
    if (parentId === undefined || parentId === id) return undefined;
    let idx = cache.get(parentId);
    if (idx === undefined) {
      const p = view.get(parentId);
      const base = p?.base?.manifest;
      idx = null;
      if (p !== undefined && p.needSync && p.local.type === 'folder' && base?.type === 'folder') {
        const names = new Map<VlobId, EntryName>();
        for (const [n, c] of base.children) if (!ignore.matches(n) && (names.get(c) ?? n) >= n) names.set(c, n);
        idx = { base: names, local: new Set(p.local.children.values()) };
      }
      cache.set(parentId, idx);
    }
    if (idx === null || idx.local.has(id)) return undefined;
    const name = idx.base.get(id);
    return name === undefined ? undefined : { parent: parentId, name };
  };
}

/**
 * The removed entries that `applied` (remote versions just merged, each newer than what this
 * device knew) show to have missed changes: for each applied vlob, every ancestor-or-self (by the
 * merged working copies' parent links) that this device removed — with a tombstone whose seen
 * version of that vlob is older, or (no tombstone) an unsynced removal.
 *
 * A version signed by this device (`me`) is never a missed change: this device wrote it from its
 * own working copy, so it saw that content (and every version before it) when it removed the
 * entry. Such a version can be newer than the tombstone's record when the process died between
 * the server accepting an upload and the local record of it.
 */
export function findMissedDeletes(
  view: EntryView,
  rootId: VlobId,
  tombstones: TombstoneView,
  applied: readonly Manifest[],
  ignore: IgnoreMatcher,
  me?: DeviceId,
): Map<VlobId, Restore> {
  const out = new Map<VlobId, Restore>();
  const unsynced = unsyncedRemovalFinder(view, ignore);
  for (const m of applied) {
    if (m.author === me) continue;
    let cur: VlobId = m.id;
    for (let steps = 0; steps < MAX_DEPTH && cur !== rootId; steps++) {
      if (!out.has(cur)) {
        const t = tombstones.tombstone(cur);
        if (t !== undefined) {
          if (m.version > (t.seen.get(m.id) ?? 0)) out.set(cur, { parent: t.parent, name: t.name });
        } else {
          const r = unsynced(cur);
          if (r !== undefined) out.set(cur, r);
        }
      }
      const next = view.get(cur)?.local.parent;
      if (next === undefined || next === cur) break;
      cur = next;
    }
  }
  return out;
}

/** Every id reachable from `rootId` through folder children (bounded), hidden ones included (see `addSubtree`). */
function reachableFrom(view: EntryView, rootId: VlobId, ignore: IgnoreMatcher): Set<VlobId> {
  const seen = new Set<VlobId>();
  addSubtree(view, rootId, seen, ignore);
  return seen;
}

/**
 * Adds `id` and what is under it: each folder's working children and the hidden children of its
 * verified version (names this device ignores: left out of the working copy, yet listed there by
 * the shared data — an entry another device moved under such a name is not lost, and putting it
 * back elsewhere would list it twice).
 */
function addSubtree(view: EntryView, id: VlobId, into: Set<VlobId>, ignore: IgnoreMatcher): void {
  const stack = [id];
  while (stack.length > 0 && into.size < MAX_ENTRIES) {
    const cur = stack.pop()!;
    if (into.has(cur)) continue;
    into.add(cur);
    const e = view.get(cur);
    if (e?.local.type !== 'folder') continue;
    for (const c of e.local.children.values()) if (!into.has(c)) stack.push(c);
    const b = e.base?.manifest;
    if (b?.type === 'folder') for (const [n, c] of b.children) if (!into.has(c) && ignore.matches(n)) stack.push(c);
  }
}

/**
 * Puts back every entry `findMissedDeletes` reports that is not reachable in the merged working
 * copies (`view`, which sees `changes`), adding to `changes`: into its former folder when that is
 * reachable, else into the nearest reachable ancestor of it (else the root), under its old name or
 * a `name (name conflict N).ext` name if that is taken. Folders whose former parent is itself
 * being restored go after it, so a restored subtree keeps its shape. Each reported entry's
 * tombstone is consumed (its delete is settled: undone or moot). Deterministic (id order).
 */
export function restoreMissedDeletes(args: {
  view: EntryView;
  changes: Changes;
  rootId: VlobId;
  tombstones: TombstoneView;
  applied: readonly Manifest[];
  now: Timestamp;
  ignore: IgnoreMatcher;
  /** This device: its own versions are never missed changes. */
  me?: DeviceId;
}): { tombstones: TombstoneChanges; renamed: RestoredRename[] } {
  const { view, changes, rootId, ignore, now } = args;
  const tombstones: TombstoneChanges = new Map();
  const renamed: RestoredRename[] = [];
  const missed = findMissedDeletes(view, rootId, args.tombstones, args.applied, ignore, args.me);
  if (missed.size === 0) return { tombstones, renamed };
  const pending = new Map([...missed].sort(byId));
  for (const id of pending.keys()) if (args.tombstones.tombstone(id) !== undefined) tombstones.set(id, null);
  const reachable = reachableFrom(view, rootId, ignore);
  const isFolder = (id: VlobId): boolean => view.get(id)?.local.type === 'folder';
  const subtreeOf = (id: VlobId): Set<VlobId> => {
    const s = new Set<VlobId>();
    addSubtree(view, id, s, ignore);
    return s;
  };

  const place = (id: VlobId, folderId: VlobId, name: EntryName): void => {
    const folderEntry = view.get(folderId)!;
    const folder = folderEntry.local as FolderManifest;
    const free = folder.children.has(name) ? placementName(name, 'name', (n) => folder.children.has(n as EntryName), (n) => ignore.matches(n)) : name;
    const children = new Map([...folder.children, [free, id] as const].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)));
    changes.set(folderId, { ...folderEntry, local: { ...folder, children, updated: Math.max(folder.updated, now) }, needSync: true });
    const entry = view.get(id);
    if (entry !== undefined && entry.local.parent !== folderId) {
      changes.set(id, { ...entry, local: { ...entry.local, parent: folderId }, needSync: true });
    }
    if (free !== name) renamed.push({ id, folderId, from: name, to: free });
    dropNeverShared(view, changes, id, now);
    addSubtree(view, id, reachable, ignore);
  };

  // A folder listed (stale) under the entry itself is no home for it: that would be a cycle.
  const nearestReachableFolder = (start: VlobId, inside: ReadonlySet<VlobId>): VlobId => {
    let cur = start;
    for (let steps = 0; steps < MAX_DEPTH; steps++) {
      if (isFolder(cur) && reachable.has(cur) && !inside.has(cur)) return cur;
      const next = view.get(cur)?.local.parent;
      if (next === undefined || next === cur) break;
      cur = next;
    }
    return rootId;
  };

  while (pending.size > 0) {
    // Entries whose former folder is reachable first (repeatedly: a restored folder makes its
    // restored children's former folder reachable), then the first other one moves up a level.
    for (let progress = true; progress; ) {
      progress = false;
      for (const [id, r] of pending) {
        if (reachable.has(id)) {
          pending.delete(id);
        } else if (isFolder(r.parent) && reachable.has(r.parent) && !subtreeOf(id).has(r.parent)) {
          place(id, r.parent, r.name);
          pending.delete(id);
          progress = true;
        }
      }
    }
    const first = pending.entries().next();
    if (first.done === true) break;
    const [id, r] = first.value;
    pending.delete(id);
    if (reachable.has(id)) continue;
    const inside = subtreeOf(id);
    if (!inside.has(rootId)) place(id, nearestReachableFolder(r.parent, inside), r.name);
  }
  return { tombstones, renamed };
}
