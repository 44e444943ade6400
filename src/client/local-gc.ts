/**
 * Local garbage collection of blocks (issue 18: a crash-looping client grew to 734 MB). The
 * retention rule: a block stays in the local store while the working copy or the verified base
 * version of a **kept** entry references it, or while it waits for upload. Kept entries are those
 * reachable from the workspace root through working-copy or base children (hidden entries
 * included), and every entry under one of this device's delete tombstones (a missed delete may
 * put it back, pending edit and all). Everything else is garbage: content overwritten or removed
 * on this device. History reads keep working: `readBlock` fetches a missing block from the server
 * (which has every block a version ever referenced) and caches it until the next collection.
 * Entries the rule does not keep are removed too, each leaving a compact mark of what this device
 * verified of it (entry GC). Pure rules, one thin async shell (`collectBlocks`).
 * @module
 */
import type { VlobId } from '../codec/ids.js';
import type { Manifest } from '../manifests/types.js';
import type { EntryView } from './local-entry.js';
import type { ClientContext } from './context.js';
import { collectEntries } from './entry-gc.js';
import type { LocalStore } from './local-store.js';
import { pruneTombstones } from './tombstone-prune.js';
import type { Tombstone } from './tombstones.js';
import type { WorkspaceState } from './workspace-state.js';

/** Bound on the walk (a corrupted tree with a cycle must not hang the collection). */
const MAX_ENTRIES = 10_000_000;

function childrenOf(m: Manifest | undefined): Iterable<VlobId> {
  return m?.type === 'folder' ? m.children.values() : [];
}

/** The entries the retention rule keeps: reachable from `rootId` (working or base children) or under a tombstone. */
export function keptEntries(view: EntryView, rootId: VlobId, tombstones: Iterable<[VlobId, Tombstone]>): Set<VlobId> {
  const kept = new Set<VlobId>();
  const stack: VlobId[] = [rootId];
  for (const [id, t] of tombstones) stack.push(id, ...t.seen.keys());
  while (stack.length > 0 && kept.size < MAX_ENTRIES) {
    const id = stack.pop()!;
    if (kept.has(id)) continue;
    kept.add(id);
    const e = view.get(id);
    if (e === undefined) continue;
    for (const c of childrenOf(e.local)) if (!kept.has(c)) stack.push(c);
    for (const c of childrenOf(e.base?.manifest)) if (!kept.has(c)) stack.push(c);
  }
  return kept;
}

/**
 * The stored blocks (`stored`, block ids) the retention rule lets go: referenced by no kept
 * entry's working copy or base, and not in `pending` (legacy upload marks). Sorted.
 */
export function garbageBlocks(view: EntryView, kept: ReadonlySet<VlobId>, stored: readonly string[], pending: ReadonlySet<string>): string[] {
  const live = new Set<string>();
  for (const id of kept) {
    const e = view.get(id);
    if (e === undefined) continue;
    for (const m of [e.local, e.base?.manifest]) if (m?.type === 'file') for (const b of m.blocks) live.add(b.id);
  }
  return stored.filter((b) => !live.has(b) && !pending.has(b)).sort();
}

/** Block deletions per storage batch. */
const DROPS_PER_BATCH = 1024;

/**
 * Deletes the workspace's garbage blocks (the retention rule above) from the local store. Run
 * with the workspace's mutex held, so no write is between storing its blocks and committing the
 * entry that references them. Returns how many blocks were deleted.
 */
export async function collectBlocks(store: LocalStore, ws: WorkspaceState, kept = keptEntries(ws, ws.rootId, ws.allTombstones())): Promise<number> {
  const [stored, pending] = await Promise.all([store.storedBlocks(ws.realmId), store.pendingBlocks(ws.realmId)]);
  const garbage = garbageBlocks(ws, kept, stored, new Set(pending));
  for (let i = 0; i < garbage.length; i += DROPS_PER_BATCH) await store.storage.batch(store.dropBlockOps(ws.realmId, garbage.slice(i, i + DROPS_PER_BATCH)));
  return garbage.length;
}

/**
 * End-of-sync housekeeping, with the workspace's mutex held: tombstones settled or forgotten
 * (past their retention period), then garbage blocks deleted, then garbage entries removed (one
 * batch with their marks, `collectEntries`). A crash in between leaves entries the rule no longer
 * keeps (their blocks gone): the next sync collects them.
 */
export async function tidyAfterSync(ctx: ClientContext, ws: WorkspaceState): Promise<{ blocks: number; entries: number }> {
  await ws.commit(new Map(), [], pruneTombstones(ws, ws.allTombstones(), ctx.clock(), ctx.settings.tombstoneRetention));
  const kept = keptEntries(ws, ws.rootId, ws.allTombstones());
  const blocks = await collectBlocks(ctx.store, ws, kept);
  return { blocks, entries: await collectEntries(ws, kept) };
}
