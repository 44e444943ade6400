/**
 * `decodeFile`: block list + fetch callback → verified plaintext, as a WHATWG `ReadableStream` or an
 * async iterable, whole file or a byte range (the block format).
 * @module
 */
import type { BlockId, RealmId } from '../codec/ids.js';
import { idToBytes } from '../codec/ids.js';
import { ArgumentError, throwIfAborted } from '../errors.js';
import type { SecretKey } from '../keys/index.js';
import type { BlockRef } from '../manifests/types.js';
import { abortErrorOf, linkAbort, raceAbort } from './abort.js';
import type { BlockKeyOptions } from './block-crypto.js';
import { blockKey, decryptBlock } from './block-crypto.js';
import type { ByteRange } from './block-list.js';
import { blocksForRange, resolveRange, validateBlockList } from './block-list.js';
import { KEY_LOOKAHEAD_FACTOR, MAX_BLOCKSIZE, checkBlocksize, checkConcurrency, checkKeyIndex } from './constants.js';

/**
 * Fetches the ciphertext stored under `id`; resolves `null`/`undefined` when the storage has no such
 * block (reported as `integrity/block-missing`). Should stop when `signal` aborts.
 */
export type FetchBlock = (id: BlockId, signal: AbortSignal) => Promise<Uint8Array | null | undefined>;

/** Options of `decodeFile`. */
export interface DecodeFileOptions {
  readonly realmId: RealmId;
  /** The realm key the blocks were written with, or the realm's keys by index (`keyIndex` picks one). */
  readonly realmKey: SecretKey | ReadonlyMap<number, SecretKey>;
  /** Key index the blocks were encrypted under (bound into their AAD). */
  readonly keyIndex: number;
  /** File size from the manifest. */
  readonly size: number;
  /**
   * The manifest's block size: no block may be larger. Defaults to 64 MiB (the largest accepted
   * block size); pass it to get the tight memory bound.
   */
  readonly blocksize?: number;
  /** First byte to read, default 0. */
  readonly offset?: number;
  /** Bytes to read, default up to the end of the file (clamped there). */
  readonly length?: number;
  /** Blocks fetched/decrypted ahead of the reader, default 4, in [1, 64]. */
  readonly concurrency?: number;
  readonly signal?: AbortSignal;
  /** Called before each piece is handed out: bytes delivered so far and the length of the read. */
  readonly onProgress?: (done: number, total: number) => void;
}

interface DecodePlan {
  readonly refs: readonly BlockRef[];
  readonly range: ByteRange;
  readonly keyOpts: BlockKeyOptions;
  readonly concurrency: number;
  readonly fetchBlock: FetchBlock;
  readonly signals: readonly (AbortSignal | undefined)[];
  readonly onProgress: ((done: number, total: number) => void) | undefined;
}

function resolveKey(realmKey: DecodeFileOptions['realmKey'], keyIndex: number): SecretKey {
  if (realmKey instanceof Map) {
    const key = (realmKey as ReadonlyMap<number, SecretKey>).get(keyIndex);
    if (key === undefined) throw new ArgumentError('blocks/unknown-key-index', `no realm key with index ${keyIndex}`);
    return key;
  }
  return realmKey as SecretKey;
}

/** Validates everything before any fetch: options, then the block list itself. */
function plan(blocks: readonly BlockRef[], fetchBlock: FetchBlock, opts: DecodeFileOptions, cancel?: AbortSignal): DecodePlan {
  if (typeof fetchBlock !== 'function') throw new ArgumentError('blocks/invalid-fetch', 'fetchBlock must be a function');
  const keyIndex = checkKeyIndex(opts.keyIndex);
  idToBytes(opts.realmId);
  const realmKey = resolveKey(opts.realmKey, keyIndex);
  const concurrency = checkConcurrency(opts.concurrency);
  const maxBlock = opts.blocksize === undefined ? MAX_BLOCKSIZE : checkBlocksize(opts.blocksize);
  validateBlockList(blocks, opts.size, maxBlock);
  const range = resolveRange(opts.size, opts.offset, opts.length);
  const { first, end } = blocksForRange(blocks, range);
  throwIfAborted(opts.signal);
  return {
    refs: blocks.slice(first, end),
    range,
    keyOpts: { realmId: opts.realmId, realmKey, keyIndex },
    concurrency,
    fetchBlock,
    signals: [opts.signal, cancel],
    onProgress: opts.onProgress,
  };
}

/**
 * Yields the plaintext of `plan.range`, in order. Up to `concurrency` blocks are fetched, decrypted
 * and checked at once (counting the one the reader currently holds), so memory stays
 * O(concurrency × blocksize). A block is handed out only after it passed every check, and blocks
 * are handed out strictly in order: when block i fails, exactly the bytes before it were delivered.
 */
async function* decodeBlocks(p: DecodePlan): AsyncGenerator<Uint8Array, void, undefined> {
  const link = linkAbort(...p.signals);
  const signal = link.signal;
  const window: Promise<Uint8Array>[] = [];
  // Block keys are derived KEY_LOOKAHEAD_FACTOR × concurrency blocks ahead of the fetches. A
  // derivation is a tiny job, but on a busy crypto thread pool it queues behind the 512 KiB
  // decrypt/hash jobs already submitted; derived just in time, every block would wait for that
  // whole queue before its own decryption could even be submitted (measured on 2 cores: ~15%
  // of decode throughput). Keys are 32 bytes, so the look-ahead costs no meaningful memory.
  const keys: Promise<SecretKey>[] = [];
  let keyed = 0;
  const deriveAhead = (): void => {
    const until = Math.min(p.refs.length, started + p.concurrency * KEY_LOOKAHEAD_FACTOR);
    for (; keyed < until; keyed++) {
      const key = blockKey(p.keyOpts.realmKey, (p.refs[keyed] as BlockRef).id);
      key.catch(() => undefined); // a failure surfaces through decryptBlock as integrity/block-decrypt
      keys.push(key);
    }
  };
  let started = 0;
  const startNext = (): void => {
    deriveAhead();
    const ref = p.refs[started++] as BlockRef;
    const key = keys.shift() as Promise<SecretKey>;
    // fetchBlock is called synchronously here, so never after an abort (callers check first).
    const task = (async () => decryptBlock(ref, await p.fetchBlock(ref.id, signal), p.keyOpts, key))();
    task.catch(() => undefined); // rejections are observed in order below; until then, not unhandled
    window.push(task);
  };
  const rangeEnd = p.range.offset + p.range.length;
  let delivered = 0;
  let finished = false;
  try {
    while (started < p.refs.length && window.length < p.concurrency) startNext();
    for (const ref of p.refs) {
      const plaintext = await raceAbort(window.shift() as Promise<Uint8Array>, signal);
      if (signal.aborted) throw abortErrorOf(signal);
      const from = Math.max(p.range.offset - ref.offset, 0);
      const to = Math.min(rangeEnd - ref.offset, ref.size);
      const piece = from === 0 && to === ref.size ? plaintext : plaintext.subarray(from, to);
      delivered += piece.length;
      p.onProgress?.(delivered, p.range.length);
      yield piece;
      if (signal.aborted) throw abortErrorOf(signal);
      if (started < p.refs.length) startNext();
    }
    finished = true;
  } finally {
    // Early exit (error, abort, reader stopped): cancel the fetches still in flight.
    if (!finished) link.controller.abort(new ArgumentError('blocks/reader-stopped', 'decoding stopped'));
    link.dispose();
  }
}

/**
 * The plaintext of `blocks` (or of the range `offset`/`length`) as an async iterable, fetching only
 * the blocks that overlap the range, up to `concurrency` ahead of the reader, verified before they
 * are yielded.
 *
 * Throws synchronously, before any fetch: `IntegrityError` (`integrity/block-list`) for a malformed
 * block list, `ArgumentError` for bad options (`blocks/invalid-range`, `blocks/invalid-concurrency`,
 * `blocks/invalid-blocksize`, `blocks/invalid-key-index`, `blocks/unknown-key-index`,
 * `blocks/invalid-fetch`), `AbortError` if already aborted. While iterating, rejects with
 * `IntegrityError` (`integrity/block-missing`, `-size`, `-decrypt`, `-digest`; see `decryptBlock`)
 * after having yielded exactly the bytes before the bad block, with a `fetchBlock` error as is, or
 * with `AbortError` as soon as `signal` aborts (no fetch starts afterwards). Breaking out of the
 * loop aborts the fetches in flight.
 */
export function decodeFileIterable(blocks: readonly BlockRef[], fetchBlock: FetchBlock, opts: DecodeFileOptions): AsyncGenerator<Uint8Array, void, undefined> {
  return decodeBlocks(plan(blocks, fetchBlock, opts));
}

/**
 * Same as `decodeFileIterable`, as a WHATWG `ReadableStream` (also async-iterable in Node and
 * modern browsers). It pulls only on demand (high-water mark 0), so the stream's own queue adds no
 * block to the memory bound. `cancel()` aborts the fetches in flight at once. Same errors (the
 * synchronous ones are thrown by this call; the others error the stream).
 */
export function decodeFile(blocks: readonly BlockRef[], fetchBlock: FetchBlock, opts: DecodeFileOptions): ReadableStream<Uint8Array> {
  const cancel = new AbortController();
  const it = decodeBlocks(plan(blocks, fetchBlock, opts, cancel.signal));
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        const r = await it.next();
        if (r.done) controller.close();
        else controller.enqueue(r.value);
      },
      cancel(reason) {
        cancel.abort(reason);
        it.return(undefined).catch(() => undefined);
      },
    },
    { highWaterMark: 0 },
  );
}

/**
 * Reads the whole file (or the range) into one buffer. Same checks and errors as
 * `decodeFileIterable`; memory is the result plus the decode window.
 */
export async function readAll(blocks: readonly BlockRef[], fetchBlock: FetchBlock, opts: DecodeFileOptions): Promise<Uint8Array> {
  const p = plan(blocks, fetchBlock, opts);
  const out = new Uint8Array(p.range.length);
  let at = 0;
  for await (const piece of decodeBlocks(p)) {
    out.set(piece, at);
    at += piece.length;
  }
  return out;
}
