/**
 * Applying verified remote versions to the working copies (the merge rules), pure: the three-way merge
 * functions decide, this module places conflict copies and reports what happened.
 * @module
 */
import type { DeviceId, VlobId } from '../codec/ids.js';
import type { Timestamp } from '../codec/timestamps.js';
import type { EntryName } from '../manifests/entry-name.js';
import type { FileManifest, FolderManifest, Manifest } from '../manifests/types.js';
import { addConflictCopy } from '../merge/conflict-copy.js';
import { placementName } from '../merge/conflict-name.js';
import { mergeFile } from '../merge/merge-file.js';
import { defaultIgnoreMatcher, type IgnoreMatcher } from '../merge/ignore.js';
import { mergeFolder } from '../merge/merge-folder.js';
import { scratchChildren, workingChildren, type IsShared } from '../merge/shared-view.js';
import type { BaseVersion, EntryView, LocalEntry } from './local-entry.js';
import { isSharedIn, sharedTree } from './local-only.js';
import { restoreMissedDeletes } from './missed-deletes.js';
import { breakCycles, keepInOnePlace, keepListed } from './one-place.js';
import type { TombstoneChanges, TombstoneView } from './tombstones.js';
import { dropNeverShared, overlay, type Changes } from './tree.js';

/** A conflict the merge resolved, reported to the application. */
export type MergeConflict =
  /** Content changed on both sides: the local content was saved beside the original as `copyName`. */
  | { readonly kind: 'sync'; readonly vlobId: VlobId; readonly copyId: VlobId; readonly folderId: VlobId; readonly copyName: EntryName }
  /** A local entry was renamed because a remote entry took its name. */
  | { readonly kind: 'name'; readonly vlobId: VlobId; readonly folderId: VlobId; readonly from: EntryName; readonly to: EntryName }
  /**
   * This device's move of an entry lost (`one-place.ts`): moved concurrently elsewhere, or a move
   * that closed a folder cycle. It left folder `folderId` (where it was named `name`) for `toFolderId`.
   */
  | { readonly kind: 'moved'; readonly vlobId: VlobId; readonly folderId: VlobId; readonly toFolderId: VlobId; readonly name: EntryName };

/** Result of `applyRemote`. */
export interface ApplyResult {
  readonly changes: Changes;
  /** Tombstones settled by this merge (the delete was undone or became moot): to forget. */
  readonly tombstones: TombstoneChanges;
  readonly conflicts: MergeConflict[];
}

const NO_TOMBSTONES: TombstoneView = { tombstone: () => undefined };

const MAX_DEPTH_SCAN = 100_000;

/**
 * True when `id` or anything under it has local changes the server has not seen. Scratch entries
 * (names matching `ignore`) do not count: they never leave this device, so a remote delete of
 * their folder is not a delete that missed shared changes.
 */
function hasLocalChanges(view: EntryView, id: VlobId, ignore: IgnoreMatcher): boolean {
  const stack = [id];
  const seen = new Set<VlobId>();
  while (stack.length > 0 && seen.size < MAX_DEPTH_SCAN) {
    const cur = stack.pop()!;
    if (seen.has(cur)) continue;
    seen.add(cur);
    const e = view.get(cur);
    if (e === undefined) continue;
    if (e.needSync) return true;
    if (e.local.type === 'folder') for (const [name, child] of e.local.children) if (!ignore.matches(name)) stack.push(child);
  }
  return false;
}

/**
 * Takes `remote` for a folder this device did not change — except that (1) children the remote
 * removed while something under them has changes this device has not uploaded yet are put back
 * (under a name-conflict name if the name is taken): an edit wins over a blind delete, as in
 * `mergeFolder`'s `hasUnseenChanges`, so no written data becomes unreachable; and (2) the working
 * copy holds what `mergeFolder` would: the remote's children with names this device does not
 * ignore (the others stay hidden, see `IsShared`) plus this device's scratch children.
 */
function keepUnsyncedChildren(view: EntryView, current: LocalEntry | undefined, remote: BaseVersion, ignore: IgnoreMatcher, isShared: IsShared, hidden: boolean): LocalEntry {
  const taken: LocalEntry = { local: remote.manifest, needSync: false, base: remote };
  if (remote.manifest.type !== 'folder') return taken;
  const local = current?.local.type === 'folder' ? current.local : null;
  const oldBase = current?.base?.manifest.type === 'folder' ? current.base.manifest.children : null;
  const scratch = local === null ? [] : scratchChildren(local.children, oldBase, ignore, remote.manifest.children, isShared, hidden);
  const working = workingChildren(remote.manifest.children, scratch, ignore);
  // A copy: `workingChildren` returns the remote's own map when nothing is hidden or added.
  const children = new Map(working);
  let restored = false;
  if (local !== null) {
    const kept = new Set([...remote.manifest.children.values(), ...scratch.map(([, id]) => id)]);
    for (const [name, child] of local.children) {
      if (ignore.matches(name) || kept.has(child) || !hasLocalChanges(view, child, ignore)) continue;
      const free = children.has(name) ? placementName(name, 'name', (x) => children.has(x as EntryName), (x) => ignore.matches(x)) : name;
      children.set(free, child);
      restored = true;
    }
    // Hidden children (names this device ignores) with changes made while they were shown: kept
    // under their name, shared (`isShared`), so the next upload lists them again.
    for (const [name, child] of oldBase ?? []) {
      if (!ignore.matches(name) || kept.has(child) || children.has(name) || !hasLocalChanges(view, child, ignore)) continue;
      children.set(name, child);
      restored = true;
    }
  }
  if (!restored && working === remote.manifest.children) return taken;
  const sorted = new Map([...children].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)));
  return { local: { ...remote.manifest, children: sorted }, needSync: restored, base: remote };
}

/**
 * Merges `remotes` (verified versions, newest per vlob) into the working copies of `view`.
 * Folders are merged before files so that a file conflict copy lands in the already merged folder.
 * `newId` gives conflict copies their vlob ids. Returns the entries to persist and the conflicts.
 */
export function applyRemote(args: {
  view: EntryView;
  rootId: VlobId;
  remotes: readonly BaseVersion[];
  me: DeviceId;
  newId: () => VlobId;
  now: Timestamp;
  /** Scratch-name patterns (default `DEFAULT_IGNORE_PATTERNS`): such entries stay local. */
  ignore?: IgnoreMatcher;
  /** This device's delete tombstones (default: none). */
  tombstones?: TombstoneView;
}): ApplyResult {
  const { rootId, me, now } = args;
  const ignore = args.ignore ?? defaultIgnoreMatcher();
  const changes: Changes = new Map();
  const view = overlay(args.view, changes);
  const conflicts: MergeConflict[] = [];
  const incoming = new Map(args.remotes.map((r) => [r.manifest.id, r]));
  // Shared: this device holds a verified version, or receives one in this very batch. Folders
  // merge before files and in no particular order among themselves, so a hidden child whose own
  // upload reached the server (its answer lost) is merged into its folder before its version
  // lands: counted as scratch then, it was left out of the folder for good (100,000-run model).
  const sharedBefore = isSharedIn(view);
  const isShared: IsShared = (id) => sharedBefore(id) || incoming.has(id);
  // Folders this device hides (an ignored name at or above them), as the tree stood before this
  // merge: their never-shared children are scratch whatever their names.
  const hiddenHere = sharedTree(args.view, rootId, ignore);
  const ordered = [...args.remotes].sort((a, b) => (a.manifest.type === b.manifest.type ? 0 : a.manifest.type === 'folder' ? -1 : 1));
  const tombstoneView = args.tombstones ?? NO_TOMBSTONES;
  const tombstones: TombstoneChanges = new Map();
  const applied: Manifest[] = [];

  for (const remote of ordered) {
    const id = remote.manifest.id;
    const current = view.get(id);
    if (current?.base && current.base.manifest.version >= remote.manifest.version) continue;
    applied.push(remote.manifest);
    if (current === undefined || !current.needSync || current.local.type !== remote.manifest.type) {
      changes.set(id, keepUnsyncedChildren(view, current, remote, ignore, isShared, hiddenHere.get(id) === true));
      continue;
    }
    const baseManifest = current.base?.manifest ?? null;
    if (remote.manifest.type === 'folder') {
      const r = mergeFolder(baseManifest as FolderManifest | null, current.local as FolderManifest, remote.manifest, me, {
        ignore,
        isShared,
        hidden: hiddenHere.get(id) === true,
        hasUnseenChanges: (child, removedBy) => {
          if (removedBy === 'remote') {
            // Moved away by the remote (its new version names another parent), not deleted: the
            // changes under it travel with it.
            const moved = incoming.get(child)?.manifest;
            if (moved !== undefined && moved.parent !== id) return false;
            return hasLocalChanges(view, child, ignore);
          }
          const seen = view.get(child)?.base?.manifest.version ?? 0;
          const newer = incoming.get(child)?.manifest;
          // A version this device signed is one it saw (see `findMissedDeletes`).
          return newer !== undefined && newer.author !== me && newer.version > seen;
        },
      });
      changes.set(id, { local: r.manifest, needSync: r.needsUpload, base: remote });
      if (r.kind === 'merged') {
        for (const rn of r.renamed) conflicts.push({ kind: 'name', vlobId: rn.id, folderId: id, from: rn.from, to: rn.to });
        // Put back by the merge itself: this device's delete of it is undone.
        for (const back of r.restored) {
          if (tombstoneView.tombstone(back) === undefined) continue;
          tombstones.set(back, null);
          // Put back over this device's delete: what it never shared under it stays deleted.
          dropNeverShared(view, changes, back, now);
        }
      }
      continue;
    }
    const r = mergeFile(baseManifest as FileManifest | null, current.local as FileManifest, remote.manifest, me);
    changes.set(id, { local: r.manifest, needSync: r.needsUpload, base: remote });
    if (r.kind !== 'conflict') continue;
    // The remote keeps the entry; the local content becomes a new file beside it (the merge rules).
    const copyId = args.newId();
    const candidates = [r.manifest.parent, current.local.parent, rootId];
    let folderId = rootId;
    let placed: { manifest: FolderManifest; name: EntryName } | undefined;
    let listed = false;
    for (const fid of candidates) {
      const f = view.get(fid);
      if (f?.local.type === 'folder' && [...f.local.children.values()].includes(id)) {
        listed = true;
        // Not into a folder this device hides: a copy never shared would stay there, scratch
        // (`sharedChildren`), and the edit it holds must go out. It goes to the root instead.
        if (hiddenHere.get(fid) === true) break;
        folderId = fid;
        placed = addConflictCopy(f.local, id, copyId, ignore);
        break;
      }
    }
    const folder = view.get(folderId)!;
    if (placed === undefined && !listed && tombstoneView.tombstone(id) !== undefined) {
      // In no folder because this device removed it, edits and all: the local content was
      // knowingly discarded (the remote content comes back through the tombstone below).
      continue;
    }
    if (placed === undefined) {
      // The original is in no folder we know (moved away concurrently): keep the data at the root.
      const root = folder.local as FolderManifest;
      const name = placementName('recovered', 'sync', (n) => root.children.has(n as EntryName), (n) => ignore.matches(n));
      const children = new Map(root.children).set(name, copyId);
      placed = { manifest: { ...root, children }, name };
    }
    changes.set(folderId, { ...folder, local: { ...placed.manifest, updated: Math.max(placed.manifest.updated, now) }, needSync: true });
    const copy: FileManifest = { ...r.localContent, id: copyId, parent: folderId, version: 0, prev: null, created: now, updated: now, author: me, timestamp: now };
    changes.set(copyId, { local: copy, needSync: true, base: null });
    conflicts.push({ kind: 'sync', vlobId: id, copyId, folderId, copyName: placed.name });
  }
  // Moves the per-folder merges cannot see together: one place per entry, no folder cycle.
  const moved = [
    ...keepInOnePlace(view, args.view, changes, now),
    ...keepListed(view, args.view, changes, ignore, now, (id) => tombstoneView.tombstone(id) !== undefined),
    ...breakCycles(view, rootId, changes, ignore, now),
  ];
  for (const m of moved) conflicts.push({ kind: 'moved', vlobId: m.id, folderId: m.from, toFolderId: m.to, name: m.name });
  const restored = restoreMissedDeletes({ view, changes, rootId, tombstones: tombstoneView, applied, now, ignore, me });
  for (const [id, t] of restored.tombstones) tombstones.set(id, t);
  for (const rn of restored.renamed) conflicts.push({ kind: 'name', vlobId: rn.id, folderId: rn.folderId, from: rn.from, to: rn.to });
  return { changes, tombstones, conflicts };
}

/**
 * The entry after a successful upload of `uploaded` (made from `local`): the working copy moves
 * to the uploaded version, and a folder keeps its scratch children, which the upload left out.
 */
export function afterUpload(local: LocalEntry['local'], uploaded: BaseVersion): LocalEntry {
  const m = uploaded.manifest;
  const next = m.type === 'folder' && local.type === 'folder' && local.children !== m.children ? { ...m, children: local.children } : m;
  return { local: next, needSync: false, base: uploaded };
}
