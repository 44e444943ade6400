/**
 * Integration with the real `CertificateStore`: certificates really signed and ingested, the
 * store adapted to `ManifestTrust`, rotation certificates produced by `rotateRealmKey`.
 */
import { describe, expect, it } from 'vitest';
import { bootstrapOrganization, CertificateStore } from '../../src/certificates/index.js';
import { ChainTracker } from '../support/chain.js';
import type { RealmId, UserId } from '../../src/codec/ids.js';
import { sha256 } from '../../src/keys/index.js';
import { keyRotationsFromStore, manifestTrustFromStore } from '../../src/manifests/certificate-trust.js';
import { openRealmKeysAccess, openRealmKeysBundle, type KeysRecipient } from '../../src/manifests/realm-keys-bundle.js';
import { createRealmNameCertificate, decryptRealmName } from '../../src/manifests/realm-name.js';
import { rotateRealmKey } from '../../src/manifests/rotation.js';
import { decryptManifest, encryptManifest } from '../../src/manifests/vlob-crypto.js';
import { bob, carol, claimsOf, fileManifest, REALM, SECOND, T0, type Person } from './helpers.js';

const t = (s: number) => T0 + s * SECOND;

async function organisation() {
  const boot = await bootstrapOrganization({ humanHandle: { email: 'alice@example.org', label: 'Alice' }, deviceLabel: 'laptop', clock: () => t(0) });
  const alice: Person = { name: 'alice', userId: boot.user.userId, deviceId: boot.device.deviceId, signingKey: boot.device.signingKey, privateKey: boot.user.privateKey };
  const store = await CertificateStore.open({ rootVerifyKey: boot.rootVerifyKey });
  const common = [...boot.certificates];
  const chain = new ChainTracker();
  chain.note(boot.certificates[1]!);
  for (const [p, s] of [[bob, 1], [carol, 2]] as const) {
    common.push(await chain.sign(alice.signingKey, { type: 'user', author: alice.deviceId, timestamp: t(s), userId: p.userId, humanHandle: { email: `${p.name}@example.org`, label: p.name }, publicKey: p.privateKey.publicKey, profile: 'STANDARD' }));
    common.push(await chain.sign(alice.signingKey, { type: 'device', author: alice.deviceId, timestamp: t(s), userId: p.userId, deviceId: p.deviceId, deviceLabel: 'pc', verifyKey: p.signingKey.verifyKey }));
  }
  await store.ingest('common', common);
  return { alice, store, chain };
}
const member = (p: Person): KeysRecipient => ({ userId: p.userId, publicKey: p.privateKey.publicKey });

describe('manifests over a real CertificateStore', () => {
  it('write, read, name, unshare + rotation, role checks at the right point in time', async () => {
    const { alice, store, chain } = await organisation();
    const trust = manifestTrustFromStore(store);
    const role = (timestamp: number, userId: UserId, r: 'OWNER' | 'CONTRIBUTOR' | null) =>
      chain.sign(alice.signingKey, { type: 'realm_role', author: alice.deviceId, timestamp, realmId: REALM as RealmId, userId, role: r });

    const owner = await role(t(3), alice.userId, 'OWNER');
    const r1 = await rotateRealmKey({ realmId: REALM, currentKeys: null, members: [member(alice), member(bob), member(carol)], author: alice.deviceId, signingKey: alice.signingKey, timestamp: t(4), link: chain.link(REALM) });
    chain.note(r1.certificate);
    const toBob = await role(t(5), bob.userId, 'CONTRIBUTOR');
    const toCarol = await role(t(6), carol.userId, 'CONTRIBUTOR');
    const name = await createRealmNameCertificate({ name: 'Projets', realmId: REALM, keyring: r1.keyring, author: alice.deviceId, timestamp: t(7), signingKey: alice.signingKey, link: chain.link(REALM) });
    chain.note(name.certificate);
    await store.ingest(REALM, [owner, r1.certificate, toBob, toCarol, name.certificate]);
    expect(store.getKeyIndex(REALM)).toBe(1);

    // Bob opens his keys with the rotation certificates from the store.
    const open = async (p: Person, r: typeof r1) => {
      const bundleKey = await openRealmKeysAccess({ access: r.accesses.get(p.userId)!, realmId: REALM, userId: p.userId, privateKey: p.privateKey });
      return (await openRealmKeysBundle({ bundle: r.bundle, bundleKey, realmId: REALM, trust, rotations: keyRotationsFromStore(store, REALM) })).keyring;
    };
    const bobKeys1 = await open(bob, r1);
    const carolKeys = await open(carol, r1);
    const realmName = store.getRealmName(REALM)!;
    expect(await decryptRealmName({ encryptedName: realmName.encryptedName, keyIndex: realmName.keyIndex, realmId: REALM, realmKeys: bobKeys1 })).toBe('Projets');

    const v1 = fileManifest({ author: bob.deviceId, timestamp: t(10) });
    const w1 = await encryptManifest({ manifest: v1, realmId: REALM, keyring: bobKeys1, signingKey: bob.signingKey });
    expect((await decryptManifest({ blob: w1.blob, realmId: REALM, expected: claimsOf(v1), realmKeys: carolKeys, trust })).manifest).toEqual(v1);

    // Carol is unshared at t20; Alice rotates at t21 for Alice and Bob.
    const aliceKeys1 = await open(alice, r1);
    const unshare = await role(t(20), carol.userId, null);
    const r2 = await rotateRealmKey({ realmId: REALM, currentKeys: aliceKeys1, members: [member(alice), member(bob)], author: alice.deviceId, signingKey: alice.signingKey, timestamp: t(21), link: chain.link(REALM) });
    await store.ingest(REALM, [unshare, r2.certificate]);
    expect(store.getKeyIndex(REALM)).toBe(2);

    // The old bundle is now stale for anyone who knows about rotation 2.
    await expect(open(bob, r1)).rejects.toMatchObject({ code: 'manifest/keys-bundle-stale' });
    const bobKeys = await open(bob, r2);

    // Carol, still holding key 1, signs a version after her removal: refused on read.
    const forged = fileManifest({ version: 2, author: carol.deviceId, timestamp: t(25), prev: await sha256(w1.signed) });
    const wf = await encryptManifest({ manifest: forged, realmId: REALM, keyring: carolKeys, signingKey: carol.signingKey });
    await expect(decryptManifest({ blob: wf.blob, realmId: REALM, expected: claimsOf(forged, 1), realmKeys: bobKeys, trust })).rejects.toMatchObject({ code: 'manifest/no-write-role' });

    // Bob's next version uses key 2; Carol cannot read it, Bob reads v1 (key 1) and v2.
    const v2 = fileManifest({ version: 2, author: bob.deviceId, timestamp: t(30), prev: await sha256(w1.signed) });
    const w2 = await encryptManifest({ manifest: v2, realmId: REALM, keyring: bobKeys, signingKey: bob.signingKey });
    expect(w2.keyIndex).toBe(2);
    await expect(decryptManifest({ blob: w2.blob, realmId: REALM, expected: claimsOf(v2, 2), realmKeys: carolKeys, trust })).rejects.toMatchObject({ code: 'manifest/unknown-key-index' });
    expect((await decryptManifest({ blob: w1.blob, realmId: REALM, expected: claimsOf(v1, 1), realmKeys: bobKeys, trust })).manifest).toEqual(v1);
    expect((await decryptManifest({ blob: w2.blob, realmId: REALM, expected: claimsOf(v2, 2), realmKeys: bobKeys, trust, previousSigned: w1.signed })).manifest).toEqual(v2);
  });
});
