/**
 * Pure rules on a file's block list: is it well formed, and which blocks does a byte range need.
 * @module
 */
import { isId } from '../codec/ids.js';
import { ArgumentError, IntegrityError } from '../errors.js';
import type { BlockRef } from '../manifests/types.js';

function bad(message: string): IntegrityError {
  return new IntegrityError('integrity/block-list', message);
}

/**
 * Checks a block list against the file size before anything is fetched: blocks sorted by offset,
 * contiguous from 0 with no gap or overlap, covering exactly `[0, size)`, each non-empty and at most
 * `maxBlockSize` bytes, valid ids, 32-byte digests. Throws `IntegrityError` (`integrity/block-list`).
 *
 * The list comes from a signed manifest, but a signed manifest may still be written by a buggy or
 * malicious member: a gap would silently read as missing bytes, an overlap as duplicated ones, and an
 * oversized block would defeat the memory bound of the reader.
 */
export function validateBlockList(blocks: readonly BlockRef[], size: number, maxBlockSize: number): void {
  if (!Array.isArray(blocks)) throw bad('the block list is not an array');
  if (!Number.isSafeInteger(size) || size < 0) throw bad(`file size ${String(size)} is not a non-negative integer`);
  let expected = 0;
  for (let i = 0; i < blocks.length; i++) {
    const b = blocks[i] as BlockRef | undefined;
    if (typeof b !== 'object' || b === null) throw bad(`block ${i} is not an object`);
    if (!isId(b.id)) throw bad(`block ${i} has an invalid id`);
    if (!(b.digest instanceof Uint8Array) || b.digest.length !== 32) throw bad(`block ${i} digest is not 32 bytes`);
    if (!Number.isSafeInteger(b.size) || b.size < 1 || b.size > maxBlockSize) {
      throw bad(`block ${i} size ${String(b.size)} is not in [1, ${maxBlockSize}]`);
    }
    if (b.offset !== expected) throw bad(`block ${i} starts at ${String(b.offset)}, expected ${expected}`);
    expected += b.size;
    if (expected > size) throw bad(`block ${i} ends at ${expected}, past the file size ${size}`);
  }
  if (expected !== size) throw bad(`blocks cover ${expected} bytes, the file has ${size}`);
}

/** A validated `[offset, offset + length)` read. */
export interface ByteRange {
  readonly offset: number;
  readonly length: number;
}

/**
 * Resolves the optional `offset`/`length` of a read against the file size: `offset` defaults to 0,
 * `length` to the rest of the file and is clamped at the end of the file (like reading past EOF).
 * Throws `ArgumentError` (`blocks/invalid-range`) for a negative or non-integer value or an offset
 * past the end.
 */
export function resolveRange(size: number, offset: number | undefined, length: number | undefined): ByteRange {
  const off = offset ?? 0;
  if (!Number.isSafeInteger(off) || off < 0 || off > size) {
    throw new ArgumentError('blocks/invalid-range', `offset ${String(offset)} is not an integer in [0, ${size}]`);
  }
  const len = length ?? size - off;
  if (!Number.isSafeInteger(len) || len < 0) {
    throw new ArgumentError('blocks/invalid-range', `length ${String(length)} is not a non-negative integer`);
  }
  return { offset: off, length: Math.min(len, size - off) };
}

/**
 * Index range `[first, end)` of the blocks of a validated list that overlap `range`; empty for an
 * empty range. Binary search: a 1 GiB file has 2048 blocks and range reads should not scan them.
 */
export function blocksForRange(blocks: readonly BlockRef[], range: ByteRange): { first: number; end: number } {
  if (range.length === 0) return { first: 0, end: 0 };
  const first = indexOfByte(blocks, range.offset);
  const end = indexOfByte(blocks, range.offset + range.length - 1) + 1;
  return { first, end };
}

/** Index of the block holding byte `pos` (the list must be validated and `pos` inside it). */
function indexOfByte(blocks: readonly BlockRef[], pos: number): number {
  let lo = 0;
  let hi = blocks.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    if ((blocks[mid] as BlockRef).offset <= pos) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}
