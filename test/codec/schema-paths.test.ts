/**
 * Field paths in schema errors are built only when a conversion fails (the success path builds
 * none). These pin the exact messages, encode and decode, at several nesting levels, through
 * arrays, maps (key and value), optional/nullable wrappers and transforms.
 */
import { describe, expect, it } from 'vitest';
import type { CborValue } from '../../src/codec/cbor.js';
import { s } from '../../src/codec/schema.js';
import { CodecError } from '../../src/errors.js';

const Inner = s.struct({ n: s.uint({ max: 9 }), tag: s.optional(s.nullable(s.bytes(2))) });
const Doc = s.struct({
  items: s.array(s.struct({ deep: s.map(Inner) })),
  named: s.map(s.uint(), { key: s.transform(s.text(), { decode: (k) => k, encode: (k: string) => { if (k === 'bad') throw new Error('no bad keys'); return k; } }) }),
});

function message(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(CodecError);
    return (e as CodecError).message;
  }
  throw new Error('did not throw');
}

const ok = { items: [{ deep: new Map([['a', { n: 1 }]]) }, { deep: new Map([['b', { n: 2, tag: null }]]) }], named: new Map([['x', 1]]) };

describe('schema error paths', () => {
  it('encode: the full path of the failing leaf', () => {
    const bad1 = { ...ok, items: [ok.items[0]!, { deep: new Map([['b', { n: 2 }], ['c"q', { n: 10 }]]) }] };
    expect(message(() => Doc.encode(bad1 as never))).toBe('items[1].deep["c\\"q"].n: 10 is outside [0, 9]');
    const bad2 = { ...ok, items: [{ deep: new Map([['a', { n: 1, tag: new Uint8Array(3) }]]) }] };
    expect(message(() => Doc.encode(bad2 as never))).toBe('items[0].deep["a"].tag: expected 2 bytes, got 3 bytes');
    expect(message(() => Doc.encode({ ...ok, named: new Map([['bad', 1]]) } as never))).toBe('named["bad"]: no bad keys');
    expect(message(() => Doc.encode({ ...ok, items: [{ deep: new Map([['a', {}]]) }] } as never))).toBe('items[0].deep["a"].n: missing required field');
    expect(message(() => Inner.encode({ n: -1 }, 'top'))).toBe('top.n: -1 is outside [0, 9]');
  });

  it('decode: the full path of the failing leaf', () => {
    const cbor = Doc.encode(ok as never) as Map<string, CborValue>;
    const items = cbor.get('items') as Map<string, CborValue>[];
    ((items[1]!.get('deep') as Map<string, CborValue>).get('b') as Map<string, CborValue>).set('n', 'x');
    expect(message(() => Doc.decode(cbor))).toBe('items[1].deep["b"].n: expected uint, got text');
    expect(message(() => s.array(s.array(s.bool())).decode([[true], [false, 1]]))).toBe('[1][1]: expected boolean, got integer');
  });

  it('success builds the same values as before', () => {
    expect(Doc.decode(Doc.encode(ok as never))).toEqual({ items: [{ deep: new Map([['a', { n: 1 }]]) }, { deep: new Map([['b', { n: 2, tag: null }]]) }], named: new Map([['x', 1]]) });
  });
});
