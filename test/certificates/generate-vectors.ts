/**
 * Generates test/vectors/formats/certificates-v2.json: one signed certificate of each type, from
 * fixed keys and ids, chained as format v2 requires (common positions 1–5, realm positions 1–6
 * binding common head 5). Run ONCE when a format is released
 * (`npx tsx test/certificates/generate-vectors.ts`); the committed file is then frozen data that
 * later versions must still read. The tests never regenerate it. (certificates-v1.json, frozen
 * earlier, is now read only to check that v1 is refused.)
 */
import { writeFileSync } from 'node:fs';
import { toHex } from '../../src/bytes.js';
import type { DeviceId, RealmId, UserId } from '../../src/codec/ids.js';
import { PrivateKey, SigningKey } from '../../src/keys/index.js';
import { certificateDigest, certificateTopic, nextLink, signCertificate, SUITE_V1, type CertificateContent, type ChainHead } from '../../src/certificates/index.js';
import { toJson } from './vector-json.js';

const seed = (b: number) => new Uint8Array(32).fill(b);
const id = <T extends string>(b: number) => toHex(new Uint8Array(16).fill(b)) as T;

const root = SigningKey.fromBytes(seed(0x01));
const device = SigningKey.fromBytes(seed(0x02));
const newDevice = SigningKey.fromBytes(seed(0x03));
const userKey = PrivateKey.fromBytes(seed(0x04));
const author = id<DeviceId>(0xd0);
const user = id<UserId>(0xa1);
const realm = id<RealmId>(0xe1);
const t = 1_767_225_600_000_000; // 2026-01-01T00:00:00Z in µs

const certs: [SigningKey, CertificateContent][] = [
  [root, { type: 'user', author: null, timestamp: t, userId: user, humanHandle: { email: 'alice@example.org', label: 'Alice' }, publicKey: userKey.publicKey, profile: 'ADMIN' }],
  [root, { type: 'device', author: null, timestamp: t, userId: user, deviceId: author, deviceLabel: 'laptop', verifyKey: device.verifyKey }],
  [device, { type: 'device', author, timestamp: t + 1, userId: user, deviceId: id<DeviceId>(0xd1), deviceLabel: 'phone', verifyKey: newDevice.verifyKey }],
  [device, { type: 'user_update', author, timestamp: t + 2, userId: id<UserId>(0xa2), newProfile: 'OUTSIDER' }],
  [device, { type: 'revoked_user', author, timestamp: t + 3, userId: id<UserId>(0xa3) }],
  [device, { type: 'realm_role', author, timestamp: t + 4, realmId: realm, userId: user, role: 'OWNER' }],
  [device, { type: 'realm_role', author, timestamp: t + 5, realmId: realm, userId: id<UserId>(0xa2), role: null }],
  [device, { type: 'realm_key_rotation', author, timestamp: t + 6, realmId: realm, keyIndex: 1, suite: SUITE_V1, keyCanary: new Uint8Array(32).fill(0xcc) }],
  [device, { type: 'realm_name', author, timestamp: t + 7, realmId: realm, keyIndex: 1, encryptedName: new Uint8Array(44).fill(0xee) }],
  [device, { type: 'realm_archiving', author, timestamp: t + 8, realmId: realm, configuration: { status: 'archived' } }],
  [device, { type: 'realm_archiving', author, timestamp: t + 9, realmId: realm, configuration: { status: 'deletion_planned', deletionDate: t + 86_400_000_000 } }],
];

const vectors = [];
const heads = new Map<string, ChainHead>();
for (const [key, cert] of certs) {
  const topic = certificateTopic(cert);
  const link = nextLink(heads.get(topic) ?? null, topic === 'common' ? null : (heads.get('common') ?? null));
  const signed = await signCertificate(key, cert, link);
  heads.set(topic, { position: link.position, digest: certificateDigest(signed) });
  vectors.push({ type: cert.type, verify_key: toHex(key.verifyKey.toBytes()), signed: toHex(signed), digest: toHex(certificateDigest(signed)), expected: toJson({ ...cert, chain: link } as never) });
}
const doc = {
  description:
    'sealsync certificate format v2: signature(64) ‖ deterministic CBOR body with position, prev (SHA-256 of the previous signed certificate of the topic) and common_head. Frozen: never edit; later versions must still read these.',
  format: 2,
  vectors,
};
writeFileSync(new URL('../vectors/formats/certificates-v2.json', import.meta.url), JSON.stringify(doc, null, 2) + '\n');
console.log(`wrote ${vectors.length} vectors`);
