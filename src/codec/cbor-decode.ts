/**
 * Strict decoding of sealsync's deterministic CBOR subset (RFC 8949 §4.2.1, the encoding rules).
 *
 * A single hand-written pass over the bytes checks every rule and builds the value at the same
 * time. A general CBOR decoder (such as `cborg`'s) is deliberately not used: signatures are over
 * the bytes, so any input that a lenient decoder accepts but that is not the unique canonical
 * encoding of its value would let two different byte strings mean the same document (or let a
 * document smuggle data — duplicate keys, tags, floats — that different readers interpret
 * differently).
 *
 * Recursion is bounded by `MAX_DEPTH`; every length is checked against the bytes that remain
 * before anything is allocated, and every value is charged against a memory budget proportional
 * to the input (`decode-budget.ts`), so hostile input can neither blow the stack nor the heap.
 * @module
 */
import { ArgumentError, CodecError } from '../errors.js';
import { utf8Decode } from '../bytes.js';
import { DEFAULT_MAX_SIZE, MAX_DEPTH, type CborMap, type CborValue } from './cbor-value.js';
import { arrayCost, DECODE_BUDGET_BASE, DECODE_BUDGET_FACTOR, DecodeBudget, mapCost, textCost } from './decode-budget.js';

/** Options of `decodeCbor`. */
export interface DecodeOptions {
  /** Largest accepted input in bytes; default `DEFAULT_MAX_SIZE` (16 MiB). */
  maxSize?: number;
  /**
   * Most bytes of memory the decoded value may hold per input byte (plus `DECODE_BUDGET_BASE`);
   * default `DECODE_BUDGET_FACTOR` (8). Raise it only for trusted input with unusual shapes.
   */
  budgetFactor?: number;
  /**
   * Byte strings of at least `BORROW_MIN_BYTES` are views into `bytes` instead of copies (smaller
   * ones are always copied). Only for a caller that owns `bytes` (nobody else holds it, e.g. a
   * fresh copy from a `Storage` or a request body handed over to the server) and never modifies it
   * while the decoded value lives: a decoded 512 KiB block is then not copied a second time.
   * The memory budget is charged as for a copy. Default `false`: nothing aliases the input.
   */
  borrow?: boolean;
}

/** Stands for an 8-byte argument beyond 2^53 − 1: no length or safe integer can be that big. */
const HUGE = Number.POSITIVE_INFINITY;

function fail(code: string, message: string, offset: number): never {
  throw new CodecError(`codec/${code}`, `${message} (at byte ${offset})`);
}

class Reader {
  pos = 0;
  constructor(
    readonly bytes: Uint8Array,
    readonly budget: DecodeBudget,
  ) {}

  need(n: number, at: number): void {
    if (n > this.bytes.length - this.pos) fail('truncated', 'input ends inside an item', at);
  }

  /**
   * Reads the argument of a head whose additional info is `ai` (< 28), enforcing the shortest
   * form required by RFC 8949 §4.2.1 ("preferred serialization" of integers and lengths).
   */
  argument(ai: number, at: number): number {
    const b = this.bytes;
    if (ai < 24) return ai;
    let value: number;
    let min: number;
    switch (ai) {
      case 24:
        this.need(1, at);
        value = b[this.pos]!;
        this.pos += 1;
        min = 24;
        break;
      case 25:
        this.need(2, at);
        value = (b[this.pos]! << 8) | b[this.pos + 1]!;
        this.pos += 2;
        min = 0x100;
        break;
      case 26:
        this.need(4, at);
        value = b[this.pos]! * 0x1000000 + ((b[this.pos + 1]! << 16) | (b[this.pos + 2]! << 8) | b[this.pos + 3]!);
        this.pos += 4;
        min = 0x10000;
        break;
      default: {
        // ai === 27
        this.need(8, at);
        const hi = b[this.pos]! * 0x1000000 + ((b[this.pos + 1]! << 16) | (b[this.pos + 2]! << 8) | b[this.pos + 3]!);
        const lo = b[this.pos + 4]! * 0x1000000 + ((b[this.pos + 5]! << 16) | (b[this.pos + 6]! << 8) | b[this.pos + 7]!);
        this.pos += 8;
        value = hi >= 0x200000 ? HUGE : hi * 0x100000000 + lo;
        min = 0x100000000;
      }
    }
    if (value < min) fail('non-canonical-integer', 'integer or length not in its shortest form', at);
    return value;
  }
}

/**
 * Short ASCII text (most map keys) is built directly: a TextDecoder call per key dominated the
 * decoding of large folder manifests. Anything else goes through the strict UTF-8 decoder.
 */
function decodeText(b: Uint8Array, start: number, length: number): string {
  if (length === 0) return '';
  if (length <= 32) {
    const end = start + length;
    let i = start;
    while (i < end && b[i]! < 0x80) i++;
    // One flat string in one call (`s += c` per char would build a rope of cons strings, each
    // retained by the map key: measured 2× the memory of a flat key).
    if (i === end) return String.fromCharCode.apply(null, b.subarray(start, end) as unknown as number[]);
  }
  return utf8Decode(b.subarray(start, start + length));
}

function decodeItem(r: Reader, depth: number): CborValue {
  const b = r.bytes;
  const at = r.pos;
  r.need(1, at);
  const ib = b[r.pos]!;
  r.pos += 1;
  const major = ib >> 5;
  const ai = ib & 0x1f;

  if (major === 7) {
    switch (ai) {
      case 20:
        return false;
      case 21:
        return true;
      case 22:
        return null;
      case 25:
      case 26:
      case 27:
        // Floats have several encodings of one value and NaN payloads; documents carry none.
        return fail('float', 'floating-point numbers are not allowed', at);
      case 28:
      case 29:
      case 30:
        return fail('malformed', `reserved additional information ${ai}`, at);
      case 31:
        return fail('malformed', 'unexpected "break" outside an indefinite-length item', at);
      default:
        // 0..19, 23 (undefined) and 24 (one-byte simple values).
        return fail('simple-value', 'only false, true and null are allowed among simple values', at);
    }
  }
  if (ai >= 28 && ai <= 30) fail('malformed', `reserved additional information ${ai}`, at);
  if (ai === 31) {
    if (major >= 2 && major <= 5) fail('indefinite-length', 'indefinite-length items are not allowed', at);
    fail('malformed', `additional information 31 is invalid for major type ${major}`, at);
  }
  // Tags would give one value several encodings and readers divergent interpretations.
  if (major === 6) fail('tag', 'tags are not allowed', at);

  const arg = r.argument(ai, at);
  switch (major) {
    case 0:
      if (arg > Number.MAX_SAFE_INTEGER) fail('integer-out-of-range', 'integer beyond 2^53 - 1', at);
      return arg;
    case 1:
      // The value is -1 - arg; it must stay >= -(2^53 - 1).
      if (arg > Number.MAX_SAFE_INTEGER - 1) fail('integer-out-of-range', 'integer below -(2^53 - 1)', at);
      return -1 - arg;
    case 2: {
      r.need(arg, at);
      // Never aliases the caller's buffer (Buffer#slice would) unless the caller lent it (`borrow`).
      const out = r.budget.bytes(b, r.pos, arg, b.length - r.pos, at);
      r.pos += arg;
      return out;
    }
    case 3: {
      r.need(arg, at);
      const s = decodeText(b, r.pos, arg);
      r.pos += arg;
      // Charged once built: a string holds at most twice its encoding.
      r.budget.charge(textCost(s.length, s.length === arg), at);
      return s;
    }
    case 4: {
      if (depth >= MAX_DEPTH) fail('too-deep', `nesting deeper than ${MAX_DEPTH}`, at);
      // Every item takes at least one byte: a count beyond what remains is truncated input, and
      // checking before allocating stops a 9-byte header from asking for a 2^53-slot array.
      r.need(arg, at);
      r.budget.charge(arrayCost(arg), at);
      const out = new Array<CborValue>(arg);
      for (let i = 0; i < arg; i++) out[i] = decodeItem(r, depth + 1);
      return out;
    }
    default: {
      // major 5: map
      if (depth >= MAX_DEPTH) fail('too-deep', `nesting deeper than ${MAX_DEPTH}`, at);
      r.need(arg * 2, at);
      r.budget.charge(mapCost(arg), at);
      const out: CborMap = new Map();
      // The previous key's encoding as a range of `b` (no view allocated per key).
      let prevStart = -1;
      let prevEnd = -1;
      for (let i = 0; i < arg; i++) {
        const keyAt = r.pos;
        r.need(1, keyAt);
        if (b[keyAt]! >> 5 !== 3) fail('invalid-key-type', 'map keys must be text strings', keyAt);
        const key = decodeKey(r, keyAt);
        // The key's raw bytes are canonical at this point (checked by decodeItem), so comparing
        // them is comparing the deterministic encodings, as RFC 8949 §4.2.1 orders keys.
        // Duplicates first: readers that keep the first vs the last value would disagree.
        if (out.has(key)) fail('duplicate-key', `duplicate map key ${JSON.stringify(key)}`, keyAt);
        if (prevStart >= 0 && compareRanges(b, prevStart, prevEnd, keyAt, r.pos) >= 0) {
          fail('unsorted-keys', 'map keys are not in bytewise order of their encodings', keyAt);
        }
        prevStart = keyAt;
        prevEnd = r.pos;
        out.set(key, decodeItem(r, depth + 1));
      }
      return out;
    }
  }
}

/** `compareBytes` of `b[as, ae)` and `b[bs, be)`: bytewise, then the shorter first. */
function compareRanges(b: Uint8Array, as: number, ae: number, bs: number, be: number): number {
  const n = Math.min(ae - as, be - bs);
  for (let i = 0; i < n; i++) {
    const d = b[as + i]! - b[bs + i]!;
    if (d !== 0) return d;
  }
  return ae - as - (be - bs);
}

/** A map key (the caller checked major type 3): strict like any text, interned per decode. */
function decodeKey(r: Reader, at: number): string {
  const ai = r.bytes[at]! & 0x1f;
  r.pos += 1;
  if (ai >= 28) fail(ai === 31 ? 'indefinite-length' : 'malformed', ai === 31 ? 'indefinite-length items are not allowed' : `reserved additional information ${ai}`, at);
  const n = r.argument(ai, at);
  r.need(n, at);
  const s = decodeText(r.bytes, r.pos, n);
  r.pos += n;
  return r.budget.key(s, s.length === n, n, at);
}

/**
 * Decodes exactly one deterministic CBOR item filling all of `bytes`.
 *
 * Throws `CodecError` and nothing else, whatever the input, with code `codec/<reason>`:
 * `too-large` (input over `maxSize`), `truncated`, `trailing-bytes`, `malformed` (reserved or
 * invalid additional info), `indefinite-length`, `tag`, `float`, `simple-value`,
 * `non-canonical-integer`, `integer-out-of-range`, `invalid-utf8`, `invalid-key-type`,
 * `duplicate-key`, `unsorted-keys`, `too-deep`, `budget-exceeded` (the value would hold more
 * than `budgetFactor × input + DECODE_BUDGET_BASE` bytes of memory), `invalid-input` (not a
 * `Uint8Array`). An invalid `maxSize` or `budgetFactor` option is an `ArgumentError`.
 * @example
 * decodeCbor(bytes, { maxSize: 64 * 1024 }); // a small document: refuse anything larger
 */
export function decodeCbor(bytes: Uint8Array, options?: DecodeOptions): CborValue {
  return decodeCborCharged(bytes, options).value;
}

/**
 * `decodeCbor`, also returning the bytes of memory the budget charged for the value (internal:
 * the heap tests compare it with what V8 actually holds).
 */
export function decodeCborCharged(bytes: Uint8Array, options?: DecodeOptions): { value: CborValue; charged: number } {
  const maxSize = options?.maxSize ?? DEFAULT_MAX_SIZE;
  if (!Number.isSafeInteger(maxSize) || maxSize < 0) {
    throw new ArgumentError('argument/out-of-range', `maxSize must be a non-negative integer, got ${maxSize}`);
  }
  const factor = options?.budgetFactor ?? DECODE_BUDGET_FACTOR;
  if (typeof factor !== 'number' || !(factor >= 1)) {
    throw new ArgumentError('argument/out-of-range', `budgetFactor must be at least 1, got ${factor}`);
  }
  if (!(bytes instanceof Uint8Array)) throw new CodecError('codec/invalid-input', 'expected a Uint8Array');
  if (bytes.length > maxSize) {
    throw new CodecError('codec/too-large', `document of ${bytes.length} bytes exceeds the limit of ${maxSize}`);
  }
  const budget = new DecodeBudget(factor * bytes.length + DECODE_BUDGET_BASE, options?.borrow === true);
  const r = new Reader(bytes, budget);
  let value: CborValue;
  try {
    value = decodeItem(r, 0);
  } catch (err) {
    if (err instanceof CodecError) throw err;
    // Defence in depth: the scanner is written so that this cannot happen; if it ever does, the
    // caller still gets the promised error type (tests treat `codec/internal` as a bug).
    throw new CodecError('codec/internal', 'internal decoder error', { cause: err });
  }
  if (r.pos !== bytes.length) fail('trailing-bytes', `${bytes.length - r.pos} bytes after the item`, r.pos);
  return { value, charged: budget.charged };
}
