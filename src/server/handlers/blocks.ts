/**
 * Block commands (the block format). Blocks are immutable: an upload is idempotent (same id, same realm,
 * same bytes is success, so a client can retry an interrupted upload blindly), and anything else
 * under an existing id is `already_exists` — a block can never be swapped under a manifest.
 * @module
 */
import { equalBytes } from '../../bytes.js';
import type { BlockCreateReq, BlockReadRep, BlockReadReq, OkRep } from '../../transport/commands.js';
import { ANY_ROLE, WRITER_ROLES, checkKeyIndex, checkRealmNotDeleted, checkRealmWritable, requireRole } from '../checks.js';
import type { DeviceContext } from '../context.js';
import { blockRecord } from '../records.js';
import { refuse } from '../reply-error.js';

/** `block_create`: stores an encrypted block written with the realm's current key. */
export function blockCreate(ctx: DeviceContext, req: BlockCreateReq): Promise<OkRep> {
  return ctx.org.lock.run(async () => {
    requireRole(ctx.store, req.realmId, ctx.userId, WRITER_ROLES);
    checkRealmWritable(ctx.store, req.realmId, ctx.now);
    const { blocks, id } = ctx.org;
    const existing = await blocks.get(id, req.blockId);
    if (existing !== undefined) {
      const rec = blockRecord.decode(existing);
      if (rec.realmId === req.realmId && rec.keyIndex === req.keyIndex && equalBytes(rec.block, req.block)) return { status: 'ok' };
      refuse({ code: 'already_exists', message: 'a different block exists under this id' });
    }
    checkKeyIndex(ctx.store, req.realmId, req.keyIndex);
    const value = blockRecord.encode({ realmId: req.realmId, blockId: req.blockId, keyIndex: req.keyIndex, author: ctx.deviceId, timestamp: ctx.now, block: req.block });
    await blocks.put(id, req.blockId, value);
    return { status: 'ok' };
  });
}

/** `block_read`: a block of the realm (`not_found` also for a block of another realm). */
export async function blockRead(ctx: DeviceContext, req: BlockReadReq): Promise<BlockReadRep> {
  requireRole(ctx.store, req.realmId, ctx.userId, ANY_ROLE);
  checkRealmNotDeleted(ctx.store, req.realmId, ctx.now);
  const bytes = await ctx.org.blocks.get(ctx.org.id, req.blockId);
  const rec = bytes === undefined ? undefined : blockRecord.decode(bytes);
  if (rec === undefined || rec.realmId !== req.realmId) refuse({ code: 'not_found', message: 'no such block in this realm' });
  return { status: 'ok', keyIndex: rec.keyIndex, block: rec.block };
}
