/**
 * Byte helpers shared by every module. Kept dependency-free and small on purpose.
 * @module
 */
import { ArgumentError, CodecError } from './errors.js';

const textEncoder = new TextEncoder();
/** Strings up to this length take `utf8Encode`'s ASCII loop (see there). */
const SHORT_ASCII = 128;
// `fatal: true` so that invalid UTF-8 from the wire is an error, not silently U+FFFD.
const textDecoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** UTF-8 encoding of `s` (lone surrogates become U+FFFD, as `TextEncoder` does; it never throws). */
export function utf8Encode(s: string): Uint8Array {
  // Short ASCII strings (namespaces, keys, labels: several per storage call) are copied char by
  // char: `TextEncoder.encode` costs ~1 µs of call overhead each, 3–4× this loop.
  if (s.length <= SHORT_ASCII) {
    const out = new Uint8Array(s.length);
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) return textEncoder.encode(s);
      out[i] = c;
    }
    return out;
  }
  return textEncoder.encode(s);
}

/** Strict UTF-8 decode: invalid sequences throw `CodecError` (`codec/invalid-utf8`). */
export function utf8Decode(b: Uint8Array): string {
  try {
    return textDecoder.decode(b);
  } catch (cause) {
    throw new CodecError('codec/invalid-utf8', 'invalid UTF-8 sequence', { cause });
  }
}

/** A new array holding `parts` one after the other; the inputs are not modified. */
export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  let len = 0;
  for (const p of parts) len += p.length;
  const out = new Uint8Array(len);
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

/** Plain equality, for public data only (ids, digests of public data). */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Equality whose running time depends only on the lengths, for secrets and MACs: an early exit
 * would tell an attacker how many leading bytes of a guess were right.
 */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

/** Bytewise lexicographic comparison (the RFC 8949 §4.2.1 key order). */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = a[i]! - b[i]!;
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** Lowercase hex of `b`, two characters per byte (the spelling `parseId` and `fromHex` accept). */
export function toHex(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i++) s += HEX[b[i]!];
  return s;
}

/** Lowercase or uppercase hex → bytes; anything else is a `CodecError` (`codec/invalid-hex`). */
export function fromHex(hex: string): Uint8Array {
  if (typeof hex !== 'string' || hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) {
    throw new CodecError('codec/invalid-hex', 'expected an even-length hex string');
  }
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** Big-endian unsigned 32-bit encoding, used to bind integers (key index, version) into AAD. */
export function u32be(n: number): Uint8Array {
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) {
    throw new ArgumentError('argument/out-of-range', `not a uint32: ${n}`);
  }
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, n);
  return out;
}

/** Big-endian unsigned 64-bit encoding of a safe integer. */
export function u64be(n: number): Uint8Array {
  if (!Number.isSafeInteger(n) || n < 0) {
    throw new ArgumentError('argument/out-of-range', `not a safe uint64: ${n}`);
  }
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, BigInt(n));
  return out;
}

const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** base64url without padding (RFC 4648 §5). */
export function toBase64Url(b: Uint8Array): string {
  let s = '';
  let i = 0;
  for (; i + 2 < b.length; i += 3) {
    const n = (b[i]! << 16) | (b[i + 1]! << 8) | b[i + 2]!;
    s += B64URL[n >> 18]! + B64URL[(n >> 12) & 63]! + B64URL[(n >> 6) & 63]! + B64URL[n & 63]!;
  }
  const rest = b.length - i;
  if (rest === 1) {
    const n = b[i]! << 16;
    s += B64URL[n >> 18]! + B64URL[(n >> 12) & 63]!;
  } else if (rest === 2) {
    const n = (b[i]! << 16) | (b[i + 1]! << 8);
    s += B64URL[n >> 18]! + B64URL[(n >> 12) & 63]! + B64URL[(n >> 6) & 63]!;
  }
  return s;
}

/**
 * Strict base64url decode: no padding, no whitespace, and the unused low bits of the last
 * character must be zero (otherwise several strings would decode to the same bytes).
 */
export function fromBase64Url(s: string): Uint8Array {
  if (typeof s !== 'string' || s.length % 4 === 1 || !/^[A-Za-z0-9_-]*$/.test(s)) {
    throw new CodecError('codec/invalid-base64', 'expected unpadded base64url');
  }
  const out = new Uint8Array(Math.floor((s.length * 3) / 4));
  let bits = 0;
  let acc = 0;
  let o = 0;
  for (const ch of s) {
    acc = (acc << 6) | B64URL.indexOf(ch);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >> bits) & 0xff;
    }
  }
  if ((acc & ((1 << bits) - 1)) !== 0) {
    throw new CodecError('codec/invalid-base64', 'non-canonical base64url (trailing bits set)');
  }
  return out;
}
