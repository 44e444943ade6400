/**
 * Writes test/vectors/formats/labels-manifest-v2.json once (never regenerated): a file manifest
 * (format v2) carrying a file label, signed and encrypted with the keys of manifests-v2.json.
 * (labels-manifest-v1.json came from this script's previous version: a v1 manifest, now refused.)
 *   npx tsx test/labels/generate-manifest-vector.ts
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fromHex, toHex } from '../../src/bytes.js';
import type { BlockId, DeviceId, RealmId, VlobId } from '../../src/codec/ids.js';
import { SecretKey, SigningKey } from '../../src/keys/index.js';
import { RealmKeyring } from '../../src/manifests/realm-keyring.js';
import type { FileManifest } from '../../src/manifests/types.js';
import { encryptManifest } from '../../src/manifests/vlob-crypto.js';
import { SECRET_ALPHA_XAA } from './fixtures.js';

const OUT = new URL('../vectors/formats/labels-manifest-v2.json', import.meta.url);
if (existsSync(OUT)) {
  console.error(`${OUT.pathname} exists: frozen vectors are never regenerated`);
  process.exit(1);
}
const V = JSON.parse(readFileSync(new URL('../vectors/formats/manifests-v2.json', import.meta.url), 'utf8'));
const realmId = V.realmId as RealmId;
const rotations = V.rotations.map((r: { keyIndex: number; suite: string; keyCanary: string }) => ({ ...r, keyCanary: fromHex(r.keyCanary) }));
const keyring = await RealmKeyring.verified(realmId, (V.realmKeys as string[]).map((k) => SecretKey.fromBytes(fromHex(k))), rotations);
const t0 = V.owner.ownerSince as number;
const file: FileManifest = {
  type: 'file', id: 'f2f2f2f2f2f2f2f2f2f2f2f2f2f2f2f2' as VlobId, parent: realmId as string as VlobId, version: 1, created: t0 + 6_000_000, updated: t0 + 6_000_000,
  author: V.owner.deviceId as DeviceId, timestamp: t0 + 6_000_000, prev: null, size: 10, blocksize: 524_288,
  heads: { common: { position: 2, digest: new Uint8Array(32).fill(0xc2) }, realm: { position: 3, digest: new Uint8Array(32).fill(0xa3) } },
  blocks: [{ id: 'b3b3b3b3b3b3b3b3b3b3b3b3b3b3b3b3' as BlockId, offset: 0, size: 10, digest: new Uint8Array(32).fill(3) }],
  label: { revision: 1, label: SECRET_ALPHA_XAA },
};
const w = await encryptManifest({ manifest: file, realmId, keyring, signingKey: SigningKey.fromBytes(fromHex(V.owner.signingSeed)) });
writeFileSync(
  OUT,
  `${JSON.stringify(
    {
      description: 'a file manifest (format v2) with a file label, signed and encrypted with the owner and keys of manifests-v2.json. Generated once; never regenerate.',
      keyIndex: w.keyIndex,
      signed: toHex(w.signed),
      blob: toHex(w.blob),
    },
    null,
    2,
  )}\n`,
);
