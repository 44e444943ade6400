/**
 * sealsync's strict Ed25519 policy (crypto suite v1), applied before any provider is asked so that
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
 *
 * Cost: these checks run on every key a certificate carries and on every signature, so they
 * work on the bytes. The encoding rules are byte comparisons; "is a curve point" is the only
 * arithmetic (one Legendre symbol, see `isCurvePointY`); the small-order rule is a lookup among
 * the 8 encodings, which is exact because canonical encodings are unique. Full point decoding
 * (a modular square root, several times slower) is left to the providers at verification time.
 * @module
 */

/** The field prime p = 2^255 − 19. */
export const ED25519_P = (1n << 255n) - 19n;
/** The prime order L of the base point (RFC 8032 §5.1). */
export const ED25519_L = (1n << 252n) + 27742317777372353535851937790883648493n;
/** The curve constant d = −121665/121666 mod p (RFC 8032 §5.1). */
const ED25519_D = 37095705934669439343138083508754565189542113879843219016388785533085940283555n;

/** Little-endian bytes → bigint. */
export function leToBigInt(b: Uint8Array): bigint {
  let out = 0n;
  let i = b.length;
  // The top `length mod 8` bytes one by one, then whole 64-bit words down to offset 0.
  const top = i - (i % 8);
  while (i > top) out = (out << 8n) | BigInt(b[--i]!);
  if (i > 0) {
    const dv = new DataView(b.buffer, b.byteOffset, b.length);
    while (i > 0) {
      i -= 8;
      out = (out << 64n) | dv.getBigUint64(i, true);
    }
  }
  return out;
}

/** p = 2^255 − 19, little-endian. */
const P_LE = leBytes(ED25519_P);
/** p − 1 (the y of the order-2 point), little-endian. */
const P_MINUS_1_LE = leBytes(ED25519_P - 1n);
/** L, little-endian. */
const L_LE = leBytes(ED25519_L);
/** y = 1 (the identity), little-endian. */
const ONE_LE = leBytes(1n);

function leBytes(n: bigint): Uint8Array {
  const out = new Uint8Array(32);
  for (let i = 0; i < 32; i++) out[i] = Number((n >> BigInt(8 * i)) & 0xffn);
  return out;
}

/**
 * Compares the 32-byte little-endian number `a` (bit 255 cleared when `maskTop`: the sign bit
 * of a point encoding) with `b`: negative, 0 or positive. Variable time: only public values.
 */
function compareLE(a: Uint8Array, b: Uint8Array, maskTop: boolean): number {
  for (let i = 31; i >= 0; i--) {
    const x = i === 31 && maskTop ? a[i]! & 0x7f : a[i]!;
    const y = b[i]!;
    if (x !== y) return x - y;
  }
  return 0;
}

/**
 * The canonical encodings of the 8 points of small order (the torsion subgroup): identity, the
 * order-2 point, the two of order 4, the four of order 8. A canonical encoding is unique, so a
 * canonical key is of small order iff it is one of these (checked against noble's
 * `isSmallOrder` in the tests).
 */
const SMALL_ORDER_ENCODINGS: readonly Uint8Array[] = [
  '0100000000000000000000000000000000000000000000000000000000000000',
  'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  '0000000000000000000000000000000000000000000000000000000000000000',
  '0000000000000000000000000000000000000000000000000000000000000080',
  '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05',
  '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85',
  'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a',
  'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa',
].map((h) => Uint8Array.from(h.match(/../g)!, (x) => parseInt(x, 16)));

function isSmallOrderEncoding(enc: Uint8Array): boolean {
  for (const so of SMALL_ORDER_ENCODINGS) {
    let i = 0;
    while (i < 32 && enc[i] === so[i]) i++;
    if (i === 32) return true;
  }
  return false;
}

/** Precomputed shift amounts (a `BigInt(z)` per step showed up in profiles). */
const SHIFTS: readonly bigint[] = Array.from({ length: 32 }, (_, i) => BigInt(i));

/**
 * Jacobi symbol (a/n) for odd n > 0 (binary algorithm with quadratic reciprocity): for a prime
 * n this is the Legendre symbol, 1 for a non-zero square, −1 for a non-square, 0 for 0. The low
 * bits of a and n, which decide the sign changes, are tracked as numbers.
 */
function jacobi(a: bigint, n: bigint): number {
  let t = 1;
  a %= n;
  let n8 = Number(n & 7n);
  while (a !== 0n) {
    // Strip the factors of two: (2/n) = −1 iff n ≡ 3, 5 (mod 8). 32 at a time flips nothing.
    let low = Number(BigInt.asUintN(32, a));
    while (low === 0) {
      a >>= 32n;
      low = Number(BigInt.asUintN(32, a));
    }
    const z = 31 - Math.clz32(low & -low);
    if (z > 0) {
      a >>= SHIFTS[z]!;
      if ((z & 1) === 1 && (n8 === 3 || n8 === 5)) t = -t;
      low = z <= 28 ? low >>> z : Number(BigInt.asUintN(32, a));
    }
    // Reciprocity: (a/n) = (n/a), negated iff a ≡ n ≡ 3 (mod 4).
    const a8 = low & 7;
    if ((a8 & 3) === 3 && (n8 & 3) === 3) t = -t;
    const r = n % a;
    n = a;
    a = r;
    n8 = a8;
  }
  return n === 1n ? t : 0;
}

/**
 * True iff some x satisfies the curve equation −x² + y² = 1 + d·x²·y² for this y < p, i.e. iff
 * x² = u/v with u = y² − 1, v = d·y² + 1 has a solution: u/v is a square (or 0) mod p, which is
 * the same as u·v (= u/v · v²) being one. v is never 0 (−1/d is not a square). This is exactly
 * when RFC 8032 §5.1.3 decoding finds a square root; the sign-bit rule for x = 0 is checked
 * separately by `pointEncodingProblem`.
 */
function isCurvePointY(y: bigint): boolean {
  const y2 = (y * y) % ED25519_P;
  const u = y2 === 0n ? ED25519_P - 1n : y2 - 1n;
  const v = (ED25519_D * y2 + 1n) % ED25519_P;
  return jacobi((u * v) % ED25519_P, ED25519_P) >= 0;
}

/**
 * Checks the encoding of a point the way RFC 8032 §5.1.3 requires, without decoding it:
 * y < p, and the two points with x = 0 (y = 1 and y = −1) must not carry a sign bit.
 * Returns a reason, or `null` if canonical.
 */
export function pointEncodingProblem(enc: Uint8Array): string | null {
  if (enc.length !== 32) return 'point encoding must be 32 bytes';
  if (compareLE(enc, P_LE, true) >= 0) return 'non-canonical point encoding (y >= p)';
  if ((enc[31]! & 0x80) !== 0 && (compareLE(enc, ONE_LE, true) === 0 || compareLE(enc, P_MINUS_1_LE, true) === 0)) {
    return 'non-canonical point encoding (x = 0 with sign bit)';
  }
  return null;
}

/** Returns why `sig` breaks the signature rules above, or `null` if it passes. */
export function signatureEncodingProblem(sig: Uint8Array): string | null {
  if (sig.length !== 64) return `signature must be 64 bytes, got ${sig.length}`;
  if (compareLE(sig.subarray(32), L_LE, false) >= 0) return 'non-canonical signature (S >= L)';
  const r = pointEncodingProblem(sig.subarray(0, 32));
  return r === null ? null : `signature R: ${r}`;
}

/** Returns why `pk` is not an acceptable Ed25519 public key, or `null` if it is. */
export function publicKeyProblem(pk: Uint8Array): string | null {
  if (pk.length !== 32) return `public key must be 32 bytes, got ${pk.length}`;
  const enc = pointEncodingProblem(pk);
  if (enc !== null) return enc;
  const y = pk.slice();
  y[31]! &= 0x7f;
  if (!isCurvePointY(leToBigInt(y))) return 'public key does not decode to a curve point';
  if (isSmallOrderEncoding(pk)) return 'small-order public key';
  return null;
}
