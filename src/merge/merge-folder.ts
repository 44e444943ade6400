/**
 * Three-way merge of a folder manifest (the merge rules), per child id.
 *
 * Cost: three passes of two map lookups each over the children, then work proportional to the
 * entries that changed, then one sort of the output (near-linear when the input was itself a
 * previous merge result, since those are produced sorted). Deterministic: changed ids are
 * processed in id order and name collisions in (name, id) order, and the output is sorted by name,
 * so no result depends on the insertion order of the input maps.
 * @module
 */
import type { DeviceId, VlobId } from '../codec/ids.js';
import type { EntryName } from '../manifests/entry-name.js';
import type { FolderManifest } from '../manifests/types.js';
import { conflictName } from './conflict-name.js';
import { resolveIgnore, type IgnoreMatcher } from './ignore.js';
import { scratchChildren, sharedChildren, workingChildren } from './shared-view.js';
import { checkSameVlob, mergedParent } from './merge-file.js';
import type { FolderMergeResult, MergeFolderOptions, NameConflictRename, RemovedBy } from './result.js';

type Children = ReadonlyMap<EntryName, VlobId>;
type Entry = readonly [EntryName, VlobId];

const EMPTY: Children = new Map();

function byName(a: Entry, b: Entry): number {
  return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0;
}

function sortedMap(entries: Entry[]): Map<EntryName, VlobId> {
  entries.sort(byName);
  return new Map(entries);
}

/** Records `id → name`, keeping the smallest name if a (malformed) side lists one id twice. */
function setMinName(m: Map<VlobId, EntryName>, id: VlobId, name: EntryName): void {
  const prev = m.get(id);
  if (prev === undefined || name < prev) m.set(id, name);
}

/** `children` itself when already sorted by name (the usual case: merge outputs are), else a sorted copy. */
function canonical(children: Children): Children {
  let prev: string | undefined;
  for (const n of children.keys()) {
    if (prev !== undefined && !(prev < n)) return sortedMap([...children]);
    prev = n;
  }
  return children;
}

/**
 * Merges the sorted unchanged names (ids looked up in `R`) with two small sorted entry lists into
 * one Map in name order: linear, no sort of the large part.
 */
function buildSorted(unchanged: readonly EntryName[], R: Children, a: readonly Entry[], b: readonly Entry[]): Map<EntryName, VlobId> {
  const extra = b.length === 0 ? a : a.length === 0 ? b : [...a, ...b].sort(byName);
  const out = new Map<EntryName, VlobId>();
  let j = 0;
  for (const n of unchanged) {
    while (j < extra.length && extra[j]![0] < n) (out.set(extra[j]![0], extra[j]![1]), j++);
    out.set(n, R.get(n)!);
  }
  for (; j < extra.length; j++) out.set(extra[j]![0], extra[j]![1]);
  return out;
}

function sameChildren(a: Children, b: Children): boolean {
  if (a.size !== b.size) return false;
  for (const [n, id] of a) if (b.get(n) !== id) return false;
  return true;
}

function withChildren(m: FolderManifest, children: Children, extra: Partial<FolderManifest> = {}): FolderManifest {
  return { ...m, ...extra, children };
}

/**
 * True when the remote removed a child that `unseen` says has changes the remover missed: then
 * "no local change → take remote" would lose them (the change is inside the child, not in this
 * folder's own entries), so the full merge runs and restores the child.
 */
function remoteRemovalMissedChanges(B: Children, R: Children, unseen: (id: VlobId, removedBy: RemovedBy) => boolean): boolean {
  // Hidden children too (names this device ignores): one edited while it was shown, then hidden
  // by a pattern change, still holds changes a blind delete must not drop.
  const gone: VlobId[] = [];
  for (const [n, id] of B) if (R.get(n) !== id) gone.push(id);
  if (gone.length === 0) return false;
  const renamed = new Set<VlobId>();
  for (const [n, id] of R) if (B.get(n) !== id) renamed.add(id);
  return gone.some((id) => !renamed.has(id) && unseen(id, 'remote'));
}

/**
 * Shared children under names this device ignores that the remote does not list under that name:
 * put back over a remote delete that missed their changes, or renamed here while shown into a
 * name a pattern change hid since. The working copy keeps them, since no base will list them so
 * until this device's upload does, and the upload takes them from it (`sharedChildren`). (Listed
 * by the remote under that very name, a child is plainly hidden: the upload keeps it from the base.)
 */
function unlistedHidden(shared: Children, R: Children, ignore: IgnoreMatcher): [EntryName, VlobId][] {
  const out: [EntryName, VlobId][] = [];
  for (const [n, id] of shared) if (ignore.matches(n) && R.get(n) !== id) out.push([n, id]);
  return out;
}

/** Where one changed child ends up: its name and which side that name came from. */
interface Placement {
  readonly id: VlobId;
  readonly name: EntryName;
  readonly origin: 'local' | 'remote';
  readonly restored: boolean;
}

/**
 * The per-id rules of the merge rules for a child whose entry differs somewhere between base, local
 * and remote (`undefined` = absent on that side). Returns `null` when the child is gone.
 */
function place(
  id: VlobId,
  b: EntryName | undefined,
  l: EntryName | undefined,
  r: EntryName | undefined,
  unseen: (id: VlobId, removedBy: RemovedBy) => boolean,
): Placement | null {
  if (b === undefined) {
    // Added (a new child, a move into this folder, or a root created on both sides).
    if (r !== undefined) return { id, name: r, origin: 'remote', restored: false }; // equal names, or remote wins
    if (l !== undefined) return { id, name: l, origin: 'local', restored: false };
    return null;
  }
  if (l === undefined && r === undefined) return null; // removed on both
  if (r === undefined) {
    // Removed remotely: a local rename survives; an unchanged entry goes unless the remote removal
    // missed local changes under it.
    if (l !== b) return { id, name: l!, origin: 'local', restored: false };
    return unseen(id, 'remote') ? { id, name: l, origin: 'local', restored: true } : null;
  }
  if (l === undefined) {
    if (r !== b) return { id, name: r, origin: 'remote', restored: false };
    return unseen(id, 'local') ? { id, name: r, origin: 'remote', restored: true } : null;
  }
  if (l === b) return { id, name: r, origin: 'remote', restored: false };
  if (r === b) return { id, name: l, origin: 'local', restored: false };
  return { id, name: r, origin: 'remote', restored: false }; // renamed differently on both: remote wins
}

/**
 * Merges the local working copy of a folder with the newest remote version.
 *
 * `base`: the remote version the local copy was last synced from, or `null` if this device never
 * saw the folder on the server (e.g. a workspace root created offline on two devices: then every
 * child on either side counts as added, so nothing remote is deleted). `me`: this device.
 *
 * Rules: remote not newer than base → keep local; no local change → take remote; remote written
 * by `me` → rebase the local copy on it; otherwise per child id: removed on both → gone; removed
 * on one side, renamed on the other → the rename survives; removed vs unchanged → removed (unless
 * `options.hasUnseenChanges` says the removal missed changes); renamed on one side → renamed;
 * renamed differently → remote wins; a local name taken by a different remote child → the local
 * child is renamed `name (name conflict N).ext`. Entries matching the ignore patterns are kept
 * locally and neither uploaded nor deleted.
 *
 * Throws `ArgumentError` (`merge/id-mismatch`, `merge/type-mismatch`) when the three manifests
 * are not versions of the same folder; never throws because of the children's content.
 */
/** Result of the three-way merge of the shared children. */
interface SharedMerge {
  readonly children: Map<EntryName, VlobId>;
  readonly renamed: NameConflictRename[];
  readonly restored: VlobId[];
  /** The merged children differ from the remote's. */
  readonly differs: boolean;
}

/**
 * The per-id three-way merge of shared children (no ignore rule here: `L` is already this
 * device's shared view). An entry with the same name → id on all three sides is "unchanged" and
 * goes straight to the output (in the remote's order). `avoid` names are never chosen for a
 * conflict rename (names this device ignores: a shared entry must not become hidden).
 */
function mergeShared(B: Children, L: Children, R: Children, unseen: (id: VlobId, removedBy: RemovedBy) => boolean, avoid: IgnoreMatcher): SharedMerge {
  const bCh = new Map<VlobId, EntryName>();
  const lCh = new Map<VlobId, EntryName>();
  const rCh = new Map<VlobId, EntryName>();
  let remoteChangedPairs = 0;
  for (const [n, id] of B) if (L.get(n) !== id || R.get(n) !== id) setMinName(bCh, id, n);
  for (const [n, id] of L) if (B.get(n) !== id || R.get(n) !== id) setMinName(lCh, id, n);
  const unchangedNames: EntryName[] = [];
  let remoteSorted = true;
  let prevName: EntryName | undefined;
  for (const [n, id] of R) {
    if (prevName !== undefined && !(prevName < n)) remoteSorted = false;
    prevName = n;
    if (B.get(n) === id && L.get(n) === id) {
      unchangedNames.push(n);
      continue;
    }
    remoteChangedPairs++;
    setMinName(rCh, id, n);
  }
  // Plain string sort is UTF-16 code unit order, and much faster than a comparator.
  if (!remoteSorted) unchangedNames.sort();

  const sortedIds = [...new Set<VlobId>([...bCh.keys(), ...lCh.keys(), ...rCh.keys()])].sort();
  const placements: Placement[] = [];
  for (const id of sortedIds) {
    const p = place(id, bCh.get(id), lCh.get(id), rCh.get(id), unseen);
    if (p !== null) placements.push(p);
  }

  // Remote-origin names are keys of the remote map, so they never collide with one another (same
  // for local-origin ones), nor with unchanged entries (which hold their name on both sides).
  // Only a local-origin name equal to a remote-origin name collides: the local child moves aside.
  const finalNames = new Map<EntryName, VlobId>();
  for (const p of placements) if (p.origin === 'remote') finalNames.set(p.name, p.id);
  const collisions: Placement[] = [];
  for (const p of placements) {
    if (p.origin !== 'local') continue;
    if (finalNames.has(p.name)) collisions.push(p);
    else finalNames.set(p.name, p.id);
  }
  collisions.sort((a, b) => byName([a.name, a.id], [b.name, b.id]) || (a.id < b.id ? -1 : 1));
  const isUnchangedName = (n: string): boolean => {
    const id = B.get(n as EntryName);
    return id !== undefined && L.get(n as EntryName) === id && R.get(n as EntryName) === id;
  };
  const taken = (n: string): boolean => finalNames.has(n as EntryName) || isUnchangedName(n);
  const renamed: NameConflictRename[] = [];
  for (const p of collisions) {
    // A shown child never gets a name this device ignores (it would vanish from view); a hidden
    // one keeps an ignored name (every candidate may match, e.g. `*.txt`: never a merge failure).
    const hidden = avoid.matches(p.name);
    const to = conflictName(p.name, 'name', (n) => taken(n) || (!hidden && avoid.matches(n)));
    finalNames.set(to, p.id);
    renamed.push({ id: p.id, from: p.name, to });
  }
  renamed.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));

  // The result equals the remote iff the merged changed entries are exactly the remote's changed entries.
  let differs = finalNames.size !== remoteChangedPairs;
  if (!differs) for (const [n, id] of finalNames) if (R.get(n) !== id) differs = true;
  const children = buildSorted(unchangedNames, R, [...finalNames].sort(byName), []);
  const restored = placements.filter((p) => p.restored).map((p) => p.id);
  return { children, renamed, restored, differs };
}

/**
 * Merges the local working copy of a folder with the newest remote version.
 *
 * `base`: the remote version the local copy was last synced from, or `null` if this device never
 * saw the folder on the server (e.g. a workspace root created offline on two devices: then every
 * child on either side counts as added, so nothing remote is deleted). `me`: this device.
 *
 * Ignored names: the merge runs on this device's shared view of the folder
 * (`sharedChildren`: its children with names it does not ignore, plus the base's children it
 * cannot see), so hidden remote children follow the remote, and this device's scratch children
 * (`scratchChildren`) are put back into the working copy only: never uploaded, never removed.
 *
 * Rules: remote not newer than base → keep local; no local change → take remote; remote written
 * by `me` → rebase the local copy on it; otherwise per child id: removed on both → gone; removed
 * on one side, renamed on the other → the rename survives; removed vs unchanged → removed (unless
 * `options.hasUnseenChanges` says the removal missed changes); renamed on one side → renamed;
 * renamed differently → remote wins; a local name taken by a different remote child → the local
 * child is renamed `name (name conflict N).ext`.
 *
 * Throws `ArgumentError` (`merge/id-mismatch`, `merge/type-mismatch`) when the three manifests
 * are not versions of the same folder; never throws because of the children's content.
 */
export function mergeFolder(
  base: FolderManifest | null,
  local: FolderManifest,
  remote: FolderManifest,
  me: DeviceId,
  options: MergeFolderOptions = {},
): FolderMergeResult {
  checkSameVlob('folder', base, local, remote);
  const ignore = resolveIgnore(options.ignore);
  const unseen = options.hasUnseenChanges ?? (() => false);
  const B = base?.children ?? null;
  const L = local.children;
  const R = remote.children;
  const localParentChanged = base !== null && local.parent !== base.parent;
  const isShared = options.isShared;
  const hidden = options.hidden === true;
  const mine = sharedChildren(L, B, ignore, isShared, hidden);

  if (remote.version <= (base?.version ?? 0)) {
    const needsUpload = base === null || localParentChanged || !sameChildren(mine, B!);
    const children = canonical(L);
    const manifest = children === L ? local : withChildren(local, children);
    return { kind: 'keep-local', manifest, upload: needsUpload ? withChildren(manifest, mine) : null, needsUpload };
  }

  const scratch = scratchChildren(L, B, ignore, R, isShared, hidden);
  if (!localParentChanged && sameChildren(mine, B ?? EMPTY) && !remoteRemovalMissedChanges(B ?? EMPTY, R, unseen)) {
    return { kind: 'take-remote', manifest: withChildren(remote, canonical(workingChildren(R, scratch, ignore))), upload: null, needsUpload: false };
  }

  const parent = mergedParent(base, local, remote);
  const updated = Math.max(local.updated, remote.updated);
  if (remote.author === me && base !== null) {
    // Only this device signs as `me`, always from its own local state, which has only moved
    // forward since: the local children already include everything in that remote version.
    // Not without a base: a placeholder (e.g. a workspace root not fetched yet) was not made
    // from that version, and taking it for one would drop the remote's children.
    const up = sharedChildren(L, R, ignore, isShared, hidden);
    const manifest = withChildren(remote, canonical(workingChildren(up, [...scratch, ...unlistedHidden(up, R, ignore)], ignore)), { parent, updated });
    const needsUpload = parent !== remote.parent || !sameChildren(up, R);
    return { kind: 'rebase', manifest, upload: needsUpload ? withChildren(manifest, up) : null, needsUpload };
  }

  const merged = mergeShared(B ?? EMPTY, mine, R, unseen, ignore);
  const manifest = withChildren(remote, workingChildren(merged.children, [...scratch, ...unlistedHidden(merged.children, R, ignore)], ignore), { parent, updated });
  const needsUpload = parent !== remote.parent || merged.differs;
  const upload = needsUpload ? withChildren(manifest, merged.children) : null;
  return { kind: 'merged', manifest, upload, needsUpload, renamed: merged.renamed, restored: merged.restored };
}
