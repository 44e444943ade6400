/**
 * When a delete tombstone may be forgotten (issue 18: they used to be kept forever, and with them
 * the blocks of everything they cover). A tombstone only serves an edit the delete did not see
 * that reaches the server as a *live* version without this device restoring it otherwise:
 *
 * - a device that pulls the delete while it still holds the edit restores the entry itself (an
 *   edit wins over a blind delete: `mergeFolder`'s `hasUnseenChanges`), and every sync pulls
 *   before it uploads; so what remains is an edit already on the server when this device last
 *   pulled before uploading the delete, or one uploaded by a sync that pulled before the delete
 *   was accepted and uploads after it;
 * - the first kind is seen by this device's first pull after the delete is on the server; the
 *   second by a pull after that racing sync ends.
 *
 * Rule: the tombstone is marked `settled` at the end of the first sync that finds the delete on
 * the server (the parent's verified version no longer lists the entry), and forgotten at the end
 * of the first sync at least `retention` after that (default one day, `ClientOptions
 * .tombstoneRetention`). A sync that pulled before the delete and uploads more than `retention`
 * after it could publish an edit the delete missed: it stays in the vlob's history (readable and
 * restorable with `restore`), not in the tree. Pure.
 * @module
 */
import type { VlobId } from '../codec/ids.js';
import type { Timestamp } from '../codec/timestamps.js';
import type { EntryView } from './local-entry.js';
import type { Tombstone, TombstoneChanges } from './tombstones.js';

/** Default `tombstoneRetention`: one day, in µs. */
export const DEFAULT_TOMBSTONE_RETENTION = 24 * 3600 * 1_000_000;

/** True when the server's version of the tombstone's folder (as verified here) no longer lists `id`. */
function deleteOnServer(view: EntryView, id: VlobId, t: Tombstone): boolean {
  const base = view.get(t.parent)?.base?.manifest;
  if (base === undefined || base.type !== 'folder') return true;
  for (const c of base.children.values()) if (c === id) return false;
  return true;
}

/** The tombstone changes at the end of a sync at `now` (see the module comment). */
export function pruneTombstones(view: EntryView, tombstones: Iterable<[VlobId, Tombstone]>, now: Timestamp, retention: number): TombstoneChanges {
  const out: TombstoneChanges = new Map();
  for (const [id, t] of tombstones) {
    if (t.settled !== undefined) {
      if (now - t.settled >= retention) out.set(id, null);
    } else if (deleteOnServer(view, id, t)) {
      out.set(id, { ...t, settled: now });
    }
  }
  return out;
}
