/**
 * The platform provider: `globalThis.crypto.subtle` (native code in Node ≥ 20 and browsers).
 * @module
 */
import { concatBytes, fromBase64Url, fromHex } from '../bytes.js';
import { assertBytes, cryptoError } from './errors.js';
import { ImportCache } from './key-caches.js';
import type { CryptoProvider } from './provider.js';
import {
  AES_GCM_TAG_LENGTH,
  checkAesGcmArgs,
  checkHkdfArgs,
  checkSeed,
  checkX25519Key,
  isAllZero,
} from './provider-checks.js';

// PKCS#8 (RFC 8410) DER prefix for a 32-byte raw private key: WebCrypto imports Ed25519/X25519
// private keys only as pkcs8 or jwk, never raw.
const ED25519_PKCS8_PREFIX = fromHex('302e020100300506032b657004220420');
const X25519_PKCS8_PREFIX = fromHex('302e020100300506032b656e04220420');

function subtle(): SubtleCrypto {
  const s = globalThis.crypto?.subtle;
  if (s === undefined) throw cryptoError('crypto/invalid-input', 'WebCrypto (crypto.subtle) is not available');
  return s;
}

/** WebCrypto's typings want ArrayBuffer-backed views; every Uint8Array we pass is one. */
function buf(b: Uint8Array): Uint8Array<ArrayBuffer> {
  return b as Uint8Array<ArrayBuffer>;
}

const aesKeys = new ImportCache();
const hmacKeys = new ImportCache();
const edPrivateKeys = new ImportCache();
const edPublicKeys = new ImportCache();
const xPrivateKeys = new ImportCache();

// HMAC zero-pads the key to the block size (RFC 2104 §2), so an empty key is the same as 64
// zero bytes; WebCrypto refuses zero-length HMAC keys, this substitution keeps results identical.
const HMAC_EMPTY_KEY = new Uint8Array(64);

async function importPkcs8(prefix: Uint8Array, raw: Uint8Array, alg: string, usages: KeyUsage[], extractable: boolean): Promise<CryptoKey> {
  return subtle().importKey('pkcs8', buf(concatBytes(prefix, raw)), { name: alg }, extractable, usages);
}

/** Public key of a raw OKP private key: import it extractable, read `x` from its JWK export. */
async function okpPublicKey(prefix: Uint8Array, raw: Uint8Array, alg: string, usages: KeyUsage[]): Promise<Uint8Array> {
  const key = await importPkcs8(prefix, raw, alg, usages, true);
  const jwk = await subtle().exportKey('jwk', key);
  if (typeof jwk.x !== 'string') throw cryptoError('crypto/invalid-input', `${alg} JWK export lacks x`);
  return fromBase64Url(jwk.x);
}

// Node's WebCrypto (OpenSSL) refuses HKDF info longer than 1024 bytes with a bare
// OperationError; RFC 5869 has no such limit and noble has none either.
const WEBCRYPTO_HKDF_MAX_INFO = 1024;

/**
 * HKDF-SHA256 spelled out over WebCrypto HMAC (RFC 5869 §2.2–2.3), for inputs the native HKDF
 * refuses: same bytes as the native path and as noble. An empty salt is HMAC's empty key, which
 * `hmacSha256` already maps to the block of zeros that §2.2's HashLen zeros pad to.
 */
async function hkdfByHmac(ikm: Uint8Array, salt: Uint8Array, info: Uint8Array, length: number): Promise<Uint8Array> {
  const prk = await webCryptoProvider.hmacSha256(salt, ikm);
  const out = new Uint8Array(length);
  let t: Uint8Array = new Uint8Array(0);
  for (let i = 1, off = 0; off < length; i++, off += 32) {
    t = await webCryptoProvider.hmacSha256(prk, concatBytes(t, info, new Uint8Array([i])));
    out.set(t.subarray(0, Math.min(32, length - off)), off);
  }
  return out;
}

/** The WebCrypto implementation of `CryptoProvider`. */
export const webCryptoProvider: CryptoProvider = {
  name: 'webcrypto',

  async sha256(data) {
    assertBytes(data, 'data');
    return new Uint8Array(await subtle().digest('SHA-256', buf(data)));
  },

  async hmacSha256(key, data) {
    assertBytes(key, 'HMAC key');
    assertBytes(data, 'data');
    const k = await hmacKeys.get(key.length === 0 ? HMAC_EMPTY_KEY : key, (b) =>
      subtle().importKey('raw', buf(b), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']),
    );
    return new Uint8Array(await subtle().sign('HMAC', k, buf(data)));
  },

  async hkdfSha256(ikm, salt, info, length) {
    checkHkdfArgs(ikm, salt, info, length);
    if (info.length > WEBCRYPTO_HKDF_MAX_INFO) return hkdfByHmac(ikm, salt, info, length);
    const k = await subtle().importKey('raw', buf(ikm), 'HKDF', false, ['deriveBits']);
    const bits = await subtle().deriveBits({ name: 'HKDF', hash: 'SHA-256', salt: buf(salt), info: buf(info) }, k, length * 8);
    return new Uint8Array(bits);
  },

  async aesGcmEncrypt(key, nonce, plaintext, aad) {
    checkAesGcmArgs(key, nonce, plaintext, aad);
    const k = await aesKeys.get(key, (b) => subtle().importKey('raw', buf(b), 'AES-GCM', false, ['encrypt', 'decrypt']));
    const out = await subtle().encrypt(
      { name: 'AES-GCM', iv: buf(nonce), additionalData: buf(aad), tagLength: AES_GCM_TAG_LENGTH * 8 },
      k,
      buf(plaintext),
    );
    return new Uint8Array(out);
  },

  async aesGcmDecrypt(key, nonce, ciphertextAndTag, aad) {
    checkAesGcmArgs(key, nonce, ciphertextAndTag, aad);
    if (ciphertextAndTag.length < AES_GCM_TAG_LENGTH) {
      throw cryptoError('crypto/decrypt-failed', 'ciphertext shorter than the tag');
    }
    const k = await aesKeys.get(key, (b) => subtle().importKey('raw', buf(b), 'AES-GCM', false, ['encrypt', 'decrypt']));
    try {
      const out = await subtle().decrypt(
        { name: 'AES-GCM', iv: buf(nonce), additionalData: buf(aad), tagLength: AES_GCM_TAG_LENGTH * 8 },
        k,
        buf(ciphertextAndTag),
      );
      return new Uint8Array(out);
    } catch (cause) {
      throw cryptoError('crypto/decrypt-failed', 'AES-GCM decryption failed', cause);
    }
  },

  async ed25519PublicKey(seed) {
    checkSeed(seed);
    return okpPublicKey(ED25519_PKCS8_PREFIX, seed, 'Ed25519', ['sign']);
  },

  async ed25519Sign(seed, message) {
    checkSeed(seed);
    assertBytes(message, 'message');
    const k = await edPrivateKeys.get(seed, (b) => importPkcs8(ED25519_PKCS8_PREFIX, b, 'Ed25519', ['sign'], false));
    return new Uint8Array(await subtle().sign('Ed25519', k, buf(message)));
  },

  async ed25519Verify(publicKey, message, signature) {
    assertBytes(publicKey, 'public key');
    assertBytes(message, 'message');
    assertBytes(signature, 'signature');
    if (publicKey.length !== 32 || signature.length !== 64) return false;
    try {
      const k = await edPublicKeys.get(publicKey, (b) => subtle().importKey('raw', buf(b), { name: 'Ed25519' }, false, ['verify']));
      return await subtle().verify('Ed25519', k, buf(signature), buf(message));
    } catch {
      // A key the platform cannot import (e.g. not a curve point) verifies nothing.
      return false;
    }
  },

  async x25519PublicKey(privateKey) {
    checkX25519Key(privateKey, 'X25519 private key');
    return okpPublicKey(X25519_PKCS8_PREFIX, privateKey, 'X25519', ['deriveBits']);
  },

  async x25519(privateKey, publicKey) {
    checkX25519Key(privateKey, 'X25519 private key');
    checkX25519Key(publicKey, 'X25519 public key');
    let pub: CryptoKey;
    try {
      pub = await subtle().importKey('raw', buf(publicKey), { name: 'X25519' }, false, []);
    } catch (cause) {
      throw cryptoError('crypto/invalid-input', 'X25519 public key refused by the platform', cause);
    }
    const priv = await xPrivateKeys.get(privateKey, (b) => importPkcs8(X25519_PKCS8_PREFIX, b, 'X25519', ['deriveBits'], false));
    let shared: Uint8Array;
    try {
      shared = new Uint8Array(await subtle().deriveBits({ name: 'X25519', public: pub }, priv, 256));
    } catch (cause) {
      // OpenSSL refuses to return an all-zero X25519 output (low-order peer key): same verdict
      // and code as the noble provider.
      throw cryptoError('crypto/weak-shared-secret', 'X25519 shared secret is all zero (low-order peer key)', cause);
    }
    if (isAllZero(shared)) {
      throw cryptoError('crypto/weak-shared-secret', 'X25519 shared secret is all zero (low-order peer key)');
    }
    return shared;
  },
};
