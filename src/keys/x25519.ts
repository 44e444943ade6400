/**
 * X25519 key agreement keys (RFC 7748).
 * @module
 */
import { x25519 } from '@noble/curves/ed25519.js';
import { constantTimeEqual, equalBytes } from '../bytes.js';
import { assertKeyLength, cryptoError } from './errors.js';
import { getCryptoProvider } from './provider.js';
import { isAllZero } from './provider-checks.js';
import { randomBytes } from './random.js';
import { KeyMaterial } from './key-material.js';

/** Length in bytes of an X25519 private or public key (RFC 7748 §5). */
export const X25519_KEY_LENGTH = 32;

/**
 * An X25519 public key: any 32 bytes (RFC 7748 §5: the top bit is masked and u is reduced mod p
 * by both providers, so non-canonical encodings agree). Low-order keys are not refused here but
 * by `PrivateKey.agree`, which rejects the all-zero result they produce.
 */
export class PublicKey {
  readonly #u: Uint8Array;

  private constructor(u: Uint8Array) {
    this.#u = u;
  }

  /** Copies `b` (exactly 32 bytes, else `crypto/invalid-key-length`). */
  static fromBytes(b: Uint8Array): PublicKey {
    assertKeyLength(b, X25519_KEY_LENGTH, 'X25519 public key');
    return new PublicKey(b.slice());
  }

  /** A copy of the 32 bytes. */
  toBytes(): Uint8Array {
    return this.#u.slice();
  }

  /** Byte equality of the encodings (public data). */
  equals(other: PublicKey): boolean {
    return other instanceof PublicKey && equalBytes(this.#u, other.#u);
  }
}

/**
 * An X25519 private key (32 random bytes; clamping is done by the primitive). The bytes leave the
 * object only through `exportSecretBytes()`; `dispose()` wipes them.
 */
export class PrivateKey {
  readonly #k: KeyMaterial;
  #publicKey: PublicKey | undefined;

  private constructor(k: Uint8Array) {
    this.#k = new KeyMaterial(k);
  }

  /** A fresh random key. */
  static generate(): PrivateKey {
    return new PrivateKey(randomBytes(X25519_KEY_LENGTH));
  }

  /** Copies `b` (exactly 32 bytes, else `crypto/invalid-key-length`). */
  static fromBytes(b: Uint8Array): PrivateKey {
    assertKeyLength(b, X25519_KEY_LENGTH, 'X25519 private key');
    return new PrivateKey(b.slice());
  }

  /** A copy of the 32 secret bytes; the copy is the caller's to wipe. Throws `crypto/key-disposed` after `dispose()`. */
  exportSecretBytes(): Uint8Array {
    return this.#k.bytes('private key').slice();
  }

  /** Constant-time comparison. Throws `crypto/key-disposed` if either was disposed. */
  equals(other: PrivateKey): boolean {
    return other instanceof PrivateKey && constantTimeEqual(this.#k.bytes('private key'), other.#k.bytes('private key'));
  }

  /** The matching public key (computed once, synchronously, with noble; still readable after `dispose()`). */
  get publicKey(): PublicKey {
    this.#publicKey ??= PublicKey.fromBytes(x25519.getPublicKey(this.#k.bytes('private key')));
    return this.#publicKey;
  }

  /**
   * The 32-byte X25519 shared secret with `peer`. Throws `crypto/weak-shared-secret` when it is
   * all zero (a low-order peer key, RFC 7748 §6.1): such a "secret" is known to everyone;
   * `crypto/key-disposed` after `dispose()`.
   */
  async agree(peer: PublicKey): Promise<Uint8Array> {
    if (!(peer instanceof PublicKey)) throw cryptoError('crypto/invalid-input', 'peer must be a PublicKey');
    const shared = await getCryptoProvider().x25519(this.#k.bytes('private key'), peer.toBytes());
    // Checked here too, whatever the provider does: the rule is sealsync's, not the library's.
    if (isAllZero(shared)) throw cryptoError('crypto/weak-shared-secret', 'X25519 shared secret is all zero');
    return shared;
  }

  /** True once `dispose()` ran. */
  get disposed(): boolean {
    return this.#k.disposed;
  }

  /**
   * Zeroes the key and the WebCrypto provider's cached copy; later uses throw
   * `crypto/key-disposed`. The imported non-extractable `CryptoKey` cannot be wiped (released,
   * freed by the GC), nor can engine copies or earlier `exportSecretBytes()` results.
   */
  dispose(): void {
    this.#k.dispose();
  }

  /** Same as `dispose()`, so `using key = …` (explicit resource management) wipes the key at scope exit. */
  [Symbol.dispose](): void {
    this.dispose();
  }
}
