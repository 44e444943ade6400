/**
 * Membership operations of a workspace (share, unshare, rename) and the revocation of a user: thin shells that sign a certificate, send it, and report success only once the
 * certificate is read back in the verified chain (`sendAndConfirm`).
 * @module
 */
import type { RealmId, UserId } from '../codec/ids.js';
import type { Timestamp } from '../codec/timestamps.js';
import { signCertificate } from '../certificates/sign.js';
import { COMMON_TOPIC, type CertificateContent, type RealmRole, type Topic } from '../certificates/types.js';
import { ArgumentError } from '../errors.js';
import { createRealmKeysAccess } from '../manifests/realm-keys-bundle.js';
import { createRealmNameCertificate } from '../manifests/realm-name.js';
import type { ClientContext } from './context.js';
import { forgetRemoval, listRemovals, recordRemoval } from './removals.js';
import type { AuthenticatedRequest } from '../transport/commands.js';
import { sendAndConfirm } from './send-certificate.js';
import { checkShare } from './labels.js';

/**
 * Sends a realm certificate made by `make(timestamp)` (fresh timestamps on retry) and returns once
 * it is read back in the verified chain. Throws `TransportError` `transport/not-confirmed`.
 */
export async function sendRealmCertificate(ctx: ClientContext, make: (timestamp: Timestamp) => Promise<AuthenticatedRequest>): Promise<void> {
  await sendAndConfirm(ctx, make);
}

function roleContent(ctx: ClientContext, realmId: RealmId, userId: UserId, role: RealmRole | null, timestamp: Timestamp): CertificateContent & { type: 'realm_role' } {
  return { type: 'realm_role', author: ctx.device.deviceId, timestamp, realmId, userId, role };
}

/**
 * Runs `send` for a removal of `userId` from `topic`, recorded durably before anything is sent
 * and forgotten only once `send` confirmed it: if the server acknowledges and drops it, the record
 * keeps every later rotation from sealing the key to the user, and the next sync re-sends it.
 */
async function removal(ctx: ClientContext, topic: Topic, userId: UserId, send: () => Promise<unknown>): Promise<void> {
  const key = `${topic}:${userId}`;
  await recordRemoval(ctx.store.storage, topic, userId, ctx.clock());
  ctx.removalsInFlight.add(key);
  try {
    await send();
  } finally {
    ctx.removalsInFlight.delete(key);
  }
  await forgetRemoval(ctx.store.storage, topic, userId);
}

/**
 * Revokes `userId` (a `revoked_user` certificate), confirmed in the verified common topic.
 * Throws `TransportError` (`transport/not-confirmed`, `transport/invalid_certificate`, …).
 */
export async function revokeUser(ctx: ClientContext, userId: UserId): Promise<void> {
  await removal(ctx, COMMON_TOPIC, userId, () =>
    sendAndConfirm(ctx, async (timestamp) => ({
      cmd: 'user_revoke',
      certificate: await signCertificate(ctx.device.signingKey, { type: 'revoked_user', author: ctx.device.deviceId, timestamp, userId }, ctx.certs.nextLink(COMMON_TOPIC)),
    })),
  );
}

/**
 * Gives `userId` a role in `realmId` with a sealed access to the current keys bundle, confirmed
 * in the verified realm topic. A pending (unconfirmed) unshare of that user by this device is
 * superseded; a pending revocation refuses the share (`argument/invalid`), like a verified one.
 */
export async function shareWorkspace(ctx: ClientContext, realmId: RealmId, userId: UserId, role: RealmRole): Promise<void> {
  await ctx.syncCertificates();
  const user = ctx.certs.getUser(userId);
  const revokedHere = (await listRemovals(ctx.store.storage)).some((r) => r.topic === COMMON_TOPIC && r.userId === userId);
  if (user === undefined || user.revokedOn !== null || revokedHere) throw new ArgumentError('argument/invalid', `user ${userId} is unknown or revoked`);
  // The engine refuses the role certificate anyway (every client, the server): refuse before signing.
  checkShare(ctx, realmId, userId);
  const keys = await ctx.keys.get(realmId);
  const access = await createRealmKeysAccess({ realmId, member: { userId, publicKey: user.publicKey }, bundleKey: keys.bundleKey });
  await sendAndConfirm(ctx, async (timestamp) => ({
    cmd: 'realm_share',
    roleCertificate: await signCertificate(ctx.device.signingKey, roleContent(ctx, realmId, userId, role, timestamp), ctx.certs.nextLink(realmId)),
    keysBundleAccess: access,
  }));
  await forgetRemoval(ctx.store.storage, realmId, userId);
}

/** Takes `userId`'s role in `realmId` away, confirmed in the verified realm topic. */
export async function unshareWorkspace(ctx: ClientContext, realmId: RealmId, userId: UserId): Promise<void> {
  await removal(ctx, realmId, userId, () =>
    sendAndConfirm(ctx, async (timestamp) => ({
      cmd: 'realm_unshare',
      roleCertificate: await signCertificate(ctx.device.signingKey, roleContent(ctx, realmId, userId, null, timestamp), ctx.certs.nextLink(realmId)),
    })),
  );
}

/** Renames a realm (new `realm_name` certificate; the caller checked the OWNER role), confirmed in the verified realm topic. */
export async function setWorkspaceName(ctx: ClientContext, realmId: RealmId, name: string): Promise<void> {
  const keys = await ctx.keys.get(realmId);
  await sendAndConfirm(ctx, async (timestamp) => {
    const { certificate } = await createRealmNameCertificate({ name, realmId, keyring: keys.keyring, author: ctx.device.deviceId, timestamp, signingKey: ctx.device.signingKey, link: ctx.certs.nextLink(realmId) });
    return { cmd: 'realm_rename', nameCertificate: certificate };
  });
}
