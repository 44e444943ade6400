/**
 * Writes an already normalised value (see `cbor-encode.ts`) as CBOR bytes: RFC 8949 §4.2.1
 * preferred serialisation, i.e. every head in its shortest form (§4.2.1 "arguments … as short
 * as possible") and definite lengths only. Map entries are written in the order given (already
 * sorted bytewise by encoded key). Integers are safe integers, text is well-formed, so there is
 * exactly one encoding and nothing here can fail.
 * @module
 */
import { allocUninitialised } from '../bytes-alloc.js';

/** One map entry, its key's UTF-8 length precomputed (it decides the sort order too). */
export interface NormalizedEntry {
  key: string;
  /** UTF-8 of a non-ASCII key; `undefined` for ASCII keys, whose UTF-8 is the string itself. */
  utf8: Uint8Array | undefined;
  /** UTF-8 length. */
  length: number;
  value: Normalized;
}

/** A map whose entries are already in canonical order. */
export interface NormalizedMap {
  readonly entries: readonly NormalizedEntry[];
}

/** The checked value tree the writer accepts. */
export type Normalized = null | boolean | number | string | Uint8Array | Normalized[] | NormalizedMap;

const MT_UINT = 0;
const MT_NEGINT = 1;
const MT_BYTES = 2;
const MT_TEXT = 3;
const MT_ARRAY = 4;
const MT_MAP = 5;
const FALSE = 0xf4;
const TRUE = 0xf5;
const NULL = 0xf6;
const TWO_32 = 2 ** 32;

const textEncoder = new TextEncoder();

/** UTF-8 length of a well-formed string (the normaliser refused lone surrogates). */
function utf8Length(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) n += 1;
    else if (c >= 0xd800 && c <= 0xdbff) {
      n += 2; // a surrogate pair: 2 UTF-16 units, 4 UTF-8 bytes
      i++;
    } else n += 2;
  }
  return n;
}

class Writer {
  buf: Uint8Array;
  pos = 0;

  constructor(size: number) {
    // `writeCbor` sizes the buffer exactly and the writer fills every byte of it, so its initial
    // content never shows (a zeroed 512 KiB block document costs several times its copy).
    this.buf = allocUninitialised(size);
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
  }

  /** A head: major type and argument, in the shortest form (RFC 8949 §3, §4.2.1). */
  head(major: number, n: number): void {
    this.ensure(9);
    const b = this.buf;
    const m = major << 5;
    if (n < 24) {
      b[this.pos++] = m | n;
    } else if (n < 0x100) {
      b[this.pos++] = m | 24;
      b[this.pos++] = n;
    } else if (n < 0x10000) {
      b[this.pos++] = m | 25;
      b[this.pos++] = n >>> 8;
      b[this.pos++] = n & 0xff;
    } else if (n < TWO_32) {
      b[this.pos++] = m | 26;
      b[this.pos++] = n >>> 24;
      b[this.pos++] = (n >>> 16) & 0xff;
      b[this.pos++] = (n >>> 8) & 0xff;
      b[this.pos++] = n & 0xff;
    } else {
      const hi = Math.floor(n / TWO_32);
      const lo = n >>> 0;
      b[this.pos++] = m | 27;
      b[this.pos++] = hi >>> 24;
      b[this.pos++] = (hi >>> 16) & 0xff;
      b[this.pos++] = (hi >>> 8) & 0xff;
      b[this.pos++] = hi & 0xff;
      b[this.pos++] = lo >>> 24;
      b[this.pos++] = (lo >>> 16) & 0xff;
      b[this.pos++] = (lo >>> 8) & 0xff;
      b[this.pos++] = lo & 0xff;
    }
  }

  bytes(v: Uint8Array): void {
    this.ensure(v.length);
    this.buf.set(v, this.pos);
    this.pos += v.length;
  }

  /** Text whose UTF-8 length is `length` (ASCII when it equals the UTF-16 length). */
  text(s: string, length: number): void {
    this.head(MT_TEXT, length);
    this.ensure(length);
    if (length === s.length) {
      const b = this.buf;
      let p = this.pos;
      for (let i = 0; i < s.length; i++) b[p++] = s.charCodeAt(i);
      this.pos = p;
    } else {
      this.pos += textEncoder.encodeInto(s, this.buf.subarray(this.pos, this.pos + length)).written;
    }
  }

  value(v: Normalized): void {
    switch (typeof v) {
      case 'number':
        if (v >= 0) this.head(MT_UINT, v);
        else this.head(MT_NEGINT, -1 - v);
        return;
      case 'string':
        this.text(v, utf8Length(v));
        return;
      case 'boolean':
        this.ensure(1);
        this.buf[this.pos++] = v ? TRUE : FALSE;
        return;
      default:
        break;
    }
    if (v === null) {
      this.ensure(1);
      this.buf[this.pos++] = NULL;
    } else if (v instanceof Uint8Array) {
      this.head(MT_BYTES, v.length);
      this.bytes(v);
    } else if (Array.isArray(v)) {
      this.head(MT_ARRAY, v.length);
      for (const item of v) this.value(item);
    } else {
      const { entries } = v as NormalizedMap;
      this.head(MT_MAP, entries.length);
      for (const e of entries) {
        if (e.utf8 === undefined) this.text(e.key, e.length);
        else {
          this.head(MT_TEXT, e.length);
          this.bytes(e.utf8);
        }
        this.value(e.value);
      }
    }
  }
}

/** Bytes of a head with argument `n` in its shortest form (RFC 8949 §4.2.1). */
function headSize(n: number): number {
  return n < 24 ? 1 : n < 0x100 ? 2 : n < 0x10000 ? 3 : n < TWO_32 ? 5 : 9;
}

/** The exact encoded length of `v` (the writer below writes exactly this many bytes). */
function encodedSize(v: Normalized): number {
  switch (typeof v) {
    case 'number':
      return headSize(v >= 0 ? v : -1 - v);
    case 'string': {
      const n = utf8Length(v);
      return headSize(n) + n;
    }
    case 'boolean':
      return 1;
    default:
      break;
  }
  if (v === null) return 1;
  if (v instanceof Uint8Array) return headSize(v.length) + v.length;
  if (Array.isArray(v)) {
    let n = headSize(v.length);
    for (const item of v) n += encodedSize(item);
    return n;
  }
  const { entries } = v as NormalizedMap;
  let n = headSize(entries.length);
  for (const e of entries) n += headSize(e.length) + e.length + encodedSize(e.value);
  return n;
}

/**
 * The CBOR bytes of `v`, as a plain exact-length `Uint8Array` (never a view into a larger buffer).
 * The length is computed first and the buffer allocated once: a document carrying a 512 KiB
 * block is then copied once, not three times (growth, then trimming).
 */
export function writeCbor(v: Normalized): Uint8Array {
  const size = encodedSize(v);
  const w = new Writer(size);
  w.value(v);
  // Cannot differ (both follow the same shortest-form rules); if it ever did, trim rather than
  // hand out trailing zeros.
  return w.pos === size && w.buf.length === size ? w.buf : w.buf.slice(0, w.pos);
}
