/**
 * A shared entry moved into a scratch name (or under a scratch folder) leaves the shared data: to
 * the other devices it is a delete (with this device's tombstone, so an edit it missed comes
 * back, `missed-deletes.ts`), and on this device its subtree lives on under fresh vlob ids that
 * were never shared. So nothing written into the scratch copy can ever be uploaded under a shared
 * id — e.g. when another device renames or edits the original concurrently, the merge brings the
 * original back under a shared name with the shared content, and the scratch copy stays apart
 * (the ignore rule, see `IsShared`). Pure.
 * @module
 */
import type { DeviceId, VlobId } from '../codec/ids.js';
import type { Timestamp } from '../codec/timestamps.js';
import type { EntryName } from '../manifests/entry-name.js';
import type { FolderManifest, Manifest } from '../manifests/types.js';
import type { IgnoreMatcher } from '../merge/ignore.js';
import type { EntryView } from './local-entry.js';
import { isLocalOnlyPath } from './local-only.js';
import { overwriteTombstones, removeTombstones, type TombstoneChanges } from './tombstones.js';
import { fresh, overlay, removeChanges, renameChanges, resolveFolder, resolvePath, subtreeIds, type Changes } from './tree.js';


/**
 * The changes and tombstones of moving `from` to `to` when that move takes a shared entry (one
 * with anything ever uploaded in its subtree) into a scratch path; `null` when the move is an
 * ordinary rename. Throws as `renameChanges` (the move is validated by it first).
 */
export function forkIntoScratch(args: {
  view: EntryView;
  rootId: VlobId;
  from: readonly EntryName[];
  to: readonly EntryName[];
  ignore: IgnoreMatcher;
  me: DeviceId;
  now: Timestamp;
  newId: () => VlobId;
  overwrite: boolean;
}): { changes: Changes; tombstones: TombstoneChanges } | null {
  const { view, rootId, from, to, ignore, me, now } = args;
  renameChanges(view, rootId, from, to, now, args.overwrite);
  if (isLocalOnlyPath(from, ignore) || !isLocalOnlyPath(to, ignore)) return null;
  const src = resolvePath(view, rootId, from);
  const ids = subtreeIds(view, src.id);
  if (!ids.some((id) => view.get(id)?.base != null)) return null;
  // Removed from the shared tree, as `remove` does: with the tombstone of what this device saw.
  const tombstones = removeTombstones(view, rootId, from, ignore);
  const changes = removeChanges(view, rootId, from, now, true);
  const after = overlay(view, changes);
  const dst = resolveFolder(after, rootId, to.slice(0, -1));
  const fresher = new Map(ids.map((id) => [id, args.newId()] as const));
  for (const id of ids) {
    const e = view.get(id)!;
    const nid = fresher.get(id)!;
    const parent = id === src.id ? dst.id : fresher.get(e.local.parent)!;
    const common = { ...fresh(nid, parent, me, now), created: e.local.created };
    const local: Manifest =
      e.local.type === 'folder'
        ? { ...e.local, ...common, children: new Map([...e.local.children].filter(([, c]) => fresher.has(c)).map(([n, c]) => [n, fresher.get(c)!])) }
        : { ...e.local, ...common };
    changes.set(nid, { local, needSync: true, base: null });
  }
  const folder = dst.entry.local;
  const name = to[to.length - 1]!;
  const children = new Map(folder.children).set(name, fresher.get(src.id)!);
  const sorted = new Map([...children].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)));
  changes.set(dst.id, { ...dst.entry, local: { ...folder, children: sorted, updated: Math.max(folder.updated, now) } satisfies FolderManifest, needSync: true });
  return { changes, tombstones };
}

/**
 * The changes and tombstones of `rename(from, to)`: a fork into scratch (above), or an ordinary
 * move; a file it replaces (`overwrite`) is a delete, with the tombstone of what this device saw
 * of it (an edit wins over a blind delete). Throws as `renameChanges`.
 */
export function renameWithTombstones(args: Parameters<typeof forkIntoScratch>[0]): { changes: Changes; tombstones: TombstoneChanges } {
  const victim = overwriteTombstones(args.view, args.rootId, args.from, args.to, args.ignore);
  const fork = forkIntoScratch(args);
  if (fork !== null) return { changes: fork.changes, tombstones: new Map([...victim, ...fork.tombstones]) };
  const changes = renameChanges(args.view, args.rootId, args.from, args.to, args.now, args.overwrite);
  // Out of an ignored path into a shown one: each folder under it has a new shared view (its
  // never-shared children go out from now on: `sharedChildren` of a hidden folder left them out),
  // so each is uploaded again, even if its own entry did not change.
  if (isLocalOnlyPath(args.from, args.ignore) && !isLocalOnlyPath(args.to, args.ignore)) {
    const after = overlay(args.view, changes);
    for (const id of subtreeIds(after, resolvePath(after, args.rootId, args.to).id)) {
      const e = after.get(id);
      if (e?.local.type === 'folder' && !e.needSync) changes.set(id, { ...e, needSync: true });
    }
  }
  return { changes, tombstones: victim };
}
