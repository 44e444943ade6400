/**
 * Realm key rotation from a client: a fresh key appended with its certificate and a keys bundle
 * for the current members only; old data keeps its own key index.
 * @module
 */
import type { RealmId } from '../codec/ids.js';
import { rotateRealmKey } from '../manifests/rotation.js';
import type { ClientContext } from './context.js';
import { sendWithFreshTimestamp } from './send-certificate.js';

/** Rotation shell shared by `Workspace.rotateKey` and the automatic rotation after a revocation. */
export async function rotateWorkspaceKey(ctx: ClientContext, realmId: RealmId): Promise<number> {
  const current = await ctx.keys.get(realmId);
  let rot: Awaited<ReturnType<typeof rotateRealmKey>> | undefined;
  await sendWithFreshTimestamp(
    ctx,
    async (timestamp) => {
      // Recomputed on every attempt: a `realm_members_mismatch` means the member list was stale.
      const members = ctx.certs.listRealmMembers(realmId).map((m) => ({ userId: m.userId, publicKey: ctx.certs.getUser(m.userId)!.publicKey }));
      rot = await rotateRealmKey({ realmId, currentKeys: current.keyring, members, author: ctx.device.deviceId, signingKey: ctx.device.signingKey, timestamp, link: ctx.certs.nextLink(realmId) });
      return { cmd: 'realm_rotate_key', keyRotationCertificate: rot.certificate, keysBundle: rot.bundle, keysBundleAccesses: rot.accesses };
    },
    { alsoRetryOn: ['realm_members_mismatch'], beforeRetry: () => ctx.syncCertificates() },
  );
  await ctx.syncCertificates();
  await ctx.keys.install(realmId, { keyring: rot!.keyring, bundleKey: rot!.bundleKey });
  return rot!.keyring.latestIndex;
}
