/**
 * Deterministic CBOR encoding (RFC 8949 §4.2.1).
 *
 * The input is first checked and normalised here (only the sealsync value model, safe integers,
 * well-formed strings, text keys, bounded depth, no cycles), map keys are put in RFC 8949 §4.2.1
 * order (bytewise by their encoding, computed once per key), and the result is written by
 * `cbor-writer.ts`: shortest heads, definite lengths, nothing else to choose, so the bytes are
 * fully determined. (Writing directly replaced `cborg`'s encoder, whose token objects made
 * encoding a 100,000-child folder manifest mostly garbage collection; the differential tests
 * still compare every encoding with `cborg` in RFC 8949 mode, and the strict decoder re-checks
 * the order.)
 * @module
 */
import { compareBytes, utf8Encode } from '../bytes.js';
import { CodecError } from '../errors.js';
import { MAX_DEPTH, type CborInput } from './cbor-value.js';
import { writeCbor, type Normalized, type NormalizedEntry } from './cbor-writer.js';

type Entry = NormalizedEntry;

const ASCII = /^[\x00-\x7f]*$/;

/** RFC 8949 §4.2.1 order of two text keys: shorter UTF-8 first, then bytewise UTF-8. */
function compareEntries(a: Entry, b: Entry): number {
  if (a.length !== b.length) return a.length - b.length;
  if (a.utf8 === undefined && b.utf8 === undefined) return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
  return compareBytes(a.utf8 ?? utf8Encode(a.key), b.utf8 ?? utf8Encode(b.key));
}

function isPlainObject(v: object): v is Record<string, unknown> {
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/**
 * Walks the input once. The current field path is kept as a stack and only turned into text
 * when an error is reported (building a path string per item cost more than the encoding).
 */
class Normalizer {
  private readonly path: Array<string | number> = [];
  private readonly seen = new Set<object>();

  private where(): string {
    let s = '';
    for (const p of this.path) s += typeof p === 'number' ? `[${p}]` : `.${p}`;
    return s || '(root)';
  }

  private unencodable(what: string): CodecError {
    return new CodecError('codec/unencodable', `cannot encode ${what} at ${this.where()}`);
  }

  private child(key: string | number, item: unknown, depth: number): Normalized {
    this.path.push(key);
    const out = this.value(item, depth + 1);
    this.path.pop();
    return out;
  }

  value(v: unknown, depth: number): Normalized {
    switch (typeof v) {
      case 'boolean':
        return v;
      case 'number':
        // Only safe integers: floats have several encodings (half/single/double) and integers
        // beyond 2^53 would not survive the round trip through a JS number.
        if (!Number.isSafeInteger(v)) throw this.unencodable(`number ${v} (only safe integers)`);
        return v === 0 ? 0 : v; // -0 would otherwise be a distinct value that decodes as 0
      case 'string':
        // A lone surrogate would be silently replaced by U+FFFD: the bytes would not round-trip.
        if (!v.isWellFormed()) throw this.unencodable('a string with a lone surrogate');
        return v;
      case 'object':
        break;
      default:
        throw this.unencodable(typeof v);
    }
    if (v === null) return null;
    if (v instanceof Uint8Array) {
      // Buffer and other subclasses become a plain view: the writer only needs the bytes.
      return v.constructor === Uint8Array ? v : new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
    }
    if (ArrayBuffer.isView(v)) throw this.unencodable('a typed array other than Uint8Array');
    if (depth >= MAX_DEPTH) {
      throw new CodecError('codec/too-deep', `nesting deeper than ${MAX_DEPTH} at ${this.where()}`);
    }
    if (this.seen.has(v)) throw this.unencodable('a cyclic structure');
    this.seen.add(v);
    let out: Normalized;
    if (Array.isArray(v)) {
      const arr = new Array<Normalized>(v.length);
      for (let i = 0; i < v.length; i++) {
        const item: unknown = v[i];
        if (item === undefined) {
          this.path.push(i);
          throw this.unencodable('undefined');
        }
        arr[i] = this.child(i, item, depth);
      }
      out = arr;
    } else {
      out = this.map(v, depth);
    }
    this.seen.delete(v);
    return out;
  }

  private map(v: object, depth: number): { entries: Entry[] } {
    const entries: Entry[] = [];
    const add = (k: unknown, item: unknown, skipUndefined: boolean): void => {
      if (typeof k !== 'string') throw this.unencodable(`a map key of type ${typeof k} (only text keys)`);
      if (!k.isWellFormed()) throw this.unencodable('a map key with a lone surrogate');
      if (item === undefined) {
        if (skipUndefined) return; // absent optional field of a plain object
        this.path.push(k);
        throw this.unencodable('undefined');
      }
      // Most keys are ASCII: their UTF-8 is the string itself, and TextEncoder per key was the
      // single largest cost of encoding a big folder manifest.
      const utf8 = ASCII.test(k) ? undefined : utf8Encode(k);
      entries.push({ key: k, utf8, length: utf8 ? utf8.length : k.length, value: this.child(k, item, depth) });
    };
    if (v instanceof Map) {
      for (const [k, item] of v as Map<unknown, unknown>) add(k, item, false);
    } else {
      if (!isPlainObject(v)) throw this.unencodable(`an object of class ${v.constructor?.name ?? '?'}`);
      for (const k of Object.keys(v)) add(k, v[k], true);
    }
    // Bytewise order of the encoded keys: the length head comes first and is monotonic in the
    // UTF-8 length, so that is shorter first, then UTF-8 bytes (not UTF-16 code units).
    entries.sort(compareEntries);
    return { entries };
  }
}

/**
 * Encodes `value` as deterministic CBOR: the same value always gives the same bytes, which is
 * what signatures are computed over.
 *
 * Throws `CodecError` `codec/unencodable` for anything outside the value model (floats,
 * unsafe integers, `undefined` in arrays or maps, non-text map keys, other typed arrays, class
 * instances, functions, cycles, lone surrogates) and `codec/too-deep` beyond `MAX_DEPTH`.
 */
export function encodeCbor(value: CborInput): Uint8Array {
  return writeCbor(new Normalizer().value(value, 0));
}
