import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { chunkBlocks } from '../../src/blocks/chunker.js';
import { DEFAULT_BLOCKSIZE, checkBlocksize } from '../../src/blocks/constants.js';
import { sourcePieces } from '../../src/blocks/source.js';
import type { BlockSource } from '../../src/blocks/source.js';
import { concatBytes } from '../../src/bytes.js';
import { ArgumentError } from '../../src/errors.js';
import { RUNS, iterate, randomSplit, testBytes } from './helpers.js';

const BS = 4096;

async function blocksOf(source: BlockSource, bs = BS): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  for await (const b of chunkBlocks(sourcePieces(source), bs)) out.push(b.slice());
  return out;
}

describe('chunker', () => {
  it.each([0, 1, BS - 1, BS, BS + 1, 3 * BS, 5 * BS + 17])('cuts %i bytes into full blocks and a shorter last one', async (n) => {
    const data = testBytes(n, n);
    const blocks = await blocksOf(data);
    expect(blocks.length).toBe(Math.ceil(n / BS));
    blocks.forEach((b, i) => expect(b.length).toBe(i < blocks.length - 1 ? BS : n - BS * (blocks.length - 1)));
    expect(concatBytes(...blocks)).toEqual(data);
  });

  it('gives no block for an empty input, whatever its shape', async () => {
    expect(await blocksOf(new Uint8Array(0))).toEqual([]);
    expect(await blocksOf(iterate([]))).toEqual([]);
    expect(await blocksOf(iterate([new Uint8Array(0), new Uint8Array(0)]))).toEqual([]);
    expect(await blocksOf(new ReadableStream<Uint8Array>({ start: (c) => c.close() }))).toEqual([]);
  });

  it('gives the same blocks for 1-byte pieces, random splits, a ReadableStream and one buffer', async () => {
    const data = testBytes(3 * BS + 100, 7);
    const whole = await blocksOf(data);
    const ones = await blocksOf(iterate(Array.from(data, (_, i) => data.subarray(i, i + 1))));
    expect(ones).toEqual(whole);
    const pieces = randomSplit(data, 3, 2 * BS + 5);
    const stream = new ReadableStream<Uint8Array>({
      start(c) {
        for (const p of pieces) c.enqueue(p);
        c.close();
      },
    });
    expect(await blocksOf(stream)).toEqual(whole);
  });

  it('random splits never change the blocks (fast-check)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 6 * BS }), fc.integer(), fc.integer({ min: 1, max: 3 * BS }), async (n, seed, maxPiece) => {
        const data = testBytes(n, seed);
        const split = await blocksOf(iterate(randomSplit(data, seed, maxPiece)));
        expect(split).toEqual(await blocksOf(data));
      }),
      { numRuns: RUNS },
    );
  });

  it('a small file does not pay a whole block of memory, and a growing partial block keeps every byte', async () => {
    // A 1 KiB file cut with the 512 KiB default block size: its block's memory stays small
    // (a zeroed 512 KiB buffer per file was 27 % of writing 3,000 small files).
    const small = testBytes(1024, 3);
    const got: Uint8Array[] = [];
    for await (const b of chunkBlocks(sourcePieces(small), DEFAULT_BLOCKSIZE)) got.push(b);
    expect(got).toHaveLength(1);
    expect(got[0]).toEqual(small);
    expect(got[0]!.buffer.byteLength).toBeLessThanOrEqual(16 * 1024);
    // Pieces that make the partial block grow past 16, 32, 64 KiB, then full blocks after it.
    const bs = 256 * 1024;
    const data = testBytes(3 * bs + 70_000, 11);
    for (const maxPiece of [1000, 9000, 40_000, bs + 3]) {
      const blocks = await blocksOf(iterate(randomSplit(data, maxPiece, maxPiece)), bs);
      expect(blocks.map((b) => b.length)).toEqual([bs, bs, bs, 70_000]);
      expect(concatBytes(...blocks)).toEqual(data);
    }
  });

  it('uses the 512 KiB default and refuses block sizes outside [4 KiB, 64 MiB]', () => {
    expect(checkBlocksize(undefined)).toBe(DEFAULT_BLOCKSIZE);
    expect(DEFAULT_BLOCKSIZE).toBe(512 * 1024);
    expect(checkBlocksize(4096)).toBe(4096);
    for (const bad of [4095, 0, -1, 4096.5, Number.NaN, 64 * 1024 * 1024 + 1]) {
      expect(() => checkBlocksize(bad)).toThrow(expect.objectContaining({ code: 'blocks/invalid-blocksize' }));
    }
  });

  it('refuses a source that is not bytes, and pieces that are not Uint8Array', async () => {
    expect(() => sourcePieces('hello' as unknown as BlockSource)).toThrow(ArgumentError);
    const bad = iterate(['x' as unknown as Uint8Array]);
    await expect(blocksOf(bad)).rejects.toMatchObject({ code: 'blocks/invalid-source' });
  });
});
