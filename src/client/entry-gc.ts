/**
 * Local garbage collection of entries (issue 18: every created-and-deleted file left a few hundred
 * bytes in the local store for good). The retention rule: an entry stays while it is the root,
 * reachable from the root through working-copy or verified base children (hidden entries
 * included), under one of this device's live delete tombstones (`keptEntries`), or has a pending
 * change (`needSync`) and a verified version. Everything else is removed at the end of every sync,
 * in one storage batch with what rollback protection needs of it: a mark (`CollectedMark`: vlob
 * id, highest version verified, its signed timestamp, SHA-256 of its signed bytes). An entry never
 * uploaded (no verified version) has nothing on the server to protect and nothing it could still
 * send (outbound only publishes entries in the tree, and its blocks were collected already), so it
 * goes without a mark, pending change or not.
 *
 * Every check that compares a served version with what this device verified reads the mark when
 * the entry is gone (`WorkspaceState.verified`): a change poll or a full listing serving an older
 * version is `rollback/vlob-version`, a listing without it `rollback/checkpoint`, the same version
 * with other bytes `rollback/fork`, and a newer version must chain from the verified one (fetched
 * again, checked against the digest). History reads check against it too. A collected entry a
 * folder names again (another device put it back) is fetched and merged as a remote entry, with
 * its mark's version as the floor (`fetchRelisted`).
 *
 * Marks are packed 72 bytes each in 256 buckets per realm (first two hex digits of the vlob id,
 * `local_collected`), and bounded: the newest `MAX_COLLECTED_MARKS` (100,000) per realm; past it,
 * the oldest collections' marks are dropped. A dropped mark gives up rollback protection for that
 * vlob only: a server could then serve one of its older versions (signed, by a member) as if it
 * were the latest, when a folder names the vlob again or in a history read.
 * @module
 */
import type { VlobId } from '../codec/ids.js';
import type { BaseVersion, EntryView, LocalEntry } from './local-entry.js';
import { markOf, type CollectedMark } from './verified.js';
import type { WorkspaceState } from './workspace-state.js';

/** Marks kept per realm at most: the newest collections' (README, "What the local store keeps"). */
export const MAX_COLLECTED_MARKS = 100_000;

/** The entries the retention rule lets go, given the `kept` ones (`keptEntries`). Sorted. */
export function garbageEntries(all: Iterable<[VlobId, LocalEntry]>, kept: ReadonlySet<VlobId>, rootId: VlobId): VlobId[] {
  const out: VlobId[] = [];
  for (const [id, e] of all) if (id !== rootId && !kept.has(id) && (!e.needSync || e.base === null)) out.push(id);
  return out.sort();
}

/**
 * The mark changes of one collection (`null` = forget): the `added` marks go in (replacing older
 * marks of the same vlobs), the marks of vlobs this device `held` an entry for again go, and past
 * `cap` the oldest marks of `current` (oldest first, `size` of them), then of `added`, go. Pure.
 */
export function markChanges(
  current: Iterable<[VlobId, CollectedMark]>,
  size: number,
  added: ReadonlyMap<VlobId, CollectedMark>,
  held: (id: VlobId) => boolean,
  cap: number,
): Map<VlobId, CollectedMark | null> {
  const out = new Map<VlobId, CollectedMark | null>();
  const order: VlobId[] = [];
  let remaining = size;
  for (const [id] of current) {
    if (added.has(id)) remaining--;
    else if (held(id)) {
      out.set(id, null);
      remaining--;
    } else order.push(id);
  }
  for (const [id, m] of added) out.set(id, m);
  let excess = remaining + added.size - cap;
  for (const id of [...order, ...added.keys()]) {
    if (excess <= 0) break;
    out.set(id, null);
    excess--;
  }
  return out;
}

/**
 * Removes the entries the retention rule lets go (`kept`: `keptEntries`) and records their marks,
 * in one storage batch. Run with the workspace's mutex held, at the end of a sync. Returns how
 * many entries were removed.
 */
export async function collectEntries(ws: WorkspaceState, kept: ReadonlySet<VlobId>, cap = MAX_COLLECTED_MARKS): Promise<number> {
  const garbage = garbageEntries(ws.all(), kept, ws.rootId);
  const seq = ws.nextCollection();
  const added = new Map<VlobId, CollectedMark>();
  for (const id of garbage) {
    const base = ws.get(id)?.base;
    if (base) added.set(id, await markOf(base, seq));
  }
  const dropping = new Set(garbage);
  const marks = markChanges(ws.allCollected(), ws.collectedCount, added, (id) => ws.get(id) !== undefined && !dropping.has(id), cap);
  await ws.forget(garbage, marks);
  return garbage.length;
}

/** What `fetchRelisted` reads of the workspace. */
export interface RelistView extends EntryView {
  collected(id: VlobId): CollectedMark | undefined;
}

/**
 * Fetches the children named by the folder versions in `remotes` that this device holds no entry
 * for (collected entries a folder names again, e.g. another device restored a missed delete),
 * round after round for the folders among them, and appends them to `remotes`. `fetch` gets the
 * ids and their floors (the marks' versions: the server must serve them, at that version or
 * later); a child with neither entry nor mark is fetched if the server has it.
 */
export async function fetchRelisted(
  view: RelistView,
  remotes: BaseVersion[],
  fetch: (ids: readonly VlobId[], floor: ReadonlyMap<VlobId, number>) => Promise<readonly BaseVersion[]>,
): Promise<void> {
  const have = new Set(remotes.map((r) => r.manifest.id));
  let frontier: readonly BaseVersion[] = [...remotes];
  while (frontier.length > 0) {
    const ids: VlobId[] = [];
    const floor = new Map<VlobId, number>();
    for (const r of frontier) {
      if (r.manifest.type !== 'folder') continue;
      for (const c of r.manifest.children.values()) {
        if (have.has(c) || view.get(c) !== undefined) continue;
        have.add(c);
        ids.push(c);
        const m = view.collected(c);
        if (m !== undefined) floor.set(c, m.version);
      }
    }
    if (ids.length === 0) return;
    frontier = await fetch(ids.sort(), floor);
    remotes.push(...frontier);
  }
}
