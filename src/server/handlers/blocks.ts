/**
 * Block commands (the block format). Blocks are immutable: an upload is idempotent (same id, same realm,
 * same bytes is success, so a client can retry an interrupted upload blindly), and anything else
 * under an existing id is `already_exists` — a block can never be swapped under a manifest.
 * Batched commands run each item through the single command's checks (`createOne`).
 * @module
 */
import { equalBytes } from '../../bytes.js';
import type { BlockId, RealmId } from '../../codec/ids.js';
import type {
  BlockCreateBatchRep,
  BlockCreateBatchReq,
  BlockCreateItem,
  BlockCreateReq,
  BlockCreateResult,
  BlockReadBatchRep,
  BlockReadBatchReq,
  BlockReadRep,
  BlockReadReq,
  BlockReadResult,
  OkRep,
} from '../../transport/commands.js';
import { MAX_BATCH_BYTES } from '../../transport/limits.js';
import { OK_ITEM } from '../../transport/wire-errors.js';
import { ANY_ROLE, WRITER_ROLES, checkKeyIndex, checkRealmNotDeleted, checkRealmWritable, requireRole } from '../checks.js';
import type { DeviceContext } from '../context.js';
import { blockRecord } from '../records.js';
import { ReplyError, refuse } from '../reply-error.js';

/**
 * Checks and stores one block (under the organisation lock): durable when it resolves. An equal
 * block already stored is success; refuses with `ReplyError`.
 */
async function createOne(ctx: DeviceContext, realmId: RealmId, item: BlockCreateItem): Promise<void> {
  requireRole(ctx.store, realmId, ctx.userId, WRITER_ROLES);
  checkRealmWritable(ctx.store, realmId, ctx.now);
  const { blocks, id } = ctx.org;
  const existing = await blocks.get(id, item.blockId);
  if (existing !== undefined) {
    const rec = blockRecord.decode(existing);
    if (rec.realmId === realmId && rec.keyIndex === item.keyIndex && equalBytes(rec.block, item.block)) return;
    refuse({ code: 'already_exists', message: 'a different block exists under this id' });
  }
  checkKeyIndex(ctx.store, realmId, item.keyIndex);
  const value = blockRecord.encode({ realmId, blockId: item.blockId, keyIndex: item.keyIndex, author: ctx.deviceId, timestamp: ctx.now, block: item.block });
  await blocks.put(id, item.blockId, value);
}

/** `block_create`: stores an encrypted block written with the realm's current key. */
export function blockCreate(ctx: DeviceContext, req: BlockCreateReq): Promise<OkRep> {
  return ctx.org.lock.run(async () => {
    await createOne(ctx, req.realmId, req);
    return { status: 'ok' };
  });
}

/** Refuses a batch naming an id twice (`bad_request`) or carrying more than `MAX_BATCH_BYTES` (`too_large`). */
function checkBatch(ids: readonly BlockId[], bytes: number): void {
  if (new Set(ids).size !== ids.length) refuse({ code: 'bad_request', message: 'a block id appears twice in the batch' });
  if (bytes > MAX_BATCH_BYTES) refuse({ code: 'too_large', message: `the batch carries ${bytes} bytes of blocks, over ${MAX_BATCH_BYTES}` });
}

/**
 * `block_create_batch`: each block as `block_create`, in order, each durable before the reply;
 * one result per item (a refusal does not stop the others).
 */
export function blockCreateBatch(ctx: DeviceContext, req: BlockCreateBatchReq): Promise<BlockCreateBatchRep> {
  checkBatch(
    req.items.map((i) => i.blockId),
    req.items.reduce((n, i) => n + i.block.length, 0),
  );
  return ctx.org.lock.run(async () => {
    const items: BlockCreateResult[] = [];
    for (const item of req.items) {
      try {
        await createOne(ctx, req.realmId, item);
        items.push({ blockId: item.blockId, result: OK_ITEM });
      } catch (err) {
        if (!(err instanceof ReplyError)) throw err;
        items.push({ blockId: item.blockId, result: err.reply });
      }
    }
    return { status: 'ok', items };
  });
}

/** Reads one block of the realm: `not_found` also for a block of another realm. */
async function readOne(ctx: DeviceContext, realmId: RealmId, blockId: BlockId): Promise<BlockReadRep> {
  const bytes = await ctx.org.blocks.get(ctx.org.id, blockId);
  const rec = bytes === undefined ? undefined : blockRecord.decode(bytes);
  if (rec === undefined || rec.realmId !== realmId) refuse({ code: 'not_found', message: 'no such block in this realm' });
  return { status: 'ok', keyIndex: rec.keyIndex, block: rec.block };
}

/** `block_read`: a block of the realm (`not_found` also for a block of another realm). */
export async function blockRead(ctx: DeviceContext, req: BlockReadReq): Promise<BlockReadRep> {
  requireRole(ctx.store, req.realmId, ctx.userId, ANY_ROLE);
  checkRealmNotDeleted(ctx.store, req.realmId, ctx.now);
  return readOne(ctx, req.realmId, req.blockId);
}

/**
 * `block_read_batch`: the realm checks of `block_read` once (they are the same for every item),
 * then each block as `block_read` answers it; past `MAX_BATCH_BYTES` (or the server's reply
 * budget) of blocks, the rest are `too_large` (to ask again).
 */
export async function blockReadBatch(ctx: DeviceContext, req: BlockReadBatchReq): Promise<BlockReadBatchRep> {
  checkBatch(req.blockIds, 0);
  requireRole(ctx.store, req.realmId, ctx.userId, ANY_ROLE);
  checkRealmNotDeleted(ctx.store, req.realmId, ctx.now);
  const budget = Math.min(MAX_BATCH_BYTES, ctx.config.maxReplySize);
  const items: BlockReadResult[] = [];
  let size = 0;
  for (const blockId of req.blockIds) {
    let result: BlockReadResult['result'];
    try {
      const read = await readOne(ctx, req.realmId, blockId);
      // The first block found always goes (one block fits in any reply `block_read` could give).
      if (size > 0 && size + read.block.length > budget) {
        result = { status: 'error', code: 'too_large', message: 'this block does not fit in this reply: ask it again' };
      } else {
        size += read.block.length;
        result = read;
      }
    } catch (err) {
      if (!(err instanceof ReplyError)) throw err;
      result = err.reply;
    }
    items.push({ blockId, result });
  }
  return { status: 'ok', items };
}
