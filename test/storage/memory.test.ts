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

describe('handOver (a batch put whose caller gives its array up)', () => {
  it('a whole array handed over is kept without a copy; get still returns copies', async () => {
    const s = new MemoryStorage();
    const value = new Uint8Array(8192).fill(1);
    await s.batch([{ op: 'put', ns: 'n', key: 'k', value, handOver: true }]);
    // Breaking the promise shows that no copy was made (a caller that keeps its word never sees this).
    value[0] = 9;
    const got = (await s.get('n', 'k'))!;
    expect(got[0]).toBe(9);
    got.fill(0);
    expect((await s.get('n', 'k'))![1]).toBe(1);
  });

  it('a view into a larger buffer is copied even when handed over (keeping it would pin the rest)', async () => {
    const s = new MemoryStorage();
    const backing = new Uint8Array(16384).fill(1);
    await s.batch([{ op: 'put', ns: 'n', key: 'k', value: backing.subarray(0, 8192), handOver: true }]);
    backing.fill(2);
    expect((await s.get('n', 'k'))!.every((b) => b === 1)).toBe(true);
  });

  it('without handOver, put and batch copy', async () => {
    const s = new MemoryStorage();
    const value = new Uint8Array(8192).fill(1);
    await s.batch([{ op: 'put', ns: 'n', key: 'k', value }]);
    await s.put('n', 'p', value);
    value.fill(2);
    expect((await s.get('n', 'k'))!.every((b) => b === 1)).toBe(true);
    expect((await s.get('n', 'p'))!.every((b) => b === 1)).toBe(true);
  });
});
