/**
 * Short authentication strings: 4 characters × 5 bits from a 32-letter alphabet without the
 * look-alikes `I`, `O`, `0`, `1`, so a human reading a code aloud cannot be misheard into
 * another valid code.
 * @module
 */
import { concatBytes, u32be } from '../bytes.js';
import { ArgumentError } from '../errors.js';
import { randomBytes, sha256Sync } from '../keys/index.js';

/** The 32 characters of SAS codes: no `I`, `O`, `0`, `1`, which humans confuse when reading aloud. */
export const SAS_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
/** Characters per SAS code (4 × 5 bits = 20 bits). */
export const SAS_CODE_LENGTH = 4;
/** Bits per code: 4 × 5. */
export const SAS_CODE_BITS = 20;

/** A 4-character SAS code. */
export type SasCode = string;

/** Source of random bytes; defaults to the platform CSPRNG. Tests inject `seededRandom`. */
export type RandomSource = (length: number) => Uint8Array;

const CODE_RE = new RegExp(`^[${SAS_ALPHABET}]{${SAS_CODE_LENGTH}}$`);

/** True for a well-formed code (exactly 4 characters of the alphabet). */
export function isSasCode(code: unknown): code is SasCode {
  return typeof code === 'string' && CODE_RE.test(code);
}

/** The code of a 20-bit value, most significant 5 bits first. */
export function sasCodeFromBits(bits: number): SasCode {
  if (!Number.isInteger(bits) || bits < 0 || bits >= 1 << SAS_CODE_BITS) {
    throw new ArgumentError('argument/out-of-range', 'a SAS code is a 20-bit value');
  }
  let code = '';
  for (let i = SAS_CODE_LENGTH - 1; i >= 0; i--) code += SAS_ALPHABET[(bits >> (5 * i)) & 31]!;
  return code;
}

/**
 * Splits 5 SAS bytes (40 bits, big-endian) into the greeter code (bits 0–19) and the claimer
 * code (bits 20–39). Throws `ArgumentError` unless given exactly 5 bytes.
 */
export function sasCodesFromBytes(sas: Uint8Array): { greeterCode: SasCode; claimerCode: SasCode } {
  if (!(sas instanceof Uint8Array) || sas.length !== 5) throw new ArgumentError('argument/invalid', 'SAS bytes are 5 bytes');
  // 40 bits exceed 32-bit integer arithmetic: assemble in a double (exact below 2^53).
  let v = 0;
  for (const b of sas) v = v * 256 + b;
  const greeter = Math.floor(v / 2 ** 20);
  const claimer = v % 2 ** 20;
  return { greeterCode: sasCodeFromBits(greeter), claimerCode: sasCodeFromBits(claimer) };
}

/** Uniform integer in [0, n) by rejection sampling on 32-bit draws (no modulo bias). */
export function randomInt(n: number, random: RandomSource): number {
  if (!Number.isInteger(n) || n <= 0 || n > 2 ** 32) throw new ArgumentError('argument/out-of-range', 'randomInt bound out of range');
  const limit = Math.floor(2 ** 32 / n) * n;
  for (;;) {
    const b = random(4);
    const x = ((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 0;
    if (x < limit) return x % n;
  }
}

/**
 * The candidates shown to a human: `code` among `n − 1` distinct random decoys, in random order.
 * Throws `ArgumentError` for a malformed code or `n` outside 2–16.
 */
export function codeCandidates(code: SasCode, n = 4, random: RandomSource = randomBytes): SasCode[] {
  if (!isSasCode(code)) throw new ArgumentError('argument/invalid', 'not a SAS code');
  if (!Number.isInteger(n) || n < 2 || n > 16) throw new ArgumentError('argument/out-of-range', 'candidates: n must be in 2..16');
  const out: SasCode[] = [code];
  while (out.length < n) {
    const decoy = sasCodeFromBits(randomInt(1 << SAS_CODE_BITS, random));
    if (!out.includes(decoy)) out.push(decoy);
  }
  // Fisher–Yates: the right code's position must carry no information.
  for (let i = out.length - 1; i > 0; i--) {
    const j = randomInt(i + 1, random);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/**
 * A deterministic random source: SHA-256 in counter mode over `seed`. Used by the state machines
 * (whose decoy seed arrives in their start event, so transitions stay pure) and by tests.
 */
export function seededRandom(seed: Uint8Array): RandomSource {
  let counter = 0;
  let pool: Uint8Array = new Uint8Array(0);
  return (length: number) => {
    const out = new Uint8Array(length);
    let filled = 0;
    while (filled < length) {
      if (pool.length === 0) pool = sha256Sync(concatBytes(seed, u32be(counter++)));
      const take = Math.min(pool.length, length - filled);
      out.set(pool.subarray(0, take), filled);
      pool = pool.subarray(take);
      filled += take;
    }
    return out;
  };
}
