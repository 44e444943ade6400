import { describe, expect, it } from 'vitest';
import type { VlobId } from '../../src/codec/ids.js';
import { sha256 } from '../../src/keys/index.js';
import { decryptManifest, encryptManifest, vlobAad, vlobKey, type ManifestClaims } from '../../src/manifests/vlob-crypto.js';
import type { RealmKeyring } from '../../src/manifests/realm-keyring.js';
import type { Manifest } from '../../src/manifests/types.js';
import {
  alice, bob, carol, claimsOf, createRealm, fileManifest, fixedId, folderManifest, mallory, OTHER_REALM,
  REALM, sealAt, SECOND, standardTrust, T0,
} from './helpers.js';

async function expectCode(p: Promise<unknown>, code: string): Promise<void> {
  await expect(p).rejects.toMatchObject({ code });
}

async function read(blob: Uint8Array, keyring: RealmKeyring, expected: ManifestClaims, extra: { previousSigned?: Uint8Array; trust?: ReturnType<typeof standardTrust> } = {}) {
  return decryptManifest({ blob, realmId: REALM, expected, realmKeys: keyring, trust: extra.trust ?? standardTrust(), previousSigned: extra.previousSigned });
}

describe('manifest write + read round trip', () => {
  it('file manifest', async () => {
    const keyring = await createRealm();
    const m = fileManifest();
    const { blob, signed, keyIndex } = await encryptManifest({ manifest: m, realmId: REALM, keyring, signingKey: alice.signingKey });
    expect(keyIndex).toBe(1);
    const out = await read(blob, keyring, claimsOf(m));
    expect(out.manifest).toEqual(m);
    expect(out.signed).toEqual(signed);
  });

  it('folder manifest, including the realm root and a next version chained by prev', async () => {
    const keyring = await createRealm();
    const root = folderManifest({ id: REALM as string as VlobId, parent: REALM as string as VlobId });
    const v1 = await encryptManifest({ manifest: root, realmId: REALM, keyring, signingKey: alice.signingKey });
    const r1 = await read(v1.blob, keyring, claimsOf(root));
    expect(r1.manifest).toEqual(root);
    const next: Manifest = { ...root, version: 2, author: bob.deviceId, timestamp: T0 + 5 * SECOND, prev: await sha256(v1.signed) };
    const v2 = await encryptManifest({ manifest: next, realmId: REALM, keyring, signingKey: bob.signingKey });
    const r2 = await read(v2.blob, keyring, claimsOf(next), { previousSigned: r1.signed });
    expect(r2.manifest).toEqual(next);
  });
});

describe('read checks: each rejects with its own code', () => {
  it('manifest/unknown-key-index: the server names a key index this client does not have', async () => {
    const keyring = await createRealm();
    const m = fileManifest();
    const { blob } = await encryptManifest({ manifest: m, realmId: REALM, keyring, signingKey: alice.signingKey });
    await expectCode(read(blob, keyring, { ...claimsOf(m), keyIndex: 2 }), 'manifest/unknown-key-index');
  });

  it('manifest/decrypt-failed: a tampered ciphertext', async () => {
    const keyring = await createRealm();
    const m = fileManifest();
    const { blob } = await encryptManifest({ manifest: m, realmId: REALM, keyring, signingKey: alice.signingKey });
    blob[20]! ^= 0x01;
    await expectCode(read(blob, keyring, claimsOf(m)), 'manifest/decrypt-failed');
  });

  it('manifest/author-unknown: author device did not exist at the manifest timestamp', async () => {
    const keyring = await createRealm();
    const m = fileManifest({ timestamp: T0 + SECOND });
    const { blob } = await encryptManifest({ manifest: m, realmId: REALM, keyring, signingKey: alice.signingKey });
    const trust = standardTrust().addDevice(alice, T0 + 2 * SECOND); // Alice's device appears later
    await expectCode(read(blob, keyring, claimsOf(m), { trust }), 'manifest/author-unknown');
  });

  it('manifest/author-revoked: author user was revoked at the manifest timestamp', async () => {
    const keyring = await createRealm();
    const m = fileManifest({ author: bob.deviceId, timestamp: T0 + 10 * SECOND });
    const { blob } = await encryptManifest({ manifest: m, realmId: REALM, keyring, signingKey: bob.signingKey });
    const trust = standardTrust().revoke(bob.userId, T0 + 9 * SECOND);
    await expectCode(read(blob, keyring, claimsOf(m), { trust }), 'manifest/author-revoked');
    // The same manifest is fine if the revocation came after it.
    const later = standardTrust().revoke(bob.userId, T0 + 11 * SECOND);
    await expect(read(blob, keyring, claimsOf(m), { trust: later })).resolves.toBeDefined();
  });

  it('manifest/bad-signature: signed by a key other than the named author device', async () => {
    const keyring = await createRealm();
    const m = fileManifest({ author: alice.deviceId });
    // Mallory (a member with the key) forges a manifest in Alice's name.
    const { blob } = await sealAt({ manifest: m, signer: mallory.signingKey, key: keyring.get(1)!, realmId: REALM, id: m.id, version: 1, keyIndex: 1 });
    await expectCode(read(blob, keyring, claimsOf(m)), 'manifest/bad-signature');
  });

  it('manifest/id-mismatch: a signed manifest of vlob A re-sealed at vlob B', async () => {
    const keyring = await createRealm();
    const m = fileManifest();
    const b = fixedId<VlobId>(0xe1);
    const { blob } = await sealAt({ manifest: m, signer: alice.signingKey, key: keyring.get(1)!, realmId: REALM, id: b, version: 1, keyIndex: 1 });
    await expectCode(read(blob, keyring, { ...claimsOf(m), id: b }), 'manifest/id-mismatch');
  });

  it('manifest/version-mismatch: a server-claimed version outside the u32 AAD range', async () => {
    const keyring = await createRealm();
    const m = fileManifest();
    const { blob } = await sealAt({ manifest: m, signer: alice.signingKey, key: keyring.get(1)!, realmId: REALM, id: m.id, version: 1, keyIndex: 1 });
    await expectCode(read(blob, keyring, { ...claimsOf(m), version: 2 ** 32 }), 'manifest/version-mismatch');
  });

  it('manifest/version-mismatch: signed version 3 re-sealed as version 5', async () => {
    const keyring = await createRealm();
    const m = fileManifest({ version: 3, prev: new Uint8Array(32).fill(9) });
    const { blob } = await sealAt({ manifest: m, signer: alice.signingKey, key: keyring.get(1)!, realmId: REALM, id: m.id, version: 5, keyIndex: 1 });
    await expectCode(read(blob, keyring, { ...claimsOf(m), version: 5 }), 'manifest/version-mismatch');
  });

  it('manifest/author-mismatch: the server names another author than the signed one', async () => {
    const keyring = await createRealm();
    const m = fileManifest();
    const { blob } = await encryptManifest({ manifest: m, realmId: REALM, keyring, signingKey: alice.signingKey });
    await expectCode(read(blob, keyring, { ...claimsOf(m), author: bob.deviceId }), 'manifest/author-mismatch');
  });

  it('manifest/timestamp-mismatch: the server names another timestamp than the signed one', async () => {
    const keyring = await createRealm();
    const m = fileManifest();
    const { blob } = await encryptManifest({ manifest: m, realmId: REALM, keyring, signingKey: alice.signingKey });
    await expectCode(read(blob, keyring, { ...claimsOf(m), timestamp: m.timestamp + 1 }), 'manifest/timestamp-mismatch');
  });

  it('manifest/no-write-role: a READER signs a manifest', async () => {
    const keyring = await createRealm();
    const m = fileManifest({ author: carol.deviceId });
    const { blob } = await encryptManifest({ manifest: m, realmId: REALM, keyring, signingKey: carol.signingKey });
    await expectCode(read(blob, keyring, claimsOf(m)), 'manifest/no-write-role');
  });

  it('manifest/no-write-role: a member unshared before the manifest timestamp', async () => {
    const keyring = await createRealm();
    const m = fileManifest({ author: bob.deviceId, timestamp: T0 + 10 * SECOND });
    const { blob } = await encryptManifest({ manifest: m, realmId: REALM, keyring, signingKey: bob.signingKey });
    const trust = standardTrust().setRole(REALM, bob.userId, T0 + 5 * SECOND, null);
    await expectCode(read(blob, keyring, claimsOf(m), { trust }), 'manifest/no-write-role');
  });

  it('manifest/prev-mismatch: prev does not hash the previous version this client knows', async () => {
    const keyring = await createRealm();
    const v1 = fileManifest();
    const w1 = await encryptManifest({ manifest: v1, realmId: REALM, keyring, signingKey: alice.signingKey });
    const forked = fileManifest({ size: 10, blocks: [] });
    const wf = await encryptManifest({ manifest: forked, realmId: REALM, keyring, signingKey: alice.signingKey });
    // Version 2 chained to a fork of version 1, while this client saw `w1`.
    const v2 = fileManifest({ version: 2, timestamp: T0 + 3 * SECOND, prev: await sha256(wf.signed) });
    const w2 = await encryptManifest({ manifest: v2, realmId: REALM, keyring, signingKey: alice.signingKey });
    await expectCode(read(w2.blob, keyring, claimsOf(v2), { previousSigned: w1.signed }), 'manifest/prev-mismatch');
    await expect(read(w2.blob, keyring, claimsOf(v2), { previousSigned: wf.signed })).resolves.toBeDefined();
  });

  it('manifest/bad-root: a folder claiming the realm id with another parent', async () => {
    const keyring = await createRealm();
    const m = folderManifest({ id: REALM as string as VlobId, parent: FOLDER_PARENT });
    const { blob } = await sealAt({ manifest: m, signer: alice.signingKey, key: keyring.get(1)!, realmId: REALM, id: m.id, version: 1, keyIndex: 1 });
    await expectCode(read(blob, keyring, claimsOf(m)), 'manifest/bad-root');
    await expect(encryptManifest({ manifest: m, realmId: REALM, keyring, signingKey: alice.signingKey })).rejects.toMatchObject({ code: 'manifest/bad-root' });
  });
});

const FOLDER_PARENT = fixedId<VlobId>(0x77);

describe('substitution by the server', () => {
  it('a valid blob of vlob A served as vlob B is rejected', async () => {
    const keyring = await createRealm();
    const a = fileManifest();
    const { blob } = await encryptManifest({ manifest: a, realmId: REALM, keyring, signingKey: alice.signingKey });
    await expectCode(read(blob, keyring, { ...claimsOf(a), id: fixedId<VlobId>(0xe2) }), 'manifest/decrypt-failed');
  });

  it('version 3 served as version 5 is rejected', async () => {
    const keyring = await createRealm();
    const v3 = fileManifest({ version: 3, prev: new Uint8Array(32).fill(3) });
    const { blob } = await encryptManifest({ manifest: v3, realmId: REALM, keyring, signingKey: alice.signingKey });
    await expectCode(read(blob, keyring, { ...claimsOf(v3), version: 5 }), 'manifest/decrypt-failed');
  });

  it('a blob from another realm is rejected', async () => {
    const mine = await createRealm();
    const other = await createRealm(OTHER_REALM);
    const m = fileManifest();
    const { blob } = await encryptManifest({ manifest: m, realmId: OTHER_REALM, keyring: other, signingKey: alice.signingKey });
    await expectCode(read(blob, mine, claimsOf(m)), 'manifest/decrypt-failed');
    // Even a reader that somehow had the other realm's key: the realm id is in the AAD.
    await expectCode(read(blob, other, claimsOf(m)), 'manifest/decrypt-failed');
  });

  it('a keyring of another realm is refused on write', async () => {
    const other = await createRealm(OTHER_REALM);
    await expect(encryptManifest({ manifest: fileManifest(), realmId: REALM, keyring: other, signingKey: alice.signingKey })).rejects.toMatchObject({ code: 'manifest/realm-mismatch' });
  });

  it('manifest/bad-signature: a sealed plaintext shorter than a signature (a key holder sealing junk)', async () => {
    const keyring = await createRealm();
    const m = fileManifest();
    const vk = await vlobKey(keyring.get(1)!, m.id);
    const blob = await vk.encrypt(new Uint8Array(63), vlobAad(REALM, m.id, 1, m.version));
    await expectCode(read(blob, keyring, claimsOf(m)), 'manifest/bad-signature');
  });

  it('a blob shorter than nonce + tag is a decrypt failure, not a crash', async () => {
    const keyring = await createRealm();
    await expectCode(read(new Uint8Array(5), keyring, claimsOf(fileManifest())), 'manifest/decrypt-failed');
  });
});
