/**
 * Full realm re-encryption (Parsec F10 `WS_REENCRYPT`): an OWNER replaces the ciphertext of
 * existing vlob versions and blocks by the same plaintext under the realm's current key, so that
 * after a key compromise the server holds nothing the retired keys open. Versions, checkpoints,
 * authors and timestamps stay as they were (history is not rewritten, only re-wrapped); readers
 * decrypt with the key index each answer names and verify signatures and digests as always.
 * Idempotent: an item already at the current key index is left alone (a resumed run may resend it).
 * @module
 */
import { equalBytes } from '../../bytes.js';
import type { OkRep } from '../../transport/commands.js';
import type { RealmReencryptBlockReq, RealmReencryptVlobsReq } from '../../transport/commands-reencrypt.js';
import { checkRealmNotDeleted, requireRole } from '../checks.js';
import type { DeviceContext } from '../context.js';
import { blockRecord, vlobKey, vlobRecord } from '../records.js';
import { refuse } from '../reply-error.js';
import type { StorageOp } from '../../storage/index.js';

function checkOwnerAndKey(ctx: DeviceContext, realmId: RealmReencryptVlobsReq['realmId'], keyIndex: number): void {
  requireRole(ctx.store, realmId, ctx.userId, ['OWNER']);
  checkRealmNotDeleted(ctx.store, realmId, ctx.now);
  const current = ctx.store.getKeyIndex(realmId);
  if (keyIndex !== current) refuse({ code: 'bad_key_index', message: 're-encryption is to the current key only', currentKeyIndex: current });
}

/** `realm_reencrypt_vlobs`: new ciphertexts of existing versions (one atomic batch). OWNER only. */
export function realmReencryptVlobs(ctx: DeviceContext, req: RealmReencryptVlobsReq): Promise<OkRep> {
  return ctx.org.lock.run(async () => {
    checkOwnerAndKey(ctx, req.realmId, req.keyIndex);
    const { org } = ctx;
    const ops: StorageOp[] = [];
    const updates: (() => void)[] = [];
    for (const item of req.items) {
      const entry = org.vlobs.get(item.vlobId);
      const meta = entry?.realmId === req.realmId ? entry.versions[item.version - 1] : undefined;
      if (entry === undefined || meta === undefined) refuse({ code: 'not_found', message: `no version ${item.version} of vlob ${item.vlobId} in this realm` });
      if (meta.keyIndex >= req.keyIndex) continue; // already done (a resumed run)
      const next = { ...meta, keyIndex: req.keyIndex };
      ops.push({ op: 'put', ns: org.ns.vlobs, key: vlobKey(item.vlobId, item.version), value: vlobRecord.encode({ realmId: req.realmId, vlobId: item.vlobId, blob: item.blob, ...next }) });
      updates.push(() => (entry.versions[item.version - 1] = next));
    }
    await org.storage.batch(ops);
    for (const u of updates) u();
    return { status: 'ok' };
  });
}

/** `realm_reencrypt_block`: a new ciphertext of an existing block. OWNER only. */
export function realmReencryptBlock(ctx: DeviceContext, req: RealmReencryptBlockReq): Promise<OkRep> {
  return ctx.org.lock.run(async () => {
    checkOwnerAndKey(ctx, req.realmId, req.keyIndex);
    const { blocks, id } = ctx.org;
    const bytes = await blocks.get(id, req.blockId);
    const rec = bytes === undefined ? undefined : blockRecord.decode(bytes);
    if (rec === undefined || rec.realmId !== req.realmId) refuse({ code: 'not_found', message: 'no such block in this realm' });
    if (rec.keyIndex === req.keyIndex) {
      if (equalBytes(rec.block, req.block)) return { status: 'ok' };
      refuse({ code: 'already_exists', message: 'the block is already re-encrypted, differently' });
    }
    await blocks.put(id, req.blockId, blockRecord.encode({ ...rec, keyIndex: req.keyIndex, block: req.block }));
    return { status: 'ok' };
  });
}
