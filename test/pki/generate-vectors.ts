/**
 * Writes test/vectors/formats/pki-v1.json (run once with `npx tsx test/pki/generate-vectors.ts`;
 * the file is frozen afterwards: later versions must still verify it). One enrollment request per
 * supported leaf key algorithm, each under a root and an intermediate of other algorithms.
 */
import { writeFileSync } from 'node:fs';
import { toHex } from '../../src/bytes.js';
import type { OrganizationId } from '../../src/codec/ids.js';
import type { Timestamp } from '../../src/codec/timestamps.js';
import { PrivateKey, SigningKey } from '../../src/keys/index.js';
import { signPkiRequest } from '../../src/pki/index.js';
import { issue, root, type KeyAlgorithm } from './chains.js';

const issuedAt = Date.parse('2026-06-01T00:00:00Z');
const organizationId = '5e'.repeat(16) as OrganizationId;
const plan: [KeyAlgorithm, KeyAlgorithm, KeyAlgorithm][] = [
  ['RSA', 'P-384', 'P-256'],
  ['P-256', 'Ed25519', 'P-384'],
  ['P-384', 'P-256', 'RSA'],
  ['Ed25519', 'RSA', 'Ed25519'],
];
const requests = [];
for (const [i, [rootAlg, caAlg, leafAlg]] of plan.entries()) {
  const r = await root(`CN=Vector Root ${i}`, issuedAt, rootAlg);
  const ca = await issue(r, `CN=Vector CA ${i}`, { ca: true, alg: caAlg, now: issuedAt });
  const email = `leaf-${i}@example.org`;
  const leaf = await issue(ca, `CN=Vector Leaf ${i}`, { email, alg: leafAlg, now: issuedAt });
  const signed = await signPkiRequest([leaf.der, ca.der], leaf.keys.privateKey, {
    organizationId,
    timestamp: (issuedAt * 1000 + i) as Timestamp,
    userPublicKey: PrivateKey.fromBytes(new Uint8Array(32).fill(0x30 + i)).publicKey,
    deviceVerifyKey: SigningKey.fromBytes(new Uint8Array(32).fill(0x40 + i)).verifyKey,
    deviceLabel: `device ${i}`,
  });
  requests.push({ algorithms: { root: rootAlg, intermediate: caAlg, leaf: leafAlg }, email, root: toHex(r.der), chain: signed.chain.map(toHex), request: toHex(signed.request), signature: toHex(signed.signature) });
}
const vectors = {
  description: 'sealsync PKI enrollment requests v1: X.509 chain (leaf first), the pki_enrollment_request document (deterministic CBOR), the leaf key signature over "sealsync/1/pki-enrollment-request" ‖ request. Frozen: never edit.',
  format: 1,
  organization_id: organizationId,
  verify_at: '2026-06-02T00:00:00Z',
  requests,
};
writeFileSync(new URL('../vectors/formats/pki-v1.json', import.meta.url), `${JSON.stringify(vectors, null, 2)}\n`);
