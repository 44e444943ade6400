/**
 * Two tree rules a per-folder merge cannot see, applied after each merge (pure):
 *
 * - **Each vlob in one place.** An entry moved here into folder P1 while another device moved it
 *   into P2 ends up listed by both merged folders. The remote placement wins (the rule of
 *   `mergedParent`: nothing to upload for it), P1 drops the entry, and the user is told with a
 *   `moved` conflict.
 * - **No entry lost between two moves.** This device moved an entry from P to Q while another
 *   device's merge kept it in P and took it out of Q (its own one-place rule): each folder merge
 *   drops it (P: "moved away here", Q: "moved away there") and nothing lists it any more. It goes
 *   back where the shared data puts it — its parent's verified version lists it, else a merged
 *   folder's — reported as `moved` (rule "the remote placement wins", as above). Not for an entry this device deleted,
 *   nor for one hidden here (an ignored name: hidden children stay out of the working copy).
 * - **No cycle.** Folder A moved into B here while another device moved B into A: each merge is
 *   right on its own, yet together A and B only name each other and nothing reaches them from the
 *   root (their whole content unreachable: lost). The cycle is broken by undoing this device's
 *   move (rule "the move merged last is undone"): the locally moved folder of the cycle (smallest id
 *   first) goes back to the folder it was in before (its verified base parent, or the root if that
 *   is gone), under a name-conflict name if its old name is taken, reported as `moved`. The other
 *   device, which merged first, keeps its own move, so both converge on the first move.
 * @module
 */
import type { VlobId } from '../codec/ids.js';
import type { Timestamp } from '../codec/timestamps.js';
import type { EntryName } from '../manifests/entry-name.js';
import type { FolderManifest } from '../manifests/types.js';
import { placementName } from '../merge/conflict-name.js';
import type { IgnoreMatcher } from '../merge/ignore.js';
import type { EntryView, LocalEntry } from './local-entry.js';
import type { Changes } from './tree.js';

/** An entry taken out of folder `from` and kept in (or put back into) folder `to`. */
export interface MovedAway {
  readonly id: VlobId;
  readonly from: VlobId;
  readonly to: VlobId;
  readonly name: EntryName;
}

const MAX_DEPTH = 10_000;

const byName = (a: readonly [string, unknown], b: readonly [string, unknown]): number => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);

function nameIn(folder: FolderManifest, id: VlobId): EntryName | undefined {
  let out: EntryName | undefined;
  for (const [n, c] of folder.children) if (c === id && (out === undefined || n < out)) out = n;
  return out;
}

/** Reverse indexes (child id → smallest name) of folder children, built once per folder and manifest. */
class Index {
  readonly #cache = new WeakMap<FolderManifest, Map<VlobId, EntryName>>();

  of(folder: FolderManifest): Map<VlobId, EntryName> {
    let idx = this.#cache.get(folder);
    if (idx === undefined) {
      idx = new Map();
      for (const [n, c] of folder.children) if ((idx.get(c) ?? n) >= n) idx.set(c, n);
      this.#cache.set(folder, idx);
    }
    return idx;
  }

  lists(e: LocalEntry | undefined, id: VlobId): boolean {
    return e?.local.type === 'folder' && this.of(e.local).has(id);
  }

  listedInBase(e: LocalEntry | undefined, id: VlobId): boolean {
    const b = e?.base?.manifest;
    return b?.type === 'folder' && this.of(b).has(id);
  }
}

function setChildren(view: EntryView, changes: Changes, folderId: VlobId, edit: (m: Map<EntryName, VlobId>) => void, now: Timestamp): void {
  const e = view.get(folderId)!;
  const f = e.local as FolderManifest;
  const children = new Map(f.children);
  edit(children);
  changes.set(folderId, { ...e, local: { ...f, children: new Map([...children].sort(byName)), updated: Math.max(f.updated, now) }, needSync: true });
}

function setParent(view: EntryView, changes: Changes, id: VlobId, parent: VlobId): void {
  const e = view.get(id);
  if (e === undefined || e.local.parent === parent) return;
  changes.set(id, { ...e, local: { ...e.local, parent }, needSync: e.needSync || e.base?.manifest.parent !== parent });
}

/**
 * Keeps every entry that the merge (`changes`, seen through `view`) newly placed in a folder in
 * one folder only. `before` is the state before the merge. Adds to `changes`.
 */
export function keepInOnePlace(view: EntryView, before: EntryView, changes: Changes, now: Timestamp): MovedAway[] {
  const out: MovedAway[] = [];
  const index = new Index();
  const folders = [...changes].filter(([, e]) => e.local.type === 'folder').map(([id]) => id).sort();
  // Children newly placed by the merge, and every changed folder listing each child: one pass,
  // so the check below is linear (a scan of every changed folder per placed child was quadratic:
  // 60+ s for a first sync of 100,000 files in 1,000 folders).
  const placed = new Set<VlobId>();
  const listedBy = new Map<VlobId, VlobId[]>();
  for (const fid of folders) {
    const old = before.get(fid)?.local;
    const oldIdx = old?.type === 'folder' ? index.of(old) : undefined;
    for (const c of index.of(view.get(fid)!.local as FolderManifest).keys()) {
      const l = listedBy.get(c);
      if (l === undefined) listedBy.set(c, [fid]);
      else l.push(fid);
      if (oldIdx?.has(c) !== true) placed.add(c);
    }
  }
  for (const id of [...placed].sort()) {
    const holders = new Set<VlobId>(listedBy.get(id));
    for (const p of [before.get(id)?.local.parent, view.get(id)?.local.parent]) if (p !== undefined && p !== id && index.lists(view.get(p), id)) holders.add(p);
    if (holders.size < 2) continue;
    const sorted = [...holders].sort();
    const parent = view.get(id)?.local.parent;
    const remote = sorted.filter((h) => index.listedInBase(view.get(h), id));
    const winner = remote.includes(parent!) ? parent! : remote[0] ?? (parent !== undefined && holders.has(parent) ? parent : sorted[0]!);
    for (const loser of sorted) {
      if (loser === winner) continue;
      const name = nameIn(view.get(loser)!.local as FolderManifest, id)!;
      setChildren(view, changes, loser, (m) => m.delete(name), now);
      out.push({ id, from: loser, to: winner, name });
    }
    setParent(view, changes, id, winner);
  }
  return out;
}

/**
 * Puts back every entry a changed folder listed before the merge that no folder lists after it,
 * where its parent's (else a changed folder's) verified version lists it (see the module comment); `deletedHere`: this
 * device removed it (a tombstone), so its absence is meant. Adds to `changes`.
 */
export function keepListed(view: EntryView, before: EntryView, changes: Changes, ignore: IgnoreMatcher, now: Timestamp, deletedHere: (id: VlobId) => boolean): MovedAway[] {
  const out: MovedAway[] = [];
  const index = new Index();
  const folders = [...changes].filter(([, e]) => e.local.type === 'folder').map(([id]) => id).sort();
  const dropped = new Map<VlobId, VlobId>();
  const listedAfter = new Set<VlobId>();
  for (const fid of folders) {
    const after = index.of(view.get(fid)!.local as FolderManifest);
    for (const c of after.keys()) listedAfter.add(c);
    const old = before.get(fid)?.local;
    if (old?.type !== 'folder') continue;
    for (const c of index.of(old).keys()) if (!after.has(c) && !dropped.has(c)) dropped.set(c, fid);
  }
  for (const [id, from] of [...dropped].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    const e = view.get(id);
    if (e === undefined || deletedHere(id)) continue;
    const parent = e.local.parent;
    if (parent === id || index.lists(view.get(parent), id) || listedAfter.has(id)) continue;
    // Where the shared data puts it: its parent's verified version, else a merged folder's.
    let target: { fid: VlobId; dest: FolderManifest; wanted: EntryName } | undefined;
    for (const fid of [parent, ...folders]) {
      const holder = view.get(fid);
      const verified = holder?.base?.manifest;
      if (fid === id || holder?.local.type !== 'folder' || verified?.type !== 'folder') continue;
      const wanted = nameIn(verified, id);
      if (wanted === undefined || ignore.matches(wanted)) continue;
      target = { fid, dest: holder.local, wanted };
      break;
    }
    if (target === undefined) continue;
    const { fid, dest, wanted } = target;
    const free = dest.children.has(wanted) ? placementName(wanted, 'name', (n) => dest.children.has(n as EntryName), (n) => ignore.matches(n)) : wanted;
    setChildren(view, changes, fid, (m) => m.set(free, id), now);
    setParent(view, changes, id, fid);
    out.push({ id, from, to: fid, name: free });
  }
  return out;
}

/** The folders of a parent cycle through `start` (in order), or `null` when the walk reaches the root or a break. */
function cycleThrough(view: EntryView, rootId: VlobId, start: VlobId, index: Index): VlobId[] | null {
  const path: VlobId[] = [];
  const seen = new Set<VlobId>();
  let cur = start;
  for (let steps = 0; steps < MAX_DEPTH; steps++) {
    if (cur === rootId) return null;
    if (seen.has(cur)) return cur === start ? path : null;
    seen.add(cur);
    path.push(cur);
    const e = view.get(cur);
    if (e === undefined) return null;
    const p = e.local.parent;
    if (p === cur || !index.lists(view.get(p), cur)) return null;
    cur = p;
  }
  return null;
}

/** Breaks every parent cycle among the changed entries (see the module comment). Adds to `changes`. */
export function breakCycles(view: EntryView, rootId: VlobId, changes: Changes, ignore: IgnoreMatcher, now: Timestamp): MovedAway[] {
  const out: MovedAway[] = [];
  const index = new Index();
  for (const start of [...changes.keys()].sort()) {
    if (view.get(start)?.local.type !== 'folder') continue;
    const cycle = cycleThrough(view, rootId, start, index);
    if (cycle === null) continue;
    const movedHere = cycle.filter((id) => view.get(id)?.base?.manifest.parent !== view.get(id)!.local.parent).sort();
    const id = movedHere[0] ?? [...cycle].sort()[0]!;
    const e = view.get(id)!;
    const from = e.local.parent;
    const oldParent = e.base?.manifest.parent;
    const target = oldParent !== undefined && oldParent !== id && !cycle.includes(oldParent) && view.get(oldParent)?.local.type === 'folder' ? oldParent : rootId;
    const name = nameIn(view.get(from)!.local as FolderManifest, id)!;
    const dest = view.get(target)!.local as FolderManifest;
    const baseDest = view.get(target)?.base?.manifest;
    const wanted = (baseDest?.type === 'folder' ? nameIn(baseDest, id) : undefined) ?? name;
    const free = dest.children.has(wanted) && dest.children.get(wanted) !== id ? placementName(wanted, 'name', (n) => dest.children.has(n as EntryName), (n) => ignore.matches(n)) : wanted;
    setChildren(view, changes, from, (m) => m.delete(name), now);
    setChildren(view, changes, target, (m) => m.set(free, id), now);
    setParent(view, changes, id, target);
    out.push({ id, from, to: target, name: free });
  }
  return out;
}
