/**
 * Adapter from the certificate store (the certificate rules) to the narrow `ManifestTrust` view and the
 * rotation list that the manifest and keys-bundle readers need. Typed structurally against the
 * few `CertificateStore` methods used, so this module depends on their meaning, not on the
 * store's class.
 * @module
 */
import type { DeviceId, RealmId, UserId } from '../codec/ids.js';
import type { Timestamp } from '../codec/timestamps.js';
import type { VerifyKey } from '../keys/index.js';
import type { RealmKeyRotationInfo } from './realm-keyring.js';
import type { ManifestRealmRole, ManifestTrust } from './trust.js';

/** The point-in-time queries of `CertificateStore` used here. */
export interface CertificateFacts {
  /** The device's user and verify key if the device existed at `at`, else `undefined`. */
  getDevice(deviceId: DeviceId, at: Timestamp): { readonly userId: UserId; readonly verifyKey: VerifyKey } | undefined;
  /** True if `userId` was revoked at or before `at`. */
  isRevoked(userId: UserId, at: Timestamp): boolean;
  /** The user's role in the realm at `at`, or `null` if not a member then. */
  getRealmRole(realmId: RealmId, userId: UserId, at: Timestamp): ManifestRealmRole | null;
  /** The realm's current key index at `at` (latest when omitted); 0 before any rotation. */
  getKeyIndex(realmId: RealmId, at?: Timestamp): number;
  /** The rotation certificate facts of key `keyIndex` (suite, canary), if that rotation exists. */
  getKeyRotation(realmId: RealmId, keyIndex: number): RealmKeyRotationInfo | undefined;
}

/** A `ManifestTrust` answering from a certificate store. */
export function manifestTrustFromStore(store: CertificateFacts): ManifestTrust {
  return {
    deviceAt(deviceId, t) {
      const d = store.getDevice(deviceId, t);
      return d === undefined ? undefined : { userId: d.userId, verifyKey: d.verifyKey };
    },
    isUserRevokedAt: (userId, t) => store.isRevoked(userId, t),
    realmRoleAt: (realmId, userId, t) => store.getRealmRole(realmId, userId, t),
  };
}

/** The realm's key rotations 1..current known to the store, to check a keys bundle against. */
export function keyRotationsFromStore(store: CertificateFacts, realmId: RealmId): RealmKeyRotationInfo[] {
  const out: RealmKeyRotationInfo[] = [];
  const n = store.getKeyIndex(realmId);
  for (let i = 1; i <= n; i++) {
    const r = store.getKeyRotation(realmId, i);
    if (r !== undefined) out.push({ keyIndex: r.keyIndex, suite: r.suite, keyCanary: r.keyCanary });
  }
  return out;
}
