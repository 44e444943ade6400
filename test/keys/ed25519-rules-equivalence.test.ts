/**
 * The byte-level Ed25519 rules (src/keys/ed25519-rules.ts: byte compares, a Legendre symbol for
 * "is a curve point", a table of the 8 small-order encodings) must give exactly the verdicts —
 * and reasons — of the straightforward reference below, which decodes the point with noble and
 * asks it whether it has small order. Any divergence would be a consensus split between
 * versions of sealsync. Inputs: every Wycheproof key and signature, every small-order encoding
 * with its non-canonical and sign-flipped variants, the values around p and L, real keys and
 * seeded random bytes.
 */
import { ED25519_TORSION_SUBGROUP, ed25519 } from '@noble/curves/ed25519.js';
import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../../src/bytes.js';
import { ED25519_L, ED25519_P, leToBigInt, pointEncodingProblem, publicKeyProblem, signatureEncodingProblem } from '../../src/keys/ed25519-rules.js';
import { loadWycheproof, prng } from './helpers.js';

// ---- reference: the rules as first written (bigint parsing + noble point decoding) ----------

function refLeToBigInt(b: Uint8Array): bigint {
  let n = 0n;
  for (let i = b.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(b[i]!);
  return n;
}

function refPointEncodingProblem(enc: Uint8Array): string | null {
  if (enc.length !== 32) return 'point encoding must be 32 bytes';
  const copy = enc.slice();
  const sign = (copy[31]! & 0x80) !== 0;
  copy[31]! &= 0x7f;
  const y = refLeToBigInt(copy);
  if (y >= ED25519_P) return 'non-canonical point encoding (y >= p)';
  if (sign && (y === 1n || y === ED25519_P - 1n)) return 'non-canonical point encoding (x = 0 with sign bit)';
  return null;
}

function refSignatureEncodingProblem(sig: Uint8Array): string | null {
  if (sig.length !== 64) return `signature must be 64 bytes, got ${sig.length}`;
  if (refLeToBigInt(sig.subarray(32)) >= ED25519_L) return 'non-canonical signature (S >= L)';
  const r = refPointEncodingProblem(sig.subarray(0, 32));
  return r === null ? null : `signature R: ${r}`;
}

function refPublicKeyProblem(pk: Uint8Array): string | null {
  if (pk.length !== 32) return `public key must be 32 bytes, got ${pk.length}`;
  const enc = refPointEncodingProblem(pk);
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

// ---- inputs ----------------------------------------------------------------------------------

function le32(n: bigint, sign = false): Uint8Array {
  const out = new Uint8Array(32);
  for (let i = 0; i < 32; i++) out[i] = Number((n >> BigInt(8 * i)) & 0xffn);
  if (sign) out[31]! |= 0x80;
  return out;
}

interface WyTest {
  msg: string;
  sig: string;
}

function wycheproof(): { keys: Uint8Array[]; sigs: Uint8Array[] } {
  const file = loadWycheproof<WyTest>('ed25519_test.json');
  const keys: Uint8Array[] = [];
  const sigs: Uint8Array[] = [];
  for (const g of file.testGroups) {
    keys.push(fromHex((g.publicKey as { pk: string }).pk));
    for (const t of g.tests) sigs.push(fromHex(t.sig));
  }
  return { keys, sigs };
}

/** Every torsion point, its sign-flipped twin and its non-canonical y + p spelling (when < 2^255). */
function smallOrderVariants(): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const hx of ED25519_TORSION_SUBGROUP) {
    const enc = fromHex(hx);
    const y = refLeToBigInt(enc) & ((1n << 255n) - 1n);
    for (const sign of [false, true]) {
      out.push(le32(y, sign));
      if (y + ED25519_P < 1n << 255n) out.push(le32(y + ED25519_P, sign));
    }
  }
  return out;
}

/** y around 0, 1, p − 1 and p (both signs), and every y ≥ p. */
function boundaryKeys(): Uint8Array[] {
  const ys: bigint[] = [];
  for (let d = 0n; d < 40n; d++) ys.push(d, ED25519_P - 1n - d, ED25519_P + d, (1n << 255n) - 1n - d);
  return ys.filter((y) => y < 1n << 255n).flatMap((y) => [le32(y), le32(y, true)]);
}

const SEED = 0x5ea15eed;

describe('byte-level Ed25519 rules = noble-decoding reference', () => {
  it('public keys: Wycheproof, small-order variants, boundaries, real and random keys', () => {
    const rnd = prng(SEED);
    const keys = [
      ...wycheproof().keys,
      ...smallOrderVariants(),
      ...boundaryKeys(),
      ...Array.from({ length: 200 }, () => ed25519.getPublicKey(rnd(32))),
      ...Array.from({ length: 1500 }, () => rnd(32)),
      // Random y with the top byte forced high: exercises y close to p.
      ...Array.from({ length: 300 }, () => {
        const b = rnd(32);
        b[31] = 0x7f | (b[31]! & 0x80);
        for (let i = 1; i < 31; i++) if (b[i]! < 0x80) b[i] = 0xff;
        return b;
      }),
    ];
    const verdicts = new Map<string, number>();
    for (const pk of keys) {
      const ours = publicKeyProblem(pk);
      const ref = refPublicKeyProblem(pk);
      if (ours !== ref) throw new Error(`seed ${SEED}: key ${toHex(pk)}: ours ${String(ours)}, reference ${String(ref)}`);
      verdicts.set(String(ref), (verdicts.get(String(ref)) ?? 0) + 1);
    }
    // Every kind of verdict was actually exercised.
    expect([...verdicts.keys()].sort()).toEqual(
      [
        'non-canonical point encoding (x = 0 with sign bit)',
        'non-canonical point encoding (y >= p)',
        'null',
        'public key does not decode to a curve point',
        'small-order public key',
      ].sort(),
    );
  });

  it('every small-order encoding is refused as small-order, and nothing else is', () => {
    for (const hx of ED25519_TORSION_SUBGROUP) {
      const enc = fromHex(hx);
      // noble lists some of them non-canonically (y >= p or x = 0 with a sign): those fail earlier.
      const expected = refPointEncodingProblem(enc) ?? 'small-order public key';
      expect(publicKeyProblem(enc)).toBe(expected);
    }
  });

  it('signatures: Wycheproof, S and R around their bounds, random bytes', () => {
    const rnd = prng(SEED + 1);
    const sigs = [...wycheproof().sigs, ...Array.from({ length: 1000 }, () => rnd(64))];
    const R = ed25519.sign(new Uint8Array(3), rnd(32)).subarray(0, 32);
    for (let d = 0n; d < 20n; d++) {
      for (const s of [ED25519_L - 1n - d, ED25519_L + d, (1n << 256n) - 1n - d, d]) sigs.push(new Uint8Array([...R, ...le32(s)]));
    }
    for (const r of [...boundaryKeys(), ...smallOrderVariants()]) sigs.push(new Uint8Array([...r, ...le32(5n)]));
    sigs.push(new Uint8Array(63), new Uint8Array(65));
    for (const sig of sigs) {
      const ours = signatureEncodingProblem(sig);
      const ref = refSignatureEncodingProblem(sig);
      if (ours !== ref) throw new Error(`seed ${SEED}: signature ${toHex(sig)}: ours ${String(ours)}, reference ${String(ref)}`);
    }
    expect(pointEncodingProblem(new Uint8Array(31))).toBe(refPointEncodingProblem(new Uint8Array(31)));
  });

  it('leToBigInt matches the byte-by-byte definition for every length 0..72', () => {
    const rnd = prng(SEED + 2);
    for (let n = 0; n <= 72; n++) {
      for (const b of [rnd(n), new Uint8Array(n).fill(0xff), new Uint8Array(n)]) expect(leToBigInt(b)).toBe(refLeToBigInt(b));
      // A view at an odd offset inside a larger buffer.
      const big = rnd(n + 3);
      const view = big.subarray(3);
      expect(leToBigInt(view)).toBe(refLeToBigInt(view));
    }
  });
});
