import { describe, expect, it } from 'vitest';
import { SecretKey } from '../../src/keys/index.js';
import { checkKeyCanary, keyCanary, REALM_KEY_SUITE_V1 } from '../../src/manifests/key-canary.js';
import { RealmKeyring, type RealmKeyRotationInfo } from '../../src/manifests/realm-keyring.js';
import {
  createRealmKeysAccess, createRealmKeysBundle, openRealmKeysAccess, openRealmKeysBundle, type KeysRecipient,
} from '../../src/manifests/realm-keys-bundle.js';
import { decryptRealmName, encryptRealmName } from '../../src/manifests/realm-name.js';
import { rotateRealmKey } from '../../src/manifests/rotation.js';
import { decryptManifest, encryptManifest } from '../../src/manifests/vlob-crypto.js';
import { SUITE_V1 } from '../../src/certificates/types.js';
import { TEST_LINK,
  alice, bob, carol, claimsOf, fileManifest, mallory, OTHER_REALM, REALM, SECOND, standardTrust, T0, type Person,
} from './helpers.js';

const member = (p: Person): KeysRecipient => ({ userId: p.userId, publicKey: p.privateKey.publicKey });

async function rotationsOf(keys: readonly SecretKey[], realm = REALM): Promise<RealmKeyRotationInfo[]> {
  const out: RealmKeyRotationInfo[] = [];
  for (let i = 0; i < keys.length; i++) out.push({ keyIndex: i + 1, suite: REALM_KEY_SUITE_V1, keyCanary: await keyCanary(realm, i + 1, keys[i]!) });
  return out;
}

/** Opens `p`'s access and the bundle: what a member does on receiving the keys. */
async function openAs(p: Person, r: { bundle: Uint8Array; accesses: ReadonlyMap<string, Uint8Array> }, rotations: readonly RealmKeyRotationInfo[], trust = standardTrust()) {
  const access = r.accesses.get(p.userId);
  if (access === undefined) throw new Error(`${p.name} has no access`);
  const bundleKey = await openRealmKeysAccess({ access, realmId: REALM, userId: p.userId, privateKey: p.privateKey });
  return openRealmKeysBundle({ bundle: r.bundle, bundleKey, realmId: REALM, trust, rotations });
}

describe('key canary', () => {
  it('is deterministic, 32 bytes, bound to realm, index and key', async () => {
    const k = SecretKey.fromBytes(new Uint8Array(32).fill(1));
    const c = await keyCanary(REALM, 1, k);
    expect(c).toHaveLength(32);
    expect(await keyCanary(REALM, 1, k)).toEqual(c);
    expect(await keyCanary(REALM, 2, k)).not.toEqual(c);
    expect(await keyCanary(OTHER_REALM, 1, k)).not.toEqual(c);
    expect(await keyCanary(REALM, 1, SecretKey.fromBytes(new Uint8Array(32).fill(2)))).not.toEqual(c);
    expect(await checkKeyCanary(REALM, 1, k, c)).toBe(true);
  });

  it('uses the suite name of the certificates module', () => {
    expect(REALM_KEY_SUITE_V1).toBe(SUITE_V1);
  });
});

describe('RealmKeyring.verified: a key failing its canary is never usable', () => {
  it('refuses a key that is not the one announced, so nothing can be encrypted with it', async () => {
    const good = SecretKey.fromBytes(new Uint8Array(32).fill(1));
    const evil = SecretKey.fromBytes(new Uint8Array(32).fill(2));
    const rotations = await rotationsOf([good]);
    await expect(RealmKeyring.verified(REALM, [evil], rotations)).rejects.toMatchObject({ code: 'manifest/bad-key-canary' });
    // The write path only takes a keyring: with the announced key it works.
    const keyring = await RealmKeyring.verified(REALM, [good], rotations);
    const { keyIndex } = await encryptManifest({ manifest: fileManifest(), realmId: REALM, keyring, signingKey: alice.signingKey });
    expect(keyIndex).toBe(1);
  });

  it('refuses a canary replayed from another index', async () => {
    const k1 = SecretKey.fromBytes(new Uint8Array(32).fill(1));
    const k2 = SecretKey.fromBytes(new Uint8Array(32).fill(2));
    const [r1, r2] = await rotationsOf([k1, k2]);
    // Swapping keys with their canaries still fails: the index is inside the canary.
    await expect(RealmKeyring.verified(REALM, [k2, k1], [{ ...r1!, keyCanary: r2!.keyCanary }, { ...r2!, keyCanary: r1!.keyCanary }])).rejects.toMatchObject({ code: 'manifest/bad-key-canary' });
  });

  it('refuses a key without its rotation certificate', async () => {
    const keys = [SecretKey.fromBytes(new Uint8Array(32).fill(1)), SecretKey.fromBytes(new Uint8Array(32).fill(2))];
    const rotations = await rotationsOf(keys);
    await expect(RealmKeyring.verified(REALM, keys, rotations.slice(0, 1))).rejects.toMatchObject({ code: 'manifest/key-canary-missing' });
  });

  it('refuses a bundle that lacks a rotated-in key (stale)', async () => {
    const keys = [SecretKey.fromBytes(new Uint8Array(32).fill(1)), SecretKey.fromBytes(new Uint8Array(32).fill(2))];
    const rotations = await rotationsOf(keys);
    await expect(RealmKeyring.verified(REALM, keys.slice(0, 1), rotations)).rejects.toMatchObject({ code: 'manifest/keys-bundle-stale' });
  });

  it('refuses an unknown suite', async () => {
    const k = SecretKey.fromBytes(new Uint8Array(32).fill(1));
    const [r] = await rotationsOf([k]);
    await expect(RealmKeyring.verified(REALM, [k], [{ ...r!, suite: 'sealsync-v9' }])).rejects.toMatchObject({ code: 'format/unsupported-suite' });
  });

  it('refuses an empty key list', async () => {
    await expect(RealmKeyring.verified(REALM, [], [])).rejects.toMatchObject({ code: 'manifest/no-keys' });
  });

  it('refuses a rotation whose key index is not a positive integer (the caller passed unvalidated rotations)', async () => {
    const k = SecretKey.fromBytes(new Uint8Array(32).fill(1));
    const [r] = await rotationsOf([k]);
    for (const keyIndex of [0, -1, 1.5, Number.NaN]) {
      await expect(RealmKeyring.verified(REALM, [k], [r!, { ...r!, keyIndex }])).rejects.toMatchObject({ code: 'argument/out-of-range' });
    }
  });
});

describe('keys bundle and accesses', () => {
  async function bundleBy(author: Person, keys: SecretKey[], timestamp = T0 + SECOND) {
    return createRealmKeysBundle({ realmId: REALM, keys, author: author.deviceId, timestamp, signingKey: author.signingKey, members: [member(alice), member(bob)] });
  }
  const keys = [SecretKey.fromBytes(new Uint8Array(32).fill(1))];

  it('round trip: each member opens its access and the bundle', async () => {
    const b = await bundleBy(alice, keys);
    for (const p of [alice, bob]) {
      const opened = await openAs(p, b, await rotationsOf(keys));
      expect(opened.keyring.get(1)!.equals(keys[0]!)).toBe(true);
      expect(opened.author).toBe(alice.deviceId);
      expect(opened.timestamp).toBe(T0 + SECOND);
    }
  });

  it('an access sealed for Bob does not open as Carol (decrypt-failed)', async () => {
    const b = await bundleBy(alice, keys);
    await expect(openRealmKeysAccess({ access: b.accesses.get(bob.userId)!, realmId: REALM, userId: carol.userId, privateKey: carol.privateKey })).rejects.toMatchObject({ code: 'manifest/decrypt-failed' });
  });

  it("Bob's access cannot be passed off as Carol's even to Bob (AAD binds the user)", async () => {
    const b = await bundleBy(alice, keys);
    await expect(openRealmKeysAccess({ access: b.accesses.get(bob.userId)!, realmId: REALM, userId: carol.userId, privateKey: bob.privateKey })).rejects.toMatchObject({ code: 'manifest/decrypt-failed' });
  });

  it('an access for the user but naming another user inside is refused (access-mismatch)', async () => {
    // A sealed box whose AAD is right but whose document names another user: only a buggy or
    // hostile sharer produces it.
    const { sealBox } = await import('../../src/keys/index.js');
    const { accessAad, realmKeysAccessDocument } = await import('../../src/manifests/realm-keys-bundle.js');
    const body = realmKeysAccessDocument.encode({ realm: REALM, user: carol.userId, key: new Uint8Array(32) });
    const access = await sealBox(bob.privateKey.publicKey, body, accessAad(REALM, bob.userId));
    await expect(openRealmKeysAccess({ access, realmId: REALM, userId: bob.userId, privateKey: bob.privateKey })).rejects.toMatchObject({ code: 'manifest/access-mismatch' });
  });

  it('a bundle signed by a non-OWNER is refused (author-not-owner)', async () => {
    const b = await bundleBy(bob, keys); // Bob is CONTRIBUTOR
    await expect(openAs(alice, b, await rotationsOf(keys))).rejects.toMatchObject({ code: 'manifest/author-not-owner' });
  });

  it('a bundle by a device unknown at its timestamp is refused (author-unknown)', async () => {
    const b = await bundleBy(alice, keys, T0 - SECOND);
    await expect(openAs(alice, b, await rotationsOf(keys))).rejects.toMatchObject({ code: 'manifest/author-unknown' });
  });

  it('a bundle by a revoked owner is refused (author-revoked)', async () => {
    const b = await bundleBy(alice, keys, T0 + 10 * SECOND);
    const trust = standardTrust().revoke(alice.userId, T0 + 5 * SECOND);
    await expect(openAs(alice, b, await rotationsOf(keys), trust)).rejects.toMatchObject({ code: 'manifest/author-revoked' });
  });

  it('a bundle claiming an owner but signed by someone else is refused (bad-signature)', async () => {
    const b = await createRealmKeysBundle({ realmId: REALM, keys, author: alice.deviceId, timestamp: T0 + SECOND, signingKey: mallory.signingKey, members: [member(alice)] });
    await expect(openAs(alice, b, await rotationsOf(keys))).rejects.toMatchObject({ code: 'manifest/bad-signature' });
  });

  it('a tampered bundle is refused (decrypt-failed)', async () => {
    const b = await bundleBy(alice, keys);
    b.bundle[30]! ^= 1;
    await expect(openAs(alice, b, await rotationsOf(keys))).rejects.toMatchObject({ code: 'manifest/decrypt-failed' });
  });

  it('a bundle of another realm is refused', async () => {
    const b = await createRealmKeysBundle({ realmId: OTHER_REALM, keys, author: alice.deviceId, timestamp: T0 + SECOND, signingKey: alice.signingKey, members: [member(alice)] });
    // Served with the right one-time key but as REALM's bundle: the AAD names the realm.
    await expect(openRealmKeysBundle({ bundle: b.bundle, bundleKey: b.bundleKey, realmId: REALM, trust: standardTrust(), rotations: await rotationsOf(keys) })).rejects.toMatchObject({ code: 'manifest/decrypt-failed' });
  });

  it('a bundle sealed for REALM whose signed content names another realm is refused (realm-mismatch)', async () => {
    const { signDocument } = await import('../../src/keys/index.js');
    const { bundleAad, realmKeysBundleDocument } = await import('../../src/manifests/realm-keys-bundle.js');
    const body = realmKeysBundleDocument.encode({ realm: OTHER_REALM, author: alice.deviceId, timestamp: T0 + SECOND, keys: keys.map((k) => k.exportSecretBytes()) });
    const bundleKey = SecretKey.fromBytes(new Uint8Array(32).fill(3));
    const bundle = await bundleKey.encrypt(await signDocument(alice.signingKey, body), bundleAad(REALM));
    await expect(openRealmKeysBundle({ bundle, bundleKey, realmId: REALM, trust: standardTrust(), rotations: await rotationsOf(keys) })).rejects.toMatchObject({ code: 'manifest/realm-mismatch' });
  });

  it('an access sealed for REALM whose content names another realm is refused (realm-mismatch)', async () => {
    const { sealBox } = await import('../../src/keys/index.js');
    const { accessAad, realmKeysAccessDocument } = await import('../../src/manifests/realm-keys-bundle.js');
    const body = realmKeysAccessDocument.encode({ realm: OTHER_REALM, user: bob.userId, key: new Uint8Array(32) });
    const access = await sealBox(bob.privateKey.publicKey, body, accessAad(REALM, bob.userId));
    await expect(openRealmKeysAccess({ access, realmId: REALM, userId: bob.userId, privateKey: bob.privateKey })).rejects.toMatchObject({ code: 'manifest/realm-mismatch' });
  });

  it('a bundle whose key fails its canary is refused (bad-key-canary)', async () => {
    const evil = [SecretKey.fromBytes(new Uint8Array(32).fill(9))];
    const b = await bundleBy(alice, evil);
    await expect(openAs(alice, b, await rotationsOf(keys))).rejects.toMatchObject({ code: 'manifest/bad-key-canary' });
  });

  it('a new member gets an access to the existing bundle without a rotation', async () => {
    const b = await bundleBy(alice, keys);
    const access = await createRealmKeysAccess({ realmId: REALM, member: member(carol), bundleKey: b.bundleKey });
    const opened = await openAs(carol, { bundle: b.bundle, accesses: new Map([[carol.userId, access]]) }, await rotationsOf(keys));
    expect(opened.keyring.latestIndex).toBe(1);
  });
});

describe('rotation scenario: Alice, Bob, Carol; Carol unshared, key rotated', () => {
  it('Carol cannot read what is written after; Alice and Bob still read the old versions', async () => {
    const trust = standardTrust().setRole(REALM, carol.userId, T0, 'CONTRIBUTOR');
    // Realm created by Alice, shared with Bob and Carol.
    const r1 = await rotateRealmKey({ realmId: REALM, currentKeys: null, members: [member(alice), member(bob), member(carol)], author: alice.deviceId, signingKey: alice.signingKey, timestamp: T0, link: TEST_LINK });
    expect(r1.rotation.keyIndex).toBe(1);
    const rotations: RealmKeyRotationInfo[] = [r1.rotation];
    const carolKeys = (await openAs(carol, r1, rotations, trust)).keyring;

    const before = fileManifest({ author: bob.deviceId, timestamp: T0 + SECOND });
    const wBefore = await encryptManifest({ manifest: before, realmId: REALM, keyring: (await openAs(bob, r1, rotations, trust)).keyring, signingKey: bob.signingKey });
    expect(wBefore.keyIndex).toBe(1);

    // Carol is unshared; Alice rotates for the remaining members only.
    trust.setRole(REALM, carol.userId, T0 + 10 * SECOND, null);
    const aliceKeys1 = (await openAs(alice, r1, rotations, trust)).keyring;
    const r2 = await rotateRealmKey({ realmId: REALM, currentKeys: aliceKeys1, members: [member(alice), member(bob)], author: alice.deviceId, signingKey: alice.signingKey, timestamp: T0 + 11 * SECOND, link: TEST_LINK });
    expect(r2.rotation.keyIndex).toBe(2);
    expect(r2.accesses.has(carol.userId)).toBe(false);
    rotations.push(r2.rotation);

    const bobKeys = (await openAs(bob, r2, rotations, trust)).keyring;
    const aliceKeys = (await openAs(alice, r2, rotations, trust)).keyring;
    expect(bobKeys.latestIndex).toBe(2);

    const after = fileManifest({ version: 2, author: bob.deviceId, timestamp: T0 + 20 * SECOND, prev: new Uint8Array(32) });
    const wAfter = await encryptManifest({ manifest: after, realmId: REALM, keyring: bobKeys, signingKey: bob.signingKey });
    expect(wAfter.keyIndex).toBe(2);

    // Nothing Carol holds opens the new version: she has no key 2, and key 1 does not decrypt it.
    await expect(decryptManifest({ blob: wAfter.blob, realmId: REALM, expected: claimsOf(after, 2), realmKeys: carolKeys, trust })).rejects.toMatchObject({ code: 'manifest/unknown-key-index' });
    await expect(decryptManifest({ blob: wAfter.blob, realmId: REALM, expected: claimsOf(after, 1), realmKeys: carolKeys, trust })).rejects.toMatchObject({ code: 'manifest/decrypt-failed' });
    // Her old access does not open the new bundle, and she has no access to it.
    const carolOldBundleKey = await openRealmKeysAccess({ access: r1.accesses.get(carol.userId)!, realmId: REALM, userId: carol.userId, privateKey: carol.privateKey });
    await expect(openRealmKeysBundle({ bundle: r2.bundle, bundleKey: carolOldBundleKey, realmId: REALM, trust, rotations })).rejects.toMatchObject({ code: 'manifest/decrypt-failed' });

    // Alice and Bob read both versions, the old one with the old key index.
    for (const keys of [aliceKeys, bobKeys]) {
      expect((await decryptManifest({ blob: wBefore.blob, realmId: REALM, expected: claimsOf(before, 1), realmKeys: keys, trust })).manifest).toEqual(before);
      expect((await decryptManifest({ blob: wAfter.blob, realmId: REALM, expected: claimsOf(after, 2), realmKeys: keys, trust })).manifest).toEqual(after);
    }
  });

  it('refuses to rotate to nobody (the new key would be lost with its bundle)', async () => {
    await expect(rotateRealmKey({ realmId: REALM, currentKeys: null, members: [], author: alice.deviceId, signingKey: alice.signingKey, timestamp: T0, link: TEST_LINK })).rejects.toMatchObject({ code: 'argument/invalid' });
  });

  it('refuses a keyring of another realm', async () => {
    const r = await rotateRealmKey({ realmId: OTHER_REALM, currentKeys: null, members: [member(alice)], author: alice.deviceId, signingKey: alice.signingKey, timestamp: T0, link: TEST_LINK });
    await expect(rotateRealmKey({ realmId: REALM, currentKeys: r.keyring, members: [member(alice)], author: alice.deviceId, signingKey: alice.signingKey, timestamp: T0, link: TEST_LINK })).rejects.toMatchObject({ code: 'argument/invalid' });
  });
});

describe('realm name', () => {
  it('round trip with the newest key, readable by index', async () => {
    const r = await rotateRealmKey({ realmId: REALM, currentKeys: null, members: [member(alice)], author: alice.deviceId, signingKey: alice.signingKey, timestamp: T0, link: TEST_LINK });
    const { keyIndex, encryptedName } = await encryptRealmName({ name: 'Projets 2026', realmId: REALM, keyring: r.keyring });
    expect(keyIndex).toBe(1);
    expect(await decryptRealmName({ encryptedName, keyIndex, realmId: REALM, realmKeys: r.keyring })).toBe('Projets 2026');
  });

  it('refuses an unknown key index, another realm, tampering and invalid names', async () => {
    const r = await rotateRealmKey({ realmId: REALM, currentKeys: null, members: [member(alice)], author: alice.deviceId, signingKey: alice.signingKey, timestamp: T0, link: TEST_LINK });
    const { encryptedName } = await encryptRealmName({ name: 'Docs', realmId: REALM, keyring: r.keyring });
    await expect(decryptRealmName({ encryptedName, keyIndex: 2, realmId: REALM, realmKeys: r.keyring })).rejects.toMatchObject({ code: 'manifest/unknown-key-index' });
    await expect(decryptRealmName({ encryptedName, keyIndex: 1, realmId: OTHER_REALM, realmKeys: r.keyring })).rejects.toMatchObject({ code: 'manifest/decrypt-failed' });
    const tampered = encryptedName.slice();
    tampered[tampered.length - 1]! ^= 1;
    await expect(decryptRealmName({ encryptedName: tampered, keyIndex: 1, realmId: REALM, realmKeys: r.keyring })).rejects.toMatchObject({ code: 'manifest/decrypt-failed' });
    await expect(encryptRealmName({ name: 'a/b', realmId: REALM, keyring: r.keyring })).rejects.toMatchObject({ code: 'entry-name/slash' });
    await expect(encryptRealmName({ name: 'Docs', realmId: OTHER_REALM, keyring: r.keyring })).rejects.toMatchObject({ code: 'manifest/realm-mismatch' });
  });
});
