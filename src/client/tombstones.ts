/**
 * Local tombstones of deletes (the merge rules "an edit wins over a blind delete"). A remove only
 * deletes what the removing device saw, so each remove records, per vlob of the removed subtree,
 * the version this device had verified at that moment. A later remote version of anything under
 * the removed entry is then a change the delete never saw (the sync puts the entry
 * back). The deleting device is the only one that knows what it saw, so tombstones stay local.
 * Pure functions.
 * @module
 */
import type { VlobId } from '../codec/ids.js';
import type { Timestamp } from '../codec/timestamps.js';
import type { EntryName } from '../manifests/entry-name.js';
import type { IgnoreMatcher } from '../merge/ignore.js';
import type { EntryView } from './local-entry.js';
import { resolvePath } from './tree.js';

/** What this device removed: where it was, and the versions of its subtree it had seen. */
export interface Tombstone {
  /** The folder the entry was removed from. */
  readonly parent: VlobId;
  /** Its name there. */
  readonly name: EntryName;
  /** Verified version of each vlob of the removed subtree at delete time (absent = never uploaded). */
  readonly seen: ReadonlyMap<VlobId, number>;
  /** When this device first saw the delete on the server (absent until then); the retention period counts from it. */
  readonly settled?: Timestamp;
}

/** Read access to a workspace's tombstones. */
export interface TombstoneView {
  tombstone(id: VlobId): Tombstone | undefined;
}

/** Tombstones to persist (`null` = forget). */
export type TombstoneChanges = Map<VlobId, Tombstone | null>;

/** A view that sees pending tombstone `changes` over `view`. */
export function overlayTombstones(view: TombstoneView, changes: TombstoneChanges): TombstoneView {
  return { tombstone: (id) => (changes.has(id) ? (changes.get(id) ?? undefined) : view.tombstone(id)) };
}

/** Bound on the subtree walk: a corrupted tree with a cycle must not hang the remove. */
const MAX_SUBTREE = 10_000_000;

/**
 * The tombstone of removing `id` (named `name` in folder `parent`): the verified version of every
 * vlob of its subtree as this device has it now. Entries never uploaded (no base) are left out:
 * any remote version of them is newer than "nothing seen".
 */
export function tombstoneFor(view: EntryView, id: VlobId, parent: VlobId, name: EntryName): Tombstone {
  const seen = new Map<VlobId, number>();
  const visited = new Set<VlobId>();
  const stack = [id];
  while (stack.length > 0 && visited.size < MAX_SUBTREE) {
    const cur = stack.pop()!;
    if (visited.has(cur)) continue;
    visited.add(cur);
    const e = view.get(cur);
    if (e === undefined) continue;
    const version = e.base?.manifest.version ?? 0;
    if (version > 0) seen.set(cur, version);
    if (e.local.type === 'folder') for (const child of e.local.children.values()) stack.push(child);
  }
  return { parent, name, seen: new Map([...seen].sort((a, b) => (a[0] < b[0] ? -1 : 1))) };
}

/**
 * The tombstone of removing path `names` (resolved in `view`, before the remove): none for a
 * scratch entry (`ignore`), which never left this device. Throws as `resolvePath`.
 */
export function removeTombstones(view: EntryView, rootId: VlobId, names: readonly EntryName[], ignore: IgnoreMatcher): TombstoneChanges {
  const r = resolvePath(view, rootId, names);
  if (r.parent === null || r.name === null) return new Map();
  // A scratch entry was never shared: nothing for a tombstone to protect. A shared one under a
  // name ignored here (`IsShared`: kept over a blind delete, or hidden by a pattern change after
  // its upload) is a shared delete like any other.
  if (ignore.matches(r.name) && r.entry.base == null) return new Map();
  return new Map([[r.id, tombstoneFor(view, r.id, r.parent.id, r.name)]]);
}

/**
 * The tombstone of the file a rename over `to` replaces (none when `to` is free, is the moved
 * entry itself, or is a scratch name). Throws as `resolvePath`.
 */
export function overwriteTombstones(view: EntryView, rootId: VlobId, from: readonly EntryName[], to: readonly EntryName[], ignore: IgnoreMatcher): TombstoneChanges {
  const src = resolvePath(view, rootId, from);
  const name = to[to.length - 1];
  if (name === undefined) return new Map();
  const dir = resolvePath(view, rootId, to.slice(0, -1));
  const victim = dir.entry.local.type === 'folder' ? dir.entry.local.children.get(name) : undefined;
  if (victim === undefined || victim === src.id) return new Map();
  if (ignore.matches(name) && view.get(victim)?.base == null) return new Map();
  return new Map([[victim, tombstoneFor(view, victim, dir.id, name)]]);
}
