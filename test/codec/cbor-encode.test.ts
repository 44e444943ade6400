import { describe, expect, it } from 'vitest';
import { encode as cborgEncode, rfc8949EncodeOptions } from 'cborg';
import { toHex } from '../../src/bytes.js';
import { decodeCbor, encodeCbor, MAX_DEPTH, type CborInput, type CborValue } from '../../src/codec/cbor.js';
import { expectCodecError, h } from './helpers.js';

/** RFC 8949 Appendix A examples that fall inside sealsync's value model. */
const APPENDIX_A: Array<[string, CborValue]> = [
  ['00', 0],
  ['01', 1],
  ['0a', 10],
  ['17', 23],
  ['1818', 24],
  ['1819', 25],
  ['1864', 100],
  ['1903e8', 1000],
  ['1a000f4240', 1000000],
  ['1b000000e8d4a51000', 1000000000000],
  ['20', -1],
  ['29', -10],
  ['3863', -100],
  ['3903e7', -1000],
  ['f4', false],
  ['f5', true],
  ['f6', null],
  ['40', new Uint8Array()],
  ['4401020304', h('01020304')],
  ['60', ''],
  ['6161', 'a'],
  ['6449455446', 'IETF'],
  ['62225c', '"\\'],
  ['62c3bc', '\u00fc'],
  ['63e6b0b4', '\u6c34'],
  ['64f0908591', '\ud800\udd51'],
  ['80', []],
  ['83010203', [1, 2, 3]],
  ['8301820203820405', [1, [2, 3], [4, 5]]],
  [
    '98190102030405060708090a0b0c0d0e0f101112131415161718181819',
    Array.from({ length: 25 }, (_, i) => i + 1),
  ],
  ['a0', new Map()],
  ['a26161016162820203', new Map<string, CborValue>([['a', 1], ['b', [2, 3]]])],
  ['826161a161626163', ['a', new Map([['b', 'c']])]],
  [
    'a56161614161626142616361436164614461656145',
    new Map([['a', 'A'], ['b', 'B'], ['c', 'C'], ['d', 'D'], ['e', 'E']]),
  ],
];

/** Boundaries of every head size, plus the safe-integer limits. */
const BOUNDARIES: Array<[string, number]> = [
  ['18ff', 255],
  ['190100', 256],
  ['19ffff', 65535],
  ['1a00010000', 65536],
  ['1affffffff', 4294967295],
  ['1b0000000100000000', 4294967296],
  ['1b001fffffffffffff', Number.MAX_SAFE_INTEGER],
  ['37', -24],
  ['3818', -25],
  ['3b001ffffffffffffe', Number.MIN_SAFE_INTEGER],
];

describe('encodeCbor: RFC 8949 Appendix A', () => {
  for (const [hex, value] of APPENDIX_A) {
    it(`encodes ${hex}`, () => {
      expect(toHex(encodeCbor(value))).toBe(hex);
      expect(decodeCbor(h(hex))).toEqual(value);
    });
  }
  for (const [hex, value] of BOUNDARIES) {
    it(`encodes ${value} in the shortest head (${hex})`, () => {
      expect(toHex(encodeCbor(value))).toBe(hex);
      expect(decodeCbor(h(hex))).toBe(value);
    });
  }
  it('uses shortest length heads for strings (23, 24, 256 bytes)', () => {
    expect(toHex(encodeCbor(new Uint8Array(23))).slice(0, 2)).toBe('57');
    expect(toHex(encodeCbor(new Uint8Array(24))).slice(0, 4)).toBe('5818');
    expect(toHex(encodeCbor('x'.repeat(256))).slice(0, 6)).toBe('790100');
  });
});

describe('encodeCbor: determinism', () => {
  it('sorts map keys bytewise by their encoding (RFC 8949 §4.2.1), not by insertion order', () => {
    const a = encodeCbor(new Map<string, CborValue>([['b', 1], ['aa', 2], ['a', 3], ['', 4]]));
    const b = encodeCbor(new Map<string, CborValue>([['', 4], ['aa', 2], ['a', 3], ['b', 1]]));
    // "" (60) < "a" (6161) < "b" (6162) < "aa" (626161): shorter keys first because of the head.
    expect(toHex(a)).toBe('a4' + '6004' + '616103' + '616201' + '62616102');
    expect(b).toEqual(a);
  });
  it('orders keys by UTF-8 bytes, not UTF-16 code units', () => {
    // U+FF61 (efbda1) sorts before U+10000 (f0908080) in UTF-8 although its UTF-16 unit is larger.
    const bytes = encodeCbor(new Map<string, CborValue>([['\u{10000}', 1], ['\uff61', 2]]));
    expect(toHex(bytes)).toBe('a2' + '63efbda102' + '64f090808001');
  });
  it('encodes plain objects like maps and leaves out undefined fields', () => {
    const obj = { b: 1, a: [true, null], skip: undefined };
    expect(encodeCbor(obj)).toEqual(encodeCbor(new Map<string, CborValue>([['a', [true, null]], ['b', 1]])));
  });
  it('treats __proto__ as an ordinary key', () => {
    const m = new Map<string, CborValue>([['__proto__', 1]]);
    const decoded = decodeCbor(encodeCbor(m)) as Map<string, CborValue>;
    expect(decoded.get('__proto__')).toBe(1);
    expect(Object.getPrototypeOf(decoded)).toBe(Map.prototype);
  });
  it('encodes -0 as 0', () => {
    expect(toHex(encodeCbor(-0))).toBe('00');
  });
  it('returns a plain Uint8Array even where cborg hands back a Node Buffer', () => {
    // cborg 6 returns a Buffer for this value (found by fast-check); Buffer#slice aliases memory.
    const x = '\u{10000}';
    const v = new Map<string, CborValue>([
      ['', 23],
      ['constructor', [new Uint8Array(7), null]],
      [x.repeat(4), new Map<string, CborValue>([[x.repeat(2), 2 ** 32], [' ', x.repeat(9)], ['constructor', 24], ['__proto__', null], ['!', null]])],
    ]);
    expect(cborgEncode(v, rfc8949EncodeOptions).constructor).not.toBe(Uint8Array); // the premise
    expect(encodeCbor(v).constructor).toBe(Uint8Array);
  });
  it('encodes a Buffer as a plain byte string', () => {
    expect(toHex(encodeCbor(Buffer.from([1, 2])))).toBe('420102');
  });
  it(`accepts nesting up to MAX_DEPTH (${MAX_DEPTH})`, () => {
    let v: CborValue = 0;
    for (let i = 0; i < MAX_DEPTH; i++) v = [v];
    expect(decodeCbor(encodeCbor(v))).toEqual(v);
  });
});

describe('encodeCbor: unencodable values', () => {
  const cases: Array<[string, unknown]> = [
    ['a float', 1.5],
    ['NaN', Number.NaN],
    ['Infinity', Number.POSITIVE_INFINITY],
    ['2^53', 2 ** 53],
    ['-(2^53)', -(2 ** 53)],
    ['undefined at the root', undefined],
    ['undefined in an array', [1, undefined]],
    ['undefined in a Map', new Map([['a', undefined]])],
    ['a bigint', 1n],
    ['a function', () => 1],
    ['a symbol', Symbol('x')],
    ['a Uint16Array', new Uint16Array(2)],
    ['a DataView', new DataView(new ArrayBuffer(2))],
    ['an ArrayBuffer', new ArrayBuffer(2)],
    ['a Date', new Date(0)],
    ['a Set', new Set([1])],
    ['a class instance', new (class Foo {})()],
    ['a non-text Map key', new Map([[1, 1]])],
    ['a lone surrogate', '\ud800'],
    ['a lone surrogate in a key', { '\udc00': 1 }],
    ['a float nested in an object', { a: { b: [0.1] } }],
  ];
  for (const [name, value] of cases) {
    it(`rejects ${name}`, () => {
      expectCodecError(() => encodeCbor(value as CborInput), 'codec/unencodable');
    });
  }
  it('rejects cycles', () => {
    const a: unknown[] = [];
    a.push(a);
    expectCodecError(() => encodeCbor(a as CborInput), 'codec/unencodable');
  });
  it('allows the same object twice when it is not a cycle', () => {
    const shared = [1];
    expect(toHex(encodeCbor([shared, shared]))).toBe('82810181' + '01');
  });
  it(`rejects nesting deeper than MAX_DEPTH (${MAX_DEPTH})`, () => {
    let v: CborValue = 0;
    for (let i = 0; i < MAX_DEPTH + 1; i++) v = [v];
    expectCodecError(() => encodeCbor(v), 'codec/too-deep');
  });
});
