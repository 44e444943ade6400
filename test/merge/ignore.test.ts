import { describe, expect, it } from 'vitest';
import { compileIgnorePatterns, DEFAULT_IGNORE_PATTERNS, defaultIgnoreMatcher } from '../../src/merge/index.js';

describe('ignore patterns', () => {
  const m = defaultIgnoreMatcher();
  it.each(['x.tmp', '.tmp', '~$report.docx', '.DS_Store', 'notes.txt~', '~'])('ignores %s by default', (n) => {
    expect(m.matches(n)).toBe(true);
  });
  it.each(['x.tmp.txt', 'tmp', 'a~b', '$~a', '.ds_store', 'DS_Store', 'x.TMP'])('keeps %s', (n) => {
    expect(m.matches(n)).toBe(false);
  });
  it('has the documented defaults', () => {
    expect(DEFAULT_IGNORE_PATTERNS).toEqual(['*.tmp', '~$*', '.DS_Store', '*~']);
  });
  it('treats regex characters literally and ? as one code point', () => {
    const c = compileIgnorePatterns(['a+(b).?', '[x]*']);
    expect(c.matches('a+(b).😀')).toBe(true);
    expect(c.matches('aa(b).c')).toBe(false);
    expect(c.matches('a+(b).cd')).toBe(false);
    expect(c.matches('[x]yz')).toBe(true);
    expect(c.matches('xyz')).toBe(false);
  });
  it('matches the whole name, across line breaks', () => {
    expect(compileIgnorePatterns(['*.bak']).matches('a\nb.bak')).toBe(true);
    expect(compileIgnorePatterns(['*.bak']).matches('a.bak.txt')).toBe(false);
  });
  it('an empty list ignores nothing', () => {
    expect(compileIgnorePatterns([]).matches('.DS_Store')).toBe(false);
  });
  it.each([[''], ['a/b'], ['a\u0000'], [42], ['\uD800']])('rejects pattern %j', (p) => {
    expect(() => compileIgnorePatterns([p as string])).toThrow(expect.objectContaining({ code: 'merge/invalid-ignore-pattern' }));
  });
  it('rejects a non-array', () => {
    expect(() => compileIgnorePatterns('*.tmp' as never)).toThrow(expect.objectContaining({ code: 'merge/invalid-ignore-pattern' }));
  });
});
