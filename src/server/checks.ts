/**
 * The server-side checks of the sync model as small functions that either return or refuse with the
 * error reply the client needs to recover (current version, current key index, timestamp bound).
 * @module
 */
import type { CertificateStore, RealmRole } from '../certificates/index.js';
import type { RealmId, UserId } from '../codec/ids.js';
import type { Timestamp } from '../codec/timestamps.js';
import { ballparkProblem } from '../transport/auth.js';
import { refuse } from './reply-error.js';

/** Roles that may write vlobs and blocks. */
export const WRITER_ROLES: readonly RealmRole[] = ['OWNER', 'MANAGER', 'CONTRIBUTOR'];
/** Every role (reads). */
export const ANY_ROLE: readonly RealmRole[] = ['OWNER', 'MANAGER', 'CONTRIBUTOR', 'READER'];

/**
 * The user's current role in the realm if it is one of `allowed`; otherwise refuses `not_allowed`
 * — with the same answer for an unknown realm, so non-members learn nothing about it.
 */
export function requireRole(store: CertificateStore, realmId: RealmId, userId: UserId, allowed: readonly RealmRole[]): RealmRole {
  const role = store.getRealmRole(realmId, userId);
  if (role === null) refuse({ code: 'not_allowed', message: 'not a member of this realm' });
  if (!allowed.includes(role)) refuse({ code: 'not_allowed', message: `role ${role} cannot do this` });
  return role;
}

/** Refuses `timestamp_out_of_ballpark` when `timestamp` is more than `window` µs from `now`. */
export function checkBallpark(timestamp: Timestamp, now: Timestamp, window: number): void {
  const problem = ballparkProblem(timestamp, now, window);
  if (problem) {
    refuse({ code: 'timestamp_out_of_ballpark', message: 'timestamp too far from the server clock', ...problem });
  }
}

/** Refuses `require_greater_timestamp` unless `timestamp` is strictly after `bound`. */
export function checkGreater(timestamp: Timestamp, bound: Timestamp | null): void {
  if (bound !== null && timestamp <= bound) {
    refuse({ code: 'require_greater_timestamp', message: `timestamp must be after ${bound}`, strictlyGreaterThan: bound });
  }
}

/** Refuses `bad_key_index` unless `keyIndex` is the realm's current key index. */
export function checkKeyIndex(store: CertificateStore, realmId: RealmId, keyIndex: number): void {
  const current = store.getKeyIndex(realmId);
  if (keyIndex !== current) {
    refuse({ code: 'bad_key_index', message: `key index ${keyIndex} is not the current one`, currentKeyIndex: current });
  }
}

/** Refuses `bad_version` unless `version` is exactly `current + 1`. */
export function checkNextVersion(version: number, current: number): void {
  if (version !== current + 1) {
    refuse({ code: 'bad_version', message: `version ${version} is not ${current + 1}`, currentVersion: current });
  }
}

/**
 * Refuses `realm_deleted` once the realm's planned deletion date has passed (RFC 1028 §4.2): from
 * then on nothing of it is served or accepted, whether or not the purge has run yet.
 */
export function checkRealmNotDeleted(store: CertificateStore, realmId: RealmId, now: Timestamp): void {
  const conf = store.getArchiving(realmId);
  if (conf.status === 'deletion_planned' && now >= conf.deletionDate) refuse({ code: 'realm_deleted', message: 'the realm was deleted' });
}

/**
 * Refuses writes to an archived realm or one whose deletion is planned (`realm_archived`: read
 * only, above every role, RFC 1028 §1.1), and to a deleted one (`realm_deleted`).
 */
export function checkRealmWritable(store: CertificateStore, realmId: RealmId, now: Timestamp): void {
  checkRealmNotDeleted(store, realmId, now);
  if (store.getArchiving(realmId).status !== 'available') refuse({ code: 'realm_archived', message: 'the realm is archived: read only' });
}
