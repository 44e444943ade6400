import { describe, expect, expectTypeOf, it } from 'vitest';
import { s, type Infer } from '../../src/codec/schema.js';
import { decodeCbor, encodeCbor, type CborValue } from '../../src/codec/cbor.js';
import type { RealmId, UserId } from '../../src/codec/ids.js';
import { ArgumentError, CodecError } from '../../src/errors.js';
import { expectCodecError } from './helpers.js';

const m = (entries: Array<[string, CborValue]>) => new Map<string, CborValue>(entries);
const USER = '00112233445566778899aabbccddeeff' as UserId;

const Block = s.struct({ digest: s.bytes(32), size: s.uint() });
const Person = s.struct({
  name: s.text({ maxBytes: 8 }),
  age: s.uint({ max: 200 }),
  delta: s.int(),
  admin: s.bool(),
  role: s.literal('owner', 'reader'),
  user: s.id<UserId>(),
  created: s.timestamp(),
  blocks: s.array(Block, { max: 3 }),
  tags: s.map(s.uint(), { max: 2 }),
  nick: s.optional(s.text()),
  prev: s.nullable(s.bytes(32)),
});
type Person = Infer<typeof Person>;

const alice: Person = {
  name: 'alice',
  age: 30,
  delta: -5,
  admin: true,
  role: 'owner',
  user: USER,
  created: 1_700_000_000_000_000,
  blocks: [{ digest: new Uint8Array(32).fill(1), size: 10 }],
  tags: new Map([['x', 1]]),
  prev: null,
};

describe('schema: types', () => {
  it('infers the API type', () => {
    expectTypeOf<Person['user']>().toEqualTypeOf<UserId>();
    expectTypeOf<Person['role']>().toEqualTypeOf<'owner' | 'reader'>();
    expectTypeOf<Person['nick']>().toEqualTypeOf<string | undefined>();
    expectTypeOf<Person['prev']>().toEqualTypeOf<Uint8Array | null>();
    expectTypeOf<Person['blocks']>().toEqualTypeOf<readonly { readonly digest: Uint8Array; readonly size: number }[]>();
    expectTypeOf<Person['tags']>().toEqualTypeOf<ReadonlyMap<string, number>>();
  });
});

describe('schema: round trip', () => {
  it('encodes ids as 16 bytes and decodes back to the same value through CBOR', () => {
    const cbor = Person.encode(alice) as Map<string, CborValue>;
    expect(cbor.get('user')).toEqual(new Uint8Array([0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff]));
    expect(cbor.has('nick')).toBe(false);
    expect(Person.decode(decodeCbor(encodeCbor(cbor)))).toEqual(alice);
    const withNick = { ...alice, nick: 'al' };
    expect(Person.decode(Person.encode(withNick))).toEqual(withNick);
    const withPrev = { ...alice, prev: new Uint8Array(32) };
    expect(Person.decode(Person.encode(withPrev))).toEqual(withPrev);
  });

  it('ignores unknown extra fields when decoding', () => {
    const cbor = Person.encode(alice) as Map<string, CborValue>;
    cbor.set('future', m([['anything', [1, 2]]]));
    const decoded = Person.decode(cbor);
    expect(decoded).toEqual(alice);
    expect(Object.keys(decoded)).not.toContain('future');
  });

  it('decodes a field named __proto__ as an own property without touching the prototype', () => {
    const P = s.struct({ ['__proto__']: s.uint() }); // computed key: an own field, not a prototype
    const out = P.decode(m([['__proto__', 7]])) as Record<string, unknown>;
    expect(Object.getOwnPropertyDescriptor(out, '__proto__')?.value).toBe(7);
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
  });

  it('maps with a key schema brand their keys', () => {
    const M = s.map(s.id<RealmId>(), { key: s.transform(s.text(), { decode: (k) => k.toUpperCase(), encode: (k: string) => k.toLowerCase() }) });
    const v = M.decode(m([['ab', new Uint8Array(16)]]));
    expect([...v.keys()]).toEqual(['AB']);
    expect([...(M.encode(v) as Map<string, CborValue>).keys()]).toEqual(['ab']);
    expectCodecError(() => M.decode(m([['ab', new Uint8Array(16)], ['aB', new Uint8Array(16)]])), 'codec/schema');
    expectCodecError(() => M.encode(new Map([['AB', USER as string as RealmId], ['Ab', USER as string as RealmId]])), 'codec/schema');
  });
});

describe('schema: rejections name the field path', () => {
  const bad = (mutate: (c: Map<string, CborValue>) => void, pathPart: string) => {
    const cbor = Person.encode(alice) as Map<string, CborValue>;
    mutate(cbor);
    const err = expectCodecError(() => Person.decode(cbor), 'codec/schema');
    expect(err.message).toContain(pathPart);
  };

  it('missing required field', () => bad((c) => c.delete('age'), 'age: missing required field'));
  it('null for a non-nullable field', () => bad((c) => c.set('age', null), 'age: expected uint'));
  it('text where uint expected', () => bad((c) => c.set('age', '30'), 'age'));
  it('negative uint', () => bad((c) => c.set('age', -1), 'age'));
  it('uint over max', () => bad((c) => c.set('age', 201), 'age'));
  it('bytes of the wrong exact length', () => bad((c) => c.set('blocks', [m([['digest', new Uint8Array(31)], ['size', 1]])]), 'blocks[0].digest: expected 32 bytes, got 31 bytes'));
  it('missing field in a nested struct', () => bad((c) => c.set('blocks', [m([['digest', new Uint8Array(32)]])]), 'blocks[0].size'));
  it('array over max', () => bad((c) => c.set('blocks', [1, 2, 3, 4]), 'blocks: at most 3 items'));
  it('map over max', () => bad((c) => c.set('tags', m([['a', 1], ['b', 2], ['c', 3]])), 'tags: at most 2'));
  it('wrong map value', () => bad((c) => c.set('tags', m([['a', 'x']])), 'tags["a"]'));
  it('array instead of map', () => bad((c) => c.set('tags', []), 'tags: expected map of uint'));
  it('text over maxBytes (UTF-8 bytes, not characters)', () => bad((c) => c.set('name', 'ééééé'), 'name: text longer than 8 bytes'));
  it('literal not in the set', () => bad((c) => c.set('role', 'admin'), 'role: expected one of "owner", "reader"'));
  it('bool as integer', () => bad((c) => c.set('admin', 1), 'admin'));
  it('id of 15 bytes', () => bad((c) => c.set('user', new Uint8Array(15)), 'user'));
  it('id given as text', () => bad((c) => c.set('user', USER), 'user'));
  it('timestamp negative', () => bad((c) => c.set('created', -1), 'created'));
  it('optional field present with the wrong type', () => bad((c) => c.set('nick', 5), 'nick'));
  it('nullable field with the wrong length', () => bad((c) => c.set('prev', new Uint8Array(1)), 'prev'));
  it('int as bytes', () => bad((c) => c.set('delta', new Uint8Array(1)), 'delta'));
  it('struct that is not a map', () => {
    expectCodecError(() => Person.decode([]), 'codec/schema');
  });
  // Without the container type checks, `.map`/`.length` on the wrong container would escape as a
  // TypeError (or silently accept text as bytes): hostile bytes must only ever give a CodecError.
  it('map instead of array', () => bad((c) => c.set('blocks', m([['0', 1]])), 'blocks: expected array of'));
  it('text where unbounded bytes expected', () => {
    const B = s.struct({ data: s.bytes() });
    expect(expectCodecError(() => B.decode(m([['data', 'abc']])), 'codec/schema').message).toContain('data: expected bytes');
    expectCodecError(() => B.decode(m([['data', 3]])), 'codec/schema');
  });
  it('text under minBytes', () => {
    const T = s.text({ minBytes: 2 });
    expect(expectCodecError(() => T.decode('a'), 'codec/schema').message).toContain('shorter than 2 bytes');
    expect(T.decode('ab')).toBe('ab');
  });
  it('array or map under min', () => {
    expect(expectCodecError(() => s.array(s.uint(), { min: 1 }).decode([]), 'codec/schema').message).toContain('at least 1 items');
    expectCodecError(() => s.map(s.uint(), { min: 1 }).decode(new Map()), 'codec/schema');
  });
});

describe('schema: encode refuses what decode would refuse', () => {
  it('missing required field', () => {
    const { age: _age, ...rest } = alice;
    expectCodecError(() => Person.encode(rest as Person), 'codec/schema');
  });
  it('uppercase id', () => {
    expectCodecError(() => Person.encode({ ...alice, user: USER.toUpperCase() as UserId }), 'codec/schema');
  });
  it('non-integer uint', () => {
    expectCodecError(() => Person.encode({ ...alice, age: 1.5 }), 'codec/schema');
  });
  it('wrong byte length', () => {
    expectCodecError(() => Person.encode({ ...alice, prev: new Uint8Array(3) }), 'codec/schema');
  });
  it('containers of the wrong kind, and map keys that do not encode to text', () => {
    expectCodecError(() => s.array(s.uint()).encode(new Map() as unknown as number[]), 'codec/schema');
    expectCodecError(() => s.map(s.uint()).encode([] as unknown as Map<string, number>), 'codec/schema');
    const K = s.map(s.uint(), { key: s.transform(s.uint(), { decode: (n) => String(n), encode: (k: string) => Number(k) }) });
    expectCodecError(() => K.encode(new Map([['1', 1]])), 'codec/schema');
  });
  it('bytes ranges', () => {
    const B = s.bytes({ min: 2, max: 3 });
    expectCodecError(() => B.encode(new Uint8Array(1)), 'codec/schema');
    expectCodecError(() => B.decode(new Uint8Array(4)), 'codec/schema');
    expect(B.decode(new Uint8Array(2))).toEqual(new Uint8Array(2));
  });
  it('invalid schema options are ArgumentErrors', () => {
    expect(() => s.bytes(-1)).toThrow(ArgumentError);
    expect(() => s.array(s.uint(), { max: 1.5 })).toThrow(ArgumentError);
    expect(() => s.literal()).toThrow(ArgumentError);
  });
  it('transform wraps foreign errors as codec/schema with the path', () => {
    const T = s.struct({
      even: s.transform(s.uint(), {
        decode: (n) => {
          if (n % 2) throw new RangeError('odd');
          return n;
        },
        encode: (n: number) => n,
      }),
    });
    const err = expectCodecError(() => T.decode(m([['even', 3]])), 'codec/schema');
    expect(err.message).toBe('even: odd');
    expect(err).toBeInstanceOf(CodecError);
  });
  it('oneOf accepts the same values as literal', () => {
    const O = s.oneOf([1, 2] as const);
    expect(O.decode(2)).toBe(2);
    expectCodecError(() => O.decode(3), 'codec/schema');
  });
});
