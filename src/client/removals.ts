/**
 * Removals this device has signed (revocations, unshares), kept until the verified certificate
 * store shows them: nothing is done until it is seen.
 *
 * Attack stopped: a server acknowledges a `user_revoke` / `realm_unshare` and never stores it (or
 * hides it from this device). Until the removal is in the verified chain, the store still lists
 * the user as a member, so a key rotation built from the store alone would seal the new key to
 * the very user just removed, who then reads, with the server's help, everything written after
 * its removal. So a removal is recorded here BEFORE it is sent, a rotation never seals to a user
 * recorded here, and the next certificate sync re-sends a removal the store does not show yet.
 * @module
 */
import type { RealmId, UserId } from '../codec/ids.js';
import type { Timestamp } from '../codec/timestamps.js';
import { readCertificate } from '../certificates/sign.js';
import type { CertificateStore } from '../certificates/store.js';
import { COMMON_TOPIC, type Topic } from '../certificates/types.js';
import type { Storage } from '../storage/storage.js';

const NS = 'removals';
/** A record value is the decimal timestamp at which the removal was first signed. */
const SINCE_RE = /^[0-9]{1,16}$/;

/** One removal this device signed: a revocation (topic `common`) or an unshare (topic = realm). */
export interface SignedRemoval {
  readonly topic: Topic;
  readonly userId: UserId;
  /** When this device first signed it (µs). */
  readonly since: Timestamp;
}

const keyOf = (topic: Topic, userId: UserId): string => `${topic}:${userId}`;

/** Records a removal durably, before its certificate is sent (an existing record is kept). */
export async function recordRemoval(storage: Storage, topic: Topic, userId: UserId, since: Timestamp): Promise<void> {
  const key = keyOf(topic, userId);
  if ((await storage.get(NS, key)) !== undefined) return;
  await storage.put(NS, key, new TextEncoder().encode(String(since)));
}

/** Forgets a removal (the verified store shows it, or a later share superseded it). */
export async function forgetRemoval(storage: Storage, topic: Topic, userId: UserId): Promise<void> {
  await storage.delete(NS, keyOf(topic, userId));
}

/** Every recorded removal; an unreadable record counts as signed at time 0 (kept, never dropped). */
export async function listRemovals(storage: Storage): Promise<SignedRemoval[]> {
  const out: SignedRemoval[] = [];
  for (const key of await storage.list(NS)) {
    const i = key.lastIndexOf(':');
    if (i <= 0) continue;
    const raw = new TextDecoder().decode((await storage.get(NS, key)) ?? new Uint8Array(0));
    out.push({ topic: key.slice(0, i) as Topic, userId: key.slice(i + 1) as UserId, since: SINCE_RE.test(raw) ? Number(raw) : 0 });
  }
  return out;
}

/** Users a rotation of `realmId` must never seal the key to: revoked or unshared by this device, not yet seen. */
export function excludedFrom(realmId: RealmId, removals: readonly SignedRemoval[]): Set<UserId> {
  return new Set(removals.filter((r) => r.topic === COMMON_TOPIC || r.topic === realmId).map((r) => r.userId));
}

/**
 * True once the verified store shows `removal` done, or superseded: the user is revoked
 * (a revocation is final); for an unshare, the user has no role, or a role certificate about the
 * user dated after the removal was signed was verified (someone re-shared on purpose).
 */
export function removalSettled(certs: CertificateStore, removal: SignedRemoval): boolean {
  if (certs.isRevoked(removal.userId)) return true;
  if (removal.topic === COMMON_TOPIC) return false;
  const realmId = removal.topic as RealmId;
  if (certs.getRealmRole(realmId, removal.userId) === null) return true;
  for (const signed of certs.signedCertificates(realmId, removal.since)) {
    const c = readCertificate(signed).certificate;
    if (c.type === 'realm_role' && c.userId === removal.userId && c.timestamp > removal.since) return true;
  }
  return false;
}
