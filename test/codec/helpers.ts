/** Shared helpers for the codec tests: hex input, expected-error assertions, a seeded PRNG. */
import { expect } from 'vitest';
import { fromHex } from '../../src/bytes.js';
import { CodecError } from '../../src/errors.js';

export const h = (hex: string): Uint8Array => fromHex(hex.replace(/\s+/g, ''));

/** Runs `fn` and asserts it throws a `CodecError` with `code`; returns the error. */
export function expectCodecError(fn: () => unknown, code: string): CodecError {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  expect(caught, `expected ${code}`).toBeInstanceOf(CodecError);
  expect((caught as CodecError).code).toBe(code);
  return caught as CodecError;
}

/** Seed for every randomised codec test: `SEALSYNC_SEED` or a fixed default, printed on failure. */
export const SEED = Number(process.env.SEALSYNC_SEED ?? 0x5ea15c);

/** mulberry32: small, fast, deterministic; not for anything secret. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
