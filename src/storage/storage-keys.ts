/**
 * The keys `EncryptedStorage` derives from the device's local storage key, computed
 * synchronously. Every storage call needs one or two of them, and the inputs are a few dozen
 * bytes: a pure-JS HMAC-SHA256 of that size takes a few µs, less than the latency of one
 * WebCrypto round trip, and the results are byte-identical (HMAC is deterministic).
 * @module
 */
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { toHex, utf8Encode } from '../bytes.js';
import { SecretKey, deriveKeyInfo } from '../keys/index.js';

const EMPTY = new Uint8Array(0);
const ONE = new Uint8Array([0x01]);
const NUL = new Uint8Array([0]);

type Hmac = ReturnType<typeof hmac.create>;

/**
 * Derivation context of one local key. `itemKey(purpose, id)` returns exactly
 * `deriveKey(localKey, purpose, id)` from sealsync/keys (HKDF-SHA256, RFC 5869, empty salt):
 *
 * - HKDF-Extract (§2.2) runs once, here: PRK = HMAC(salt = empty, localKey);
 * - for a 32-byte output, HKDF-Expand (§2.3) is the single block T(1) = HMAC(PRK, info ‖ 0x01),
 *   so each item key costs one HMAC. This is HKDF itself, not a shortcut: HMAC keyed with the
 *   PRK is a PRF (RFC 5869 §3.3), and `deriveKeyInfo` encodes (purpose, id) injectively, so keys
 *   of distinct items are computationally independent — learning one says nothing of another.
 *
 * The PRK and the name key live only inside precomputed HMAC states (the inner/outer pad hashes),
 * cloned per call, which also saves the two key-block compressions of every HMAC.
 */
export class StorageKeys {
  readonly #prk: Hmac;
  readonly #names: Hmac;

  /** Extracts the PRK of `localKey` and derives the name-MAC key (`'storage-names'`). */
  constructor(localKey: SecretKey) {
    const ikm = localKey.exportSecretBytes();
    const prk = hmac(sha256, EMPTY, ikm);
    ikm.fill(0);
    this.#prk = hmac.create(sha256, prk);
    prk.fill(0);
    const nameKey = this.#expand('storage-names', EMPTY);
    this.#names = hmac.create(sha256, nameKey);
    nameKey.fill(0);
  }

  /**
   * `deriveKey(localKey, purpose, id)`, synchronously. Throws `CryptoError` `crypto/invalid-input`
   * for a purpose that is empty or contains NUL (as `deriveKey` does).
   */
  itemKey(purpose: string, id: Uint8Array): SecretKey {
    const okm = this.#expand(purpose, id);
    try {
      return SecretKey.fromBytes(okm);
    } finally {
      okm.fill(0);
    }
  }

  /**
   * Lowercase hex of HMAC-SHA256(nameKey, utf8(label) ‖ 0x00 ‖ data), where nameKey is
   * `deriveKey(localKey, 'storage-names', empty)`: the keyed hash that hides a name at rest.
   */
  mac(label: string, data: Uint8Array): string {
    return toHex(this.#names.clone().update(utf8Encode(label)).update(NUL).update(data).digest());
  }

  #expand(purpose: string, id: Uint8Array): Uint8Array {
    return this.#prk.clone().update(deriveKeyInfo(purpose, id)).update(ONE).digest();
  }
}
