import { describe, expect, it } from 'vitest';
import { decodeCbor, DEFAULT_MAX_SIZE, MAX_DEPTH, type CborValue } from '../../src/codec/cbor.js';
import { ArgumentError, CodecError } from '../../src/errors.js';
import { expectCodecError, h } from './helpers.js';

const reject = (hex: string, code: string) => expectCodecError(() => decodeCbor(h(hex)), code);

describe('decodeCbor: one rejection per rule', () => {
  it('codec/duplicate-key: the same key twice in a map', () => {
    reject('a2 6161 01 6161 02', 'codec/duplicate-key');
    // Duplicate reported as such even when it also breaks the order.
    reject('a3 6161 01 6162 02 6161 03', 'codec/duplicate-key');
  });

  it('codec/indefinite-length: indefinite bytes, text, array and map', () => {
    reject('5f 4101 ff', 'codec/indefinite-length');
    reject('7f 6161 ff', 'codec/indefinite-length');
    reject('9f 01 ff', 'codec/indefinite-length');
    reject('bf 6161 01 ff', 'codec/indefinite-length');
  });

  it('codec/simple-value: undefined and other simple values', () => {
    reject('f7', 'codec/simple-value'); // undefined
    reject('f0', 'codec/simple-value'); // simple(16)
    reject('e0', 'codec/simple-value'); // simple(0)
    reject('f8ff', 'codec/simple-value'); // simple(255), one-byte form
    reject('81f7', 'codec/simple-value');
  });

  it('codec/float: half, single and double floats, NaN and Infinity', () => {
    reject('f93c00', 'codec/float'); // 1.0 half
    reject('fa47c35000', 'codec/float'); // 100000.0 single
    reject('fb3ff199999999999a', 'codec/float'); // 1.1 double
    reject('f97e00', 'codec/float'); // NaN
    reject('f97c00', 'codec/float'); // Infinity
    reject('fbfff0000000000000', 'codec/float'); // -Infinity
    reject('f90000', 'codec/float'); // 0.0: an integer-valued float is still a float
  });

  it('codec/tag: any tag', () => {
    reject('c074323031332d30332d32315432303a30343a30305a', 'codec/tag'); // tag 0 date string
    reject('c11a514b67b0', 'codec/tag'); // tag 1 epoch
    reject('c249010000000000000000', 'codec/tag'); // bignum
    reject('d818456449455446', 'codec/tag'); // tag 24
  });

  it('codec/non-canonical-integer: non-shortest integer and length heads', () => {
    reject('1817', 'codec/non-canonical-integer'); // 23 in one extra byte
    reject('1900ff', 'codec/non-canonical-integer'); // 255 in two bytes
    reject('1a0000ffff', 'codec/non-canonical-integer');
    reject('1b00000000ffffffff', 'codec/non-canonical-integer');
    reject('3817', 'codec/non-canonical-integer'); // -24 in one extra byte
    reject('5800', 'codec/non-canonical-integer'); // empty bytes, long length
    reject('780161', 'codec/non-canonical-integer'); // "a", long length
    reject('9800', 'codec/non-canonical-integer'); // [], long length
    reject('b800', 'codec/non-canonical-integer'); // {}, long length
    reject('590000', 'codec/non-canonical-integer');
  });

  it('codec/unsorted-keys: keys not in bytewise order of their encodings', () => {
    reject('a2 6162 01 6161 02', 'codec/unsorted-keys'); // {"b", "a"}
    reject('a2 626161 01 6162 02', 'codec/unsorted-keys'); // {"aa", "b"}: shorter sorts first
  });

  it('codec/trailing-bytes: anything after the item', () => {
    reject('0000', 'codec/trailing-bytes');
    reject('80ff', 'codec/trailing-bytes');
  });

  it(`codec/too-deep: nesting deeper than ${MAX_DEPTH}`, () => {
    reject('81'.repeat(MAX_DEPTH + 1) + '00', 'codec/too-deep');
    reject('a16161'.repeat(MAX_DEPTH + 1) + '00', 'codec/too-deep');
    // Far past the limit (a stack-overflow attempt) is still the same typed error.
    reject('81'.repeat(100_000) + '00', 'codec/too-deep');
    expect(decodeCbor(h('81'.repeat(MAX_DEPTH) + '00'))).toBeDefined();
  });

  it('codec/too-large: input over the size limit (default 16 MiB, configurable)', () => {
    expectCodecError(() => decodeCbor(h('450102030405'), { maxSize: 5 }), 'codec/too-large');
    expect(decodeCbor(h('4401020304'), { maxSize: 5 })).toEqual(h('01020304'));
    const big = new Uint8Array(DEFAULT_MAX_SIZE + 1);
    big.set(h('5a00fffffc'));
    expectCodecError(() => decodeCbor(big), 'codec/too-large');
    expect((decodeCbor(big, { maxSize: DEFAULT_MAX_SIZE + 1 }) as Uint8Array).length).toBe(DEFAULT_MAX_SIZE - 4);
  });

  it('codec/truncated: input ends inside an item', () => {
    reject('', 'codec/truncated');
    reject('18', 'codec/truncated');
    reject('1901', 'codec/truncated');
    reject('1b00000001', 'codec/truncated');
    reject('6261', 'codec/truncated');
    reject('4401', 'codec/truncated');
    reject('8201', 'codec/truncated');
    reject('a16161', 'codec/truncated');
    reject('5bffffffffffffffff', 'codec/truncated'); // 2^64-byte string: no allocation attempted
    reject('9b001fffffffffffff', 'codec/truncated'); // 2^53-item array
    reject('bb001fffffffffffff', 'codec/truncated');
  });

  it('codec/invalid-key-type: map keys that are not text', () => {
    reject('a1 01 02', 'codec/invalid-key-type');
    reject('a1 4161 02', 'codec/invalid-key-type');
    reject('a1 80 02', 'codec/invalid-key-type');
    reject('a1 f6 02', 'codec/invalid-key-type');
  });

  it('codec/integer-out-of-range: integers beyond the JS safe range', () => {
    reject('1b0020000000000000', 'codec/integer-out-of-range'); // 2^53
    reject('1bffffffffffffffff', 'codec/integer-out-of-range'); // 2^64 - 1 (RFC 8949 App. A)
    reject('3b001fffffffffffff', 'codec/integer-out-of-range'); // -(2^53)
    reject('3bffffffffffffffff', 'codec/integer-out-of-range'); // -(2^64)
  });

  it('codec/invalid-utf8: text that is not UTF-8', () => {
    reject('62c328', 'codec/invalid-utf8');
    reject('61ff', 'codec/invalid-utf8');
    reject('62c080', 'codec/invalid-utf8'); // overlong NUL
    reject('63eda080', 'codec/invalid-utf8'); // UTF-16 surrogate
    reject('a1 61ff 01', 'codec/invalid-utf8'); // in a key
  });

  it('codec/malformed: reserved additional information 28-30 and misplaced 31', () => {
    for (const major of [0, 1, 2, 3, 4, 5, 6, 7]) {
      for (const ai of [28, 29, 30]) reject(((major << 5) | ai).toString(16).padStart(2, '0'), 'codec/malformed');
    }
    reject('ff', 'codec/malformed'); // stray break
    reject('1f', 'codec/malformed'); // ai 31 on an integer
    reject('3f', 'codec/malformed');
    reject('df', 'codec/malformed');
  });

  it('codec/invalid-input: not a Uint8Array', () => {
    expectCodecError(() => decodeCbor('00' as unknown as Uint8Array), 'codec/invalid-input');
    expectCodecError(() => decodeCbor([0] as unknown as Uint8Array), 'codec/invalid-input');
  });
});

describe('decodeCbor: accepted input', () => {
  it('accepts every non-negative key order edge case and builds Maps', () => {
    const v = decodeCbor(h('a3 6004 616103 62616102')) as Map<string, CborValue>;
    expect(v).toBeInstanceOf(Map);
    expect([...v.keys()]).toEqual(['', 'a', 'aa']);
  });
  it('copies byte strings out of the input buffer', () => {
    const input = h('420102');
    const out = decodeCbor(input) as Uint8Array;
    input[1] = 9;
    expect(out).toEqual(h('0102'));
  });
  it('decodes a __proto__ key as a plain Map entry', () => {
    const v = decodeCbor(h('a1 695f5f70726f746f5f5f 01')) as Map<string, CborValue>;
    expect(v.get('__proto__')).toBe(1);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
  it('rejects a negative or non-integer maxSize as an ArgumentError', () => {
    expect(() => decodeCbor(h('00'), { maxSize: -1 })).toThrow(ArgumentError);
    expect(() => decodeCbor(h('00'), { maxSize: 1.5 })).toThrow(ArgumentError);
    expect(() => decodeCbor(h('00'), { maxSize: -1 })).not.toThrow(CodecError);
  });
});

describe('decodeCbor: Node Buffer input', () => {
  it('returns plain, non-aliasing Uint8Array byte strings when given a Buffer', () => {
    const input = Buffer.from('420102', 'hex');
    const out = decodeCbor(input) as Uint8Array;
    expect(out.constructor).toBe(Uint8Array);
    input[1] = 9;
    expect(out).toEqual(h('0102'));
  });
});

describe('decodeCbor: text fast path', () => {
  it('decodes ASCII, non-ASCII and long text identically to the strict UTF-8 decoder', () => {
    for (const s of ['', 'a', 'x'.repeat(32), 'x'.repeat(33), 'é', 'abc\u00e9', '\u{10000}', 'a'.repeat(31) + 'é']) {
      const bytes = new TextEncoder().encode(s);
      const hex = (bytes.length < 24 ? (0x60 + bytes.length).toString(16) : '78' + bytes.length.toString(16).padStart(2, '0')) + Buffer.from(bytes).toString('hex');
      expect(decodeCbor(h(hex))).toBe(s);
    }
    reject('62 61 ff', 'codec/invalid-utf8'); // invalid byte after an ASCII prefix
  });
});
