/**
 * Vlob commands (the manifest format, the sync model). The server stores opaque encrypted, signed blobs; what it
 * enforces is who may write (a writing role), what they write with (the current key index, so a
 * removed member's old key is never used for new data), when (near the clock, after the realm's
 * last certificate so a write cannot be slipped before a role change, after the vlob's previous
 * version), and the version order (`version == current + 1`: optimistic concurrency, the loser
 * fetches, merges and retries).
 * @module
 */
import type { RealmId, VlobId } from '../../codec/ids.js';
import type { Timestamp } from '../../codec/timestamps.js';
import type {
  OkRep,
  VlobCreateReq,
  VlobItem,
  VlobPollChangesRep,
  VlobPollChangesReq,
  VlobReadBatchRep,
  VlobReadBatchReq,
  VlobReadVersionsRep,
  VlobReadVersionsReq,
  VlobUpdateReq,
} from '../../transport/commands.js';
import { ANY_ROLE, WRITER_ROLES, checkBallpark, checkRealmNotDeleted, checkRealmWritable, checkGreater, checkKeyIndex, checkNextVersion, requireRole } from '../checks.js';
import type { DeviceContext } from '../context.js';
import { vlobKey, vlobRecord, type VersionMeta } from '../records.js';
import { refuse } from '../reply-error.js';

const OK: OkRep = { status: 'ok' };

/** The write checks shared by create and update, in the order a client can fix them. */
function checkWrite(ctx: DeviceContext, realmId: RealmId, timestamp: Timestamp, keyIndex: number): void {
  requireRole(ctx.store, realmId, ctx.userId, WRITER_ROLES);
  checkRealmWritable(ctx.store, realmId, ctx.now);
  checkBallpark(timestamp, ctx.now, ctx.config.timestampWindow);
  checkGreater(timestamp, ctx.store.lastTimestamp(realmId));
  checkKeyIndex(ctx.store, realmId, keyIndex);
}

async function write(ctx: DeviceContext, req: VlobCreateReq | VlobUpdateReq, version: number): Promise<void> {
  const { org } = ctx;
  let log = org.realmLogs.get(req.realmId);
  const checkpoint = (log?.length ?? 0) + 1;
  const meta: VersionMeta = { version, keyIndex: req.keyIndex, author: ctx.deviceId, timestamp: req.timestamp, checkpoint };
  const value = vlobRecord.encode({ realmId: req.realmId, vlobId: req.vlobId, blob: req.blob, ...meta });
  await org.storage.put(org.ns.vlobs, vlobKey(req.vlobId, version), value);
  // Memory follows storage only once the write is durable.
  let entry = org.vlobs.get(req.vlobId);
  if (!entry) org.vlobs.set(req.vlobId, (entry = { realmId: req.realmId, versions: [] }));
  entry.versions.push(meta);
  if (!log) org.realmLogs.set(req.realmId, (log = []));
  log.push({ vlobId: req.vlobId, version });
  org.events.publish(
    { event: 'vlob', realmId: req.realmId, checkpoint, vlobId: req.vlobId, version },
    { scope: 'realm-members', realmId: req.realmId },
  );
}

/** `vlob_create`: version 1 of a new vlob. An existing vlob id (any realm) is `already_exists`. */
export function vlobCreate(ctx: DeviceContext, req: VlobCreateReq): Promise<OkRep> {
  return ctx.org.lock.run(async () => {
    checkWrite(ctx, req.realmId, req.timestamp, req.keyIndex);
    if (ctx.org.vlobs.has(req.vlobId)) refuse({ code: 'already_exists', message: 'the vlob already exists' });
    await write(ctx, req, 1);
    return OK;
  });
}

/** `vlob_update`: the next version; anything but `current + 1` is `bad_version` with the current. */
export function vlobUpdate(ctx: DeviceContext, req: VlobUpdateReq): Promise<OkRep> {
  return ctx.org.lock.run(async () => {
    checkWrite(ctx, req.realmId, req.timestamp, req.keyIndex);
    const entry = ctx.org.vlobs.get(req.vlobId);
    // A vlob of another realm is answered like a missing one: nothing leaks across realms.
    if (!entry || entry.realmId !== req.realmId) refuse({ code: 'not_found', message: 'no such vlob in this realm' });
    checkNextVersion(req.version, entry.versions.length);
    // Timestamps strictly increase along a vlob's chain (clients refuse a chain that does not).
    checkGreater(req.timestamp, entry.versions.at(-1)!.timestamp);
    await write(ctx, req, req.version);
    return OK;
  });
}

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
