/**
 * Secure random bytes from the platform CSPRNG.
 * @module
 */
import { cryptoError } from './errors.js';

// WebCrypto refuses getRandomValues requests larger than 65,536 bytes (QuotaExceededError).
const MAX_CHUNK = 65536;

/**
 * Returns `n` bytes from `globalThis.crypto.getRandomValues` (chunked under the WebCrypto quota).
 * Throws `crypto/invalid-input` if `n` is not a non-negative safe integer.
 */
export function randomBytes(n: number): Uint8Array {
  if (!Number.isSafeInteger(n) || n < 0) {
    throw cryptoError('crypto/invalid-input', `randomBytes: bad length ${String(n)}`);
  }
  const out = new Uint8Array(n);
  for (let off = 0; off < n; off += MAX_CHUNK) {
    globalThis.crypto.getRandomValues(out.subarray(off, Math.min(n, off + MAX_CHUNK)));
  }
  return out;
}
