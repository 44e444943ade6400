/**
 * The one small interface every primitive goes through (crypto suite v1 "Crypto provider"), and the
 * process-wide choice of implementation. The providers themselves take raw key bytes and
 * caller-chosen nonces, so they are reachable only from `sealsync/keys/hazmat`; the main API
 * chooses an implementation by name (`useCryptoImplementation`).
 * @module
 */
import { ArgumentError } from '../errors.js';
import { autoProvider } from './auto-provider.js';
import { nobleProvider } from './noble-provider.js';
import { webCryptoProvider } from './webcrypto-provider.js';

/**
 * Raw primitives. Every method returns a Promise (WebCrypto is async) and both implementations
 * must return byte-identical results for deterministic operations.
 *
 * Shared contract of both implementations (enforced by shared argument checks, so that an error
 * means the same thing whoever raised it):
 * - non-`Uint8Array` arguments: `crypto/invalid-input`;
 * - AES keys of 16, 24 or 32 bytes (sealsync itself only uses 32, see `SecretKey`), 12-byte
 *   nonces, 16-byte tags: `crypto/invalid-key-length` / `crypto/invalid-input` otherwise;
 *   `aesGcmDecrypt` failures of any kind: `crypto/decrypt-failed`;
 * - `hkdfSha256` length 1..8160 (RFC 5869 §2.3: at most 255·HashLen), else `crypto/invalid-input`;
 * - Ed25519 seeds and X25519 keys of 32 bytes, else `crypto/invalid-key-length`;
 * - `ed25519Verify` is the *cofactorless* RFC 8032 §5.1.7 equation `[S]B = R + [k]A`, checked as
 *   `encode([S]B − [k]A) == R`, and returns `false` (never throws) for malformed keys or
 *   signatures. It does NOT apply sealsync's strictness policy: callers go through `VerifyKey`,
 *   which applies sealsync's strict Ed25519 rules first;
 * - `x25519` throws `crypto/weak-shared-secret` when the result is all zero (RFC 7748 §6.1).
 */
export interface CryptoProvider {
  /** Name reported by `cryptoImplementationName()` (`'webcrypto'`, `'noble'`, `'auto'` or a custom one). */
  readonly name: string;
  /** SHA-256 (FIPS 180-4) of `data`: 32 bytes. */
  sha256(data: Uint8Array): Promise<Uint8Array>;
  /** HMAC-SHA-256 (RFC 2104) of `data` under `key` (any length): 32 bytes. */
  hmacSha256(key: Uint8Array, data: Uint8Array): Promise<Uint8Array>;
  /**
   * HKDF-SHA-256 (RFC 5869), extract then expand: `length` bytes (1..8160) derived from `ikm`.
   * Throws `crypto/invalid-input` for a length out of range.
   */
  hkdfSha256(ikm: Uint8Array, salt: Uint8Array, info: Uint8Array, length: number): Promise<Uint8Array>;
  /** Returns `ciphertext ‖ tag(16)`. */
  aesGcmEncrypt(key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array, aad: Uint8Array): Promise<Uint8Array>;
  /** Takes `ciphertext ‖ tag(16)`; any failure is `crypto/decrypt-failed`. */
  aesGcmDecrypt(key: Uint8Array, nonce: Uint8Array, ciphertextAndTag: Uint8Array, aad: Uint8Array): Promise<Uint8Array>;
  /**
   * Optional: `nonce ‖ aesGcmEncrypt(…)` in one buffer, for a provider that can write the nonce
   * in front without copying the ciphertext a second time (a 512 KiB block). Same checks, same
   * bytes; `SecretKey.encrypt` concatenates itself when a provider lacks it.
   */
  aesGcmSeal?(key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array, aad: Uint8Array): Promise<Uint8Array>;
  /** The 32-byte Ed25519 public key (RFC 8032 §5.1.5) of a 32-byte seed. */
  ed25519PublicKey(seed: Uint8Array): Promise<Uint8Array>;
  /** The 64-byte Ed25519 signature (RFC 8032 §5.1.6, deterministic) of `message` by `seed`'s key. */
  ed25519Sign(seed: Uint8Array, message: Uint8Array): Promise<Uint8Array>;
  /**
   * Cofactorless RFC 8032 §5.1.7 verification; `false` (never a throw) for a malformed key or
   * signature. Not sealsync's strict policy: use `VerifyKey.verify` for that.
   */
  ed25519Verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): Promise<boolean>;
  /** The 32-byte X25519 public key (RFC 7748 §6.1) of a 32-byte private key. */
  x25519PublicKey(privateKey: Uint8Array): Promise<Uint8Array>;
  /**
   * The 32-byte X25519 shared secret (RFC 7748 §5). Throws `crypto/weak-shared-secret` when it is
   * all zero (a small-order public key would otherwise give an attacker-known secret).
   */
  x25519(privateKey: Uint8Array, publicKey: Uint8Array): Promise<Uint8Array>;
}

let current: CryptoProvider = autoProvider;

/** Returns the provider every sealsync primitive uses (`autoProvider` unless one was set). */
export function getCryptoProvider(): CryptoProvider {
  return current;
}

/**
 * Replaces the process-wide provider (tests run whole suites under each implementation; an app
 * may force noble for reproducibility). Affects every later call.
 */
export function setCryptoProvider(provider: CryptoProvider): void {
  current = provider;
}

/** The implementations the main API can select by name. */
export type CryptoImplementation = 'auto' | 'webcrypto' | 'noble';

/**
 * Selects the process-wide implementation: `'auto'` (default: WebCrypto per primitive where the
 * platform has it, noble otherwise), `'webcrypto'` or `'noble'` (pure TypeScript, e.g. for
 * reproducibility). Throws `ArgumentError` (`argument/unknown-crypto-implementation`) otherwise.
 * @example
 * useCryptoImplementation('noble');
 */
export function useCryptoImplementation(name: CryptoImplementation): void {
  const p = { auto: autoProvider, webcrypto: webCryptoProvider, noble: nobleProvider }[name];
  if (p === undefined) throw new ArgumentError('argument/unknown-crypto-implementation', `unknown crypto implementation ${String(name)}`);
  current = p;
}

/** The name of the implementation in use (`'auto'`, `'webcrypto'`, `'noble'`, or a custom provider's name). */
export function cryptoImplementationName(): string {
  return current.name;
}
