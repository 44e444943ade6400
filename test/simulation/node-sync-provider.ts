/**
 * A `CryptoProvider` over node:crypto's *synchronous* functions, for the simulation only.
 *
 * Why: the simulation must replay a seed exactly, so no work may complete on a thread pool (as
 * WebCrypto's does) in an order the seed does not decide; the noble provider is deterministic but
 * its pure-JS curve arithmetic makes 200 seeds take minutes. OpenSSL's one-shot functions are
 * synchronous: every promise here is already settled, so only microtask order — fixed by the
 * code — decides interleavings. Byte-identical to the real providers for these deterministic
 * primitives; honest inputs only (argument checks are the real providers' business).
 * @module
 */
import { createCipheriv, createDecipheriv, createHash, createHmac, createPrivateKey, createPublicKey, diffieHellman, hkdfSync, sign, verify, type KeyObject } from 'node:crypto';
import { cryptoError } from '../../src/keys/errors.js';
import type { CryptoProvider } from '../../src/keys/hazmat.js';

// DER prefixes of PKCS#8 private keys and SPKI public keys (RFC 8410 §7, §10.3).
const ED25519_PKCS8 = Buffer.from('302e020100300506032b657004220420', 'hex');
const ED25519_SPKI = Buffer.from('302a300506032b6570032100', 'hex');
const X25519_PKCS8 = Buffer.from('302e020100300506032b656e04220420', 'hex');
const X25519_SPKI = Buffer.from('302a300506032b656e032100', 'hex');

const privateKeys = new Map<string, KeyObject>();
function privateKey(prefix: Buffer, raw: Uint8Array): KeyObject {
  const id = prefix.toString('hex') + Buffer.from(raw).toString('hex');
  let k = privateKeys.get(id);
  if (k === undefined) {
    k = createPrivateKey({ key: Buffer.concat([prefix, raw]), format: 'der', type: 'pkcs8' });
    if (privateKeys.size > 10_000) privateKeys.clear();
    privateKeys.set(id, k);
  }
  return k;
}

function publicKey(prefix: Buffer, raw: Uint8Array): KeyObject {
  return createPublicKey({ key: Buffer.concat([prefix, raw]), format: 'der', type: 'spki' });
}

function rawPublic(k: KeyObject): Uint8Array {
  return new Uint8Array(k.export({ format: 'der', type: 'spki' }).subarray(-32));
}

const u8 = (b: Buffer): Uint8Array => new Uint8Array(b.buffer, b.byteOffset, b.byteLength);

export const nodeSyncProvider: CryptoProvider = {
  name: 'node-sync (simulation)',
  async sha256(data) {
    return u8(createHash('sha256').update(data).digest());
  },
  async hmacSha256(key, data) {
    return u8(createHmac('sha256', key).update(data).digest());
  },
  async hkdfSha256(ikm, salt, info, length) {
    return new Uint8Array(hkdfSync('sha256', ikm, salt, info, length));
  },
  async aesGcmEncrypt(key, nonce, plaintext, aad) {
    const c = createCipheriv(`aes-${key.length * 8}-gcm` as 'aes-256-gcm', key, nonce);
    c.setAAD(aad);
    return u8(Buffer.concat([c.update(plaintext), c.final(), c.getAuthTag()]));
  },
  async aesGcmDecrypt(key, nonce, data, aad) {
    try {
      const d = createDecipheriv(`aes-${key.length * 8}-gcm` as 'aes-256-gcm', key, nonce);
      d.setAAD(aad);
      d.setAuthTag(data.subarray(data.length - 16));
      return u8(Buffer.concat([d.update(data.subarray(0, data.length - 16)), d.final()]));
    } catch (err) {
      throw cryptoError('crypto/decrypt-failed', 'AES-GCM decryption failed', err);
    }
  },
  async ed25519PublicKey(seed) {
    return rawPublic(createPublicKey(privateKey(ED25519_PKCS8, seed)));
  },
  async ed25519Sign(seed, message) {
    return u8(sign(null, message, privateKey(ED25519_PKCS8, seed)));
  },
  async ed25519Verify(pk, message, signature) {
    try {
      return verify(null, message, publicKey(ED25519_SPKI, pk), signature);
    } catch {
      return false;
    }
  },
  async x25519PublicKey(priv) {
    return rawPublic(createPublicKey(privateKey(X25519_PKCS8, priv)));
  },
  async x25519(priv, pub) {
    const out = u8(diffieHellman({ privateKey: privateKey(X25519_PKCS8, priv), publicKey: publicKey(X25519_SPKI, pub) }));
    if (out.every((b) => b === 0)) throw cryptoError('crypto/weak-shared-secret', 'X25519 shared secret is all zero');
    return out;
  },
};
