/**
 * A realm's keys after verification against the rotation certificates' canaries. The only way to
 * get one is `RealmKeyring.verified` (used by the bundle reader and by `rotateRealmKey`), and the
 * write paths take a keyring, never a bare key: a key that fails its canary is thus never used to
 * encrypt anything.
 * @module
 */
import { ArgumentError, ManifestError, UnsupportedFormatError } from '../errors.js';
import type { RealmId } from '../codec/ids.js';
import type { SecretKey } from '../keys/index.js';
import { checkKeyCanary, REALM_KEY_SUITE_V1 } from './key-canary.js';

/** The fields of a `realm_key_rotation` certificate this module needs. */
export interface RealmKeyRotationInfo {
  readonly keyIndex: number;
  readonly suite: string;
  readonly keyCanary: Uint8Array;
}

/** Anything that gives the key of an index (a `RealmKeyring`, or a plain `Map`). */
export interface RealmKeyLookup {
  /** The realm key of index `keyIndex`, or `undefined` if this lookup does not have it. */
  get(keyIndex: number): SecretKey | undefined;
}

export class RealmKeyring implements RealmKeyLookup {
  private constructor(
    readonly realmId: RealmId,
    private readonly keys: readonly SecretKey[],
  ) {}

  /**
   * Checks `keys` (index 1..n in order) against `rotations` (the realm's `realm_key_rotation`
   * certificates, any order) and returns the keyring.
   * Throws `ManifestError`: `manifest/no-keys` (empty list), `manifest/key-canary-missing` (a key
   * without its rotation certificate), `manifest/keys-bundle-stale` (a rotation the key list does
   * not reach: using it would encrypt new data with a key a removed member still has),
   * `manifest/bad-key-canary` (a key differs from the one its rotation announced);
   * `UnsupportedFormatError` `format/unsupported-suite` for a suite other than v1.
   */
  static async verified(
    realmId: RealmId,
    keys: readonly SecretKey[],
    rotations: readonly RealmKeyRotationInfo[],
  ): Promise<RealmKeyring> {
    if (keys.length === 0) throw new ManifestError('manifest/no-keys', 'a realm has at least one key');
    const byIndex = new Map<number, RealmKeyRotationInfo>();
    for (const r of rotations) {
      if (!Number.isSafeInteger(r.keyIndex) || r.keyIndex < 1) {
        throw new ArgumentError('argument/out-of-range', `invalid key index ${r.keyIndex}`);
      }
      byIndex.set(r.keyIndex, r);
    }
    for (const index of byIndex.keys()) {
      if (index > keys.length) {
        throw new ManifestError('manifest/keys-bundle-stale', `key ${index} was rotated in but the bundle has ${keys.length} keys`);
      }
    }
    for (let i = 0; i < keys.length; i++) {
      const index = i + 1;
      const rotation = byIndex.get(index);
      if (rotation === undefined) throw new ManifestError('manifest/key-canary-missing', `no rotation certificate for key ${index}`);
      if (rotation.suite !== REALM_KEY_SUITE_V1) {
        throw new UnsupportedFormatError('format/unsupported-suite', `key ${index} uses unknown suite ${JSON.stringify(rotation.suite)}`);
      }
      if (!(await checkKeyCanary(realmId, index, keys[i]!, rotation.keyCanary))) {
        throw new ManifestError('manifest/bad-key-canary', `key ${index} does not match its rotation certificate's canary`);
      }
    }
    return new RealmKeyring(realmId, [...keys]);
  }

  /** Number of keys = index of the newest key. */
  get latestIndex(): number {
    return this.keys.length;
  }

  /** The newest key, the only one new data is encrypted with (the manifest format). */
  latest(): { keyIndex: number; key: SecretKey } {
    return { keyIndex: this.keys.length, key: this.keys[this.keys.length - 1]! };
  }

  /** The key of index `keyIndex` (1-based), or `undefined`. */
  get(keyIndex: number): SecretKey | undefined {
    if (!Number.isSafeInteger(keyIndex) || keyIndex < 1) return undefined;
    return this.keys[keyIndex - 1];
  }

  /** The keys in index order (a copy). */
  toArray(): SecretKey[] {
    return [...this.keys];
  }
}
