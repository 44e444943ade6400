/**
 * Entries that stay on this device (the merge rules ignore patterns): scratch files such as `*.tmp`,
 * `~$*` (Office lock files), `.DS_Store`, `*~`, and everything under a folder with such a name.
 * They are readable and listable locally, but neither their manifests nor their blocks are
 * uploaded, and a folder upload leaves them out, so other devices never learn they exist.
 * Pure functions over the working copies.
 * @module
 */
import type { BlockId, VlobId } from '../codec/ids.js';
import type { EntryName } from '../manifests/entry-name.js';
import type { FolderManifest, Manifest } from '../manifests/types.js';
import type { IgnoreMatcher } from '../merge/ignore.js';
import { sharedChildren, type IsShared } from '../merge/shared-view.js';
import type { EntryView, LocalEntry } from './local-entry.js';

const MAX_ENTRIES = 10_000_000;

/**
 * `IsShared` of a device's entries: it holds a verified version of the vlob. Scratch entries never
 * have one (created here; a shared entry moved into a scratch name is forked to fresh ids).
 */
export function isSharedIn(view: EntryView): IsShared {
  return (id) => view.get(id)?.base != null;
}

/**
 * The ids reachable from `rootId` only through a name matching `ignore` (the entry itself, or
 * one of its folders, is a scratch name). Entries reachable through no folder are not included:
 * they are not scratch, just removed. Bounded against parent cycles in a corrupted tree.
 */
export function localOnlyIds(view: EntryView, rootId: VlobId, ignore: IgnoreMatcher): Set<VlobId> {
  const out = new Set<VlobId>();
  const seen = new Set<VlobId>([rootId]);
  const stack: { id: VlobId; hidden: boolean }[] = [{ id: rootId, hidden: false }];
  while (stack.length > 0 && seen.size < MAX_ENTRIES) {
    const { id, hidden } = stack.pop()!;
    if (hidden) out.add(id);
    const e = view.get(id);
    if (e === undefined || e.local.type !== 'folder') continue;
    for (const [name, child] of e.local.children) {
      if (seen.has(child)) continue;
      seen.add(child);
      stack.push({ id: child, hidden: hidden || ignore.matches(name) });
    }
  }
  return out;
}

/**
 * The entries the next sync may publish, each with whether it is hidden here (reached through a
 * name matching `ignore`): from `rootId` (included, shown) through each folder's shared view
 * (`sharedChildren`: its children with names this device does not ignore plus the hidden ones of
 * its verified version, whose pending changes — made while they were shown — still go out; in a
 * hidden folder, only children that are shared). A working copy outside this map is either
 * scratch or removed; a removed entry's pending edit must never be uploaded as a live file (a
 * crash in the middle of a sync would otherwise publish it, and the restore step would take the
 * device's own upload for an edit its delete never saw). Bounded like `localOnlyIds`.
 */
export function sharedTree(view: EntryView, rootId: VlobId, ignore: IgnoreMatcher): Map<VlobId, boolean> {
  const isShared = isSharedIn(view);
  const out = new Map<VlobId, boolean>([[rootId, false]]);
  const stack: VlobId[] = [rootId];
  while (stack.length > 0 && out.size < MAX_ENTRIES) {
    const id = stack.pop()!;
    const hidden = out.get(id) === true;
    const e = view.get(id);
    if (e === undefined || e.local.type !== 'folder') continue;
    const b = e.base?.manifest;
    for (const [name, child] of sharedChildren(e.local.children, b?.type === 'folder' ? b.children : null, ignore, isShared, hidden)) {
      if (out.has(child)) continue;
      out.set(child, hidden || ignore.matches(name));
      stack.push(child);
    }
  }
  return out;
}

/** The ids of `sharedTree`: the entries the next sync may publish. */
export function sharedIds(view: EntryView, rootId: VlobId, ignore: IgnoreMatcher): Set<VlobId> {
  return new Set(sharedTree(view, rootId, ignore).keys());
}

/**
 * What the next upload pass must publish, with `sharedTree`'s map: the entries of the shared tree
 * with unsynced changes, and the clean folders whose shared view no longer matches their verified
 * version — a folder shown again (restored, renamed or moved out of an ignored path) whose
 * never-shared children now go out: `needSync` marks edits, not every change of what is shown.
 */
export function pendingUploads(view: EntryView & { all(): Iterable<[VlobId, LocalEntry]> }, rootId: VlobId, ignore: IgnoreMatcher): { pending: VlobId[]; shared: Map<VlobId, boolean> } {
  const shared = sharedTree(view, rootId, ignore);
  const pending: VlobId[] = [];
  for (const [id, e] of view.all()) if (e.needSync && shared.has(id)) pending.push(id);
  const isShared = isSharedIn(view);
  const elsewhere = listedElsewhereIn(view);
  for (const [id, hidden] of shared) {
    const e = view.get(id);
    if (e !== undefined && !e.needSync && e.local.type === 'folder' && uploadContent(e, ignore, isShared, hidden, elsewhere) !== null) pending.push(id);
  }
  return { pending, shared };
}

/** True when one of `names` (a path from the root) is a scratch name. */
export function isLocalOnlyPath(names: readonly string[], ignore: IgnoreMatcher): boolean {
  return names.some((n) => ignore.matches(n));
}

function sameChildren(a: ReadonlyMap<EntryName, VlobId>, b: ReadonlyMap<EntryName, VlobId>): boolean {
  if (a.size !== b.size) return false;
  for (const [n, id] of a) if (b.get(n) !== id) return false;
  return true;
}

/** `listedElsewhere` of `uploadContent` over `view`: the child's working-copy parent, another folder than `folderId`, lists it. */
export function listedElsewhereIn(view: EntryView): (id: VlobId, folderId: VlobId) => boolean {
  return (id, folderId) => {
    const p = view.get(id)?.local.parent;
    if (p === undefined || p === folderId) return false;
    const holder = view.get(p)?.local;
    return holder?.type === 'folder' && [...holder.children.values()].includes(id);
  };
}

/**
 * What uploading `entry` would publish: the working copy, with a folder's children filtered by
 * `sharedChildren` (`isShared`: `isSharedIn` of the workspace; `hidden`: its `sharedTree` flag;
 * `listedElsewhere`: another folder's working copy lists the child). `null` when a folder's only changes are scratch entries (the server
 * already has everything shareable): then nothing is uploaded and the entry is simply clean.
 */
export function uploadContent(entry: LocalEntry, ignore: IgnoreMatcher, isShared: IsShared, hidden = false, listedElsewhere?: (id: VlobId, folderId: VlobId) => boolean): Manifest | null {
  const m = entry.local;
  if (m.type !== 'folder') return m;
  const baseManifest = entry.base?.manifest;
  const base = baseManifest?.type === 'folder' ? baseManifest : null;
  const children = sharedChildren(m.children, base?.children ?? null, ignore, isShared, hidden);
  // A hidden child of the base (a name this device ignores) that this device moved into another
  // folder while it was shown, where its working copy still lists it: the move goes out with
  // that folder, so this one no longer lists it (else both would: twice in the server's tree).
  if (listedElsewhere !== undefined) {
    for (const [n, c] of children) if (ignore.matches(n) && !m.children.has(n) && base?.children.get(n) === c && listedElsewhere(c, m.id)) children.delete(n);
  }
  if (base !== null && base.parent === m.parent && sameChildren(children, base.children)) return null;
  return sameChildren(children, m.children) ? m : ({ ...m, children } satisfies FolderManifest);
}

/**
 * The blocks the server may lack before the unsynced working copies are uploaded: those of
 * files with unsynced changes that their verified base version does not reference (a base's
 * blocks are on the server: a manifest is only uploaded after its blocks). Scratch files
 * (`localOnly`) are left out, so their content never leaves this device. Sorted, no duplicates.
 * Deriving this from the entries (instead of keeping a mark per block) saves one storage write
 * per written file, and the blocks of content overwritten before any sync are never uploaded.
 */
export function blocksToUpload(entries: Iterable<[VlobId, LocalEntry]>, localOnly: ReadonlySet<VlobId>): BlockId[] {
  const out = new Set<BlockId>();
  for (const [id, e] of entries) {
    if (!e.needSync || e.local.type !== 'file' || localOnly.has(id)) continue;
    const base = e.base?.manifest;
    const inBase = base?.type === 'file' && base.blocks.length > 0 ? new Set(base.blocks.map((b) => b.id)) : null;
    for (const b of e.local.blocks) if (inBase === null || !inBase.has(b.id)) out.add(b.id);
  }
  return [...out].sort();
}
