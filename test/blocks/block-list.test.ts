import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { blocksForRange, resolveRange, validateBlockList } from '../../src/blocks/block-list.js';
import type { BlockId } from '../../src/codec/ids.js';
import { newId } from '../../src/codec/ids.js';
import { IntegrityError } from '../../src/errors.js';
import type { BlockRef } from '../../src/manifests/types.js';
import { RUNS } from './helpers.js';

function list(sizes: number[]): BlockRef[] {
  let offset = 0;
  return sizes.map((size) => {
    const ref = { id: newId<BlockId>(), offset, size, digest: new Uint8Array(32) };
    offset += size;
    return ref;
  });
}

const BS = 4096;

describe('validateBlockList', () => {
  it('accepts a well-formed list, and an empty one for an empty file', () => {
    expect(() => validateBlockList(list([BS, BS, 10]), 2 * BS + 10, BS)).not.toThrow();
    expect(() => validateBlockList([], 0, BS)).not.toThrow();
  });

  const base = list([BS, BS, 10]);
  const size = 2 * BS + 10;
  const swap = (i: number, j: number): BlockRef[] => {
    const l = [...base];
    [l[i], l[j]] = [l[j] as BlockRef, l[i] as BlockRef];
    return l;
  };
  const edit = (i: number, patch: Partial<BlockRef>): BlockRef[] => base.map((b, k) => (k === i ? { ...b, ...patch } : b));
  const cases: [string, BlockRef[], number][] = [
    ['not sorted', swap(0, 1), size],
    ['a gap', edit(2, { offset: 2 * BS + 1 }), size + 1],
    ['an overlap', edit(1, { offset: BS - 1 }), size - 1],
    ['not starting at 0', list([BS, 10]).map((b) => ({ ...b, offset: b.offset + 1 })), BS + 11],
    ['covering less than the size', base, size + 1],
    ['covering more than the size', base, size - 1],
    ['a block larger than the block size', list([BS + 1]), BS + 1],
    ['an empty block', list([BS, 0, 10]), BS + 10],
    ['an invalid id', edit(1, { id: 'nope' as BlockId }), size],
    ['an uppercase id', edit(1, { id: base[1]!.id.toUpperCase() as BlockId }), size],
    ['a short digest', edit(1, { digest: new Uint8Array(31) }), size],
    ['a non-integer size', list([BS, 10.5]), BS + 10.5],
    ['a string offset', edit(0, { offset: '0' as unknown as number }), size],
    ['blocks for an empty file', list([10]), 0],
    ['a negative file size', [], -1],
  ];
  it.each(cases)('refuses a list with %s (integrity/block-list)', (_, blocks, sz) => {
    expect(() => validateBlockList(blocks, sz, BS)).toThrow(IntegrityError);
    expect(() => validateBlockList(blocks, sz, BS)).toThrow(expect.objectContaining({ code: 'integrity/block-list' }));
  });
  it('refuses a list that is not an array or holds a non-object', () => {
    expect(() => validateBlockList(null as unknown as BlockRef[], 0, BS)).toThrow(expect.objectContaining({ code: 'integrity/block-list' }));
    expect(() => validateBlockList([null as unknown as BlockRef], 1, BS)).toThrow(expect.objectContaining({ code: 'integrity/block-list' }));
  });
});

describe('ranges', () => {
  it('defaults to the whole file and clamps the length at the end', () => {
    expect(resolveRange(100, undefined, undefined)).toEqual({ offset: 0, length: 100 });
    expect(resolveRange(100, 40, undefined)).toEqual({ offset: 40, length: 60 });
    expect(resolveRange(100, 40, 1000)).toEqual({ offset: 40, length: 60 });
    expect(resolveRange(100, 100, 5)).toEqual({ offset: 100, length: 0 });
  });
  it.each([
    [-1, undefined],
    [101, undefined],
    [1.5, undefined],
    [0, -1],
    [0, 2.5],
  ])('refuses offset %s length %s (blocks/invalid-range)', (o, l) => {
    expect(() => resolveRange(100, o, l)).toThrow(expect.objectContaining({ code: 'blocks/invalid-range' }));
  });

  it('selects exactly the blocks overlapping the range (fast-check against a linear scan)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 50 }), { maxLength: 30 }), fc.nat(), fc.nat(), (sizes, a, b) => {
        const blocks = list(sizes);
        const size = sizes.reduce((x, y) => x + y, 0);
        const range = resolveRange(size, size === 0 ? 0 : a % (size + 1), b % (size + 2));
        const { first, end } = blocksForRange(blocks, range);
        const expected = blocks
          .map((blk, i) => [blk, i] as const)
          .filter(([blk]) => range.length > 0 && blk.offset < range.offset + range.length && blk.offset + blk.size > range.offset)
          .map(([, i]) => i);
        expect(Array.from({ length: end - first }, (_, k) => first + k)).toEqual(expected);
      }),
      { numRuns: RUNS * 8 },
    );
  });
});
