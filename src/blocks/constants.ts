/**
 * Sizes and limits of the block layer (the block format), and the checks on the numeric options that
 * use them.
 * @module
 */
import { ArgumentError } from '../errors.js';
import { SECRET_BOX_OVERHEAD } from '../keys/index.js';

/** Default block size: 512 KiB (the block format). */
export const DEFAULT_BLOCKSIZE = 512 * 1024;
/** Smallest accepted block size: below this the per-block HKDF + AEAD overhead dominates. */
export const MIN_BLOCKSIZE = 4 * 1024;
/**
 * Largest accepted block size. A manifest's `blocksize` comes from another device: without a
 * ceiling a hostile one could make every reader allocate `concurrency × 4 GiB`.
 */
export const MAX_BLOCKSIZE = 64 * 1024 * 1024;
/** Default number of blocks in flight (uploads while encoding, fetches while decoding). */
export const DEFAULT_CONCURRENCY = 4;
/**
 * Block keys are derived this many windows (× concurrency) ahead of the blocks that use them, so
 * a derivation never waits behind the bulk crypto jobs of the blocks in flight (32 bytes each:
 * no effect on the memory bound).
 */
export const KEY_LOOKAHEAD_FACTOR = 2;
/** Largest accepted concurrency: it multiplies the memory bound. */
export const MAX_CONCURRENCY = 64;
/** AES-256-GCM blob overhead, `nonce(12) ‖ ct ‖ tag(16)` (crypto suite v1): a block's ciphertext is its size + 28. */
export const AEAD_OVERHEAD: number = SECRET_BOX_OVERHEAD;

/** Returns `blocksize ?? DEFAULT_BLOCKSIZE`; `ArgumentError` (`blocks/invalid-blocksize`) unless an integer in [4 KiB, 64 MiB]. */
export function checkBlocksize(blocksize: number | undefined): number {
  const bs = blocksize ?? DEFAULT_BLOCKSIZE;
  if (!Number.isSafeInteger(bs) || bs < MIN_BLOCKSIZE || bs > MAX_BLOCKSIZE) {
    throw new ArgumentError(
      'blocks/invalid-blocksize',
      `blocksize must be an integer in [${MIN_BLOCKSIZE}, ${MAX_BLOCKSIZE}], got ${String(blocksize)}`,
    );
  }
  return bs;
}

/** Returns `concurrency ?? DEFAULT_CONCURRENCY`; `ArgumentError` (`blocks/invalid-concurrency`) unless an integer in [1, 64]. */
export function checkConcurrency(concurrency: number | undefined): number {
  const c = concurrency ?? DEFAULT_CONCURRENCY;
  if (!Number.isSafeInteger(c) || c < 1 || c > MAX_CONCURRENCY) {
    throw new ArgumentError(
      'blocks/invalid-concurrency',
      `concurrency must be an integer in [1, ${MAX_CONCURRENCY}], got ${String(concurrency)}`,
    );
  }
  return c;
}

/** Returns `keyIndex`; `ArgumentError` (`blocks/invalid-key-index`) unless an integer in [1, 2³²−1] (realm key indexes start at 1, the data model). */
export function checkKeyIndex(keyIndex: number): number {
  if (!Number.isSafeInteger(keyIndex) || keyIndex < 1 || keyIndex > 0xffffffff) {
    throw new ArgumentError('blocks/invalid-key-index', `keyIndex must be an integer in [1, 2^32-1], got ${String(keyIndex)}`);
  }
  return keyIndex;
}
