/**
 * sealsync's strict Ed25519 rules (src/keys/ed25519-rules.ts) and the consensus they buy:
 * each rule has a rejection test, and crafted torsion cases show why both providers must use
 * the same (cofactorless) equation.
 */
import { ED25519_TORSION_SUBGROUP, ed25519 } from '@noble/curves/ed25519.js';
import { sha512 } from '@noble/hashes/sha2.js';
import { describe, expect, it } from 'vitest';
import { concatBytes, fromHex, utf8Encode } from '../../src/bytes.js';
import { ED25519_L, ED25519_P, leToBigInt, publicKeyProblem, signatureEncodingProblem } from '../../src/keys/ed25519-rules.js';
import { nobleProvider } from '../../src/keys/noble-provider.js';
import { ed25519VerifyStrict, SigningKey, VerifyKey } from '../../src/keys/signing.js';
import { webCryptoProvider } from '../../src/keys/webcrypto-provider.js';
import { errorCode, PROVIDERS } from './helpers.js';

const Point = ed25519.Point;

function le32(n: bigint): Uint8Array {
  const out = new Uint8Array(32);
  for (let i = 0; i < 32; i++) out[i] = Number((n >> BigInt(8 * i)) & 0xffn);
  return out;
}

/** Encoding of y with the given sign bit (may be non-canonical: y >= p). */
function encodeY(y: bigint, sign = false): Uint8Array {
  const b = le32(y);
  if (sign) b[31]! |= 0x80;
  return b;
}

const seed = fromHex('9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60');
const ext = ed25519.utils.getExtendedPublicKey(seed);
const a = ext.scalar;
const A = ext.pointBytes;
const msg = utf8Encode('sealsync strict rules');
const torsion = ED25519_TORSION_SUBGROUP.map((hx) => Point.fromHex(hx));
const T8 = torsion.find((t) => !t.multiplyUnsafe(4n).is0())!;

function challenge(R: Uint8Array, pk: Uint8Array, m: Uint8Array): bigint {
  return leToBigInt(sha512(concatBytes(R, pk, m))) % ED25519_L;
}

describe('signature encoding rules', () => {
  it('accepts a genuine signature on both providers', async () => {
    const sig = ed25519.sign(msg, seed);
    expect(signatureEncodingProblem(sig)).toBeNull();
    for (const p of PROVIDERS) expect(await ed25519VerifyStrict(A, msg, sig, p)).toBe(true);
  });

  it('rejects S >= L (malleability: S + L is the "same" signature)', async () => {
    const sig = ed25519.sign(msg, seed);
    const S = leToBigInt(sig.subarray(32));
    const mauled = concatBytes(sig.subarray(0, 32), le32(S + ED25519_L));
    expect(signatureEncodingProblem(mauled)).toMatch(/S >= L/);
    const vk = VerifyKey.fromBytes(A);
    expect(await vk.verify(msg, mauled)).toBe(false);
    // S = L exactly, the boundary.
    expect(signatureEncodingProblem(concatBytes(sig.subarray(0, 32), le32(ED25519_L)))).toMatch(/S >= L/);
    expect(signatureEncodingProblem(concatBytes(sig.subarray(0, 32), le32(ED25519_L - 1n)))).toBeNull();
  });

  it('rejects a non-canonical R (y >= p, or x = 0 with the sign bit)', () => {
    const s = new Uint8Array(32);
    expect(signatureEncodingProblem(concatBytes(encodeY(ED25519_P), s))).toMatch(/y >= p/);
    expect(signatureEncodingProblem(concatBytes(encodeY(ED25519_P + 1n), s))).toMatch(/y >= p/);
    expect(signatureEncodingProblem(concatBytes(encodeY(1n, true), s))).toMatch(/sign bit/);
    expect(signatureEncodingProblem(concatBytes(encodeY(ED25519_P - 1n, true), s))).toMatch(/sign bit/);
    expect(signatureEncodingProblem(concatBytes(encodeY(1n), s))).toBeNull(); // the identity is canonical
  });

  it('rejects signatures that are not 64 bytes', async () => {
    const sig = ed25519.sign(msg, seed);
    const vk = VerifyKey.fromBytes(A);
    for (const bad of [sig.subarray(0, 63), concatBytes(sig, new Uint8Array(1)), new Uint8Array(0)]) {
      expect(signatureEncodingProblem(bad)).toMatch(/64 bytes/);
      expect(await vk.verify(msg, bad)).toBe(false);
    }
  });
});

describe('public key rules', () => {
  it('refuses the 8 small-order points with crypto/weak-public-key', async () => {
    expect(torsion).toHaveLength(8);
    for (const t of torsion) {
      const enc = t.toBytes();
      expect(publicKeyProblem(enc)).toMatch(/small-order/);
      expect(await errorCode(() => VerifyKey.fromBytes(enc))).toBe('crypto/weak-public-key');
    }
  });

  it('refuses non-canonical encodings of small-order points', async () => {
    // y = 0 and y = 1 have non-canonical twins y + p < 2^255; x = 0 points with the sign bit set.
    const encodings = [encodeY(ED25519_P), encodeY(ED25519_P + 1n), encodeY(ED25519_P, true), encodeY(ED25519_P + 1n, true), encodeY(1n, true), encodeY(ED25519_P - 1n, true)];
    for (const enc of encodings) {
      expect(publicKeyProblem(enc)).toMatch(/non-canonical/);
      expect(await errorCode(() => VerifyKey.fromBytes(enc))).toBe('crypto/weak-public-key');
    }
  });

  it('refuses y >= p for an ordinary key and bytes that are not a curve point', async () => {
    const big = encodeY((1n << 255n) - 1n);
    expect(publicKeyProblem(big)).toMatch(/y >= p/);
    let y = 2n;
    while (publicKeyProblem(encodeY(y)) === null) y++;
    expect(publicKeyProblem(encodeY(y))).toMatch(/curve point/);
    expect(await errorCode(() => VerifyKey.fromBytes(encodeY(y)))).toBe('crypto/weak-public-key');
  });

  it('refuses wrong lengths with crypto/invalid-key-length', async () => {
    expect(await errorCode(() => VerifyKey.fromBytes(new Uint8Array(31)))).toBe('crypto/invalid-key-length');
    expect(await errorCode(() => VerifyKey.fromBytes(new Uint8Array(33)))).toBe('crypto/invalid-key-length');
  });

  it('a small-order key is refused by the strict path even where a signature "verifies" on it', async () => {
    // Identity key A = 0, R = identity, S = 0: [0]B = R + [k]·0 holds for EVERY message.
    const identity = torsion.find((t) => t.is0())!.toBytes();
    const sig = concatBytes(identity, new Uint8Array(32));
    expect(await webCryptoProvider.ed25519Verify(identity, msg, sig)).toBe(true);
    for (const p of PROVIDERS) expect(await ed25519VerifyStrict(identity, msg, sig, p)).toBe(false);
  });
});

describe('consensus on torsion components (cofactored vs cofactorless)', () => {
  it('R with an order-8 component: noble ed25519.verify accepts, WebCrypto rejects, sealsync rejects on both', async () => {
    const r = 0x1234567890abcdefn;
    const R = Point.BASE.multiply(r).add(T8).toBytes();
    const k = challenge(R, A, msg);
    const S = (r + k * a) % ED25519_L;
    const sig = concatBytes(R, le32(S));
    expect(signatureEncodingProblem(sig)).toBeNull();
    // The disagreement this design removes:
    expect(ed25519.verify(sig, msg, A, { zip215: false })).toBe(true);
    expect(await webCryptoProvider.ed25519Verify(A, msg, sig)).toBe(false);
    // sealsync: the same verdict whatever the provider.
    expect(await nobleProvider.ed25519Verify(A, msg, sig)).toBe(false);
    for (const p of PROVIDERS) expect(await ed25519VerifyStrict(A, msg, sig, p)).toBe(false);
  });

  it('mixed-order key A + T8: both providers agree on every message (accept iff 8 | k)', async () => {
    const A2 = Point.fromBytes(A).add(T8).toBytes();
    expect(publicKeyProblem(A2)).toBeNull(); // not small order: allowed, the equation decides
    let seenReject = false;
    let seenAccept = false;
    for (let i = 0; i < 64 && !(seenReject && seenAccept); i++) {
      const m = utf8Encode(`message ${i}`);
      const r = 1000n + BigInt(i);
      const R = Point.BASE.multiply(r).toBytes();
      const k = challenge(R, A2, m);
      const sig = concatBytes(R, le32((r + k * a) % ED25519_L));
      const verdicts = await Promise.all(PROVIDERS.map((p) => ed25519VerifyStrict(A2, m, sig, p)));
      expect(verdicts[0]).toBe(verdicts[1]);
      expect(verdicts[0]).toBe(k % 8n === 0n);
      if (verdicts[0]) seenAccept = true;
      else seenReject = true;
    }
    expect(seenReject).toBe(true);
  });

  it('a small-order R is allowed: it verifies only when the equation holds, on both providers', async () => {
    // R = identity requires S·B = k·A; with A prime order and random k that never happens, so
    // both providers reject the same way (no special rule needed).
    const identity = torsion.find((t) => t.is0())!.toBytes();
    const sig = concatBytes(identity, le32(5n));
    for (const p of PROVIDERS) expect(await ed25519VerifyStrict(A, msg, sig, p)).toBe(false);
  });

  it('SigningKey.verifyKey round trip', async () => {
    const sk = SigningKey.fromBytes(seed);
    expect(sk.verifyKey.toBytes()).toEqual(A);
  });
});
