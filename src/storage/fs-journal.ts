/**
 * The write-ahead journal of the filesystem backend: the serialized ops of one batch.
 *
 * Layout: `"SSJ1" ‖ u32 count ‖ op* ‖ SHA-256(everything before)`, each op being
 * `u8 kind (1 put, 2 delete) ‖ u8 len ‖ utf8(ns) ‖ u8 len ‖ utf8(key) ‖ [u32 len ‖ value]`.
 * The journal only becomes visible by an atomic rename once complete and fsynced, so a torn
 * journal cannot normally be seen; the digest still catches a disk that corrupts data, because
 * replaying a damaged journal would write damaged values over good ones.
 * @module
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { concatBytes, equalBytes, u32be, utf8Decode, utf8Encode } from '../bytes.js';
import { SealsyncError, StorageError } from '../errors.js';
import { validateBatch } from './names.js';
import type { StorageOp } from './storage.js';

const MAGIC = utf8Encode('SSJ1');
const PUT = 1;
const DELETE = 2;

/** Serializes validated ops (see `validateBatch`) into journal bytes. */
export function encodeJournal(ops: readonly StorageOp[]): Uint8Array {
  const parts: Uint8Array[] = [MAGIC, u32be(ops.length)];
  for (const op of ops) {
    const ns = utf8Encode(op.ns);
    const key = utf8Encode(op.key);
    parts.push(Uint8Array.of(op.op === 'put' ? PUT : DELETE, ns.length), ns, Uint8Array.of(key.length), key);
    if (op.op === 'put') parts.push(u32be(op.value.length), op.value);
  }
  const body = concatBytes(...parts);
  return concatBytes(body, sha256(body));
}

/**
 * Parses journal bytes back into ops. Anything malformed (bad magic, digest, lengths, names that
 * break the namespace/key rules, trailing bytes) is `StorageError` `storage/corrupt`.
 */
export function decodeJournal(bytes: Uint8Array): StorageOp[] {
  const corrupt = (why: string, cause?: unknown): StorageError =>
    new StorageError('storage/corrupt', `batch journal is corrupt: ${why}`, { cause });
  if (bytes.length < MAGIC.length + 4 + 32) throw corrupt('too short');
  const body = bytes.subarray(0, bytes.length - 32);
  if (!equalBytes(sha256(body), bytes.subarray(bytes.length - 32))) throw corrupt('digest mismatch');
  if (!equalBytes(body.subarray(0, 4), MAGIC)) throw corrupt('bad magic');
  const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
  let off = 4;
  const take = (n: number): Uint8Array => {
    if (off + n > body.length) throw corrupt('truncated');
    const out = body.subarray(off, off + n);
    off += n;
    return out;
  };
  const u8 = (): number => take(1)[0]!;
  const u32 = (): number => {
    take(4);
    return view.getUint32(off - 4);
  };
  const count = u32();
  const ops: StorageOp[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const kind = u8();
      if (kind !== PUT && kind !== DELETE) throw corrupt(`unknown op kind ${kind}`);
      const ns = utf8Decode(take(u8()));
      const key = utf8Decode(take(u8()));
      if (kind === PUT) ops.push({ op: 'put', ns, key, value: take(u32()).slice() });
      else ops.push({ op: 'delete', ns, key });
    }
    if (off !== body.length) throw corrupt('trailing bytes');
    validateBatch(ops);
  } catch (e) {
    if (e instanceof StorageError && e.code === 'storage/corrupt') throw e;
    throw corrupt(e instanceof SealsyncError ? e.code : 'malformed', e);
  }
  return ops;
}
