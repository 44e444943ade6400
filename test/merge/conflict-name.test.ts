import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { utf8Encode } from '../../src/bytes.js';
import { EntryNameError } from '../../src/errors.js';
import { isEntryName } from '../../src/manifests/entry-name.js';
import { conflictName, placementName, splitExtension, truncateUtf8 } from '../../src/merge/index.js';
import { entryNameArbitrary } from '../../src/testing/index.js';

const none = new Set<string>();
const bytes = (s: string) => utf8Encode(s).length;

describe('conflictName', () => {
  it.each([
    ['report.txt', 'sync', 'report (sync conflict 1).txt'],
    ['report.txt', 'name', 'report (name conflict 1).txt'],
    ['a.tar.gz', 'sync', 'a (sync conflict 1).tar.gz'],
    ['.bashrc', 'sync', '.bashrc (sync conflict 1)'],
    ['.config.json', 'name', '.config (name conflict 1).json'],
    ['Makefile', 'name', 'Makefile (name conflict 1)'],
    ['a.', 'sync', 'a (sync conflict 1).'],
    ['..x', 'sync', '. (sync conflict 1).x'],
  ] as const)('%s (%s) → %s', (name, kind, expected) => {
    expect(conflictName(name, kind, none)).toBe(expected);
  });

  it('splits at the first non-leading dot', () => {
    expect(splitExtension('a.tar.gz')).toEqual({ stem: 'a', ext: '.tar.gz' });
    expect(splitExtension('.hidden')).toEqual({ stem: '.hidden', ext: '' });
  });

  it('takes the first free N, with a set or a predicate', () => {
    const taken = new Set(['a (sync conflict 1).txt', 'a (sync conflict 2).txt', 'a (sync conflict 4).txt']);
    expect(conflictName('a.txt', 'sync', taken)).toBe('a (sync conflict 3).txt');
    expect(conflictName('a.txt', 'sync', (n) => taken.has(n))).toBe('a (sync conflict 3).txt');
  });

  it('shortens the stem, keeps the extension, stays within 255 bytes', () => {
    const name = 'x'.repeat(250) + '.txt';
    const c = conflictName(name, 'sync', none);
    expect(bytes(c)).toBe(255);
    expect(c).toBe('x'.repeat(233) + ' (sync conflict 1).txt');
    const c10 = conflictName(name, 'sync', (n) => !n.includes('conflict 10)'));
    expect(bytes(c10)).toBe(255);
    expect(c10.endsWith(' (sync conflict 10).txt')).toBe(true);
  });

  it('never cuts a multi-byte character, a surrogate pair, a combining sequence or a ZWJ emoji', () => {
    for (const piece of ['é', '😀', 'q\u0307', '👨\u200D👩\u200D👧', '🇫🇷', '👍🏽']) {
      const name = piece.repeat(Math.floor(255 / bytes(piece)));
      expect(isEntryName(name)).toBe(true);
      const c = conflictName(name, 'name', none);
      expect(isEntryName(c)).toBe(true);
      const stem = c.slice(0, c.indexOf(' (name conflict 1)'));
      expect(stem.length % piece.length).toBe(0); // whole pieces only
      expect(stem).toBe(piece.repeat(stem.length / piece.length));
    }
  });

  it('shortens the whole name when the extension alone would not fit', () => {
    const name = 'a.' + 'b'.repeat(240);
    const c = conflictName(name, 'sync', none);
    expect(bytes(c)).toBeLessThanOrEqual(255);
    expect(c.startsWith('a.bbb')).toBe(true);
    expect(c.endsWith(' (sync conflict 1)')).toBe(true);
  });

  it('keeps the full last extension when the multi-part one is too long (x.tar.zzz…)', () => {
    // `.tar.zzz…` (241 bytes) leaves no room for a stem character beside the marker; `.zzz…` does.
    const last = '.' + 'z'.repeat(235);
    const c = conflictName('x.tar' + last, 'name', none);
    expect(c).toBe('x (name conflict 1)' + last);
    expect(bytes(c)).toBe(255);
    // A multi-part extension that fits is kept whole, as before.
    expect(conflictName('x.tar.' + 'z'.repeat(200), 'name', none)).toBe('x (name conflict 1).tar.' + 'z'.repeat(200));
  });

  it('shortens the whole name when even the last extension cannot fit beside one stem character', () => {
    const name = 'x.tar.' + 'z'.repeat(240);
    const c = conflictName(name, 'name', none);
    expect(c.startsWith('x.tar.zzz')).toBe(true);
    expect(c.endsWith(' (name conflict 1)')).toBe(true);
    expect(bytes(c)).toBeLessThanOrEqual(255);
  });

  it('rejects an invalid name, kind or taken argument', () => {
    expect(() => conflictName('a/b', 'sync', none)).toThrow(EntryNameError);
    expect(() => conflictName('e\u0301', 'sync', none)).toThrow(expect.objectContaining({ code: 'entry-name/not-nfc' }));
    expect(() => conflictName('a', 'other' as never, none)).toThrow(expect.objectContaining({ code: 'merge/invalid-conflict-kind' }));
    expect(() => conflictName('a', 'sync', ['a'] as never)).toThrow(expect.objectContaining({ code: 'merge/invalid-taken' }));
  });

  it('gives up with a typed error when every candidate is taken', () => {
    expect(() => conflictName('a', 'sync', () => true)).toThrow(expect.objectContaining({ code: 'merge/no-free-name' }));
  });

  it('always returns a valid, free entry name for hostile names (property)', () => {
    fc.assert(
      fc.property(entryNameArbitrary(), fc.constantFrom('sync' as const, 'name' as const), fc.nat(5), (name, kind, k) => {
        const taken = new Set<string>();
        for (let i = 0; i < k; i++) taken.add(conflictName(name, kind, taken));
        const c = conflictName(name, kind, taken);
        expect(isEntryName(c)).toBe(true);
        expect(taken.has(c)).toBe(false);
        expect(c).not.toBe(name);
      }),
      { numRuns: 500, seed: 20240901 },
    );
  });
});

describe('truncateUtf8', () => {
  it('returns short strings unchanged and cuts at character boundaries', () => {
    expect(truncateUtf8('abc', 10)).toBe('abc');
    expect(truncateUtf8('aé', 2)).toBe('a');
    expect(truncateUtf8('a😀', 4)).toBe('a');
    expect(truncateUtf8('ab\u0301', 2)).toBe('a'); // not "b" without its accent
    expect(truncateUtf8('🇫🇷🇩🇪', 12)).toBe('🇫🇷');
  });
});

describe('placementName', () => {
  it('prefers a name this device does not ignore, falls back to any free one, refuses only when none is free', () => {
    const taken = new Set(['a.txt', 'a (name conflict 1).txt']);
    const txt = (n: string) => n.endsWith('.txt');
    expect(placementName('a.txt', 'name', (n) => taken.has(n), () => false)).toBe('a (name conflict 2).txt');
    expect(placementName('a.txt', 'name', (n) => taken.has(n), (n) => n.includes('2'))).toBe('a (name conflict 3).txt');
    // Every candidate ends in .txt: hidden here, but placed (never a failed sync).
    expect(placementName('a.txt', 'name', (n) => taken.has(n), txt)).toBe('a (name conflict 2).txt');
    expect(() => placementName('a.txt', 'name', () => true, txt)).toThrow(expect.objectContaining({ code: 'merge/no-free-name' }));
  });
});
