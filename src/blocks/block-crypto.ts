/**
 * Encryption of one block and the integrity checks on reading it back (the block format).
 *
 * key = HKDF(realm key[k], "block", block id) — one key per block, so no key encrypts more than one
 * message and random 96-bit nonces are never a concern. AAD = realm id ‖ block id ‖ u32be(k): the
 * ciphertext only opens under the id it was written for, so a server that answers a fetch with
 * another block (of this file, of another file, of another realm) fails authentication.
 * @module
 */
import { equalBytes, u32be } from '../bytes.js';
import type { BlockId, RealmId } from '../codec/ids.js';
import { idToBytes, newId } from '../codec/ids.js';
import { IntegrityError } from '../errors.js';
import type { BlockRef } from '../manifests/types.js';
import { deriveKey, sha256 } from '../keys/index.js';
import type { SecretKey } from '../keys/index.js';
import { AEAD_OVERHEAD, checkKeyIndex } from './constants.js';

/** What binds a block to its realm and key: the realm id, the realm key and its index. */
export interface BlockKeyOptions {
  readonly realmId: RealmId;
  readonly realmKey: SecretKey;
  /** Index of `realmKey` in the realm's key list (1, 2, …). */
  readonly keyIndex: number;
}

/** An encrypted block, ready to upload. */
export interface EncryptedBlock {
  readonly id: BlockId;
  /** `nonce(12) ‖ ct ‖ tag(16)`. */
  readonly ciphertext: Uint8Array;
  /** SHA-256 of the plaintext. */
  readonly digest: Uint8Array;
  /** Plaintext length. */
  readonly size: number;
}

/** AAD of a block: realm id (16) ‖ block id (16) ‖ u32be(key index) (4). */
export function blockAad(realmId: RealmId, blockId: BlockId, keyIndex: number): Uint8Array {
  const aad = new Uint8Array(36);
  aad.set(idToBytes(realmId), 0);
  aad.set(idToBytes(blockId), 16);
  aad.set(u32be(keyIndex), 32);
  return aad;
}

/** The per-block key `HKDF(realm key, "block", block id)`. */
export function blockKey(realmKey: SecretKey, blockId: BlockId): Promise<SecretKey> {
  return deriveKey(realmKey, 'block', idToBytes(blockId));
}

/**
 * Encrypts one block under a fresh random id (or `blockId`, for re-encryption). Hashing and
 * encryption run concurrently (both are asynchronous WebCrypto jobs on separate threads).
 * Throws `ArgumentError` for a bad key index or id; crypto failures propagate as `CryptoError`.
 */
export async function encryptBlock(
  plaintext: Uint8Array,
  opts: BlockKeyOptions,
  blockId: BlockId = newId<BlockId>(),
  /** `blockKey(opts.realmKey, blockId)` if already being derived (lets an encoder derive ahead). */
  key?: Promise<SecretKey>,
): Promise<EncryptedBlock> {
  checkKeyIndex(opts.keyIndex);
  const aad = blockAad(opts.realmId, blockId, opts.keyIndex);
  const [digest, ciphertext] = await Promise.all([
    sha256(plaintext),
    (key ?? blockKey(opts.realmKey, blockId)).then((k) => k.encrypt(plaintext, aad)),
  ]);
  return { id: blockId, ciphertext, digest, size: plaintext.length };
}

/**
 * Decrypts the ciphertext fetched for `ref` and checks it against `ref`; returns the plaintext only
 * if every check passes. Throws `IntegrityError`:
 * - `integrity/block-missing`: nothing (not a `Uint8Array`) was fetched;
 * - `integrity/block-size`: the ciphertext length does not match `ref.size` (checked before
 *   decrypting, which is equivalent to checking the plaintext size after it since AES-GCM adds a
 *   fixed 28 bytes, and refuses a truncated or padded blob without spending an AEAD pass on it);
 * - `integrity/block-decrypt`: AEAD authentication failed (substituted, swapped or altered block,
 *   wrong realm, key or key index);
 * - `integrity/block-digest`: SHA-256 of the plaintext differs from the signed manifest's digest —
 *   what stops a realm member, who holds the key, from rewriting a block under its existing id.
 */
export async function decryptBlock(
  ref: BlockRef,
  ciphertext: Uint8Array | null | undefined,
  opts: BlockKeyOptions,
  /** The block key if already being derived (lets a reader overlap HKDF with the fetch). */
  key?: Promise<SecretKey>,
): Promise<Uint8Array> {
  checkKeyIndex(opts.keyIndex);
  if (!(ciphertext instanceof Uint8Array)) {
    throw new IntegrityError('integrity/block-missing', `block ${ref.id} was not found in storage`);
  }
  if (ciphertext.length !== ref.size + AEAD_OVERHEAD) {
    throw new IntegrityError(
      'integrity/block-size',
      `block ${ref.id} is ${ciphertext.length - AEAD_OVERHEAD} bytes, the manifest says ${ref.size}`,
    );
  }
  const aad = blockAad(opts.realmId, ref.id, opts.keyIndex);
  let plaintext: Uint8Array;
  try {
    plaintext = await (await (key ?? blockKey(opts.realmKey, ref.id))).decrypt(ciphertext, aad);
  } catch (e) {
    throw new IntegrityError('integrity/block-decrypt', `block ${ref.id} failed to decrypt`, { cause: e });
  }
  const digest = await sha256(plaintext);
  if (!equalBytes(digest, ref.digest)) {
    throw new IntegrityError('integrity/block-digest', `block ${ref.id} does not match its SHA-256 digest`);
  }
  return plaintext;
}
