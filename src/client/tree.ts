/**
 * Pure file-system rules on a workspace's working copies: resolve a path, and compute the entries
 * an operation changes. No I/O: the workspace shell persists the returned changes in one atomic
 * batch, so a crash never leaves a folder pointing at a child that was not written.
 * @module
 */
import type { DeviceId, VlobId } from '../codec/ids.js';
import type { Timestamp } from '../codec/timestamps.js';
import type { EntryName } from '../manifests/entry-name.js';
import type { BlockRef, FileManifest, FolderManifest, Manifest } from '../manifests/types.js';
import type { RevisedLabel } from '../certificates/types.js';
import { WorkspaceError } from './errors.js';
import { formatPath } from './paths.js';
import type { EntryView, LocalEntry } from './local-entry.js';

/** Changes to persist: vlob id → new entry. */
export type Changes = Map<VlobId, LocalEntry>;

/** A view that sees pending `changes` over `view`. */
export function overlay(view: EntryView, changes: Changes): EntryView {
  return { get: (id) => changes.get(id) ?? view.get(id) };
}

function notFound(names: readonly string[]): WorkspaceError {
  return new WorkspaceError('workspace/not-found', `no such entry: ${formatPath(names)}`);
}

/** A resolved path: the entry, and (except for the root) its parent folder and name there. */
export interface Resolved {
  readonly id: VlobId;
  readonly entry: LocalEntry;
  readonly parent: { readonly id: VlobId; readonly entry: LocalEntry & { local: FolderManifest } } | null;
  readonly name: EntryName | null;
}

/**
 * Walks `names` from the root folder `rootId`. Throws `WorkspaceError` `workspace/not-found` for a
 * missing entry (a child whose manifest this device has not fetched yet counts as missing) and
 * `workspace/not-a-folder` when a file is used as a folder.
 */
export function resolvePath(view: EntryView, rootId: VlobId, names: readonly EntryName[]): Resolved {
  let id = rootId;
  const root = view.get(rootId);
  if (root === undefined) throw notFound([]);
  let entry: LocalEntry = root;
  let parent: Resolved['parent'] = null;
  let name: EntryName | null = null;
  for (let i = 0; i < names.length; i++) {
    const folder: Manifest = entry.local;
    if (folder.type !== 'folder') throw new WorkspaceError('workspace/not-a-folder', `${formatPath(names.slice(0, i))} is a file`);
    const childId: VlobId | undefined = folder.children.get(names[i]!);
    const child: LocalEntry | undefined = childId === undefined ? undefined : view.get(childId);
    if (childId === undefined || child === undefined) throw notFound(names.slice(0, i + 1));
    parent = { id, entry: entry as LocalEntry & { local: FolderManifest } };
    name = names[i]!;
    id = childId;
    entry = child;
  }
  return { id, entry, parent, name };
}

/** Resolves `names` and requires a folder (`workspace/not-a-folder`). */
export function resolveFolder(view: EntryView, rootId: VlobId, names: readonly EntryName[]): { id: VlobId; entry: LocalEntry & { local: FolderManifest } } {
  const r = resolvePath(view, rootId, names);
  if (r.entry.local.type !== 'folder') throw new WorkspaceError('workspace/not-a-folder', `${formatPath(names)} is a file`);
  return { id: r.id, entry: r.entry as LocalEntry & { local: FolderManifest } };
}

function splitLast(names: readonly EntryName[]): { dir: EntryName[]; name: EntryName } {
  if (names.length === 0) throw new WorkspaceError('workspace/root', 'the workspace root has no name');
  return { dir: names.slice(0, -1), name: names[names.length - 1]! };
}

function withChildren(folder: FolderManifest, children: Map<EntryName, VlobId>, now: Timestamp): FolderManifest {
  // Sorted by name, like the merge functions produce: the same tree always encodes the same way.
  const sorted = new Map([...children].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)));
  return { ...folder, children: sorted, updated: Math.max(folder.updated, now) };
}

function changed(entry: LocalEntry, local: Manifest): LocalEntry {
  return { ...entry, local, needSync: true };
}

/** A new, never-uploaded manifest's common fields (version 0: not based on any remote version). */
export function fresh(id: VlobId, parent: VlobId, me: DeviceId, now: Timestamp) {
  return { id, parent, version: 0, created: now, updated: now, author: me, timestamp: now, prev: null } as const;
}

/** Creates folder `names` (its parent must exist). Throws `workspace/exists` if the name is taken. */
export function mkdirChanges(view: EntryView, rootId: VlobId, names: readonly EntryName[], newId: VlobId, me: DeviceId, now: Timestamp): Changes {
  const { dir, name } = splitLast(names);
  const parent = resolveFolder(view, rootId, dir);
  if (parent.entry.local.children.has(name)) throw new WorkspaceError('workspace/exists', `${formatPath(names)} already exists`);
  const folder: FolderManifest = { type: 'folder', ...fresh(newId, parent.id, me, now), children: new Map() };
  const children = new Map(parent.entry.local.children).set(name, newId);
  return new Map<VlobId, LocalEntry>([
    [newId, { local: folder, needSync: true, base: null }],
    [parent.id, changed(parent.entry, withChildren(parent.entry.local, children, now))],
  ]);
}

/** The content of a file version: its size and its encrypted blocks (as a file manifest lists them). */
export interface FileContent {
  /** Size of the plaintext, in bytes. */
  readonly size: number;
  /** Nominal block size, in bytes. */
  readonly blocksize: number;
  /** The blocks, sorted by offset. */
  readonly blocks: readonly BlockRef[];
  /** The file label to set (absent: an existing file keeps its label). */
  readonly label?: RevisedLabel;
}

/**
 * Writes `content` to file `names`: replaces an existing file's content, or creates the file with
 * id `newId`. Throws `workspace/is-a-folder` if the path is a folder.
 */
export function writeFileChanges(
  view: EntryView,
  rootId: VlobId,
  names: readonly EntryName[],
  content: FileContent,
  newId: VlobId,
  me: DeviceId,
  now: Timestamp,
): { changes: Changes; id: VlobId } {
  const { dir, name } = splitLast(names);
  const parent = resolveFolder(view, rootId, dir);
  const existingId = parent.entry.local.children.get(name);
  const existing = existingId === undefined ? undefined : view.get(existingId);
  if (existingId !== undefined && existing !== undefined) {
    if (existing.local.type !== 'file') throw new WorkspaceError('workspace/is-a-folder', `${formatPath(names)} is a folder`);
    const local: FileManifest = { ...existing.local, ...content, blocks: [...content.blocks], updated: Math.max(existing.local.updated, now) };
    return { changes: new Map([[existingId, changed(existing, local)]]), id: existingId };
  }
  const file: FileManifest = { type: 'file', ...fresh(newId, parent.id, me, now), ...content, blocks: [...content.blocks] };
  const children = new Map(parent.entry.local.children).set(name, newId);
  return {
    changes: new Map<VlobId, LocalEntry>([
      [newId, { local: file, needSync: true, base: null }],
      [parent.id, changed(parent.entry, withChildren(parent.entry.local, children, now))],
    ]),
    id: newId,
  };
}

/**
 * Sets (`label`) or removes (`null`) the label of file `names`, content unchanged. Throws
 * `workspace/not-found`, `workspace/is-a-folder`.
 */
export function labelFileChanges(view: EntryView, rootId: VlobId, names: readonly EntryName[], label: RevisedLabel | null, now: Timestamp): Changes {
  const r = resolvePath(view, rootId, names);
  if (r.entry.local.type !== 'file') throw new WorkspaceError('workspace/is-a-folder', `${formatPath(names)} is a folder`);
  const { label: _old, ...rest } = r.entry.local;
  const local: FileManifest = { ...rest, ...(label === null ? {} : { label }), updated: Math.max(rest.updated, now) };
  return new Map([[r.id, changed(r.entry, local)]]);
}

/** True when `ancestor` is `id` or one of its ancestors (walking local `parent` links). */
export function isAncestorOrSelf(view: EntryView, rootId: VlobId, ancestor: VlobId, id: VlobId): boolean {
  let cur: VlobId = id;
  // Bounded: a corrupted tree with a parent cycle must not hang the caller.
  for (let steps = 0; steps < 100_000; steps++) {
    if (cur === ancestor) return true;
    if (cur === rootId) return false;
    const e = view.get(cur);
    if (e === undefined) return false;
    cur = e.local.parent;
  }
  return true;
}

/**
 * Moves/renames `from` to `to` (whose parent must exist and whose name must be free, unless
 * `overwrite` and it is a file). Throws `workspace/root`, `workspace/exists`,
 * `workspace/invalid-move` (a folder into itself or its own subtree).
 */
export function renameChanges(
  view: EntryView,
  rootId: VlobId,
  from: readonly EntryName[],
  to: readonly EntryName[],
  now: Timestamp,
  overwrite = false,
): Changes {
  const src = resolvePath(view, rootId, from);
  if (src.parent === null || src.name === null) throw new WorkspaceError('workspace/root', 'the workspace root cannot be moved');
  const { dir, name } = splitLast(to);
  const dst = resolveFolder(view, rootId, dir);
  if (isAncestorOrSelf(view, rootId, src.id, dst.id)) {
    throw new WorkspaceError('workspace/invalid-move', `cannot move ${formatPath(from)} into itself`);
  }
  const changes: Changes = new Map();
  const taken = dst.entry.local.children.get(name);
  if (taken !== undefined && taken !== src.id) {
    const victim = view.get(taken);
    if (!overwrite || victim === undefined || victim.local.type !== 'file' || src.entry.local.type !== 'file') {
      throw new WorkspaceError('workspace/exists', `${formatPath(to)} already exists`);
    }
  }
  if (src.parent.id === dst.id) {
    const children = new Map(dst.entry.local.children);
    children.delete(src.name);
    children.set(name, src.id);
    changes.set(dst.id, changed(dst.entry, withChildren(dst.entry.local, children, now)));
    return changes;
  }
  const srcChildren = new Map(src.parent.entry.local.children);
  srcChildren.delete(src.name);
  changes.set(src.parent.id, changed(src.parent.entry, withChildren(src.parent.entry.local, srcChildren, now)));
  const dstChildren = new Map(dst.entry.local.children).set(name, src.id);
  changes.set(dst.id, changed(dst.entry, withChildren(dst.entry.local, dstChildren, now)));
  changes.set(src.id, changed(src.entry, { ...src.entry.local, parent: dst.id, updated: Math.max(src.entry.local.updated, now) }));
  return changes;
}

/**
 * Removes entry `names` from its folder. The vlob itself stays on the server (its history remains
 * readable). A non-empty folder needs `recursive` (`workspace/not-empty`); the root cannot go.
 */
export function removeChanges(view: EntryView, rootId: VlobId, names: readonly EntryName[], now: Timestamp, recursive = false): Changes {
  const r = resolvePath(view, rootId, names);
  if (r.parent === null || r.name === null) throw new WorkspaceError('workspace/root', 'the workspace root cannot be removed');
  if (r.entry.local.type === 'folder' && r.entry.local.children.size > 0 && !recursive) {
    throw new WorkspaceError('workspace/not-empty', `${formatPath(names)} is not empty`);
  }
  const children = new Map(r.parent.entry.local.children);
  children.delete(r.name);
  const changes: Changes = new Map([[r.parent.id, changed(r.parent.entry, withChildren(r.parent.entry.local, children, now))]]);
  dropNeverShared(overlay(view, changes), changes, r.id, now);
  return changes;
}

/** Bound of a subtree walk (a corrupted tree with a cycle must not hang it). */
const MAX_SUBTREE = 1_000_000;

/** The ids of `id`'s subtree in the working copy, parents before children (bounded, cycle-safe). */
export function subtreeIds(view: EntryView, id: VlobId): VlobId[] {
  const out: VlobId[] = [];
  const seen = new Set<VlobId>();
  const stack = [id];
  while (stack.length > 0 && out.length < MAX_SUBTREE) {
    const cur = stack.pop()!;
    if (seen.has(cur)) continue;
    seen.add(cur);
    const e = view.get(cur);
    if (e === undefined) continue;
    out.push(cur);
    if (e.local.type === 'folder') for (const c of e.local.children.values()) stack.push(c);
  }
  return out;
}

/**
 * Under an entry this device removes, the children never shared (scratch files, or new ones never
 * uploaded) go for good: removed knowingly, nobody else has them, and if the entry came back (put
 * back over a delete that missed a change, or listed again by another device) under patterns
 * that show them now, they would go out. A never-shared folder holding shared entries (moved in
 * here) stays, so they stay listed. Adds to `changes`; `view` must see `changes`.
 */
export function dropNeverShared(view: EntryView, changes: Changes, id: VlobId, now: Timestamp): void {
  const ids = subtreeIds(view, id);
  // Children after parents: walked backwards, each entry's answer is known when its folder asks.
  const holdsShared = new Set<VlobId>();
  for (let i = ids.length - 1; i >= 0; i--) {
    const e = view.get(ids[i]!)!;
    if (e.base != null || (e.local.type === 'folder' && [...e.local.children.values()].some((c) => holdsShared.has(c)))) holdsShared.add(ids[i]!);
  }
  for (const cur of ids) {
    const e = view.get(cur)!;
    if (e.local.type !== 'folder' || !holdsShared.has(cur)) continue;
    const kept = [...e.local.children].filter(([, c]) => holdsShared.has(c));
    if (kept.length !== e.local.children.size) changes.set(cur, { ...e, local: { ...e.local, children: new Map(kept), updated: Math.max(e.local.updated, now) }, needSync: true });
  }
}
