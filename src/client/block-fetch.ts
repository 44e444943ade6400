/**
 * Block fetches coalesced (issue 14): a block asked while no fetch is in flight goes at once as
 * `block_read`; the blocks asked meanwhile (a read's prefetch window, files read concurrently)
 * are gathered until the end of the current turn of the event loop and go as one
 * `block_read_batch` per realm instead of one signed `block_read` each. Each
 * caller gets the answer `block_read` would have given for its block, and checks it exactly as
 * before (`readBlock`). A batch reply that does not answer exactly the blocks asked (count, ids,
 * order) fails every caller of that batch with `TransportError` `transport/batch-mismatch`.
 * @module
 */
import type { BlockId, RealmId } from '../codec/ids.js';
import type { BlockReadRep, ErrorReply } from '../transport/commands.js';
import { MAX_BLOCK_BATCH_ITEMS } from '../transport/limits.js';
import { expectOk, type Transport } from '../transport/transport.js';
import { matchResults } from './upload-batch.js';

/** Expected bytes of blocks per `block_read_batch` (well under the reply's `MAX_BATCH_BYTES`). */
export const READ_BATCH_BYTES = 4 * 1024 * 1024;
/** Ciphertext overhead over a block's plaintext size (nonce + tag and framing), for the byte bound. */
const BLOCK_OVERHEAD = 64;

type Answer = BlockReadRep | ErrorReply;

interface Waiter {
  readonly blockId: BlockId;
  readonly size: number;
  readonly resolve: (a: Answer) => void;
  readonly reject: (e: unknown) => void;
}

/** Runs `fn` after the current turn's other ready work (Node: `setImmediate`; elsewhere a 0 ms timer). */
const later: (fn: () => void) => void = typeof setImmediate === 'function' ? (fn) => void setImmediate(fn) : (fn) => void setTimeout(fn, 0);

/** The coalescing fetcher of one transport. */
class BlockFetcher {
  readonly #queued = new Map<RealmId, Waiter[]>();

  constructor(private readonly transport: Transport) {}

  /** Requests sent and not answered yet: while none is, a lone block goes at once. */
  #inFlight = 0;

  fetch(realmId: RealmId, blockId: BlockId, size: number): Promise<Answer> {
    return new Promise<Answer>((resolve, reject) => {
      const waiter = { blockId, size, resolve, reject };
      if (this.#inFlight === 0 && this.#queued.size === 0) {
        // Idle: no wait (a sequential reader pays nothing); what comes meanwhile is batched.
        void this.#send(realmId, [blockId], new Map([[blockId, [waiter]]]));
        return;
      }
      let q = this.#queued.get(realmId);
      if (q === undefined) {
        this.#queued.set(realmId, (q = []));
        later(() => this.#flush(realmId));
      }
      q.push(waiter);
    });
  }

  #flush(realmId: RealmId): void {
    const q = this.#queued.get(realmId) ?? [];
    this.#queued.delete(realmId);
    // The same block asked twice is fetched once (a batch names each id once).
    const byId = new Map<BlockId, Waiter[]>();
    for (const w of q) byId.set(w.blockId, [...(byId.get(w.blockId) ?? []), w]);
    const ids = [...byId.keys()];
    let batch: BlockId[] = [];
    let bytes = 0;
    for (const id of ids) {
      const size = byId.get(id)![0]!.size + BLOCK_OVERHEAD;
      if (batch.length > 0 && (batch.length >= MAX_BLOCK_BATCH_ITEMS || bytes + size > READ_BATCH_BYTES)) {
        void this.#send(realmId, batch, byId);
        batch = [];
        bytes = 0;
      }
      batch.push(id);
      bytes += size;
    }
    if (batch.length > 0) void this.#send(realmId, batch, byId);
  }

  async #send(realmId: RealmId, ids: readonly BlockId[], byId: ReadonlyMap<BlockId, readonly Waiter[]>): Promise<void> {
    const settle = (id: BlockId, f: (w: Waiter) => void) => byId.get(id)!.forEach(f);
    this.#inFlight++;
    try {
      if (ids.length === 1) {
        const rep = await this.transport.send({ cmd: 'block_read', realmId, blockId: ids[0]! });
        settle(ids[0]!, (w) => w.resolve(rep));
        return;
      }
      const rep = await this.transport.send({ cmd: 'block_read_batch', realmId, blockIds: ids });
      if (rep.status === 'error') {
        // Refused whole (a realm check): each block gets the refusal `block_read` would give.
        for (const id of ids) settle(id, (w) => w.resolve(rep));
        return;
      }
      const results = matchResults('block_read_batch', ids, expectOk(rep).items, (r) => r.blockId);
      for (const [i, id] of ids.entries()) {
        const r = results[i]!;
        // Past the reply's budget: asked again on its own.
        if (r.status === 'error' && r.code === 'too_large') {
          const single = await this.transport.send({ cmd: 'block_read', realmId, blockId: id });
          settle(id, (w) => w.resolve(single));
        } else {
          settle(id, (w) => w.resolve(r));
        }
      }
    } catch (err) {
      for (const id of ids) settle(id, (w) => w.reject(err));
    } finally {
      this.#inFlight--;
    }
  }
}

const fetchers = new WeakMap<Transport, BlockFetcher>();

/**
 * The server's answer for one block, as `block_read` gives it (`ok` with the ciphertext and its
 * key index, or the error reply), fetched together with the other blocks of `realmId` asked in
 * the same turn through `transport`. `size` is the block's plaintext size (bounds a batch).
 * Throws `TransportError` (a transport failure, `transport/batch-mismatch`).
 */
export function fetchBlock(transport: Transport, realmId: RealmId, blockId: BlockId, size: number): Promise<Answer> {
  let f = fetchers.get(transport);
  if (f === undefined) fetchers.set(transport, (f = new BlockFetcher(transport)));
  return f.fetch(realmId, blockId, size);
}
