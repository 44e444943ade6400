/**
 * Vlob writes (the manifest format, the sync model): `vlob_create`, `vlob_update` and
 * `vlob_write_batch`. The server stores opaque encrypted, signed blobs; what it enforces is who
 * may write (a writing role), what they write with (the current key index, so a removed member's
 * old key is never used for new data), when (near the clock, after the realm's last certificate
 * so a write cannot be slipped before a role change, after the vlob's previous version), and the
 * version order (`version == current + 1`: optimistic concurrency, the loser fetches, merges and
 * retries). A batch item goes through exactly the checks of its single command (`checkItem`).
 * @module
 */
import type { RealmId, VlobId } from '../../codec/ids.js';
import type { Timestamp } from '../../codec/timestamps.js';
import type { StorageOp } from '../../storage/storage.js';
import type { OkRep, VlobCreateReq, VlobUpdateReq, VlobWriteBatchRep, VlobWriteBatchReq, VlobWriteItem, VlobWriteResult } from '../../transport/commands.js';
import { MAX_BATCH_BYTES } from '../../transport/limits.js';
import { OK_ITEM } from '../../transport/wire-errors.js';
import { WRITER_ROLES, checkBallpark, checkGreater, checkKeyIndex, checkNextVersion, checkRealmWritable, requireRole } from '../checks.js';
import type { DeviceContext } from '../context.js';
import { vlobKey, vlobRecord, type VersionMeta } from '../records.js';
import { ReplyError, refuse } from '../reply-error.js';

const OK: OkRep = { status: 'ok' };

/** The write checks shared by create and update, in the order a client can fix them. */
function checkWrite(ctx: DeviceContext, realmId: RealmId, timestamp: Timestamp, keyIndex: number): void {
  requireRole(ctx.store, realmId, ctx.userId, WRITER_ROLES);
  checkRealmWritable(ctx.store, realmId, ctx.now);
  checkBallpark(timestamp, ctx.now, ctx.config.timestampWindow);
  checkGreater(timestamp, ctx.store.lastTimestamp(realmId));
  checkKeyIndex(ctx.store, realmId, keyIndex);
}

/**
 * Every check of one write against the organisation's current state, as `vlob_create` (`create`:
 * an existing vlob id, any realm, is `already_exists`) or `vlob_update` (`not_found` for a vlob
 * of another realm, `bad_version` unless current + 1, a timestamp after the previous version's).
 * Refuses with `ReplyError`.
 */
function checkItem(ctx: DeviceContext, realmId: RealmId, item: VlobWriteItem, create: boolean): void {
  checkWrite(ctx, realmId, item.timestamp, item.keyIndex);
  const entry = ctx.org.vlobs.get(item.vlobId);
  if (create) {
    if (entry !== undefined) refuse({ code: 'already_exists', message: 'the vlob already exists' });
    return;
  }
  // A vlob of another realm is answered like a missing one: nothing leaks across realms.
  if (!entry || entry.realmId !== realmId) refuse({ code: 'not_found', message: 'no such vlob in this realm' });
  checkNextVersion(item.version, entry.versions.length);
  // Timestamps strictly increase along a vlob's chain (clients refuse a chain that does not).
  checkGreater(item.timestamp, entry.versions.at(-1)!.timestamp);
}

/**
 * Stores the checked `items` of `realmId` in one storage batch (all durable, or none), then
 * updates the indexes and announces each version: memory follows storage only once the write is
 * durable. Called under the organisation lock, right after `checkItem` passed for each.
 */
async function commit(ctx: DeviceContext, realmId: RealmId, items: readonly VlobWriteItem[]): Promise<void> {
  if (items.length === 0) return;
  const { org } = ctx;
  const first = (org.realmLogs.get(realmId)?.length ?? 0) + 1;
  const metas: VersionMeta[] = items.map((item, i) => ({ version: item.version, keyIndex: item.keyIndex, author: ctx.deviceId, timestamp: item.timestamp, checkpoint: first + i }));
  const ops: StorageOp[] = items.map((item, i) => ({
    op: 'put',
    ns: org.ns.vlobs,
    key: vlobKey(item.vlobId, item.version),
    value: vlobRecord.encode({ realmId, vlobId: item.vlobId, blob: item.blob, ...metas[i]! }),
  }));
  if (ops.length === 1) await org.storage.put(ops[0]!.ns, ops[0]!.key, (ops[0] as { value: Uint8Array }).value);
  else await org.storage.batch(ops);
  let log = org.realmLogs.get(realmId);
  if (!log) org.realmLogs.set(realmId, (log = []));
  items.forEach((item, i) => {
    const meta = metas[i]!;
    let entry = org.vlobs.get(item.vlobId);
    if (!entry) org.vlobs.set(item.vlobId, (entry = { realmId, versions: [] }));
    entry.versions.push(meta);
    log.push({ vlobId: item.vlobId, version: item.version });
    org.events.publish({ event: 'vlob', realmId, checkpoint: meta.checkpoint, vlobId: item.vlobId, version: item.version }, { scope: 'realm-members', realmId });
  });
}

/** `vlob_create`: version 1 of a new vlob. An existing vlob id (any realm) is `already_exists`. */
export function vlobCreate(ctx: DeviceContext, req: VlobCreateReq): Promise<OkRep> {
  return ctx.org.lock.run(async () => {
    const item: VlobWriteItem = { vlobId: req.vlobId, keyIndex: req.keyIndex, timestamp: req.timestamp, version: 1, blob: req.blob };
    checkItem(ctx, req.realmId, item, true);
    await commit(ctx, req.realmId, [item]);
    return OK;
  });
}

/** `vlob_update`: the next version; anything but `current + 1` is `bad_version` with the current. */
export function vlobUpdate(ctx: DeviceContext, req: VlobUpdateReq): Promise<OkRep> {
  return ctx.org.lock.run(async () => {
    const item: VlobWriteItem = { vlobId: req.vlobId, keyIndex: req.keyIndex, timestamp: req.timestamp, version: req.version, blob: req.blob };
    checkItem(ctx, req.realmId, item, false);
    await commit(ctx, req.realmId, [item]);
    return OK;
  });
}

/**
 * `vlob_write_batch`: each item checked as its single command against the state before the
 * batch (each vlob id at most once, so items never depend on one another), the accepted ones
 * stored together; one result per item in request order. Refuses the whole request
 * `bad_request` for a repeated vlob id and `too_large` past `MAX_BATCH_BYTES` of blobs.
 */
export function vlobWriteBatch(ctx: DeviceContext, req: VlobWriteBatchReq): Promise<VlobWriteBatchRep> {
  const seen = new Set<VlobId>();
  let bytes = 0;
  for (const item of req.items) {
    if (seen.has(item.vlobId)) refuse({ code: 'bad_request', message: `vlob ${item.vlobId} appears twice in the batch` });
    seen.add(item.vlobId);
    bytes += item.blob.length;
  }
  if (bytes > MAX_BATCH_BYTES) refuse({ code: 'too_large', message: `the batch carries ${bytes} bytes of blobs, over ${MAX_BATCH_BYTES}` });
  return ctx.org.lock.run(async () => {
    const results: VlobWriteResult[] = [];
    const accepted: VlobWriteItem[] = [];
    for (const item of req.items) {
      try {
        // Version 1 creates the vlob, a higher one updates it: the single command's checks.
        checkItem(ctx, req.realmId, item, item.version === 1);
        accepted.push(item);
        results.push({ vlobId: item.vlobId, result: OK_ITEM });
      } catch (err) {
        if (!(err instanceof ReplyError)) throw err;
        results.push({ vlobId: item.vlobId, result: err.reply });
      }
    }
    await commit(ctx, req.realmId, accepted);
    return { status: 'ok', items: results };
  });
}
