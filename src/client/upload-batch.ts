/**
 * Batched uploads (issue 14: one signed round trip for many blocks or manifests instead of one
 * each). The server answers each item on its own, but those per-item results are unsigned hints:
 * a reply is used only if it answers exactly the items sent, in order; anything else is a
 * `TransportError` and nothing of it is applied.
 * @module
 */
import type { BlockId, RealmId } from '../codec/ids.js';
import { TransportError } from '../errors.js';
import type { BlockCreateItem, ErrorReply, ItemResult, VlobWriteItem, VlobWriteResult } from '../transport/commands.js';
import { MAX_BATCH_BYTES, MAX_BLOCK_BATCH_ITEMS, MAX_WRITE_BATCH_ITEMS } from '../transport/limits.js';
import { expectOk, type Transport } from '../transport/transport.js';

/** Blocks per `block_create_batch` (measured: past this, bigger batches gain nothing). */
export const BLOCK_BATCH_ITEMS = 128;
/** Bytes of blocks per `block_create_batch`: a few default-size blocks, far below the request bound. */
export const BLOCK_BATCH_BYTES = 4 * 1024 * 1024;
/** Manifests per `vlob_write_batch`. */
export const VLOB_BATCH_ITEMS = 256;
/** Bytes of encrypted manifests per `vlob_write_batch`. */
export const VLOB_BATCH_BYTES = 4 * 1024 * 1024;

/**
 * Splits `items` into consecutive batches of at most `maxItems` items and `maxBytes` bytes (an
 * item bigger than `maxBytes` goes alone).
 */
export function splitBatches<T>(items: readonly T[], size: (item: T) => number, maxItems: number, maxBytes: number): T[][] {
  const out: T[][] = [];
  let cur: T[] = [];
  let bytes = 0;
  for (const item of items) {
    const n = size(item);
    if (cur.length > 0 && (cur.length >= maxItems || bytes + n > maxBytes)) {
      out.push(cur);
      cur = [];
      bytes = 0;
    }
    cur.push(item);
    bytes += n;
  }
  if (cur.length > 0) out.push(cur);
  return out;
}

/**
 * The results of a batch reply, checked against the ids sent: same count, same id at each
 * position. Throws `TransportError` `transport/batch-mismatch` otherwise (a missing, extra,
 * reordered or invented item: the reply is not used at all).
 */
export function matchResults<I extends string, R extends { readonly result: ItemResult | { readonly status: 'ok' } | ErrorReply }>(
  cmd: string,
  sent: readonly I[],
  items: readonly R[],
  idOf: (r: R) => I,
): R['result'][] {
  if (items.length !== sent.length) throw new TransportError('transport/batch-mismatch', `${cmd}: ${items.length} results for ${sent.length} items`);
  return items.map((r, i) => {
    if (idOf(r) !== sent[i]) throw new TransportError('transport/batch-mismatch', `${cmd}: result ${i} names ${idOf(r)}, not the item sent (${sent[i]})`);
    return r.result;
  });
}

/**
 * Sends one `vlob_write_batch` and returns the per-item results in the order of `items` (the
 * caller bounds the batch: `splitBatches` with `VLOB_BATCH_*`, under the protocol's
 * `MAX_WRITE_BATCH_ITEMS` / `MAX_BATCH_BYTES`). Throws `TransportError`: `transport/<code>` for
 * an error reply, `transport/batch-mismatch` for a reply that does not answer the items sent,
 * `transport/too-large` for a batch past the protocol bounds, or a transport failure.
 */
export async function sendVlobBatch(transport: Transport, realmId: RealmId, items: readonly VlobWriteItem[]): Promise<ItemResult[]> {
  checkBounds('vlob_write_batch', items.length, MAX_WRITE_BATCH_ITEMS, items.reduce((n, i) => n + i.blob.length, 0));
  const rep = expectOk(await transport.send({ cmd: 'vlob_write_batch', realmId, items }));
  return matchResults(
    'vlob_write_batch',
    items.map((i) => i.vlobId),
    rep.items,
    (r: VlobWriteResult) => r.vlobId,
  );
}

/**
 * Sends one `block_create_batch`; results in the order of `items`. Throws as `sendVlobBatch`.
 */
export async function sendBlockBatch(transport: Transport, realmId: RealmId, items: readonly BlockCreateItem[]): Promise<ItemResult[]> {
  checkBounds('block_create_batch', items.length, MAX_BLOCK_BATCH_ITEMS, items.reduce((n, i) => n + i.block.length, 0));
  const rep = expectOk(await transport.send({ cmd: 'block_create_batch', realmId, items }));
  return matchResults(
    'block_create_batch',
    items.map((i) => i.blockId),
    rep.items,
    (r: { blockId: BlockId }) => r.blockId,
  );
}

/** A batch past the protocol bounds is a caller bug: `TransportError` `transport/too-large` before sending. */
function checkBounds(cmd: string, count: number, maxItems: number, bytes: number): void {
  // A single item over the byte bound is still sent alone: its own size bound is the codec's.
  if (count > maxItems || (count > 1 && bytes > MAX_BATCH_BYTES)) {
    throw new TransportError('transport/too-large', `${cmd}: ${count} items, ${bytes} bytes exceed the batch bounds`);
  }
}
