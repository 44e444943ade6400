/**
 * The one seeded PRNG of the test suites (and benches): mulberry32, small and fast, with the
 * byte helper every suite used to copy. Deterministic by design — never for anything secret.
 * Every suite keeps its own seeds; a seed gives the same sequence it always did.
 * @module
 */

/** A source of uniform numbers in [0, 1). */
export type RandomFn = () => number;

/** mulberry32 seeded with `seed` (taken as an unsigned 32-bit integer); returns the next-number function. */
export function prng(seed: number): RandomFn {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `n` bytes drawn from `rand` (one draw per byte, so the stream position advances by `n`). */
export function bytesFrom(rand: RandomFn, n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.floor(rand() * 256);
  return out;
}

/** `n` deterministic pseudo-random bytes: the first `n` draws of `prng(seed)`. */
export function seededBytes(seed: number, n: number): Uint8Array {
  return bytesFrom(prng(seed), n);
}
