/**
 * `encodeFile`: plaintext stream → encrypted blocks handed to an upload callback, with bounded
 * concurrency and memory (the block format).
 * @module
 */
import type { BlockId } from '../codec/ids.js';
import { idToBytes, newId } from '../codec/ids.js';
import { ArgumentError, throwIfAborted } from '../errors.js';
import type { SecretKey } from '../keys/index.js';
import type { BlockRef } from '../manifests/types.js';
import { abortErrorOf, linkAbort, raceAbort } from './abort.js';
import type { BlockKeyOptions } from './block-crypto.js';
import { blockKey, encryptBlock } from './block-crypto.js';
import { chunkBlocks } from './chunker.js';
import { KEY_LOOKAHEAD_FACTOR, checkBlocksize, checkConcurrency, checkKeyIndex } from './constants.js';
import type { BlockSource } from './source.js';
import { sourcePieces } from './source.js';

/** One encrypted block handed to `upload`. */
export interface UploadBlock {
  readonly id: BlockId;
  /** `nonce(12) ‖ ct ‖ tag(16)`: what the server stores under `id`. */
  readonly ciphertext: Uint8Array;
  /** The entry for the file manifest's block list. */
  readonly ref: BlockRef;
}

/** Options of `encodeFile`. */
export interface EncodeFileOptions extends BlockKeyOptions {
  /** Block size in bytes, default 512 KiB, in [4 KiB, 64 MiB]. */
  readonly blocksize?: number;
  /**
   * Stores one block. Must be idempotent ("already exists" is success, the block format) and should stop
   * when `signal` aborts. Up to `concurrency` calls run at once; a rejection fails the encode.
   */
  readonly upload: (block: UploadBlock, signal: AbortSignal) => Promise<void>;
  /** Blocks encrypted/uploaded at once, default 4, in [1, 64]. */
  readonly concurrency?: number;
  readonly signal?: AbortSignal;
  /** Called after each block is uploaded: plaintext bytes uploaded so far, and the total if known. */
  readonly onProgress?: (done: number, total: number | undefined) => void;
  /** Total size for progress reports when `source` is a stream (a `Uint8Array` knows its own). */
  readonly totalSize?: number;
}

/** Result of `encodeFile`: the `size`, `blocksize` and `blocks` fields of a file manifest. */
export interface EncodedFile {
  readonly size: number;
  readonly blocksize: number;
  readonly blocks: BlockRef[];
}

/**
 * Cuts `source` into blocks, encrypts each (random id, SHA-256 digest, per-block key, AAD bound to
 * realm, id and key index) and uploads it, returning the block list once every upload succeeded —
 * only then may the manifest that points to them be written.
 *
 * Memory: at most `concurrency` blocks are being encrypted or uploaded; while that window is full
 * no more input is read (backpressure on the source), so memory is O(concurrency × blocksize)
 * whatever the file size. Hashing, encryption and uploads of different blocks overlap.
 *
 * Rejects with `AbortError` promptly when `signal` aborts (in-flight uploads get an aborted signal,
 * no upload starts afterwards, a `ReadableStream` source is cancelled); with the first error of an
 * upload or of the source otherwise (other uploads are then aborted the same way). Throws
 * `ArgumentError` (`blocks/invalid-blocksize`, `blocks/invalid-concurrency`,
 * `blocks/invalid-key-index`, `blocks/invalid-source`, `blocks/invalid-upload`) for bad options.
 */
export async function encodeFile(source: BlockSource, opts: EncodeFileOptions): Promise<EncodedFile> {
  const blocksize = checkBlocksize(opts.blocksize);
  const concurrency = checkConcurrency(opts.concurrency);
  checkKeyIndex(opts.keyIndex);
  idToBytes(opts.realmId);
  if (typeof opts.upload !== 'function') throw new ArgumentError('blocks/invalid-upload', 'upload must be a function');
  throwIfAborted(opts.signal);

  const link = linkAbort(opts.signal);
  const signal = link.signal;
  let failure: { error: unknown } | undefined;
  const fail = (error: unknown): void => {
    // After an abort, uploads typically reject because of it: the abort is what gets reported.
    if (failure || signal.aborted) return;
    failure = { error };
    link.controller.abort(error);
  };
  const stopError = (s: AbortSignal): unknown => (failure ? failure.error : abortErrorOf(s));

  const total = opts.totalSize ?? (source instanceof Uint8Array ? source.length : undefined);
  const blocks = chunkBlocks(sourcePieces(source, signal), blocksize)[Symbol.asyncIterator]();
  const refs: (BlockRef | undefined)[] = [];
  const inflight = new Set<Promise<void>>();
  let size = 0;
  let done = 0;

  // Block ids are drawn, and their keys derived, KEY_LOOKAHEAD_FACTOR × concurrency blocks ahead
  // of the data: a derivation is a tiny job, but on a busy crypto thread pool it queues behind the
  // 512 KiB hash/encrypt jobs already submitted, and done just in time it would hold back the
  // block's own encryption by that whole queue. Ids drawn but never used (abort, end of input)
  // are simply dropped: they are random and were never sent anywhere. The look-ahead ramps up
  // with the blocks seen, so a one-block file derives no spare keys.
  const ahead: { id: BlockId; key: Promise<SecretKey> }[] = [];
  const nextKeyed = (index: number): { id: BlockId; key: Promise<SecretKey> } => {
    while (ahead.length < Math.min(concurrency * KEY_LOOKAHEAD_FACTOR, index + 1)) {
      const id = newId<BlockId>();
      const key = blockKey(opts.realmKey, id);
      key.catch(() => undefined); // a failure surfaces through encryptBlock, when the block uses it
      ahead.push({ id, key });
    }
    return ahead.shift() as { id: BlockId; key: Promise<SecretKey> };
  };

  const uploadOne = async (plaintext: Uint8Array, index: number, offset: number): Promise<void> => {
    const { id, key } = nextKeyed(index);
    const enc = await encryptBlock(plaintext, opts, id, key);
    if (signal.aborted) return;
    const ref: BlockRef = { id: enc.id, offset, size: enc.size, digest: enc.digest };
    await opts.upload({ id: enc.id, ciphertext: enc.ciphertext, ref }, signal);
    if (signal.aborted) return;
    refs[index] = ref;
    done += enc.size;
    opts.onProgress?.(done, total);
  };

  try {
    for (;;) {
      while (inflight.size >= concurrency) await raceAbort(Promise.race(inflight), signal, stopError);
      if (signal.aborted) throw stopError(signal);
      const next = await raceAbort(blocks.next(), signal, stopError);
      if (next.done) break;
      if (signal.aborted) throw stopError(signal);
      const task: Promise<void> = uploadOne(next.value, refs.length, size)
        .catch(fail)
        .finally(() => inflight.delete(task));
      inflight.add(task);
      refs.push(undefined);
      size += next.value.length;
    }
    while (inflight.size > 0) await raceAbort(Promise.race(inflight), signal, stopError);
    if (signal.aborted) throw stopError(signal);
    return { size, blocksize, blocks: refs as BlockRef[] };
  } catch (e) {
    link.controller.abort(e);
    blocks.return(undefined).catch(() => undefined);
    throw e;
  } finally {
    link.dispose();
  }
}
