/**
 * sealsync's strict Ed25519 policy (DESIGN §2), applied before any provider is asked so that
 * every device reaches the same verdict on the same bytes whatever library it runs.
 *
 * Rules and why:
 * - signature exactly 64 bytes;
 * - S < L (RFC 8032 §5.1.7 step 1): otherwise (R, S + L) is a second valid signature for the
 *   same message (malleability; Wycheproof `SignatureMalleability`);
 * - R canonical: y < p, and not "x = 0 with the sign bit set" (RFC 8032 §5.1.3 steps 1 and 4).
 *   R may be of small order: both providers check the cofactorless equation
 *   `encode([S]B − [k]A) == R`, which a given (A, message, S) satisfies for exactly one R, so a
 *   small-order R only verifies in the cases both providers agree on and no extra rule is needed;
 * - public key A: 32 bytes, y < p, decodes to a curve point, and not one of the 8 small-order
 *   points (nor their non-canonical encodings, already excluded by y < p): a small-order key
 *   makes signatures valid for many messages at once (no non-repudiation).
 * Decoding R is left to the equation: a non-decodable R can never equal an encoded point.
 * @module
 */
import { ed25519 } from '@noble/curves/ed25519.js';

/** The field prime p = 2^255 − 19. */
export const ED25519_P = (1n << 255n) - 19n;
/** The prime order L of the base point (RFC 8032 §5.1). */
export const ED25519_L = (1n << 252n) + 27742317777372353535851937790883648493n;

/** Little-endian bytes → bigint. */
export function leToBigInt(b: Uint8Array): bigint {
  let n = 0n;
  for (let i = b.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(b[i]!);
  return n;
}

/** The y coordinate of a 32-byte point encoding (bit 255 is the sign of x) and that sign. */
function splitPoint(enc: Uint8Array): { y: bigint; sign: boolean } {
  const copy = enc.slice();
  const sign = (copy[31]! & 0x80) !== 0;
  copy[31]! &= 0x7f;
  return { y: leToBigInt(copy), sign };
}

/**
 * Checks the encoding of a point the way RFC 8032 §5.1.3 requires, without decoding it:
 * y < p, and the two points with x = 0 (y = 1 and y = −1) must not carry a sign bit.
 * Returns a reason, or `null` if canonical.
 */
export function pointEncodingProblem(enc: Uint8Array): string | null {
  if (enc.length !== 32) return 'point encoding must be 32 bytes';
  const { y, sign } = splitPoint(enc);
  if (y >= ED25519_P) return 'non-canonical point encoding (y >= p)';
  if (sign && (y === 1n || y === ED25519_P - 1n)) return 'non-canonical point encoding (x = 0 with sign bit)';
  return null;
}

/** Returns why `sig` breaks the signature rules above, or `null` if it passes. */
export function signatureEncodingProblem(sig: Uint8Array): string | null {
  if (sig.length !== 64) return `signature must be 64 bytes, got ${sig.length}`;
  if (leToBigInt(sig.subarray(32)) >= ED25519_L) return 'non-canonical signature (S >= L)';
  const r = pointEncodingProblem(sig.subarray(0, 32));
  return r === null ? null : `signature R: ${r}`;
}

/** Returns why `pk` is not an acceptable Ed25519 public key, or `null` if it is. */
export function publicKeyProblem(pk: Uint8Array): string | null {
  if (pk.length !== 32) return `public key must be 32 bytes, got ${pk.length}`;
  const enc = pointEncodingProblem(pk);
  if (enc !== null) return enc;
  let point;
  try {
    point = ed25519.Point.fromBytes(pk, false);
  } catch {
    return 'public key does not decode to a curve point';
  }
  if (point.isSmallOrder()) return 'small-order public key';
  return null;
}
