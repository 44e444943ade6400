/**
 * `allocUninitialised` (internal): exact length, and a large array owns its whole ArrayBuffer,
 * so `.buffer` exposes no bytes beyond the ones its caller overwrites (no pooled neighbours).
 */
import { describe, expect, it } from 'vitest';
import { allocUninitialised } from '../src/bytes-alloc.js';

describe('allocUninitialised', () => {
  it('a plain Uint8Array of exactly the size asked, owning its whole buffer, small or large', () => {
    for (const size of [0, 1, 4095, 4096, 512 * 1024 + 28]) {
      const a = allocUninitialised(size);
      expect(a).toBeInstanceOf(Uint8Array);
      expect(a.length).toBe(size);
      expect(a.byteOffset).toBe(0);
      expect(a.buffer.byteLength).toBe(size);
    }
  });

  it('two arrays never share memory', () => {
    const a = allocUninitialised(8192);
    const b = allocUninitialised(8192);
    a.fill(1);
    b.fill(2);
    expect(a.every((x) => x === 1)).toBe(true);
  });
});
