import type { UserId } from '../../src/codec/ids.js';
import type { LabelCertificate } from '../../src/labels/index.js';
import { ACME, SECRET_ALPHA_XAA } from './fixtures.js';
import { CREATED, REALM, SIGNER } from './gateway-fixture.js';

/** The label certificates frozen in labels-certificates-v1.json (and expected back from it). */
export const LABEL_CERTIFICATES: LabelCertificate[] = [
  { type: 'label_policy', author: SIGNER.deviceId, timestamp: CREATED, revision: 1, policy: ACME },
  {
    type: 'clearance',
    author: SIGNER.deviceId,
    timestamp: CREATED + 1,
    userId: 'a11ce000000000000000000000000b0b' as UserId,
    policyId: 'ACME',
    clearance: { policyId: 'ACME', maxClassification: 'SECRET', categories: [{ tagName: 'Special Handling', values: ['ALPHA'] }, { tagName: 'Releasable To', values: ['XAA'] }] },
  },
  { type: 'clearance', author: SIGNER.deviceId, timestamp: CREATED + 2, userId: 'a11ce000000000000000000000000b0b' as UserId, policyId: 'ACME', clearance: null },
  { type: 'realm_label', author: SIGNER.deviceId, timestamp: CREATED + 3, realmId: REALM, label: { revision: 1, label: SECRET_ALPHA_XAA } },
  { type: 'realm_label', author: SIGNER.deviceId, timestamp: CREATED + 4, realmId: REALM, label: null },
];
