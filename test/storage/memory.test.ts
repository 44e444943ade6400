import { describe, expect, it } from 'vitest';
import { MemoryStorage } from '../../src/storage/memory.js';
import { compareKeys, selectKeys } from '../../src/storage/names.js';
import { storageContract } from './storage-contract.js';

storageContract('MemoryStorage', { make: async () => new MemoryStorage() });

describe('key order', () => {
  it('compareKeys is code point order, not UTF-16 order', () => {
    expect('\uffff' < '\u{10000}').toBe(false); // the JS default gets this "wrong"
    expect(compareKeys('\uffff', '\u{10000}')).toBeLessThan(0);
    expect(compareKeys('a', 'ab')).toBeLessThan(0);
    expect(compareKeys('ab', 'a')).toBeGreaterThan(0);
    expect(compareKeys('x', 'x')).toBe(0);
    expect(selectKeys(['b', 'a', 'ba'], 'b')).toEqual(['b', 'ba']);
  });
});
