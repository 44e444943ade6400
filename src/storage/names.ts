/**
 * Validation rules for namespace names, keys, values and batches, shared by every backend so that
 * all of them accept and refuse exactly the same things.
 * @module
 */
import { utf8Encode } from '../bytes.js';
import { StorageError } from '../errors.js';
import type { StorageOp } from './storage.js';

/**
 * Longest key, in UTF-8 bytes. The filesystem backend stores a key as the lowercase hex of its
 * bytes (safe on case-insensitive filesystems, no separators or dot names possible), and most
 * filesystems cap a name at 255 bytes: 120 bytes → 240 characters plus a margin.
 */
export const MAX_KEY_BYTES = 120;

/**
 * A namespace is also a directory name on disk, so it is restricted to a portable, unsurprising
 * alphabet: 1–64 of `a-z 0-9 _ -`, starting with a letter or digit. This rules out `.`/`..`,
 * separators, hidden names (`.journal`, `.tmp` are the backend's own) and case folding clashes.
 */
const NAMESPACE_RE = /^[a-z0-9][a-z0-9_-]{0,63}$/;

/** Throws `StorageError` `storage/invalid-namespace` unless `ns` follows the namespace rule. */
export function validateNamespace(ns: unknown): asserts ns is string {
  if (typeof ns !== 'string' || !NAMESPACE_RE.test(ns)) {
    throw new StorageError(
      'storage/invalid-namespace',
      'a namespace is 1-64 characters of a-z 0-9 _ -, starting with a letter or digit',
    );
  }
}

/**
 * Throws `StorageError` `storage/invalid-key` unless `key` is a non-empty, well-formed string
 * (no lone surrogates: they would not survive UTF-8, so two keys could collide on disk) of at
 * most `MAX_KEY_BYTES` UTF-8 bytes. Any character is allowed otherwise: backends encode keys.
 */
export function validateKey(key: unknown): asserts key is string {
  if (typeof key !== 'string' || key.length === 0 || !key.isWellFormed()) {
    throw new StorageError('storage/invalid-key', 'a key is a non-empty, well-formed string');
  }
  if (utf8Encode(key).length > MAX_KEY_BYTES) {
    throw new StorageError('storage/invalid-key', `a key is at most ${MAX_KEY_BYTES} UTF-8 bytes`);
  }
}

/** Throws `StorageError` `storage/invalid-key` for a prefix that is not a well-formed string. */
export function validatePrefix(prefix: unknown): asserts prefix is string | undefined {
  if (prefix === undefined) return;
  if (typeof prefix !== 'string' || !prefix.isWellFormed()) {
    throw new StorageError('storage/invalid-key', 'a prefix is a well-formed string');
  }
}

/** Throws `StorageError` `storage/invalid-value` unless `value` is a `Uint8Array`. */
export function validateValue(value: unknown): asserts value is Uint8Array {
  if (!(value instanceof Uint8Array)) {
    throw new StorageError('storage/invalid-value', 'a value is a Uint8Array');
  }
}

/**
 * Validates every op of a batch before any is applied (that is what makes a refused batch leave
 * nothing behind). Throws `storage/invalid-batch` for a malformed op, or the namespace/key/value
 * error of the first bad op.
 */
export function validateBatch(ops: unknown): asserts ops is readonly StorageOp[] {
  if (!Array.isArray(ops)) throw new StorageError('storage/invalid-batch', 'a batch is an array of ops');
  for (const op of ops as unknown[]) {
    if (typeof op !== 'object' || op === null) {
      throw new StorageError('storage/invalid-batch', 'a batch op is an object');
    }
    const o = op as { op?: unknown; ns?: unknown; key?: unknown; value?: unknown };
    if (o.op !== 'put' && o.op !== 'delete') {
      throw new StorageError('storage/invalid-batch', "a batch op is 'put' or 'delete'");
    }
    validateNamespace(o.ns);
    validateKey(o.key);
    if (o.op === 'put') validateValue(o.value);
  }
}

/**
 * Orders keys by Unicode code point, which is the bytewise order of their UTF-8 encodings. Plain
 * `<` on JS strings compares UTF-16 code units and would sort U+FFFF after U+10000: a backend
 * sorting encoded names and one sorting strings would then disagree.
 */
export function compareKeys(a: string, b: string): number {
  const ia = a[Symbol.iterator]();
  const ib = b[Symbol.iterator]();
  for (;;) {
    const x = ia.next();
    const y = ib.next();
    if (x.done || y.done) return x.done ? (y.done ? 0 : -1) : 1;
    const d = x.value.codePointAt(0)! - y.value.codePointAt(0)!;
    if (d !== 0) return d;
  }
}

/** Sorted copy of `keys`, restricted to those starting with `prefix`. */
export function selectKeys(keys: Iterable<string>, prefix: string | undefined): string[] {
  const out: string[] = [];
  for (const k of keys) if (prefix === undefined || k.startsWith(prefix)) out.push(k);
  return out.sort(compareKeys);
}
