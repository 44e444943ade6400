/**
 * Manifests: write (canonical CBOR + Ed25519 sign + HKDF + AES-256-GCM) and read (decrypt +
 * every read check + strict decode) of folder manifests with 10,000 and 100,000 children and of
 * small file manifests, next to the raw pipeline measured in the same run: `cborg` encode/decode
 * of the same document + one node:crypto Ed25519 sign/verify + one node:crypto AES-256-GCM.
 */
import { createCipheriv, createDecipheriv, generateKeyPairSync, randomBytes as nodeRandom, sign as nodeSign, verify as nodeVerify } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { decode as cborgDecode, encode as cborgEncode, rfc8949EncodeOptions } from 'cborg';
import { toHex } from '../src/bytes.js';
import type { BlockId, DeviceId, RealmId, UserId, VlobId } from '../src/codec/ids.js';
import { SecretKey, SigningKey } from '../src/keys/index.js';
import type { EntryName } from '../src/manifests/entry-name.js';
import { keyCanary, REALM_KEY_SUITE_V1 } from '../src/manifests/key-canary.js';
import { manifestToCbor } from '../src/manifests/manifest-format.js';
import { RealmKeyring } from '../src/manifests/realm-keyring.js';
import type { ManifestTrust } from '../src/manifests/trust.js';
import type { FileManifest, FolderManifest, Manifest } from '../src/manifests/types.js';
import { decryptManifest, encryptManifest } from '../src/manifests/vlob-crypto.js';
import { report, section } from './util.js';

const id = <T extends string>(n: number) => toHex(new Uint8Array(16).fill(n)) as T;
const realmId = id<RealmId>(0xa0);
const deviceId = id<DeviceId>(0x21);
const signingKey = SigningKey.fromBytes(new Uint8Array(32).fill(0x31));
const trust: ManifestTrust = {
  deviceAt: (d) => (d === deviceId ? { userId: id<UserId>(0x11), verifyKey: signingKey.verifyKey } : undefined),
  isUserRevokedAt: () => false,
  realmRoleAt: () => 'OWNER',
};
const T = 1_700_000_000_000_000;
const heads = { common: { position: 12, digest: nodeRandom(32) }, realm: { position: 4, digest: nodeRandom(32) } };

function folder(children: number): FolderManifest {
  const map = new Map<EntryName, VlobId>();
  for (let i = 0; i < children; i++) map.set(`document-${i.toString().padStart(6, '0')}.txt` as EntryName, toHex(nodeRandom(16)) as VlobId);
  return { type: 'folder', id: id<VlobId>(0xf2), parent: realmId as string as VlobId, version: 1, created: T, updated: T, author: deviceId, timestamp: T, prev: null, heads, children: map };
}

function smallFile(i: number): FileManifest {
  return {
    type: 'file', id: toHex(nodeRandom(16)) as VlobId, parent: realmId as string as VlobId, version: 1, created: T, updated: T + i,
    author: deviceId, timestamp: T + i, prev: null, heads, size: 1000, blocksize: 524288,
    blocks: [{ id: toHex(nodeRandom(16)) as BlockId, offset: 0, size: 1000, digest: nodeRandom(32) }],
  };
}

/** The raw pipeline with node:crypto: cborg encode + Ed25519 sign + AES-256-GCM, and back. */
const native = (() => {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const key = nodeRandom(32);
  const aad = nodeRandom(40);
  return {
    write(value: unknown): Uint8Array {
      const body = cborgEncode(value, rfc8949EncodeOptions);
      const signed = Buffer.concat([nodeSign(null, body, privateKey), body]);
      const nonce = nodeRandom(12);
      const c = createCipheriv('aes-256-gcm', key, nonce);
      c.setAAD(aad);
      return Buffer.concat([nonce, c.update(signed), c.final(), c.getAuthTag()]);
    },
    read(blob: Uint8Array): unknown {
      const d = createDecipheriv('aes-256-gcm', key, blob.subarray(0, 12));
      d.setAAD(aad);
      d.setAuthTag(blob.subarray(blob.length - 16));
      const signed = Buffer.concat([d.update(blob.subarray(12, blob.length - 16)), d.final()]);
      if (!nodeVerify(null, signed.subarray(64), publicKey, signed.subarray(0, 64))) throw new Error('bad signature');
      return cborgDecode(signed.subarray(64), { useMaps: true });
    },
  };
})();

async function time(fn: () => unknown | Promise<unknown>, repeat: number): Promise<number> {
  let bestMs = Infinity;
  for (let i = 0; i < repeat; i++) {
    const t0 = performance.now();
    await fn();
    bestMs = Math.min(bestMs, performance.now() - t0);
  }
  return bestMs;
}

export async function run(): Promise<void> {
  const key = SecretKey.fromBytes(new Uint8Array(32).fill(0x51));
  const keyring = await RealmKeyring.verified(realmId, [key], [{ keyIndex: 1, suite: REALM_KEY_SUITE_V1, keyCanary: await keyCanary(realmId, 1, key) }]);
  const claims = (m: Manifest) => ({ id: m.id, version: m.version, author: m.author, timestamp: m.timestamp, keyIndex: 1 });

  for (const n of [10_000, 100_000]) {
    section(`manifests: folder with ${n.toLocaleString('en')} children (best of ${n > 10_000 ? 2 : 5}, ms)`);
    const repeat = n > 10_000 ? 2 : 5;
    const m = folder(n);
    const { blob } = await encryptManifest({ manifest: m, realmId, keyring, signingKey });
    const cbor = manifestToCbor(m);
    const nativeBlob = native.write(cbor);
    const oursW = await time(() => encryptManifest({ manifest: m, realmId, keyring, signingKey }), repeat);
    const baseW = await time(() => native.write(cbor), repeat);
    const oursR = await time(() => decryptManifest({ blob, realmId, expected: claims(m), realmKeys: keyring, trust }), repeat);
    const baseR = await time(() => native.read(nativeBlob), repeat);
    console.log(`  blob ${(blob.length / 1024).toFixed(0)} KiB; write ${oursW.toFixed(1)} ms (raw ${baseW.toFixed(1)} ms), read ${oursR.toFixed(1)} ms (raw ${baseR.toFixed(1)} ms)`);
    report(`folder ${n} write (encryptManifest)`, 1000 / oursW, 1000 / baseW, 'manifests/s', 'cborg+node:crypto');
    report(`folder ${n} read (decryptManifest + checks)`, 1000 / oursR, 1000 / baseR, 'manifests/s', 'cborg+node:crypto');
  }

  section('manifests: small file manifests (1 block)');
  const count = 2000;
  const files = Array.from({ length: count }, (_, i) => smallFile(i));
  const blobs: Uint8Array[] = [];
  for (const f of files) blobs.push((await encryptManifest({ manifest: f, realmId, keyring, signingKey })).blob);
  const cbors = files.map((f) => manifestToCbor(f));
  const nativeBlobs = cbors.map((c) => native.write(c));
  const ow = await time(async () => {
    for (const f of files) await encryptManifest({ manifest: f, realmId, keyring, signingKey });
  }, 3);
  const bw = await time(() => {
    for (const c of cbors) native.write(c);
  }, 3);
  const or = await time(async () => {
    for (let i = 0; i < count; i++) await decryptManifest({ blob: blobs[i]!, realmId, expected: claims(files[i]!), realmKeys: keyring, trust });
  }, 3);
  const br = await time(() => {
    for (const b of nativeBlobs) native.read(b);
  }, 3);
  report('small file manifest write', (count * 1000) / ow, (count * 1000) / bw, 'manifests/s', 'cborg+node:crypto');
  report('small file manifest read', (count * 1000) / or, (count * 1000) / br, 'manifests/s', 'cborg+node:crypto');
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
