import { describe, expect, expectTypeOf, it } from 'vitest';
import { defineDocument, olderVersion, type InferDocument } from '../../src/codec/document.js';
import { s } from '../../src/codec/schema.js';
import { decodeCbor, encodeCbor, type CborValue } from '../../src/codec/cbor.js';
import type { UserId } from '../../src/codec/ids.js';
import { ArgumentError, UnsupportedFormatError } from '../../src/errors.js';
import { expectCodecError } from './helpers.js';
import { toHex } from '../../src/bytes.js';

const USER = '0123456789abcdef0123456789abcdef' as UserId;

/** v1 had a single `name`; v2 splits it and adds an optional `email`. */
const Profile = defineDocument({
  type: 'profile',
  version: 2,
  fields: { user: s.id<UserId>(), first: s.text(), last: s.text(), email: s.optional(s.text()) },
  older: {
    1: olderVersion({ user: s.id<UserId>(), name: s.text() }, (old) => {
      const [first = '', ...rest] = old.name.split(' ');
      return { user: old.user, first, last: rest.join(' ') };
    }),
  },
});
type Profile = InferDocument<typeof Profile>;

const raw = (entries: Array<[string, CborValue]>) => encodeCbor(new Map(entries));

describe('defineDocument', () => {
  it('has the expected API type', () => {
    expectTypeOf<Profile>().toEqualTypeOf<{ readonly user: UserId; readonly first: string; readonly last: string; readonly email?: string }>();
  });

  it('writes type and v of the newest version, deterministically', () => {
    const bytes = Profile.encode({ user: USER, first: 'Ada', last: 'Lovelace' });
    const m = decodeCbor(bytes) as Map<string, CborValue>;
    expect(m.get('type')).toBe('profile');
    expect(m.get('v')).toBe(2);
    expect([...m.keys()]).toEqual(['v', 'last', 'type', 'user', 'first']);
    expect(toHex(bytes)).toBe(
      'a5' + '6176' + '02' + '646c617374' + '684c6f76656c616365' + '6474797065' + '6770726f66696c65' +
        '6475736572' + '50' + USER + '656669727374' + '63416461',
    );
    expect(Profile.decode(bytes)).toEqual({ user: USER, first: 'Ada', last: 'Lovelace' });
  });

  it('reads an older version and upgrades it in memory', () => {
    const v1 = raw([['type', 'profile'], ['v', 1], ['user', new Uint8Array(16)], ['name', 'Ada King Lovelace']]);
    expect(Profile.decode(v1)).toEqual({ user: '0'.repeat(32), first: 'Ada', last: 'King Lovelace' });
  });

  it('refuses a newer version with UnsupportedFormatError format/unsupported-version', () => {
    const v3 = raw([['type', 'profile'], ['v', 3], ['user', new Uint8Array(16)], ['first', 'a'], ['last', 'b']]);
    let caught: unknown;
    try {
      Profile.decode(v3);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(UnsupportedFormatError);
    expect((caught as UnsupportedFormatError).code).toBe('format/unsupported-version');
  });

  it('refuses an unknown older version (codec/unknown-version)', () => {
    expectCodecError(() => Profile.decode(raw([['type', 'profile'], ['v', 0]])), 'codec/unknown-version');
  });

  it('refuses another document type (codec/wrong-type)', () => {
    expectCodecError(() => Profile.decode(raw([['type', 'device'], ['v', 2]])), 'codec/wrong-type');
  });

  it('refuses a missing or mistyped type / v (codec/schema)', () => {
    expectCodecError(() => Profile.decode(raw([['v', 2]])), 'codec/schema');
    expectCodecError(() => Profile.decode(raw([['type', 1], ['v', 2]])), 'codec/schema');
    expectCodecError(() => Profile.decode(raw([['type', 'profile']])), 'codec/schema');
    expectCodecError(() => Profile.decode(raw([['type', 'profile'], ['v', -1]])), 'codec/schema');
    expectCodecError(() => Profile.decode(encodeCbor([1])), 'codec/schema');
  });

  it('ignores unknown extra fields of the current version', () => {
    const bytes = raw([['type', 'profile'], ['v', 2], ['user', new Uint8Array(16)], ['first', 'a'], ['last', 'b'], ['zz', [1]]]);
    expect(Profile.decode(bytes)).toEqual({ user: '0'.repeat(32), first: 'a', last: 'b' });
  });

  it('passes CBOR strictness through (e.g. trailing bytes) and the size limit option', () => {
    const bytes = Profile.encode({ user: USER, first: 'a', last: 'b' });
    expectCodecError(() => Profile.decode(new Uint8Array([...bytes, 0])), 'codec/trailing-bytes');
    expectCodecError(() => Profile.decode(bytes, { maxSize: 10 }), 'codec/too-large');
  });

  it('round-trips through toCbor/fromCbor for embedding', () => {
    const p: Profile = { user: USER, first: 'a', last: 'b', email: 'a@b' };
    const outer = decodeCbor(encodeCbor([Profile.toCbor(p)])) as readonly CborValue[];
    expect(Profile.fromCbor(outer[0]!)).toEqual(p);
  });

  it('rejects definitions that reuse type/v or give a bad older version', () => {
    expect(() => defineDocument({ type: 'x', version: 1, fields: { v: s.uint() } })).toThrow(ArgumentError);
    expect(() => defineDocument({ type: 'x', version: 1, fields: { type: s.text() } })).toThrow(ArgumentError);
    expect(() =>
      defineDocument({ type: 'x', version: 1, fields: {}, older: { 1: olderVersion({}, () => ({})) } }),
    ).toThrow(ArgumentError);
  });
});
