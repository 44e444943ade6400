/**
 * The direct CBOR writer must produce exactly the bytes `cborg` produces in RFC 8949 mode
 * (shortest heads, definite lengths, keys sorted bytewise by encoding) for every value of the
 * model: a differential test over random trees, plus the head-size boundaries, non-ASCII and
 * astral-plane text (keys and values), empty containers and a large map.
 */
import { encode as cborgEncode, rfc8949EncodeOptions } from 'cborg';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toHex } from '../../src/bytes.js';
import { encodeCbor, type CborValue } from '../../src/codec/cbor.js';
import { cborValue } from './arbitraries.js';
import { SEED } from './helpers.js';

function reference(v: CborValue): string {
  return toHex(cborgEncode(v, rfc8949EncodeOptions));
}

describe('CBOR writer = cborg (RFC 8949 deterministic mode)', () => {
  it(`random value trees (seed ${SEED})`, () => {
    fc.assert(
      fc.property(cborValue, (v) => {
        expect(toHex(encodeCbor(v))).toBe(reference(v));
      }),
      { seed: SEED, numRuns: 2000 },
    );
  });

  it('every head size boundary, both signs', () => {
    const ns: number[] = [];
    for (const b of [0, 23, 24, 255, 256, 65535, 65536, 2 ** 32 - 1, 2 ** 32, 2 ** 40 + 7, Number.MAX_SAFE_INTEGER]) {
      ns.push(b, Math.max(b - 1, 0), -b, -b - 1);
    }
    for (const n of ns.filter(Number.isSafeInteger)) expect(toHex(encodeCbor(n)), String(n)).toBe(reference(n));
    // Lengths crossing the same boundaries, for text, bytes, arrays and maps.
    for (const len of [0, 23, 24, 255, 256, 65535, 65536]) {
      const text = 'a'.repeat(len);
      const bytes = new Uint8Array(len).fill(7);
      const arr = new Array<CborValue>(len).fill(null);
      const map = new Map<string, CborValue>(Array.from({ length: Math.min(len, 300) }, (_, i) => [`k${i}`, i]));
      for (const v of [text, bytes, arr, map]) expect(encodeCbor(v)).toEqual(cborgEncode(v, rfc8949EncodeOptions));
    }
  });

  it('non-ASCII text: 2-, 3- and 4-byte UTF-8, as values and as keys (sorted by UTF-8 bytes)', () => {
    const strings = ['é', 'ü-ß', '€uro', '日本語', '😀', 'a😀b', '\u007f', '\u0080', '\u07ff', '\u0800', '\uffff', '\u{10000}', '\u{10ffff}', 'z', 'ab'];
    for (const s of strings) expect(toHex(encodeCbor(s)), s).toBe(reference(s));
    const m = new Map<string, CborValue>(strings.map((s, i) => [s, i]));
    expect(toHex(encodeCbor(m))).toBe(reference(m));
    expect(toHex(encodeCbor({ ['😀']: [true, false, null], b: new Uint8Array([1, 2]), é: 'ü' }))).toBe(
      reference(new Map<string, CborValue>([['😀', [true, false, null]], ['b', new Uint8Array([1, 2])], ['é', 'ü']])),
    );
  });

  it('a 20,000-entry map (buffer growth) and the result is an exact-length plain Uint8Array', () => {
    const m = new Map<string, CborValue>();
    for (let i = 0; i < 20_000; i++) m.set(`document-${i}.txt`, new Uint8Array(16).fill(i & 0xff));
    const out = encodeCbor(m);
    expect(toHex(out)).toBe(reference(m));
    expect(out.constructor).toBe(Uint8Array);
    expect(out.byteOffset).toBe(0);
    expect(out.buffer.byteLength).toBe(out.length);
  });
});
