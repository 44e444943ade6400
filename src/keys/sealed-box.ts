/**
 * Sealed box (crypto suite v1): anonymous public-key encryption to an X25519 key.
 * ephemeral X25519 → HKDF-SHA256(salt = eph_pk ‖ recipient_pk, info = "sealsync/1/sealed-box")
 * → AES-256-GCM. Output: `eph_pk(32) ‖ nonce(12) ‖ ct ‖ tag(16)`.
 * Binding both public keys into the salt ties the key to this exact pair (no key reuse across
 * recipients, and an ephemeral key cannot be swapped for an equivalent encoding).
 * @module
 */
import { concatBytes, utf8Encode } from '../bytes.js';
import { assertBytes, cryptoError } from './errors.js';
import { hkdfSha256 } from './hash.js';
import { SECRET_BOX_OVERHEAD, SecretKey } from './secret-key.js';
import { PrivateKey, PublicKey } from './x25519.js';

const SEALED_BOX_INFO = utf8Encode('sealsync/1/sealed-box');
/** Bytes a sealed box adds to the plaintext: eph_pk(32) + nonce(12) + tag(16). */
export const SEALED_BOX_OVERHEAD = 32 + SECRET_BOX_OVERHEAD;

/** The box key; wipes `shared` and the HKDF output once the key object holds its own copy. */
async function boxKey(shared: Uint8Array, ephPk: Uint8Array, recipientPk: Uint8Array): Promise<SecretKey> {
  try {
    const okm = await hkdfSha256(shared, concatBytes(ephPk, recipientPk), SEALED_BOX_INFO, 32);
    const key = SecretKey.fromBytes(okm);
    okm.fill(0);
    return key;
  } finally {
    shared.fill(0);
  }
}

/** Encrypts `plaintext` so that only the holder of `recipient`'s private key can read it. */
export async function sealBox(recipient: PublicKey, plaintext: Uint8Array, aad: Uint8Array = new Uint8Array(0)): Promise<Uint8Array> {
  if (!(recipient instanceof PublicKey)) throw cryptoError('crypto/invalid-input', 'recipient must be a PublicKey');
  assertBytes(plaintext, 'plaintext');
  assertBytes(aad, 'aad');
  const eph = PrivateKey.generate();
  const ephPk = eph.publicKey.toBytes();
  try {
    const key = await boxKey(await eph.agree(recipient), ephPk, recipient.toBytes());
    try {
      return concatBytes(ephPk, await key.encrypt(plaintext, aad));
    } finally {
      key.dispose();
    }
  } finally {
    eph.dispose();
  }
}

/**
 * Opens a sealed box. Throws `crypto/key-disposed` if `recipient` was disposed, `crypto/decrypt-failed` if it is shorter than 60 bytes, was sealed
 * to another key, or was modified anywhere (a tampered ephemeral key that is low order is also
 * reported as `crypto/decrypt-failed`, so the caller learns nothing more than "not for you").
 */
export async function openBox(recipient: PrivateKey, sealed: Uint8Array, aad: Uint8Array = new Uint8Array(0)): Promise<Uint8Array> {
  if (!(recipient instanceof PrivateKey)) throw cryptoError('crypto/invalid-input', 'recipient must be a PrivateKey');
  // Said plainly rather than folded into "not for you" below: a disposed key is a caller bug.
  if (recipient.disposed) throw cryptoError('crypto/key-disposed', 'recipient key was disposed');
  assertBytes(sealed, 'sealed box');
  assertBytes(aad, 'aad');
  if (sealed.length < SEALED_BOX_OVERHEAD) {
    throw cryptoError('crypto/decrypt-failed', `sealed box too short (${sealed.length} < ${SEALED_BOX_OVERHEAD} bytes)`);
  }
  const ephPk = sealed.subarray(0, 32);
  let shared: Uint8Array;
  try {
    shared = await recipient.agree(PublicKey.fromBytes(ephPk));
  } catch (cause) {
    throw cryptoError('crypto/decrypt-failed', 'sealed box has a weak ephemeral key', cause);
  }
  const key = await boxKey(shared, ephPk, recipient.publicKey.toBytes());
  try {
    return await key.decrypt(sealed.subarray(32), aad);
  } finally {
    key.dispose();
  }
}
