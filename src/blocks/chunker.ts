/**
 * Fixed-size chunking (the block format): every block is exactly `blocksize` bytes except the last,
 * which is shorter; an empty input gives no block at all.
 * @module
 */
import { checkBlocksize } from './constants.js';

/**
 * Cuts a stream of arbitrary pieces into blocks. Where a piece covers a whole block at a block
 * boundary the block is a view into it (no copy); otherwise pieces are gathered into a fresh
 * `blocksize` buffer. Only one partial block is ever buffered, so memory stays O(blocksize)
 * whatever the piece sizes. Throws `ArgumentError` (`blocks/invalid-blocksize`) for a bad size.
 */
export async function* chunkBlocks(pieces: AsyncIterable<Uint8Array>, blocksize: number): AsyncGenerator<Uint8Array> {
  const bs = checkBlocksize(blocksize);
  let buf: Uint8Array | undefined;
  let fill = 0;
  for await (const piece of pieces) {
    let p = piece;
    while (p.length > 0) {
      if (fill === 0 && p.length >= bs) {
        yield p.subarray(0, bs);
        p = p.subarray(bs);
        continue;
      }
      buf ??= new Uint8Array(bs);
      const n = Math.min(bs - fill, p.length);
      buf.set(n === p.length ? p : p.subarray(0, n), fill);
      fill += n;
      p = p.subarray(n);
      if (fill === bs) {
        const full = buf;
        buf = undefined;
        fill = 0;
        yield full;
      }
    }
  }
  if (buf !== undefined && fill > 0) yield buf.subarray(0, fill);
}
