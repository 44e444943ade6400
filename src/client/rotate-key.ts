/**
 * Realm key rotation from a client: a fresh key appended with its certificate and a keys bundle
 * for the current verified members only; old data keeps its own key index.
 * @module
 */
import type { RealmId } from '../codec/ids.js';
import { rotateRealmKey } from '../manifests/rotation.js';
import type { ClientContext } from './context.js';
import { excludedFrom, listRemovals } from './removals.js';
import { sendAndConfirm } from './send-certificate.js';

/**
 * Rotation shell shared by `Workspace.rotateKey` and the automatic rotation after a revocation.
 * Appends a fresh realm key and seals the new keys bundle to the members of the VERIFIED store,
 * minus every user whose removal this device signed and has not seen confirmed (the server may
 * hide it: the key is never sealed to them). Returns the new key index once the rotation
 * certificate is read back. Throws `TransportError` (`transport/not-confirmed`,
 * `transport/realm_members_mismatch` when the server's member list still holds a removed user).
 */
export async function rotateWorkspaceKey(ctx: ClientContext, realmId: RealmId): Promise<number> {
  // A device that has not seen another device's rotation yet would sign the same key index
  // again (refused `key-index-not-next`): the verified chain decides the next index.
  await ctx.syncCertificates();
  const current = await ctx.keys.get(realmId);
  let rot: Awaited<ReturnType<typeof rotateRealmKey>> | undefined;
  await sendAndConfirm(
    ctx,
    async (timestamp) => {
      // Recomputed on every attempt: a `realm_members_mismatch` means the member list was stale.
      const excluded = excludedFrom(realmId, await listRemovals(ctx.store.storage));
      const members = ctx.certs
        .listRealmMembers(realmId)
        .filter((m) => !excluded.has(m.userId))
        .map((m) => ({ userId: m.userId, publicKey: ctx.certs.getUser(m.userId)!.publicKey }));
      rot = await rotateRealmKey({ realmId, currentKeys: current.keyring, members, author: ctx.device.deviceId, signingKey: ctx.device.signingKey, timestamp, link: ctx.certs.nextLink(realmId) });
      return { cmd: 'realm_rotate_key', keyRotationCertificate: rot.certificate, keysBundle: rot.bundle, keysBundleAccesses: rot.accesses };
    },
    { alsoRetryOn: ['realm_members_mismatch'], beforeRetry: () => ctx.syncCertificates() },
  );
  await ctx.keys.install(realmId, { keyring: rot!.keyring, bundleKey: rot!.bundleKey });
  return rot!.keyring.latestIndex;
}
