/**
 * The pure-TypeScript provider (@noble/*): runs everywhere, synchronous underneath.
 * @module
 */
import { gcm } from '@noble/ciphers/aes.js';
import { ed25519, x25519 } from '@noble/curves/ed25519.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { hmac } from '@noble/hashes/hmac.js';
import { sha256, sha512 } from '@noble/hashes/sha2.js';
import { concatBytes } from '../bytes.js';
import { ED25519_L, leToBigInt } from './ed25519-rules.js';
import { assertBytes, cryptoError } from './errors.js';
import type { CryptoProvider } from './provider.js';
import {
  AES_GCM_TAG_LENGTH,
  checkAesGcmArgs,
  checkHkdfArgs,
  checkSeed,
  checkX25519Key,
  isAllZero,
} from './provider-checks.js';

const Point = ed25519.Point;

/**
 * Cofactorless RFC 8032 §5.1.7 verification: `encode([S]B − [k]A) == R`.
 *
 * Why not `ed25519.verify(…, { zip215: false })`: noble checks the *cofactored* equation
 * `[8]([S]B − R − [k]A) = 0`, while OpenSSL (Node's WebCrypto) checks the cofactorless one. The
 * two disagree on signatures whose R (or key) carries a small-order component, which an attacker
 * can craft at will: one device would accept what another rejects. Both providers therefore
 * compute the same cofactorless equation. Decoding uses the strict (non-ZIP-215) rules.
 */
export function ed25519VerifyCofactorless(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  if (publicKey.length !== 32 || signature.length !== 64) return false;
  const rBytes = signature.subarray(0, 32);
  const s = leToBigInt(signature.subarray(32));
  if (s >= ED25519_L) return false;
  let A;
  let R;
  try {
    A = Point.fromBytes(publicKey, false);
    R = Point.fromBytes(rBytes, false);
  } catch {
    return false;
  }
  const k = leToBigInt(sha512(concatBytes(rBytes, publicKey, message))) % ED25519_L;
  const sB = s === 0n ? Point.ZERO : Point.BASE.multiplyUnsafe(s);
  const kA = k === 0n ? Point.ZERO : A.multiplyUnsafe(k);
  return sB.subtract(kA).equals(R);
}

/** The @noble/* implementation of `CryptoProvider`. */
export const nobleProvider: CryptoProvider = {
  name: 'noble',

  async sha256(data) {
    assertBytes(data, 'data');
    return sha256(data);
  },

  async hmacSha256(key, data) {
    assertBytes(key, 'HMAC key');
    assertBytes(data, 'data');
    return hmac(sha256, key, data);
  },

  async hkdfSha256(ikm, salt, info, length) {
    checkHkdfArgs(ikm, salt, info, length);
    return hkdf(sha256, ikm, salt, info, length);
  },

  async aesGcmEncrypt(key, nonce, plaintext, aad) {
    checkAesGcmArgs(key, nonce, plaintext, aad);
    return gcm(key, nonce, aad).encrypt(plaintext);
  },

  async aesGcmDecrypt(key, nonce, ciphertextAndTag, aad) {
    checkAesGcmArgs(key, nonce, ciphertextAndTag, aad);
    if (ciphertextAndTag.length < AES_GCM_TAG_LENGTH) {
      throw cryptoError('crypto/decrypt-failed', 'ciphertext shorter than the tag');
    }
    try {
      return gcm(key, nonce, aad).decrypt(ciphertextAndTag);
    } catch (cause) {
      throw cryptoError('crypto/decrypt-failed', 'AES-GCM decryption failed', cause);
    }
  },

  async ed25519PublicKey(seed) {
    checkSeed(seed);
    return ed25519.getPublicKey(seed);
  },

  async ed25519Sign(seed, message) {
    checkSeed(seed);
    assertBytes(message, 'message');
    return ed25519.sign(message, seed);
  },

  async ed25519Verify(publicKey, message, signature) {
    assertBytes(publicKey, 'public key');
    assertBytes(message, 'message');
    assertBytes(signature, 'signature');
    return ed25519VerifyCofactorless(publicKey, message, signature);
  },

  async x25519PublicKey(privateKey) {
    checkX25519Key(privateKey, 'X25519 private key');
    return x25519.getPublicKey(privateKey);
  },

  async x25519(privateKey, publicKey) {
    checkX25519Key(privateKey, 'X25519 private key');
    checkX25519Key(publicKey, 'X25519 public key');
    let shared: Uint8Array;
    try {
      shared = x25519.getSharedSecret(privateKey, publicKey);
    } catch (cause) {
      // After the length checks the only failure left is noble refusing an all-zero output.
      throw cryptoError('crypto/weak-shared-secret', 'X25519 shared secret is all zero (low-order peer key)', cause);
    }
    if (isAllZero(shared)) {
      throw cryptoError('crypto/weak-shared-secret', 'X25519 shared secret is all zero (low-order peer key)');
    }
    return shared;
  },
};
