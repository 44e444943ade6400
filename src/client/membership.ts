/**
 * Membership operations of a workspace (online): each signs a realm certificate with a fresh
 * timestamp, sends it (re-signing past `require_greater_timestamp`), then reads the certificates
 * back so that the local store shows the change only once the server has it.
 * @module
 */
import type { RealmId, UserId } from '../codec/ids.js';
import type { Timestamp } from '../codec/timestamps.js';
import { signCertificate } from '../certificates/sign.js';
import type { RealmRole } from '../certificates/index.js';
import type { CertificateContent } from '../certificates/types.js';
import { ArgumentError } from '../errors.js';
import { createRealmKeysAccess } from '../manifests/realm-keys-bundle.js';
import { createRealmNameCertificate } from '../manifests/realm-name.js';
import type { AuthenticatedRequest } from '../transport/commands.js';
import type { ClientContext } from './context.js';
import { sendWithFreshTimestamp } from './send-certificate.js';

/** Sends `make(timestamp)` (fresh timestamps on retry), then syncs certificates. */
export async function sendRealmCertificate(ctx: ClientContext, make: (timestamp: Timestamp) => Promise<AuthenticatedRequest>): Promise<void> {
  await sendWithFreshTimestamp(ctx, make);
  await ctx.syncCertificates();
}

/** A new `realm_name` certificate (the caller checked the OWNER role). */
export async function setWorkspaceName(ctx: ClientContext, realmId: RealmId, name: string): Promise<void> {
  const keys = await ctx.keys.get(realmId);
  await sendRealmCertificate(ctx, async (timestamp) => {
    const { certificate } = await createRealmNameCertificate({ name, realmId, keyring: keys.keyring, author: ctx.device.deviceId, timestamp, signingKey: ctx.device.signingKey, link: ctx.certs.nextLink(realmId) });
    return { cmd: 'realm_rename', nameCertificate: certificate };
  });
}

function roleCertificate(ctx: ClientContext, realmId: RealmId, userId: UserId, role: RealmRole | null, timestamp: Timestamp): CertificateContent & { type: 'realm_role' } {
  return { type: 'realm_role', author: ctx.device.deviceId, timestamp, realmId, userId, role };
}

/** Gives `userId` a role with a sealed access to the current keys bundle. Throws `ArgumentError` for an unknown or revoked user. */
export async function shareWorkspace(ctx: ClientContext, realmId: RealmId, userId: UserId, role: RealmRole): Promise<void> {
  await ctx.syncCertificates();
  const user = ctx.certs.getUser(userId);
  if (user === undefined || user.revokedOn !== null) throw new ArgumentError('argument/invalid', `user ${userId} is unknown or revoked`);
  const keys = await ctx.keys.get(realmId);
  const access = await createRealmKeysAccess({ realmId, member: { userId, publicKey: user.publicKey }, bundleKey: keys.bundleKey });
  await sendRealmCertificate(ctx, async (timestamp) => ({
    cmd: 'realm_share',
    roleCertificate: await signCertificate(ctx.device.signingKey, roleCertificate(ctx, realmId, userId, role, timestamp), ctx.certs.nextLink(realmId)),
    keysBundleAccess: access,
  }));
}

/** Takes `userId`'s role away. */
export async function unshareWorkspace(ctx: ClientContext, realmId: RealmId, userId: UserId): Promise<void> {
  await sendRealmCertificate(ctx, async (timestamp) => ({
    cmd: 'realm_unshare',
    roleCertificate: await signCertificate(ctx.device.signingKey, roleCertificate(ctx, realmId, userId, null, timestamp), ctx.certs.nextLink(realmId)),
  }));
}
