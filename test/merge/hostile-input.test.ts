/**
 * Hostile input for the merge helpers that take strings from outside (entry names from peers,
 * ignore patterns from the application's configuration): they either return a valid result or
 * throw a `SealsyncError`, never a TypeError/SyntaxError from a regex or string routine.
 *
 * Deterministic: fixed seed (override with SEALSYNC_FUZZ_SEED; fast-check prints the seed and the
 * counterexample on failure); more runs with SEALSYNC_FUZZ_RUNS.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isEntryName } from '../../src/manifests/entry-name.js';
import { compileIgnorePatterns, conflictName, splitExtension, truncateUtf8 } from '../../src/merge/index.js';
import { fuzzSettings, onlySealsyncErrorsSync } from '../support/hostile.js';

const params = fuzzSettings(20261126, 300).params();

/** Arbitrary strings, including lone surrogates, controls, regex syntax and long graphemes. */
const hostileString = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 300 }),
  fc.string({ unit: fc.constantFrom(...'-\\^$.*+?()[]{}|/~ .\u0000\uD800\u0301\u200D'), maxLength: 12 }),
);

describe('hostile input: merge helpers', () => {
  it('every literal ASCII character of an ignore pattern matches itself (regression: `-` crashed the u-mode regex)', () => {
    for (let c = 0x20; c < 0x7f; c++) {
      const ch = String.fromCharCode(c);
      if (ch === '/' || ch === '*' || ch === '?') continue;
      const m = compileIgnorePatterns([`a${ch}b`]);
      expect(m.matches(`a${ch}b`), JSON.stringify(ch)).toBe(true);
      expect(m.matches('axb') && ch !== 'x', JSON.stringify(ch)).toBe(false);
    }
    expect(compileIgnorePatterns(['my-file*', '*.tmp']).matches('my-file (1).txt')).toBe(true);
  });

  it('compileIgnorePatterns: any pattern list compiles or is refused with ArgumentError', () => {
    fc.assert(
      fc.property(fc.array(hostileString, { maxLength: 4 }), hostileString, (patterns, name) => {
        onlySealsyncErrorsSync(() => compileIgnorePatterns(patterns).matches(name));
      }),
      params,
    );
  });

  it('conflictName / truncateUtf8 / splitExtension: any string gives a valid name or a sealsync error', () => {
    fc.assert(
      fc.property(hostileString, fc.constantFrom<'sync' | 'name'>('sync', 'name'), fc.nat(300), (name, kind, n) => {
        onlySealsyncErrorsSync(() => {
          const out = conflictName(name, kind, new Set([name]));
          expect(isEntryName(out)).toBe(true);
        });
        onlySealsyncErrorsSync(() => truncateUtf8(name, n));
        onlySealsyncErrorsSync(() => splitExtension(name));
      }),
      params,
    );
  });
});
