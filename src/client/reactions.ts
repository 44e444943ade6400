/**
 * What a client does on its own after each certificate sync, always from the VERIFIED store:
 * - removals this device signed that the store does not show yet are re-sent (an operation
 *   interrupted, or acknowledged by a server that dropped it, resumes), and forgotten once shown;
 * - an OWNER device unshares revoked members of its realms and rotates the key.
 * Failures are `error` events; the next certificate sync tries again.
 * @module
 */
import type { RealmId, UserId } from '../codec/ids.js';
import { COMMON_TOPIC } from '../certificates/types.js';
import type { ClientContext } from './context.js';
import { revokeUser, unshareWorkspace } from './membership.js';
import { rotateWorkspaceKey } from './rotate-key.js';
import { forgetRemoval, listRemovals, removalSettled } from './removals.js';

/** Re-sends every recorded removal the verified store does not show yet; forgets the settled ones. */
export async function resumeRemovals(ctx: ClientContext): Promise<void> {
  for (const r of await listRemovals(ctx.store.storage)) {
    if (removalSettled(ctx.certs, r)) {
      await forgetRemoval(ctx.store.storage, r.topic, r.userId);
      continue;
    }
    // The operation that signed it is still running (it confirms and forgets it itself).
    if (ctx.removalsInFlight.has(`${r.topic}:${r.userId}`)) continue;
    try {
      if (r.topic === COMMON_TOPIC) await revokeUser(ctx, r.userId);
      else await unshareWorkspace(ctx, r.topic as RealmId, r.userId);
    } catch (error) {
      ctx.events.emit('error', { error, realmId: r.topic === COMMON_TOPIC ? null : (r.topic as RealmId) });
    }
  }
}

/**
 * For each realm this user OWNs: members revoked since (still holding a role) are unshared,
 * and if no key rotation happened after a member's revocation, the key is rotated, so revoked
 * users cannot read anything written from now on.
 */
export async function reactToRevocations(ctx: ClientContext): Promise<void> {
  const { certs } = ctx;
  const revoked = certs.listUsers().filter((u) => u.revokedOn !== null);
  if (revoked.length === 0) return;
  for (const { realmId, role } of certs.listUserRealms(ctx.device.userId)) {
    if (role !== 'OWNER') continue;
    // A deleted realm holds nothing to protect any more, and the server refuses every change.
    const conf = certs.getArchiving(realmId);
    if (conf.status === 'deletion_planned' && ctx.clock() >= conf.deletionDate) continue;
    const lastRotation = certs.getCurrentKeyRotation(realmId)?.timestamp ?? 0;
    const toUnshare: UserId[] = [];
    const removed: UserId[] = [];
    for (const u of revoked) {
      const hadRole = certs.getRealmRole(realmId, u.userId, u.revokedOn!) !== null;
      if (certs.getRealmRole(realmId, u.userId) !== null) toUnshare.push(u.userId);
      if (hadRole && u.revokedOn! > lastRotation) removed.push(u.userId);
    }
    if (toUnshare.length === 0 && removed.length === 0) continue;
    try {
      for (const userId of toUnshare) await unshareWorkspace(ctx, realmId, userId);
      const keyIndex = removed.length > 0 ? await rotateWorkspaceKey(ctx, realmId) : certs.getKeyIndex(realmId);
      ctx.events.emit('auto-rotated', { realmId, keyIndex, removed: [...new Set([...toUnshare, ...removed])] });
    } catch (error) {
      ctx.events.emit('error', { error, realmId });
    }
  }
}
