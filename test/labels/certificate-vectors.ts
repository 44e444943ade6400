import type { UserId } from '../../src/codec/ids.js';
import type { Certificate, ChainLink } from '../../src/certificates/index.js';
import { ACME, SECRET_ALPHA_XAA } from './fixtures.js';
import { CREATED, REALM, SIGNER } from './gateway-fixture.js';

const digest = (b: number) => new Uint8Array(32).fill(b);
const commonLink = (position: number): ChainLink => ({ position, prev: digest(position), commonHead: null });
const realmLink = (position: number): ChainLink => ({ position, prev: digest(0x80 + position), commonHead: { position: 9, digest: digest(0x09) } });
const BOB = 'a11ce000000000000000000000000b0b' as UserId;

/**
 * The label certificates frozen in labels-certificates-v2.json (certificate format v2: each carries
 * its chain link), and expected back from it. The links are fixed values: a vector freezes bytes,
 * not a chain.
 */
export const LABEL_CERTIFICATES: Certificate[] = [
  { type: 'label_policy', author: SIGNER.deviceId, timestamp: CREATED, chain: commonLink(5), revision: 1, policy: ACME },
  {
    type: 'clearance',
    author: SIGNER.deviceId,
    timestamp: CREATED + 1,
    chain: commonLink(6),
    userId: BOB,
    policyId: 'ACME',
    clearance: { policyId: 'ACME', maxClassification: 'SECRET', categories: [{ tagName: 'Special Handling', values: ['ALPHA'] }, { tagName: 'Releasable To', values: ['XAA'] }] },
  },
  { type: 'clearance', author: SIGNER.deviceId, timestamp: CREATED + 2, chain: commonLink(7), userId: BOB, policyId: 'ACME', clearance: null },
  { type: 'realm_label', author: SIGNER.deviceId, timestamp: CREATED + 3, chain: realmLink(2), realmId: REALM, label: { revision: 1, label: SECRET_ALPHA_XAA } },
  { type: 'realm_label', author: SIGNER.deviceId, timestamp: CREATED + 4, chain: realmLink(3), realmId: REALM, label: null },
];
