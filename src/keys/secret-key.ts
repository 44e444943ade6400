/**
 * `SecretKey`: AES-256-GCM with caller-supplied associated data, and HKDF per-object derivation
 * (crypto suite v1).
 * @module
 */
import { concatBytes, constantTimeEqual, utf8Encode } from '../bytes.js';
import { assertBytes, assertKeyLength, cryptoError } from './errors.js';
import { hmacSha256 } from './hash.js';
import { getCryptoProvider } from './provider.js';
import { AES_GCM_NONCE_LENGTH, AES_GCM_TAG_LENGTH } from './provider-checks.js';
import { randomBytes } from './random.js';
import { KeyMaterial } from './key-material.js';
import { wipeCachedCopies } from './key-caches.js';

/** Length in bytes of a `SecretKey` (AES-256-GCM and HKDF input key). */
export const SECRET_KEY_LENGTH = 32;
/** Bytes a sealed `SecretKey.encrypt` output adds to the plaintext: nonce(12) + tag(16). */
export const SECRET_BOX_OVERHEAD = AES_GCM_NONCE_LENGTH + AES_GCM_TAG_LENGTH;

/**
 * An AES-256-GCM key. The key bytes leave the object only through `exportSecretBytes()` (a copy);
 * `dispose()` wipes them (see `dispose` for what the platform keeps).
 */
export class SecretKey {
  // The same array object is handed to the provider on every call, which lets the WebCrypto
  // provider cache its imported CryptoKey (bulk encryption pays one import).
  readonly #key: KeyMaterial;

  private constructor(key: Uint8Array) {
    this.#key = new KeyMaterial(key);
  }

  /** A fresh random key. */
  static generate(): SecretKey {
    return new SecretKey(randomBytes(SECRET_KEY_LENGTH));
  }

  /** Copies `b` (exactly 32 bytes, else `crypto/invalid-key-length`). */
  static fromBytes(b: Uint8Array): SecretKey {
    assertKeyLength(b, SECRET_KEY_LENGTH, 'secret key');
    return new SecretKey(b.slice());
  }

  /**
   * A copy of the secret key bytes, for storing or sending the key (sealed). The copy is the
   * caller's to wipe. Throws `crypto/key-disposed` after `dispose()`.
   */
  exportSecretBytes(): Uint8Array {
    return this.#key.bytes('secret key').slice();
  }

  /** Constant-time comparison of the key bytes. Throws `crypto/key-disposed` if either was disposed. */
  equals(other: SecretKey): boolean {
    return other instanceof SecretKey && constantTimeEqual(this.#key.bytes('secret key'), other.#key.bytes('secret key'));
  }

  /** True once `dispose()` ran. */
  get disposed(): boolean {
    return this.#key.disposed;
  }

  /**
   * Zeroes the key bytes, the WebCrypto provider's cached copy and imported key, and the HKDF
   * extract (PRK) memoised for `deriveKey`; every later use throws `crypto/key-disposed`.
   * Keys derived from this one are separate objects with their own `dispose()`.
   * What stays out of reach: the non-extractable `CryptoKey` the platform imported (released, and
   * freed by the GC), copies the JS engine or an in-flight operation made, and any array returned
   * by `exportSecretBytes()` earlier.
   */
  dispose(): void {
    if (this.#key.disposed) return;
    this.#key.dispose();
    forgetPrk(this);
  }

  /** Same as `dispose()`, so `using key = …` (explicit resource management) wipes the key at scope exit. */
  [Symbol.dispose](): void {
    this.dispose();
  }

  /**
   * Encrypts with a fresh random 96-bit nonce; returns `nonce(12) ‖ ciphertext ‖ tag(16)`.
   * `aad` binds the ciphertext to where it belongs (it must be given again to decrypt).
   * Random nonces are safe here because each derived key encrypts only a handful of messages.
   */
  async encrypt(plaintext: Uint8Array, aad: Uint8Array): Promise<Uint8Array> {
    assertBytes(plaintext, 'plaintext');
    assertBytes(aad, 'aad');
    const nonce = randomBytes(AES_GCM_NONCE_LENGTH);
    const provider = getCryptoProvider();
    const key = this.#key.bytes('secret key');
    if (provider.aesGcmSeal !== undefined) return provider.aesGcmSeal(key, nonce, plaintext, aad);
    return concatBytes(nonce, await provider.aesGcmEncrypt(key, nonce, plaintext, aad));
  }

  /**
   * Reverses `encrypt`. Any failure (blob shorter than 28 bytes, wrong key, wrong `aad`, any
   * modified byte) is `crypto/decrypt-failed`: callers cannot tell which, by design.
   */
  async decrypt(blob: Uint8Array, aad: Uint8Array): Promise<Uint8Array> {
    assertBytes(blob, 'ciphertext');
    assertBytes(aad, 'aad');
    if (blob.length < SECRET_BOX_OVERHEAD) {
      throw cryptoError('crypto/decrypt-failed', `ciphertext too short (${blob.length} < ${SECRET_BOX_OVERHEAD} bytes)`);
    }
    const nonce = blob.subarray(0, AES_GCM_NONCE_LENGTH);
    return getCryptoProvider().aesGcmDecrypt(this.#key.bytes('secret key'), nonce, blob.subarray(AES_GCM_NONCE_LENGTH), aad);
  }
}

const INFO_PREFIX = utf8Encode('sealsync/1/');
const EMPTY = new Uint8Array(0);

/**
 * HKDF-Extract (RFC 5869 §2.2) of each parent key used with `deriveKey`, memoised per key object
 * (weakly: it goes away with the key). It depends only on the key, and handing the provider the
 * same PRK array every time lets the WebCrypto provider reuse its HMAC key import.
 */
const prks = new WeakMap<SecretKey, Promise<Uint8Array>>();

/**
 * PRK = HMAC-SHA256(salt, ikm = parent) with an empty salt. An empty HMAC key is zero-padded to
 * the block size (RFC 2104 §2), exactly like the HashLen zero bytes RFC 5869 uses for an absent
 * salt. A failure is not memoised.
 */
function prkOf(parent: SecretKey): Promise<Uint8Array> {
  let prk = prks.get(parent);
  if (prk === undefined) {
    const ikm = parent.exportSecretBytes();
    const p = hmacSha256(EMPTY, ikm).finally(() => ikm.fill(0));
    prks.set(parent, p);
    p.catch(() => {
      if (prks.get(parent) === p) prks.delete(parent);
    });
    prk = p;
  }
  return prk;
}

/** Drops and wipes the PRK memoised for `parent` (and the provider caches' copies of it). */
function forgetPrk(parent: SecretKey): void {
  const p = prks.get(parent);
  if (p === undefined) return;
  prks.delete(parent);
  p.then(
    (prk) => {
      wipeCachedCopies(prk);
      prk.fill(0);
    },
    () => undefined,
  );
}

/**
 * The crypto suite v1 HKDF info: `"sealsync/1/" ‖ utf8(purpose) ‖ 0x00 ‖ id`. The 0x00 separator is
 * unambiguous only if `purpose` has no NUL, so such purposes are refused (`crypto/invalid-input`):
 * otherwise ("a\0", id) and ("a", "\0"‖id) would derive the same key.
 */
export function deriveKeyInfo(purpose: string, id: Uint8Array): Uint8Array {
  if (typeof purpose !== 'string' || purpose.length === 0 || purpose.includes('\0')) {
    throw cryptoError('crypto/invalid-input', 'purpose must be a non-empty string without NUL');
  }
  assertBytes(id, 'id');
  return concatBytes(INFO_PREFIX, utf8Encode(purpose), new Uint8Array([0]), id);
}

/**
 * Per-object key: HKDF-SHA256(ikm = parent, salt = empty, info = `deriveKeyInfo(purpose, id)`),
 * 32 bytes. Throws `crypto/invalid-input` for a bad purpose.
 *
 * Computed as RFC 5869 defines it, in two steps: the Extract step depends only on the parent
 * and is cached per parent (`prkOf`); for a 32-byte output the Expand step (§2.3) is the single block
 * T(1) = HMAC-SHA256(PRK, info ‖ 0x01). Deriving one key per block thus costs one small HMAC
 * instead of a key import plus a full HKDF (tests check equality with `hkdfSha256`). Under the
 * default provider that HMAC is small enough to run synchronously on noble, with no WebCrypto
 * round trip.
 */
export async function deriveKey(parent: SecretKey, purpose: string, id: Uint8Array): Promise<SecretKey> {
  if (!(parent instanceof SecretKey)) throw cryptoError('crypto/invalid-input', 'parent must be a SecretKey');
  const info = deriveKeyInfo(purpose, id);
  const block = new Uint8Array(info.length + 1);
  block.set(info);
  block[info.length] = 0x01;
  const prk = await prkOf(parent);
  // A dispose() while the PRK was pending zeroes it: never derive from a wiped PRK.
  if (parent.disposed) throw cryptoError('crypto/key-disposed', 'parent key was disposed');
  const okm = await hmacSha256(prk, block);
  try {
    return SecretKey.fromBytes(okm);
  } finally {
    okm.fill(0);
  }
}
