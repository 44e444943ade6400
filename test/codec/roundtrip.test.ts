import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { decode as cborgDecode } from 'cborg';
import { decodeCbor, encodeCbor, type CborValue } from '../../src/codec/cbor.js';
import { cborValue } from './arbitraries.js';
import { SEED } from './helpers.js';

const runs = { seed: SEED, numRuns: 2000 };

/** Same tree with every Map turned into a plain object (keys as own properties). */
function toPlainObjects(v: CborValue): unknown {
  if (v instanceof Map) {
    const o: Record<string, unknown> = {};
    for (const [k, x] of v) Object.defineProperty(o, k, { value: toPlainObjects(x), enumerable: true });
    return o;
  }
  if (Array.isArray(v)) return v.map(toPlainObjects);
  return v;
}

function shuffleMaps(v: CborValue, rnd: () => number): CborValue {
  if (v instanceof Map) {
    const entries = [...v].map(([k, x]) => [k, shuffleMaps(x, rnd)] as [string, CborValue]);
    entries.sort(() => rnd() - 0.5);
    return new Map(entries);
  }
  if (Array.isArray(v)) return v.map((x) => shuffleMaps(x, rnd));
  return v;
}

describe('CBOR round trips (fast-check)', () => {
  it('decode(encode(v)) deep-equals v, and re-encoding gives identical bytes', () => {
    fc.assert(
      fc.property(cborValue, (v) => {
        const bytes = encodeCbor(v);
        const back = decodeCbor(bytes);
        expect(back).toEqual(v);
        expect(encodeCbor(back)).toEqual(bytes);
      }),
      runs,
    );
  });

  it('map insertion order and plain objects vs Maps do not change the bytes', () => {
    fc.assert(
      fc.property(cborValue, fc.integer(), (v, seed) => {
        let s = seed >>> 0;
        const rnd = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
        const bytes = encodeCbor(v);
        expect(encodeCbor(shuffleMaps(v, rnd))).toEqual(bytes);
        expect(encodeCbor(toPlainObjects(v) as CborValue)).toEqual(bytes);
      }),
      runs,
    );
  });

  it('an independent decoder (cborg) reads our encoding as the same value', () => {
    fc.assert(
      fc.property(cborValue, (v) => {
        expect(cborgDecode(encodeCbor(v), { useMaps: true, rejectDuplicateMapKeys: true, strict: true })).toEqual(v);
      }),
      runs,
    );
  });
});
