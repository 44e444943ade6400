/**
 * Secure random bytes from the platform CSPRNG.
 *
 * Small requests (nonces, ids, keys: ≤ `POOL_MAX_REQUEST` bytes) are served from a 4 KiB pool
 * filled by one `getRandomValues` call. Why: on Node 20 every `getRandomValues` call costs
 * ~15 µs whatever its size (argument validation and a synchronous trip into OpenSSL), and
 * sealsync draws two or three small values per stored item, block and manifest (measured: 9 % of
 * the time of a stream of local-store puts). The pool is still the platform CSPRNG's output,
 * never reused: each request copies bytes out and zeroes them in the pool at once, so the pool
 * holds no copy of a key or nonce already handed out. The pool belongs to the `getRandomValues`
 * function that filled it: if that function is replaced (a test installing a seeded generator)
 * or restored, the pool is wiped and refilled from the new one, so a seeded run stays
 * deterministic.
 * @module
 */
import { cryptoError } from './errors.js';

// WebCrypto refuses getRandomValues requests larger than 65,536 bytes (QuotaExceededError).
const MAX_CHUNK = 65536;
const POOL_SIZE = 4096;
/** Requests up to this size are served from the pool; larger ones call the CSPRNG directly. */
export const POOL_MAX_REQUEST = 64;

const pool = new Uint8Array(POOL_SIZE);
let poolOffset = POOL_SIZE;
let poolSource: unknown;

function fillFromPool(out: Uint8Array): void {
  const c = globalThis.crypto;
  if (poolSource !== c.getRandomValues) {
    pool.fill(0);
    poolOffset = POOL_SIZE;
    poolSource = c.getRandomValues;
  }
  if (poolOffset + out.length > POOL_SIZE) {
    c.getRandomValues(pool);
    poolOffset = 0;
  }
  const end = poolOffset + out.length;
  out.set(pool.subarray(poolOffset, end));
  pool.fill(0, poolOffset, end);
  poolOffset = end;
}

/**
 * Fills `out` with random bytes (see the module comment for small requests) and returns it.
 * Throws `crypto/invalid-input` if `out` is not a `Uint8Array`.
 */
export function fillRandom(out: Uint8Array): Uint8Array {
  if (!(out instanceof Uint8Array)) throw cryptoError('crypto/invalid-input', 'fillRandom: not a Uint8Array');
  if (out.length <= POOL_MAX_REQUEST) {
    fillFromPool(out);
    return out;
  }
  for (let off = 0; off < out.length; off += MAX_CHUNK) {
    globalThis.crypto.getRandomValues(out.subarray(off, Math.min(out.length, off + MAX_CHUNK)));
  }
  return out;
}

/**
 * Returns `n` bytes from the platform CSPRNG (`globalThis.crypto.getRandomValues`, chunked under
 * the WebCrypto quota; small requests through the pool, see the module comment).
 * Throws `crypto/invalid-input` if `n` is not a non-negative safe integer.
 */
export function randomBytes(n: number): Uint8Array {
  if (!Number.isSafeInteger(n) || n < 0) {
    throw cryptoError('crypto/invalid-input', `randomBytes: bad length ${String(n)}`);
  }
  return fillRandom(new Uint8Array(n));
}
