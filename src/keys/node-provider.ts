/**
 * The Node provider: SHA-256, HMAC-SHA256, HKDF-SHA256 and
 * AES-GCM through `node:crypto` (the same OpenSSL that backs Node's WebCrypto), called
 * synchronously, and Ed25519 the same way (sign and verify through `KeyObject`s cached per key
 * bytes, as the WebCrypto provider caches its `CryptoKey`s; OpenSSL's verification is the same
 * cofactorless equation as WebCrypto's, and sealsync's strictness rules run before either).
 * X25519 is delegated to the WebCrypto provider.
 *
 * Why: Node's WebCrypto runs every call as a threadpool job: it copies the input, allocates a
 * promise, a job and an ArrayBuffer, and (for AES) imports a `CryptoKey` per key. For the many
 * small objects sealsync encrypts (local store entries, manifests, small blocks) that dispatch
 * costs more than the cipher itself (profile of the small-files sync bench: 17 % of the process
 * in `jobPromise` alone), and for 512 KiB blocks the extra copies cost a fifth of the throughput.
 * `node:crypto` is reached through `process.getBuiltinModule` (Node ≥ 20.16), never through an
 * `import` statement, so bundles for browsers carry no reference to it and there the provider
 * reports itself unavailable (`nodeCrypto()` is `undefined`): the auto provider then keeps
 * WebCrypto. Constant time is OpenSSL's, as with WebCrypto (unlike noble's table-based AES).
 * @module
 */
import { allocUninitialised } from '../bytes-alloc.js';
import { concatBytes, fromHex } from '../bytes.js';
import { assertBytes, cryptoError } from './errors.js';
import { ImportCache } from './key-caches.js';
import type { CryptoProvider } from './provider.js';
import { AES_GCM_TAG_LENGTH, checkAesGcmArgs, checkHkdfArgs, checkSeed } from './provider-checks.js';
import { webCryptoProvider } from './webcrypto-provider.js';

/** The part of `node:crypto` this provider uses (typed here: the package has no hard Node dependency). */
interface NodeCryptoModule {
  createPrivateKey(opts: { key: Uint8Array; format: 'der'; type: 'pkcs8' }): NodeKeyObject;
  createPublicKey(opts: { key: Uint8Array; format: 'der'; type: 'spki' } | NodeKeyObject): NodeKeyObject;
  sign(alg: null, data: Uint8Array, key: NodeKeyObject): Uint8Array;
  verify(alg: null, data: Uint8Array, key: NodeKeyObject, signature: Uint8Array): boolean;
  createHash(alg: 'sha256'): { update(data: Uint8Array): { digest(): Uint8Array } };
  createHmac(alg: 'sha256', key: Uint8Array): NodeHmac;
  createCipheriv(alg: string, key: Uint8Array, iv: Uint8Array, opts: { authTagLength: number }): NodeCipher;
  createDecipheriv(alg: string, key: Uint8Array, iv: Uint8Array, opts: { authTagLength: number }): NodeDecipher;
}
/** An opaque `KeyObject`; only `export` of a public key's SPKI is used. */
interface NodeKeyObject {
  export(opts: { format: 'der'; type: 'spki' }): Uint8Array;
}
interface NodeHmac {
  update(data: Uint8Array): NodeHmac;
  digest(): Uint8Array;
}
interface NodeCipher {
  setAAD(aad: Uint8Array): NodeCipher;
  update(data: Uint8Array): Uint8Array;
  final(): Uint8Array;
  getAuthTag(): Uint8Array;
}
interface NodeDecipher {
  setAAD(aad: Uint8Array): NodeDecipher;
  setAuthTag(tag: Uint8Array): NodeDecipher;
  update(data: Uint8Array): Uint8Array;
  final(): Uint8Array;
}

interface NodeBufferModule {
  Buffer: { allocUnsafeSlow(size: number): Uint8Array };
}

/** A Node built-in module through `process.getBuiltinModule`, or `undefined` off Node (no `import`: see the module comment). */
function builtin(id: string): unknown {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  try {
    return typeof proc?.getBuiltinModule === 'function' ? proc.getBuiltinModule(id) : undefined;
  } catch {
    return undefined;
  }
}

let loaded: { crypto: NodeCryptoModule; buffer: NodeBufferModule } | null | undefined;

function modules(): { crypto: NodeCryptoModule; buffer: NodeBufferModule } | undefined {
  if (loaded === undefined) {
    const crypto = builtin('node:crypto') as NodeCryptoModule | undefined;
    const buffer = builtin('node:buffer') as NodeBufferModule | undefined;
    loaded =
      typeof crypto?.createCipheriv === 'function' && typeof buffer?.Buffer?.allocUnsafeSlow === 'function' ? { crypto, buffer } : null;
  }
  return loaded ?? undefined;
}

/** `node:crypto` when the platform is Node ≥ 20.16, `undefined` elsewhere (browsers, runtimes without it). */
export function nodeCrypto(): NodeCryptoModule | undefined {
  return modules()?.crypto;
}

function need(): NodeCryptoModule {
  const m = nodeCrypto();
  if (m === undefined) throw cryptoError('crypto/invalid-input', 'node:crypto is not available on this platform');
  return m;
}

/**
 * A plain `Uint8Array` over a Buffer's bytes. Buffers under 4 KiB live in Node's shared 8 KiB
 * pool: those are copied (a view would keep the pool alive and expose its `.buffer`); larger
 * ones own their memory and are only re-wrapped.
 */
function own(b: Uint8Array): Uint8Array {
  return b.length < 4096 ? new Uint8Array(b) : new Uint8Array(b.buffer, b.byteOffset, b.length);
}

function hmac(m: NodeCryptoModule, key: Uint8Array, ...data: Uint8Array[]): Uint8Array {
  const h = m.createHmac('sha256', key);
  for (const d of data) h.update(d);
  return h.digest();
}

const ONE = [new Uint8Array([1])];


/** AES-GCM into `nonce ‖ ct ‖ tag` (prefix = 12) or `ct ‖ tag` (prefix = 0), one copy of the body. */
function seal(key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array, aad: Uint8Array, withNonce: boolean): Uint8Array {
  checkAesGcmArgs(key, nonce, plaintext, aad);
  const c = need().createCipheriv(key.length === 16 ? 'aes-128-gcm' : 'aes-256-gcm', key, nonce, { authTagLength: AES_GCM_TAG_LENGTH });
  c.setAAD(aad);
  const body = c.update(plaintext);
  c.final(); // GCM emits nothing at final: the stream cipher output is complete after update
  const prefix = withNonce ? nonce.length : 0;
  const out = allocUninitialised(prefix + body.length + AES_GCM_TAG_LENGTH);
  if (withNonce) out.set(nonce, 0);
  out.set(body, prefix);
  out.set(c.getAuthTag(), prefix + body.length);
  return out;
}

// RFC 8410 DER prefixes for raw 32-byte Ed25519 keys (node:crypto imports them only as DER/JWK).
const ED25519_PKCS8_PREFIX = fromHex('302e020100300506032b657004220420');
const ED25519_SPKI_PREFIX = fromHex('302a300506032b6570032100');

// Same caches as the WebCrypto provider's (wiped by `SecretKey`/`SigningKey.dispose()` through
// `wipeCachedCopies`): one key import per key, not one per signature.
const edPrivateKeys = new ImportCache<NodeKeyObject>();
const edPublicKeys = new ImportCache<NodeKeyObject>();

function edPrivateKey(seed: Uint8Array): Promise<NodeKeyObject> {
  return edPrivateKeys.get(seed, async (b) => {
    const der = concatBytes(ED25519_PKCS8_PREFIX, b);
    try {
      return need().createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
    } finally {
      der.fill(0);
    }
  });
}

/** The `node:crypto` implementation of `CryptoProvider` (X25519 through WebCrypto; see the module comment). */
export const nodeCryptoProvider: CryptoProvider = {
  name: 'node',

  async sha256(data) {
    assertBytes(data, 'data');
    return own(need().createHash('sha256').update(data).digest());
  },

  async hmacSha256(key, data) {
    assertBytes(key, 'HMAC key');
    assertBytes(data, 'data');
    return own(hmac(need(), key, data));
  },

  /** RFC 5869 §2.2–2.3 spelled out over HMAC: no info-length limit, an empty salt is HMAC's empty key. */
  async hkdfSha256(ikm, salt, info, length) {
    checkHkdfArgs(ikm, salt, info, length);
    const m = need();
    const prk = hmac(m, salt, ikm);
    const out = new Uint8Array(length);
    let t: Uint8Array = new Uint8Array(0);
    for (let i = 1, off = 0; off < length; i++, off += 32) {
      t = hmac(m, prk, t, info, i === 1 ? (ONE[0] as Uint8Array) : new Uint8Array([i]));
      out.set(t.subarray(0, Math.min(32, length - off)), off);
    }
    prk.fill(0);
    t.fill(0);
    return out;
  },

  async aesGcmEncrypt(key, nonce, plaintext, aad) {
    return seal(key, nonce, plaintext, aad, false);
  },

  async aesGcmSeal(key, nonce, plaintext, aad) {
    return seal(key, nonce, plaintext, aad, true);
  },

  async aesGcmDecrypt(key, nonce, ciphertextAndTag, aad) {
    checkAesGcmArgs(key, nonce, ciphertextAndTag, aad);
    if (ciphertextAndTag.length < AES_GCM_TAG_LENGTH) throw cryptoError('crypto/decrypt-failed', 'ciphertext shorter than the tag');
    const bodyEnd = ciphertextAndTag.length - AES_GCM_TAG_LENGTH;
    try {
      const d = need().createDecipheriv(key.length === 16 ? 'aes-128-gcm' : 'aes-256-gcm', key, nonce, { authTagLength: AES_GCM_TAG_LENGTH });
      d.setAAD(aad);
      d.setAuthTag(ciphertextAndTag.subarray(bodyEnd));
      const body = d.update(ciphertextAndTag.subarray(0, bodyEnd));
      d.final(); // throws unless the tag authenticates: nothing is returned before that
      return own(body);
    } catch (cause) {
      throw cryptoError('crypto/decrypt-failed', 'AES-GCM decryption failed', cause);
    }
  },

  async ed25519PublicKey(seed) {
    checkSeed(seed);
    const spki = need().createPublicKey(await edPrivateKey(seed)).export({ format: 'der', type: 'spki' });
    return new Uint8Array(spki.subarray(ED25519_SPKI_PREFIX.length));
  },

  async ed25519Sign(seed, message) {
    checkSeed(seed);
    assertBytes(message, 'message');
    return own(need().sign(null, message, await edPrivateKey(seed)));
  },

  async ed25519Verify(publicKey, message, signature) {
    assertBytes(publicKey, 'public key');
    assertBytes(message, 'message');
    assertBytes(signature, 'signature');
    if (publicKey.length !== 32 || signature.length !== 64) return false;
    try {
      const k = await edPublicKeys.get(publicKey, async (b) =>
        need().createPublicKey({ key: concatBytes(ED25519_SPKI_PREFIX, b), format: 'der', type: 'spki' }),
      );
      return need().verify(null, message, k, signature);
    } catch {
      // A key the platform cannot import (e.g. not a curve point) verifies nothing.
      return false;
    }
  },

  x25519PublicKey: (privateKey) => webCryptoProvider.x25519PublicKey(privateKey),
  x25519: (privateKey, publicKey) => webCryptoProvider.x25519(privateKey, publicKey),
};
