/**
 * The chain-of-trust rules, one small function per certificate kind. Each checks one
 * certificate against the draft state (which already holds the earlier certificates of its batch),
 * throws a `CertificateError` with the rule's reason, or records the certificate in the draft.
 * Signatures are checked afterwards, in one concurrent batch, with the keys these functions return.
 * @module
 */
import type { UserId } from '../codec/ids.js';
import type { Timestamp } from '../codec/timestamps.js';
import type { VerifyKey } from '../keys/index.js';
import { certificateError, REASONS } from './reasons.js';
import { applyClearance, applyLabelPolicy, applyRealmLabel, checkRoleCleared } from './label-rules.js';
import { normaliseEmail, profileAt, revokedAt, roleAt, type Draft, type UserRecord } from './state.js';
import type {
  Certificate,
  CommonCertificate,
  DeviceCertificate,
  RealmCertificate,
  RealmRole,
  RealmRoleCertificate,
  RevokedUserCertificate,
  UserCertificate,
  UserUpdateCertificate,
} from './types.js';

/** Who signed a certificate: the key to verify with, and the author's user (null for root). */
export interface ResolvedAuthor {
  readonly key: VerifyKey;
  readonly user: UserRecord | null;
}

/**
 * Finds the author device and checks it may sign at `cert.timestamp`: it exists, is not newer
 * than the certificate (a device cannot vouch for the past: that is back-dating), and its user is
 * not revoked at that time. The root key is accepted only for the bootstrap.
 */
export function resolveAuthor(draft: Draft, cert: Certificate, root: VerifyKey, index: number): ResolvedAuthor {
  if (cert.author === null) {
    if (!draft.isEmpty || cert.type !== 'user') {
      throw certificateError(REASONS.rootOutsideBootstrap, 'the root key only signs the bootstrap (first user and device)', index);
    }
    return { key: root, user: null };
  }
  const device = draft.device(cert.author);
  if (!device) throw certificateError(REASONS.unknownAuthor, `author device ${cert.author} does not exist`, index);
  if (device.certificate.timestamp > cert.timestamp) {
    throw certificateError(REASONS.authorNewerThanCertificate, `author device ${cert.author} is newer than the certificate`, index);
  }
  const user = draft.user(device.certificate.userId);
  // A device record always has its user (first device follows its user certificate).
  if (!user || revokedAt(user, cert.timestamp)) {
    throw certificateError(REASONS.revokedAuthor, `author device ${cert.author} belongs to a revoked user`, index);
  }
  return { key: device.certificate.verifyKey, user };
}

function requireAdmin(author: ResolvedAuthor, t: Timestamp, index: number): UserRecord {
  if (author.user === null || profileAt(author.user, t) !== 'ADMIN') {
    throw certificateError(REASONS.authorNotAdmin, 'only an ADMIN creates users, changes profiles or revokes', index);
  }
  return author.user;
}

/** Checks the common-topic ordering: strictly increasing, and after every realm certificate. */
export function checkCommonTimestamp(draft: Draft, t: Timestamp, index: number): void {
  if (draft.commonLast !== null && t <= draft.commonLast) {
    throw certificateError(REASONS.timestampNotIncreasing, `timestamp ${t} is not after ${draft.commonLast} in topic common`, index);
  }
  // A common certificate older than an accepted realm certificate could retroactively invalidate
  // it (e.g. a back-dated revocation of its author): the server orders all topics globally.
  if (draft.realmsLast !== null && t <= draft.realmsLast) {
    throw certificateError(REASONS.olderThanRealmCertificate, `common timestamp ${t} is not after realm timestamp ${draft.realmsLast}`, index);
  }
}

/** A new user (its first device must follow: see `checkFirstDevice`). */
export function applyUser(draft: Draft, cert: UserCertificate, author: ResolvedAuthor, index: number): void {
  if (author.user === null) {
    if (cert.profile !== 'ADMIN') throw certificateError(REASONS.bootstrapNotAdmin, 'the bootstrap user must be an ADMIN', index);
  } else {
    requireAdmin(author, cert.timestamp, index);
  }
  if (draft.user(cert.userId)) throw certificateError(REASONS.duplicateUser, `user ${cert.userId} already exists`, index);
  const email = normaliseEmail(cert.humanHandle.email);
  if (draft.emailOwner(email) !== undefined) {
    throw certificateError(REASONS.duplicateHumanHandle, `human handle ${cert.humanHandle.email} is taken by a non-revoked user`, index);
  }
  draft.addUser({ certificate: cert, profiles: [{ timestamp: cert.timestamp, profile: cert.profile, certificate: cert }], revoked: null, devices: [] }, email);
}

/** A user's first device: same author and timestamp as the user certificate just before it. */
export function checkFirstDevice(cert: Certificate, user: UserCertificate, index: number): DeviceCertificate {
  if (cert.type !== 'device' || cert.userId !== user.userId) {
    throw certificateError(REASONS.firstDeviceMismatch, `user ${user.userId} must be followed by its first device`, index);
  }
  if (cert.author !== user.author || cert.timestamp !== user.timestamp) {
    throw certificateError(REASONS.firstDeviceMismatch, 'a first device has the author and timestamp of its user certificate', index);
  }
  return cert;
}

/** Records a device. Later devices (`first` false) must be signed by one of the user's devices. */
export function applyDevice(draft: Draft, cert: DeviceCertificate, author: ResolvedAuthor, first: boolean, index: number): void {
  if (!first && author.user?.certificate.userId !== cert.userId) {
    throw certificateError(REASONS.deviceSignedByOtherUser, `device of user ${cert.userId} signed by another user's device`, index);
  }
  if (draft.device(cert.deviceId)) throw certificateError(REASONS.duplicateDevice, `device ${cert.deviceId} already exists`, index);
  // Exists: a first device follows its user in the draft, a later one is signed by that user.
  const user = draft.mutableUser(cert.userId)!;
  draft.addDevice({ certificate: cert });
  user.devices.push(cert.deviceId);
}

function adminTarget(draft: Draft, cert: UserUpdateCertificate | RevokedUserCertificate, author: ResolvedAuthor, index: number): UserRecord {
  const admin = requireAdmin(author, cert.timestamp, index);
  const target = draft.mutableUser(cert.userId);
  if (!target) throw certificateError(REASONS.userNotFound, `user ${cert.userId} does not exist`, index);
  // An admin demoting or revoking itself could leave the organisation without any admin.
  if (admin.certificate.userId === cert.userId) throw certificateError(REASONS.selfTargeted, 'an admin cannot change or revoke its own user', index);
  if (target.revoked !== null) throw certificateError(REASONS.userAlreadyRevoked, `user ${cert.userId} is already revoked`, index);
  return target;
}

export function applyUserUpdate(draft: Draft, cert: UserUpdateCertificate, author: ResolvedAuthor, index: number): void {
  const target = adminTarget(draft, cert, author, index);
  if (profileAt(target, cert.timestamp) === cert.newProfile) {
    throw certificateError(REASONS.profileUnchanged, `user ${cert.userId} already has profile ${cert.newProfile}`, index);
  }
  target.profiles.push({ timestamp: cert.timestamp, profile: cert.newProfile, certificate: cert });
}

export function applyRevokedUser(draft: Draft, cert: RevokedUserCertificate, author: ResolvedAuthor, index: number): void {
  const target = adminTarget(draft, cert, author, index);
  target.revoked = cert;
  // A revoked user's email may be reused by a new account.
  draft.releaseEmail(normaliseEmail(target.certificate.humanHandle.email));
}

/** Applies one common-topic certificate other than a first device. */
export function applyCommon(draft: Draft, cert: CommonCertificate, author: ResolvedAuthor, index: number): void {
  switch (cert.type) {
    case 'user':
      return applyUser(draft, cert, author, index);
    case 'device':
      return applyDevice(draft, cert, author, false, index);
    case 'user_update':
      return applyUserUpdate(draft, cert, author, index);
    case 'revoked_user':
      return applyRevokedUser(draft, cert, author, index);
    case 'label_policy':
      return applyLabelPolicy(draft, cert, author, index);
    case 'clearance':
      return applyClearance(draft, cert, author, index);
  }
}

const ELEVATED: ReadonlySet<RealmRole | null> = new Set<RealmRole | null>(['OWNER', 'MANAGER']);

function authorUserId(author: ResolvedAuthor): UserId {
  // Realm certificates are never root-signed (checked by resolveAuthor's bootstrap rule).
  return author.user!.certificate.userId;
}

function applyFirstRealmCertificate(draft: Draft, cert: RealmCertificate, author: ResolvedAuthor, index: number): void {
  const self = authorUserId(author);
  if (cert.type !== 'realm_role' || cert.role !== 'OWNER' || cert.userId !== self) {
    throw certificateError(REASONS.realmFirstNotSelfOwner, `realm ${cert.realmId} must start with its creator giving itself OWNER`, index);
  }
  if (profileAt(author.user!, cert.timestamp) === 'OUTSIDER') {
    throw certificateError(REASONS.outsiderElevated, 'an OUTSIDER is never OWNER or MANAGER', index);
  }
  draft.addRealm({
    realmId: cert.realmId,
    created: cert.timestamp,
    last: cert.timestamp,
    roles: new Map([[self, [{ timestamp: cert.timestamp, role: 'OWNER', certificate: cert }]]]),
    keyRotations: [],
    names: [],
    archiving: [],
    labels: [],
  });
}

function applyRole(draft: Draft, cert: RealmRoleCertificate, author: ResolvedAuthor, authorRole: RealmRole, index: number): void {
  const self = authorUserId(author);
  if (cert.userId === self) throw certificateError(REASONS.selfRoleChange, 'a member cannot change its own role', index);
  const target = draft.user(cert.userId);
  if (!target || target.certificate.timestamp > cert.timestamp) {
    throw certificateError(REASONS.userNotFound, `user ${cert.userId} does not exist`, index);
  }
  const realm = draft.mutableRealm(cert.realmId)!;
  const history = realm.roles.get(cert.userId);
  const current = roleAt(history, cert.timestamp);
  if (ELEVATED.has(cert.role) || ELEVATED.has(current)) {
    if (authorRole !== 'OWNER') throw certificateError(REASONS.authorNotOwner, 'only an OWNER gives or takes OWNER/MANAGER', index);
  } else if (!ELEVATED.has(authorRole)) {
    throw certificateError(REASONS.authorNotOwnerOrManager, 'only an OWNER or MANAGER gives or takes CONTRIBUTOR/READER', index);
  }
  if (cert.role !== null && revokedAt(target, cert.timestamp)) {
    throw certificateError(REASONS.revokedUserRole, `user ${cert.userId} is revoked`, index);
  }
  if (ELEVATED.has(cert.role) && profileAt(target, cert.timestamp) === 'OUTSIDER') {
    throw certificateError(REASONS.outsiderElevated, 'an OUTSIDER is never OWNER or MANAGER', index);
  }
  if (cert.role === current) throw certificateError(REASONS.roleUnchanged, `user ${cert.userId} already has role ${String(current)}`, index);
  if (cert.role !== null) checkRoleCleared(draft, realm, cert.userId, cert.timestamp, index);
  realm.roles.set(cert.userId, [...(history ?? []), { timestamp: cert.timestamp, role: cert.role, certificate: cert }]);
}

function requireOwner(authorRole: RealmRole, what: string, index: number): void {
  if (authorRole !== 'OWNER') throw certificateError(REASONS.authorNotOwner, `only an OWNER ${what}`, index);
}

/**
 * Applies one realm-topic certificate: ordering in its topic, realm creation, then the role
 * rules. The author's role is read at the certificate's timestamp.
 */
export function applyRealm(draft: Draft, cert: RealmCertificate, author: ResolvedAuthor, index: number): void {
  const existing = draft.realm(cert.realmId);
  if (!existing) {
    applyFirstRealmCertificate(draft, cert, author, index);
  } else {
    const authorRole = roleAt(existing.roles.get(authorUserId(author)), cert.timestamp);
    if (authorRole === null) throw certificateError(REASONS.authorNoRealmRole, `author has no role in realm ${cert.realmId}`, index);
    switch (cert.type) {
      case 'realm_role':
        applyRole(draft, cert, author, authorRole, index);
        break;
      case 'realm_key_rotation': {
        requireOwner(authorRole, 'rotates realm keys', index);
        const expected = existing.keyRotations.length + 1;
        if (cert.keyIndex !== expected) {
          throw certificateError(REASONS.keyIndexNotNext, `key index ${cert.keyIndex}, expected ${expected}`, index);
        }
        draft.mutableRealm(cert.realmId)!.keyRotations.push(cert);
        break;
      }
      case 'realm_name':
        requireOwner(authorRole, 'renames a realm', index);
        if (cert.keyIndex < 1 || cert.keyIndex > existing.keyRotations.length) {
          throw certificateError(REASONS.unknownKeyIndex, `realm ${cert.realmId} has no key index ${cert.keyIndex}`, index);
        }
        draft.mutableRealm(cert.realmId)!.names.push(cert);
        break;
      case 'realm_archiving':
        requireOwner(authorRole, 'archives a realm', index);
        if (cert.configuration.status === 'deletion_planned' && cert.configuration.deletionDate <= cert.timestamp) {
          throw certificateError(REASONS.deletionDateNotAfter, 'a planned deletion date must be after the certificate', index);
        }
        draft.mutableRealm(cert.realmId)!.archiving.push(cert);
        break;
      case 'realm_label':
        requireOwner(authorRole, 'labels a realm', index);
        applyRealmLabel(draft, cert, index);
        break;
    }
  }
  draft.mutableRealm(cert.realmId)!.last = cert.timestamp;
  if (draft.realmsLast === null || cert.timestamp > draft.realmsLast) draft.realmsLast = cert.timestamp;
}
