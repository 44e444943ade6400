/**
 * Vlob reads (the manifest format, the sync model): latest versions, specific versions, changes
 * since a checkpoint. Writes are in `vlob-writes.ts`.
 * @module
 */
import type { RealmId, VlobId } from '../../codec/ids.js';
import type { Timestamp } from '../../codec/timestamps.js';
import type {
  VlobItem,
  VlobPollChangesRep,
  VlobPollChangesReq,
  VlobReadBatchRep,
  VlobReadBatchReq,
  VlobReadVersionsRep,
  VlobReadVersionsReq,
} from '../../transport/commands.js';
import { ANY_ROLE, checkRealmNotDeleted, requireRole } from '../checks.js';
import type { DeviceContext } from '../context.js';
import { vlobKey, vlobRecord, type VersionMeta } from '../records.js';
import { refuse } from '../reply-error.js';

function latestAt(versions: readonly VersionMeta[], at: Timestamp | undefined): VersionMeta | undefined {
  if (at === undefined) return versions.at(-1);
  for (let i = versions.length - 1; i >= 0; i--) if (versions[i]!.timestamp <= at) return versions[i];
  return undefined;
}

/** Reads the blobs of `wanted` versions, refusing `too_large` past the reply budget. */
async function readItems(ctx: DeviceContext, realmId: RealmId, wanted: readonly { vlobId: VlobId; meta: VersionMeta }[]): Promise<VlobItem[]> {
  const items: VlobItem[] = [];
  let size = 0;
  for (const { vlobId, meta } of wanted) {
    const bytes = await ctx.org.storage.get(ctx.org.ns.vlobs, vlobKey(vlobId, meta.version));
    if (bytes === undefined) continue;
    const rec = vlobRecord.decode(bytes);
    if (rec.realmId !== realmId) continue;
    size += rec.blob.length + 128;
    if (size > ctx.config.maxReplySize) refuse({ code: 'too_large', message: 'the asked versions do not fit in one reply: ask fewer' });
    items.push({ vlobId, version: meta.version, keyIndex: meta.keyIndex, author: meta.author, timestamp: meta.timestamp, blob: rec.blob });
  }
  return items;
}

/** `vlob_read_batch`: latest versions (or those current at `at`) of the found vlobs. */
export async function vlobReadBatch(ctx: DeviceContext, req: VlobReadBatchReq): Promise<VlobReadBatchRep> {
  requireRole(ctx.store, req.realmId, ctx.userId, ANY_ROLE);
  checkRealmNotDeleted(ctx.store, req.realmId, ctx.now);
  const wanted: { vlobId: VlobId; meta: VersionMeta }[] = [];
  for (const vlobId of new Set(req.vlobIds)) {
    const entry = ctx.org.vlobs.get(vlobId);
    if (!entry || entry.realmId !== req.realmId) continue;
    const meta = latestAt(entry.versions, req.at);
    if (meta) wanted.push({ vlobId, meta });
  }
  return { status: 'ok', items: await readItems(ctx, req.realmId, wanted) };
}

/** `vlob_read_versions`: specific versions (history); missing ones are absent. */
export async function vlobReadVersions(ctx: DeviceContext, req: VlobReadVersionsReq): Promise<VlobReadVersionsRep> {
  requireRole(ctx.store, req.realmId, ctx.userId, ANY_ROLE);
  checkRealmNotDeleted(ctx.store, req.realmId, ctx.now);
  const wanted: { vlobId: VlobId; meta: VersionMeta }[] = [];
  for (const { vlobId, version } of req.items) {
    const entry = ctx.org.vlobs.get(vlobId);
    const meta = entry && entry.realmId === req.realmId ? entry.versions[version - 1] : undefined;
    if (meta) wanted.push({ vlobId, meta });
  }
  return { status: 'ok', items: await readItems(ctx, req.realmId, wanted) };
}

/** `vlob_poll_changes`: the latest version of each vlob written after `lastCheckpoint`. */
export async function vlobPollChanges(ctx: DeviceContext, req: VlobPollChangesReq): Promise<VlobPollChangesRep> {
  requireRole(ctx.store, req.realmId, ctx.userId, ANY_ROLE);
  checkRealmNotDeleted(ctx.store, req.realmId, ctx.now);
  const log = ctx.org.realmLogs.get(req.realmId) ?? [];
  const latest = new Map<VlobId, number>();
  for (let i = req.lastCheckpoint; i < log.length; i++) {
    const e = log[i]!;
    // Re-insert so that iteration order is the order of each vlob's latest change.
    latest.delete(e.vlobId);
    latest.set(e.vlobId, e.version);
  }
  return { status: 'ok', currentCheckpoint: log.length, changes: [...latest].map(([vlobId, version]) => ({ vlobId, version })) };
}
