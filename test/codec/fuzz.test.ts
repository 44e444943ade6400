/**
 * Fuzz: random bytes and mutations of valid encodings. Every input must either decode to a value
 * whose canonical encoding is exactly the input (so the decoder accepts only deterministic CBOR)
 * or fail with a `CodecError` carrying one of the documented codes. Runs: `SEALSYNC_FUZZ_RUNS`
 * (default 100 000), seed: `SEALSYNC_SEED`.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { toHex } from '../../src/bytes.js';
import { decodeCbor, encodeCbor, type CborValue } from '../../src/codec/cbor.js';
import { CodecError } from '../../src/errors.js';
import { cborValue } from './arbitraries.js';
import { prng } from '../support/prng.js';
import { SEED } from './helpers.js';

const RUNS = Number(process.env.SEALSYNC_FUZZ_RUNS ?? 100_000);

const CODES = new Set([
  'codec/duplicate-key',
  'codec/indefinite-length',
  'codec/simple-value',
  'codec/float',
  'codec/tag',
  'codec/non-canonical-integer',
  'codec/unsorted-keys',
  'codec/trailing-bytes',
  'codec/too-deep',
  'codec/too-large',
  'codec/budget-exceeded',
  'codec/truncated',
  'codec/invalid-key-type',
  'codec/integer-out-of-range',
  'codec/invalid-utf8',
  'codec/malformed',
]);

/** Interesting bytes: CBOR heads at their boundaries, UTF-8 lead bytes, break, simple values. */
const SPECIAL = [0x00, 0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1f, 0x20, 0x38, 0x3b, 0x40, 0x58, 0x5f, 0x60, 0x61, 0x78, 0x7f, 0x80, 0x81, 0x98, 0x9f, 0xa0, 0xa1, 0xb8, 0xbf, 0xc0, 0xd8, 0xf4, 0xf5, 0xf6, 0xf7, 0xf8, 0xf9, 0xfb, 0xff, 0xc3, 0xed, 0xf0];

describe('decodeCbor fuzz', () => {
  it(`${RUNS} random and mutated inputs: canonical value or a documented CodecError`, () => {
    const rnd = prng(SEED);
    const int = (n: number) => Math.floor(rnd() * n);
    const byte = () => (rnd() < 0.3 ? SPECIAL[int(SPECIAL.length)]! : int(256));
    const corpus: Uint8Array[] = fc
      .sample(cborValue, { seed: SEED, numRuns: 300 })
      .map((v: CborValue) => encodeCbor(v));

    const stats = { accepted: 0, rejected: 0 };
    const byCode = new Map<string, number>();
    let input = new Uint8Array();
    try {
      for (let i = 0; i < RUNS; i++) {
        if (i % 4 === 0) {
          input = Uint8Array.from({ length: int(24) }, byte);
        } else {
          const base = corpus[int(corpus.length)]!;
          const out = Array.from(base);
          const mutations = 1 + int(3);
          for (let m = 0; m < mutations; m++) {
            const op = int(5);
            const at = int(out.length + 1);
            if (op === 0 && out.length > 0) out[at % out.length] = byte(); // replace
            else if (op === 1 && out.length > 0) out[at % out.length]! ^= 1 << int(8); // bit flip
            else if (op === 2) out.splice(at, 0, byte()); // insert
            else if (op === 3 && out.length > 0) out.splice(at % out.length, 1); // delete
            else out.length = Math.min(out.length, at); // truncate
          }
          input = Uint8Array.from(out);
        }
        let value: CborValue;
        try {
          value = decodeCbor(input);
        } catch (err) {
          if (!(err instanceof CodecError) || !CODES.has(err.code)) throw err;
          byCode.set(err.code, (byCode.get(err.code) ?? 0) + 1);
          stats.rejected++;
          continue;
        }
        stats.accepted++;
        // Accepted ⇒ canonical: the only encoding of the decoded value is the input itself.
        expect(toHex(encodeCbor(value))).toBe(toHex(input));
      }
    } catch (err) {
      console.error(`fuzz failure: seed ${SEED}, input ${toHex(input)}`);
      throw err;
    }
    expect(stats.accepted + stats.rejected).toBe(RUNS);
    // The mutations must exercise most rules, or the fuzz is not reaching the checks.
    if (RUNS >= 100_000) expect(byCode.size).toBeGreaterThanOrEqual(12);
  });
});
