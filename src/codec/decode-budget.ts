/**
 * The decoder's memory budget (issue 19). A strict decoder that only bounds the input size still
 * lets one input byte become a `Map` (~184 bytes of V8 heap) or a `Uint8Array` (~180 bytes): an
 * array of 16 Mi empty maps is 3 GiB of heap. So the decoder charges every value it builds, BEFORE
 * building it, against `factor × input length + DECODE_BUDGET_BASE` and refuses beyond
 * (`codec/budget-exceeded`): whatever the shape, what a decode holds stays under that bound.
 *
 * The costs are estimates of the retained V8 heap on a 64-bit build, measured on Node 20
 * (`test/codec/decode-budget.test.ts` checks, by measurement, that they are not below reality):
 * - an array: 32 bytes, plus a 16-byte backing store header and an 8-byte slot per element;
 * - a map: V8's `OrderedHashMap` grows by doubling from 4 entries; measured 184 B up to 4 entries,
 *   296 B up to 8, 520 B up to 16, 968 B up to 32: `72 + 28 × capacity`, charged with a 24 B
 *   margin (a loaded machine measured 3% above the bare figure for small maps);
 * - a text string: a header plus its characters (two bytes per char when not Latin-1); repeated
 *   map keys are interned per decode and cost nothing after the first;
 * - a byte string: small ones (≤ `SMALL_BYTES`) are views into 4 KiB chunks the decoder owns
 *   (a view is ~102 B; a separate copy would be ~180 B of heap for 16 bytes, 11× its encoding);
 *   larger ones are their own copy (measured ~224 B of heap plus the bytes).
 * @module
 */
import { CodecError } from '../errors.js';

/**
 * Default `budgetFactor`: a decode may hold at most 12 bytes of heap per input byte (plus the
 * base). Honest dense documents need up to ~10×: a `vlob_poll_changes` reply is a list of
 * `{vlobId, version}` maps of ~35 encoded bytes, each a 2-entry map (~200 B) and a 16-byte id
 * view (~128 B) once decoded. Hostile shapes reach ~190× without a budget.
 */
export const DECODE_BUDGET_FACTOR = 12;
/** Budget every decode has whatever its size, so tiny documents (one map = 184 B) always fit. */
export const DECODE_BUDGET_BASE = 16 * 1024;

const SLOT = 8;
const ARRAY_HEADER = 48;
const STRING_HEADER = 24;
const VIEW = 112;
const OWN_COPY = 232;
/** Byte strings up to this length are views into a shared chunk (ids, digests, keys, nonces). */
export const SMALL_BYTES = 64;
const CHUNK = 4096;
const EMPTY_BYTES = new Uint8Array(0);
/**
 * With `DecodeOptions.borrow`, byte strings from this length on are views into the input. Below,
 * a copy costs little, and a small view (an id, a key kept in a cache) would pin the whole input.
 */
export const BORROW_MIN_BYTES = 4096;
/** Distinct keys interned per decode (beyond, keys are still decoded, just not shared). */
const MAX_INTERNED = 256;

export function arrayCost(n: number): number {
  return ARRAY_HEADER + SLOT * n;
}

export function mapCost(n: number): number {
  let capacity = 4;
  while (capacity < n) capacity *= 2;
  return 96 + 28 * capacity;
}

/** Cost of a string of `n` UTF-8 bytes: ASCII is one byte a char, anything else at most two. */
export function textCost(n: number, ascii: boolean): number {
  return STRING_HEADER + (ascii ? n : 2 * n);
}

/** Charges values against the budget and owns the chunks small byte strings are views into. */
export class DecodeBudget {
  private spent = 0;
  private chunk: Uint8Array = new Uint8Array(0);
  private used = 0;
  private readonly keys = new Map<string, string>();

  constructor(
    private readonly limit: number,
    /** Large byte strings may be views into the input (see `DecodeOptions.borrow`). */
    private readonly borrow = false,
  ) {}

  /** Adds `n` to what this decode holds; throws `codec/budget-exceeded` past the limit. */
  charge(n: number, at: number): void {
    this.spent += n;
    if (this.spent > this.limit) {
      throw new CodecError(
        'codec/budget-exceeded',
        `decoding would hold more than ${this.limit} bytes of memory for this input (at byte ${at})`,
      );
    }
  }

  /** What was charged so far (tests compare it with measured heap). */
  get charged(): number {
    return this.spent;
  }

  /**
   * A copy of `src[start, start+n)` that does not alias the caller's buffer: a view into a chunk
   * (small) or its own array (large); with `borrow`, a large one is a view into `src` itself.
   * `remaining` (input bytes left, this string included) caps a fresh chunk so that a short input
   * never pays for a full 4 KiB chunk.
   */
  bytes(src: Uint8Array, start: number, n: number, remaining: number, at: number): Uint8Array {
    // One shared empty array: it has no element to alias or mutate, and an array of empty byte
    // strings (one per input byte) is an amplification shape.
    if (n === 0) return EMPTY_BYTES;
    if (n > SMALL_BYTES) {
      this.charge(OWN_COPY + n, at);
      return this.borrow && n >= BORROW_MIN_BYTES ? src.subarray(start, start + n) : src.slice(start, start + n);
    }
    this.charge(VIEW + n, at);
    if (this.chunk.length - this.used < n) {
      const size = Math.min(CHUNK, remaining);
      this.charge(OWN_COPY, at);
      this.chunk = new Uint8Array(size);
      this.used = 0;
    }
    const out = this.chunk.subarray(this.used, this.used + n);
    out.set(src.subarray(start, start + n));
    this.used += n;
    return out;
  }

  /** The interned copy of map key `s` (first one seen), charging only a first occurrence. */
  key(s: string, ascii: boolean, encodedLength: number, at: number): string {
    const hit = this.keys.get(s);
    if (hit !== undefined) return hit;
    this.charge(textCost(encodedLength, ascii), at);
    if (this.keys.size < MAX_INTERNED) this.keys.set(s, s);
    return s;
  }
}
