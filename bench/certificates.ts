/**
 * Certificates: ingesting 10,000 certificates (5,000 users with one device each, signed by an
 * admin) into a fresh CertificateStore, next to sequential node:crypto Ed25519 verification of
 * the same 10,000 signatures in the same run.
 */
import { createPublicKey, verify as nodeVerify, type KeyObject } from 'node:crypto';
import { newId, type DeviceId, type UserId } from '../src/codec/ids.js';
import { PrivateKey, SigningKey } from '../src/keys/index.js';
import { certificateDigest, CertificateStore, nextLink, readCertificate, signCertificate, type CertificateContent, type ChainHead } from '../src/certificates/index.js';
import { measure, report, section } from './util.js';

const USERS = 5_000;
const T0 = 1_700_000_000_000_000;

function nodeKey(raw: Uint8Array): KeyObject {
  // SPKI DER prefix of an Ed25519 public key (RFC 8410).
  const der = Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), Buffer.from(raw)]);
  return createPublicKey({ key: der, format: 'der', type: 'spki' });
}

export async function run(): Promise<void> {
  section('certificates');
  const root = SigningKey.generate();
  const adminKey = SigningKey.generate();
  const adminUser = newId<UserId>();
  const adminDevice = newId<DeviceId>();
  let t = T0;
  // The common topic is a hash chain: each certificate names the previous one's digest.
  let head: ChainHead | null = null;
  const chained = async (key: SigningKey, content: CertificateContent) => {
    const link = nextLink(head, null);
    const signed = await signCertificate(key, content, link);
    head = { position: link.position, digest: certificateDigest(signed) };
    return signed;
  };
  const boot = [
    await chained(root, { type: 'user', author: null, timestamp: t, userId: adminUser, humanHandle: { email: 'admin@example.org', label: 'Admin' }, publicKey: PrivateKey.generate().publicKey, profile: 'ADMIN' }),
    await chained(root, { type: 'device', author: null, timestamp: t, userId: adminUser, deviceId: adminDevice, deviceLabel: 'admin laptop', verifyKey: adminKey.verifyKey }),
  ];
  // X25519 public keys are any 32 bytes (checked at agreement time): one is enough here. Device
  // verify keys are distinct, as in real life: each is strictly decoded on ingest.
  const publicKey = PrivateKey.generate().publicKey;
  const certs: Uint8Array[] = [];
  for (let i = 0; i < USERS; i++) {
    t += 1000;
    const userId = newId<UserId>();
    const author = adminDevice;
    certs.push(await chained(adminKey, { type: 'user', author, timestamp: t, userId, humanHandle: { email: `user${i}@example.org`, label: `User ${i}` }, publicKey, profile: 'STANDARD' }));
    certs.push(await chained(adminKey, { type: 'device', author, timestamp: t, userId, deviceId: newId<DeviceId>(), deviceLabel: 'laptop', verifyKey: SigningKey.generate().verifyKey }));
  }
  const n = certs.length;

  const ingestAll = async () => {
    const store = await CertificateStore.open({ rootVerifyKey: root.verifyKey });
    await store.ingest('common', boot);
    await store.ingest('common', certs);
  };
  const ingestBy100 = async () => {
    const store = await CertificateStore.open({ rootVerifyKey: root.verifyKey });
    await store.ingest('common', boot);
    for (let i = 0; i < n; i += 100) await store.ingest('common', certs.slice(i, i + 100));
  };

  // Baseline: the same signatures verified one after the other with node:crypto.
  const adminNodeKey = nodeKey(adminKey.verifyKey.toBytes());
  const parts = certs.map((c) => readCertificate(c));
  const verifyAll = () => {
    for (const p of parts) {
      if (!nodeVerify(null, p.body, adminNodeKey, p.signature)) throw new Error('baseline verify failed');
    }
  };

  // Best of 3 for every figure: the machine is shared, and both sides get the same treatment.
  const best = async (fn: () => unknown) => Math.max(...[await measure(n, fn, 0), await measure(n, fn, 0), await measure(n, fn, 0)].map((m) => m.rate));
  await verifyAll(); // warm-up
  await ingestAll();
  const base = await best(verifyAll);
  const ours100 = await best(ingestBy100);
  const ours = await best(ingestAll);
  report(`ingest ${n} certificates (1 batch)`, ours, base, 'cert/s');
  report(`ingest ${n} certificates (batches of 100)`, ours100, base, 'cert/s');
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
