/** Shared helpers for the codec tests: hex input, expected-error assertions, the seed of the randomised tests. */
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

