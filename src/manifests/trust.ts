/**
 * The narrow view of the chain of trust that the manifest and keys-bundle read paths need
 * (the certificate rules, the manifest format). Kept as an interface so this module does not depend on how the certificate
 * store is built: the store (or a thin adapter over it) answers these point-in-time questions.
 * @module
 */
import type { VerifyKey } from '../keys/index.js';
import type { DeviceId, RealmId, UserId } from '../codec/ids.js';
import type { Timestamp } from '../codec/timestamps.js';

/** A realm role; `null` means "not a member" (never shared, or unshared). */
export type ManifestRealmRole = 'OWNER' | 'MANAGER' | 'CONTRIBUTOR' | 'READER';

/** What a device was at a point in time: its user and its signature verify key. */
export interface TrustedDevice {
  readonly userId: UserId;
  readonly verifyKey: VerifyKey;
}

/**
 * Point-in-time facts from the certificate store. Every answer is about the instant `t`, the
 * timestamp inside the signed document: rights are judged when the document was written, so
 * revoking someone later does not make their earlier, legitimate writes unreadable.
 */
export interface ManifestTrust {
  /** The device if its certificate exists with a timestamp ≤ `t`, else `undefined`. */
  deviceAt(deviceId: DeviceId, t: Timestamp): TrustedDevice | undefined;
  /** True if a `revoked_user` certificate for `userId` has a timestamp ≤ `t`. */
  isUserRevokedAt(userId: UserId, t: Timestamp): boolean;
  /** The user's role in the realm at `t`, or `null` when not a member at `t`. */
  realmRoleAt(realmId: RealmId, userId: UserId, t: Timestamp): ManifestRealmRole | null;
}

/** Roles allowed to write manifests (the manifest format). A READER can read but any write it signs is refused. */
export const WRITE_ROLES: ReadonlySet<ManifestRealmRole> = new Set<ManifestRealmRole>(['OWNER', 'MANAGER', 'CONTRIBUTOR']);
