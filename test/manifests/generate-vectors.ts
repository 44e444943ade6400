/**
 * One-off generator of test/vectors/formats/manifests-v2.json (run: `npx tsx
 * test/manifests/generate-vectors.ts`). The file is committed data that future versions must
 * still read (DESIGN §3): this script REFUSES to overwrite it. Never regenerate frozen vectors; a
 * new format version gets a new file (manifests-v1.json came from this script's previous
 * version, see git history; v1 manifests are now refused, its other documents still read).
 */
import { existsSync, writeFileSync } from 'node:fs';
import { toHex } from '../../src/bytes.js';
import type { BlockId, DeviceId, RealmId, UserId, VlobId } from '../../src/codec/ids.js';
import { PrivateKey, SecretKey, SigningKey } from '../../src/keys/index.js';
import type { EntryName } from '../../src/manifests/entry-name.js';
import { REALM_KEY_SUITE_V1, keyCanary } from '../../src/manifests/key-canary.js';
import { RealmKeyring } from '../../src/manifests/realm-keyring.js';
import { createRealmKeysBundle } from '../../src/manifests/realm-keys-bundle.js';
import { encryptRealmName } from '../../src/manifests/realm-name.js';
import type { FileManifest, FolderManifest } from '../../src/manifests/types.js';
import { encryptManifest } from '../../src/manifests/vlob-crypto.js';

const OUT = new URL('../vectors/formats/manifests-v2.json', import.meta.url);
if (existsSync(OUT)) {
  console.error(`${OUT.pathname} exists: frozen vectors are never regenerated`);
  process.exit(1);
}

const fill = (n: number, len = 32) => new Uint8Array(len).fill(n);
const id = <T extends string>(n: number) => toHex(fill(n, 16)) as T;

const realmId = id<RealmId>(0xa0);
const owner = { userId: id<UserId>(0x11), deviceId: id<DeviceId>(0x21), signingSeed: fill(0x31), x25519: fill(0x41) };
const member = { userId: id<UserId>(0x12), x25519: fill(0x42) };
const t0 = 1_700_000_000_000_000;
const realmKeys = [SecretKey.fromBytes(fill(0x51)), SecretKey.fromBytes(fill(0x52))];
const rotations = [];
for (let i = 0; i < realmKeys.length; i++) {
  rotations.push({ keyIndex: i + 1, suite: REALM_KEY_SUITE_V1, keyCanary: await keyCanary(realmId, i + 1, realmKeys[i]!) });
}
const keyring = await RealmKeyring.verified(realmId, realmKeys, rotations);
const signingKey = SigningKey.fromBytes(owner.signingSeed);

// Heads: what the author had verified (common topic position 2, realm topic position 3).
const heads = { common: { position: 2, digest: fill(0xc2) }, realm: { position: 3, digest: fill(0xa3) } };
const file: FileManifest = {
  type: 'file', id: id<VlobId>(0xf1), parent: realmId as string as VlobId, version: 2, created: t0, updated: t0 + 5_000_000,
  author: owner.deviceId, timestamp: t0 + 5_000_000, prev: fill(0x77), heads, size: 700_000, blocksize: 524_288,
  blocks: [
    { id: id<BlockId>(0xb1), offset: 0, size: 524_288, digest: fill(0x01) },
    { id: id<BlockId>(0xb2), offset: 524_288, size: 175_712, digest: fill(0x02) },
  ],
};
const folder: FolderManifest = {
  type: 'folder', id: realmId as string as VlobId, parent: realmId as string as VlobId, version: 1, created: t0, updated: t0 + 1_000_000,
  author: owner.deviceId, timestamp: t0 + 1_000_000, prev: null, heads,
  children: new Map([['Rapport été.pdf' as EntryName, id<VlobId>(0xf1)], ['notes' as EntryName, id<VlobId>(0xf3)]]),
};

const headJson = (h: { position: number; digest: Uint8Array }) => ({ position: h.position, digest: toHex(h.digest) });
const manifestJson = (m: FileManifest | FolderManifest) => ({
  ...m,
  prev: m.prev === null ? null : toHex(m.prev),
  heads: { common: headJson(m.heads!.common), realm: headJson(m.heads!.realm) },
  ...(m.type === 'file'
    ? { blocks: m.blocks.map((b) => ({ ...b, digest: toHex(b.digest) })) }
    : { children: Object.fromEntries(m.children) }),
});

const wFile = await encryptManifest({ manifest: file, realmId, keyring, signingKey });
const wFolder = await encryptManifest({ manifest: folder, realmId, keyring, signingKey });
const bundle = await createRealmKeysBundle({
  realmId, keys: realmKeys, author: owner.deviceId, timestamp: t0 + 2_000_000, signingKey,
  members: [{ userId: member.userId, publicKey: PrivateKey.fromBytes(member.x25519).publicKey }],
});
const name = await encryptRealmName({ name: 'Projets 2026', realmId, keyring });

const vectors = {
  description: 'sealsync manifests format v2 frozen vectors (versions bind the certificate heads their author verified). Generated once; never regenerate.',
  realmId,
  owner: { userId: owner.userId, deviceId: owner.deviceId, signingSeed: toHex(owner.signingSeed), ownerSince: t0 },
  realmKeys: realmKeys.map((k) => toHex(k.exportSecretBytes())),
  rotations: rotations.map((r) => ({ ...r, keyCanary: toHex(r.keyCanary) })),
  fileManifest: { manifest: manifestJson(file), keyIndex: wFile.keyIndex, signed: toHex(wFile.signed), blob: toHex(wFile.blob) },
  folderManifest: { manifest: manifestJson(folder), keyIndex: wFolder.keyIndex, signed: toHex(wFolder.signed), blob: toHex(wFolder.blob) },
  keysBundle: { author: owner.deviceId, timestamp: t0 + 2_000_000, bundleKey: toHex(bundle.bundleKey.exportSecretBytes()), bundle: toHex(bundle.bundle) },
  access: { userId: member.userId, x25519PrivateKey: toHex(member.x25519), access: toHex(bundle.accesses.get(member.userId)!) },
  realmName: { name: 'Projets 2026', keyIndex: name.keyIndex, encryptedName: toHex(name.encryptedName) },
};
writeFileSync(OUT, `${JSON.stringify(vectors, null, 2)}\n`);
console.log(`wrote ${OUT.pathname}`);
