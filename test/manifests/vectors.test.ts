/**
 * Frozen format vectors (DESIGN §3): test/vectors/formats/manifests-v1.json and manifests-v2.json
 * were generated once by generate-vectors.ts and are committed data. Never regenerate them to make
 * this test pass. v2 manifests decrypt, verify and decode; v1 manifests (no certificate heads) are
 * refused with `UnsupportedFormatError` `format/unsafe-version` after decryption and signature,
 * while the v1 file's other documents (keys bundle, access, realm name) still read.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fromHex } from '../../src/bytes.js';
import type { BlockId, DeviceId, RealmId, UserId, VlobId } from '../../src/codec/ids.js';
import { PrivateKey, SecretKey, SigningKey, splitSignedDocument } from '../../src/keys/index.js';
import type { EntryName } from '../../src/manifests/entry-name.js';
import { keyCanary } from '../../src/manifests/key-canary.js';
import { encodeManifest } from '../../src/manifests/manifest-format.js';
import { RealmKeyring } from '../../src/manifests/realm-keyring.js';
import { openRealmKeysAccess, openRealmKeysBundle } from '../../src/manifests/realm-keys-bundle.js';
import { decryptRealmName } from '../../src/manifests/realm-name.js';
import type { ManifestTrust } from '../../src/manifests/trust.js';
import type { Manifest } from '../../src/manifests/types.js';
import { UnsupportedFormatError } from '../../src/errors.js';
import { decryptManifest } from '../../src/manifests/vlob-crypto.js';

for (const version of [1, 2]) {
  const V = JSON.parse(readFileSync(new URL(`../vectors/formats/manifests-v${version}.json`, import.meta.url), 'utf8'));
  const realmId = V.realmId as RealmId;
  const ownerKey = SigningKey.fromBytes(fromHex(V.owner.signingSeed));
  const trust: ManifestTrust = {
    deviceAt: (d, t) => (d === V.owner.deviceId && t >= V.owner.ownerSince ? { userId: V.owner.userId as UserId, verifyKey: ownerKey.verifyKey } : undefined),
    isUserRevokedAt: () => false,
    realmRoleAt: (r, u, t) => (r === realmId && u === V.owner.userId && t >= V.owner.ownerSince ? 'OWNER' : null),
  };
  const rotations = V.rotations.map((r: { keyIndex: number; suite: string; keyCanary: string }) => ({ ...r, keyCanary: fromHex(r.keyCanary) }));
  const keys = (V.realmKeys as string[]).map((k) => SecretKey.fromBytes(fromHex(k)));

  function manifestFromJson(j: any): Manifest {
    const head = (h: { position: number; digest: string }) => ({ position: h.position, digest: fromHex(h.digest) });
    const common = { ...j, prev: j.prev === null ? null : fromHex(j.prev), ...(j.heads ? { heads: { common: head(j.heads.common), realm: head(j.heads.realm) } } : {}) };
    if (j.type === 'file') {
      return { ...common, blocks: j.blocks.map((b: any) => ({ ...b, id: b.id as BlockId, digest: fromHex(b.digest) })) };
    }
    return { ...common, children: new Map(Object.entries(j.children as Record<string, string>).map(([n, i]) => [n as EntryName, i as VlobId])) };
  }

  describe(`frozen vectors: manifests-v${version}.json`, () => {
    it('key canaries', async () => {
      for (const r of rotations) expect(await keyCanary(realmId, r.keyIndex, keys[r.keyIndex - 1]!)).toEqual(r.keyCanary);
    });

    for (const which of ['fileManifest', 'folderManifest'] as const) {
      it(`${which}: ${version === 1 ? 'refused (no certificate heads): UnsupportedFormatError format/unsafe-version' : 'decrypts, verifies, decodes to the recorded manifest; re-encoding gives the signed body'}`, async () => {
        const vec = V[which];
        const expectedManifest = manifestFromJson(vec.manifest);
        const keyring = await RealmKeyring.verified(realmId, keys, rotations);
        const read = decryptManifest({
          blob: fromHex(vec.blob), realmId, realmKeys: keyring, trust,
          expected: { id: expectedManifest.id, version: expectedManifest.version, author: expectedManifest.author as DeviceId, timestamp: expectedManifest.timestamp, keyIndex: vec.keyIndex },
        });
        if (version === 1) {
          const err = await read.then(() => null, (e: unknown) => e);
          expect(err).toBeInstanceOf(UnsupportedFormatError);
          expect((err as UnsupportedFormatError).code).toBe('format/unsafe-version');
          return;
        }
        const out = await read;
        expect(out.manifest).toEqual(expectedManifest);
        expect(out.signed).toEqual(fromHex(vec.signed));
        expect(encodeManifest(out.manifest)).toEqual(splitSignedDocument(out.signed).body);
      });
    }

    it('access + keys bundle: the member opens its access, then the bundle, checked against canaries', async () => {
      const bundleKey = await openRealmKeysAccess({
        access: fromHex(V.access.access), realmId, userId: V.access.userId as UserId, privateKey: PrivateKey.fromBytes(fromHex(V.access.x25519PrivateKey)),
      });
      expect(bundleKey.exportSecretBytes()).toEqual(fromHex(V.keysBundle.bundleKey));
      const opened = await openRealmKeysBundle({ bundle: fromHex(V.keysBundle.bundle), bundleKey, realmId, trust, rotations });
      expect(opened.author).toBe(V.keysBundle.author);
      expect(opened.timestamp).toBe(V.keysBundle.timestamp);
      expect(opened.keyring.toArray().map((k) => k.exportSecretBytes())).toEqual(keys.map((k) => k.exportSecretBytes()));
    });

    it('realm name', async () => {
      const keyring = await RealmKeyring.verified(realmId, keys, rotations);
      const name = await decryptRealmName({ encryptedName: fromHex(V.realmName.encryptedName), keyIndex: V.realmName.keyIndex, realmId, realmKeys: keyring });
      expect(name).toBe(V.realmName.name);
    });
  });
}
