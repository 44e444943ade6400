/**
 * The small-request pool of keys/random.ts: small requests share one CSPRNG call per 4 KiB, never
 * hand out the same bytes twice, and follow a replaced `getRandomValues` at once (a seeded
 * generator installed by a test must drive every later id, key and nonce).
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { toHex } from '../../src/bytes.js';
import { newId } from '../../src/codec/ids.js';
import { fillRandom, POOL_MAX_REQUEST, randomBytes } from '../../src/keys/random.js';

afterEach(() => {
  vi.restoreAllMocks();
});

/** Replaces getRandomValues with `fill` while `fn` runs. */
function withSource<T>(fill: (b: Uint8Array) => Uint8Array, fn: () => T): T {
  const c = globalThis.crypto;
  const original = Object.getOwnPropertyDescriptor(c, 'getRandomValues');
  Object.defineProperty(c, 'getRandomValues', { value: fill, configurable: true, writable: true });
  try {
    return fn();
  } finally {
    if (original) Object.defineProperty(c, 'getRandomValues', original);
    else delete (c as unknown as Record<string, unknown>).getRandomValues;
  }
}

describe('small-request pool', () => {
  it('256 requests of 12 bytes cost at most one CSPRNG call per 4 KiB, and are all distinct', () => {
    const spy = vi.spyOn(globalThis.crypto, 'getRandomValues');
    const seen = new Set<string>();
    for (let i = 0; i < 256; i++) seen.add(toHex(randomBytes(12)));
    expect(seen.size).toBe(256);
    // 256 × 12 = 3072 bytes: one refill, possibly two if the pool was partly used before.
    expect(spy.mock.calls.length).toBeLessThanOrEqual(2);
    for (const [arg] of spy.mock.calls) expect((arg as Uint8Array).length).toBe(4096);
  });

  it('requests over the pool size limit go straight to the CSPRNG, chunked under 64 KiB', () => {
    const spy = vi.spyOn(globalThis.crypto, 'getRandomValues');
    randomBytes(POOL_MAX_REQUEST + 1);
    expect(spy.mock.calls.map(([a]) => (a as Uint8Array).length)).toEqual([POOL_MAX_REQUEST + 1]);
    spy.mockClear();
    randomBytes(200_000);
    expect(spy.mock.calls.map(([a]) => (a as Uint8Array).length)).toEqual([65536, 65536, 65536, 3392]);
  });

  it('a replaced getRandomValues takes over at once (no leftover pool bytes), and the original after it', () => {
    randomBytes(1); // the pool now holds bytes from the real CSPRNG
    let counter = 0;
    const seeded = (b: Uint8Array): Uint8Array => b.fill(++counter);
    const [first, id] = withSource(seeded, () => [randomBytes(8), newId()]);
    expect(first).toEqual(new Uint8Array(8).fill(1));
    expect(id).toBe('01'.repeat(16)); // the same pool fill, next bytes
    expect(counter).toBe(1);
    // Restored: never the seeded pool's remaining bytes (all 0x01).
    const after = randomBytes(32);
    expect(toHex(after)).not.toBe('01'.repeat(32));
  });

  it('two installs of the same seeded generator give the same bytes (seeded runs stay deterministic)', () => {
    const run = (): string =>
      withSource(
        (() => {
          let n = 7;
          return (b: Uint8Array) => {
            for (let i = 0; i < b.length; i++) b[i] = n = (n * 131 + 17) & 0xff;
            return b;
          };
        })(),
        () => toHex(randomBytes(12)) + newId() + toHex(randomBytes(40)),
      );
    const a = run();
    expect(a).toBe(run());
    expect(a).not.toMatch(/^(00)+$/);
  });

  it('fillRandom refuses a non-array', () => {
    expect(() => fillRandom('x' as unknown as Uint8Array)).toThrow(expect.objectContaining({ code: 'crypto/invalid-input' }));
  });
});
