/**
 * The labelling rules of the certificate engine: label policies, clearances and workspace labels
 * are certificates of the organisation's chain, checked by `CertificateStore` (every client, and
 * the server, which runs the same store). Each refusal has its reason and leaves the store as it was.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { CertificateError, LabelError } from '../../src/errors.js';
import type { RealmId } from '../../src/codec/ids.js';
import { CertificateStore, COMMON_TOPIC, REASONS, type CertificateContent, type RevisedLabel, type Topic } from '../../src/certificates/index.js';
import { assertFileLabelAllowed, assertReadAllowed, assertShareAllowed, type Clearance, type LabelPolicy } from '../../src/labels/index.js';
import { Builder, type Dev } from '../certificates/builder.js';
import { ACME, SECRET_ALPHA_XAA, clearance, label } from './fixtures.js';

interface World {
  b: Builder;
  store: CertificateStore;
  admin: Dev;
  bob: Dev;
  carol: Dev;
  realm: RealmId;
}

async function world(): Promise<World> {
  const b = new Builder(1717);
  const admin = await b.bootstrap();
  const bob = await b.user(admin.dev);
  const carol = await b.user(admin.dev);
  const store = await CertificateStore.open({ rootVerifyKey: b.root.verifyKey });
  await store.ingest(COMMON_TOPIC, [...admin.certs, ...bob.certs, ...carol.certs]);
  const realm = b.id<RealmId>();
  await store.ingest(realm, [await b.role(bob.dev, realm, bob.dev.userId, 'OWNER')]);
  return { b, store, admin: admin.dev, bob: bob.dev, carol: carol.dev, realm };
}

const SECRET_WS: RevisedLabel = { revision: 1, label: SECRET_ALPHA_XAA };
const BOB_CLEARANCE: Clearance = clearance('SECRET', [
  { tagName: 'Special Handling', values: ['ALPHA'] },
  { tagName: 'Releasable To', values: ['XAA'] },
]);

let w: World;
type Content = Record<string, unknown> & { type: 'label_policy' | 'clearance' | 'realm_label'; timestamp?: number };
const sign = (by: Dev, c: Content) => w.b.sign(by.key, { author: by.deviceId, timestamp: c.timestamp ?? w.b.tick(), ...c } as CertificateContent);
const policyCert = (by: Dev, policy: LabelPolicy = ACME, revision = 1) => sign(by, { type: 'label_policy', revision, policy });
const clearanceCert = (by: Dev, user: Dev, c: Clearance | null) => sign(by, { type: 'clearance', userId: user.userId, policyId: 'ACME', clearance: c });
const realmLabelCert = (by: Dev, l: RevisedLabel | null) => sign(by, { type: 'realm_label', realmId: w.realm, label: l });

const common = (certs: Uint8Array[]) => w.store.ingest(COMMON_TOPIC, certs);
const inRealm = (certs: Uint8Array[]) => w.store.ingest(w.realm, certs);

/** Ingests `certs` in `topic`, expects a refusal, checks nothing was applied; returns the reason. */
async function refused(topic: Topic, certs: Uint8Array[]): Promise<string> {
  const heads = () => [w.store.topicHead(COMMON_TOPIC)?.position, w.store.topicHead(w.realm)?.position, w.store.listLabelPolicies().length];
  const before = heads();
  const err = await w.store.ingest(topic, certs).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(CertificateError);
  expect(heads()).toEqual(before);
  w.b.resync(w.store);
  return (err as CertificateError).reason;
}

const codeOf = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(LabelError);
    return (e as LabelError).code;
  }
  return 'allowed';
};

beforeEach(async () => {
  w = await world();
});

describe('label policy certificates', () => {
  it('an admin publishes revisions 1, 2, …; old revisions stay readable', async () => {
    await common([await policyCert(w.admin)]);
    const v2 = { ...ACME, classifications: [...ACME.classifications, { name: 'TOP SECRET', lacv: 5 }] };
    await common([await policyCert(w.admin, v2, 2)]);
    expect(w.store.getLabelPolicy('ACME', 1)?.classifications).toHaveLength(4);
    expect(w.store.getNewestLabelPolicy('ACME')?.revision).toBe(2);
  });
  it('author-not-admin', async () => {
    expect(await refused(COMMON_TOPIC, [await policyCert(w.bob)])).toBe(REASONS.authorNotAdmin);
  });
  it('label-policy-revision-not-next: revisions go 1, 2, 3 without gaps', async () => {
    expect(await refused(COMMON_TOPIC, [await policyCert(w.admin, ACME, 2)])).toBe(REASONS.labelPolicyRevisionNotNext);
  });
  it('label-policy-invalid', async () => {
    expect(await refused(COMMON_TOPIC, [await policyCert(w.admin, { ...ACME, classifications: [] })])).toBe(REASONS.labelPolicyInvalid);
  });
  it('a batch is atomic', async () => {
    expect(await refused(COMMON_TOPIC, [await policyCert(w.admin), await policyCert(w.admin, ACME, 3)])).toBe(REASONS.labelPolicyRevisionNotNext);
    expect(w.store.getNewestLabelPolicy('ACME')).toBeUndefined();
  });
});

describe('clearance certificates', () => {
  beforeEach(async () => {
    await common([await policyCert(w.admin)]);
  });
  it('an admin clears a user, changes and withdraws the clearance (point in time)', async () => {
    await common([await clearanceCert(w.admin, w.bob, BOB_CLEARANCE)]);
    const t1 = w.store.lastTimestamp(COMMON_TOPIC)!;
    await common([await clearanceCert(w.admin, w.bob, null)]);
    expect(w.store.getClearance(w.bob.userId, 'ACME', t1)?.maxClassification).toBe('SECRET');
    expect(w.store.getClearance(w.bob.userId, 'ACME')).toBeNull();
  });
  it('author-not-admin', async () => {
    expect(await refused(COMMON_TOPIC, [await clearanceCert(w.bob, w.carol, BOB_CLEARANCE)])).toBe(REASONS.authorNotAdmin);
  });
  it('self-targeted: an admin does not clear itself', async () => {
    expect(await refused(COMMON_TOPIC, [await clearanceCert(w.admin, w.admin, BOB_CLEARANCE)])).toBe(REASONS.selfTargeted);
  });
  it('user-not-found, user-already-revoked', async () => {
    const ghost = { ...w.bob, userId: w.b.id() } as Dev;
    expect(await refused(COMMON_TOPIC, [await clearanceCert(w.admin, ghost, BOB_CLEARANCE)])).toBe(REASONS.userNotFound);
    await common([await w.b.revoke(w.admin, w.carol.userId)]);
    expect(await refused(COMMON_TOPIC, [await clearanceCert(w.admin, w.carol, BOB_CLEARANCE)])).toBe(REASONS.userAlreadyRevoked);
  });
  it('unknown-label-policy', async () => {
    const c = await sign(w.admin, { type: 'clearance', userId: w.bob.userId, policyId: 'OTHER', clearance: { ...BOB_CLEARANCE, policyId: 'OTHER' } });
    expect(await refused(COMMON_TOPIC, [c])).toBe(REASONS.unknownLabelPolicy);
  });
  it('clearance-invalid: a clearance outside its policy', async () => {
    expect(await refused(COMMON_TOPIC, [await clearanceCert(w.admin, w.bob, clearance('COSMIC'))])).toBe(REASONS.clearanceInvalid);
  });
  it('clearance-unchanged', async () => {
    expect(await refused(COMMON_TOPIC, [await clearanceCert(w.admin, w.bob, null)])).toBe(REASONS.clearanceUnchanged);
    await common([await clearanceCert(w.admin, w.bob, BOB_CLEARANCE)]);
    expect(await refused(COMMON_TOPIC, [await clearanceCert(w.admin, w.bob, BOB_CLEARANCE)])).toBe(REASONS.clearanceUnchanged);
  });
});

describe('workspace labels and the labelling rules', () => {
  beforeEach(async () => {
    await common([await policyCert(w.admin), await clearanceCert(w.admin, w.bob, BOB_CLEARANCE)]);
  });
  it('an owner cleared for it labels the workspace SECRET', async () => {
    await inRealm([await realmLabelCert(w.bob, SECRET_WS)]);
    expect(w.store.getRealmLabel(w.realm)?.label.classification).toBe('SECRET');
  });
  it('author-not-owner (and author-no-realm-role)', async () => {
    expect(await refused(w.realm, [await realmLabelCert(w.admin, SECRET_WS)])).toBe(REASONS.authorNoRealmRole);
    await inRealm([await w.b.role(w.bob, w.realm, w.admin.userId, 'MANAGER')]);
    expect(await refused(w.realm, [await realmLabelCert(w.admin, SECRET_WS)])).toBe(REASONS.authorNotOwner);
  });
  it('members-not-cleared: a label above a current member is refused', async () => {
    await inRealm([await w.b.role(w.bob, w.realm, w.carol.userId, 'READER')]);
    expect(await refused(w.realm, [await realmLabelCert(w.bob, SECRET_WS)])).toBe(REASONS.membersNotCleared);
  });
  it('label-invalid, unknown-label-policy, realm-label-unchanged', async () => {
    expect(await refused(w.realm, [await realmLabelCert(w.bob, { revision: 1, label: label('COSMIC') })])).toBe(REASONS.labelInvalid);
    expect(await refused(w.realm, [await realmLabelCert(w.bob, { revision: 2, label: SECRET_ALPHA_XAA })])).toBe(REASONS.unknownLabelPolicy);
    expect(await refused(w.realm, [await realmLabelCert(w.bob, null)])).toBe(REASONS.realmLabelUnchanged);
  });
  it('not-cleared: the engine refuses a role in a SECRET workspace for a user without clearance', async () => {
    await inRealm([await realmLabelCert(w.bob, SECRET_WS)]);
    expect(await refused(w.realm, [await w.b.role(w.bob, w.realm, w.carol.userId, 'READER')])).toBe(REASONS.notCleared);
    expect(codeOf(() => assertShareAllowed(w.store, w.realm, w.carol.userId, w.b.tick()))).toBe('label/not-cleared');
    // cleared through the PERMISSIVE category with XBB (one release value is enough)
    await common([await clearanceCert(w.admin, w.carol, clearance('SECRET', [{ tagName: 'Special Handling', values: ['ALPHA'] }, { tagName: 'Releasable To', values: ['XBB'] }]))]);
    expect(codeOf(() => assertShareAllowed(w.store, w.realm, w.carol.userId, w.b.tick()))).toBe('allowed');
    await inRealm([await w.b.role(w.bob, w.realm, w.carol.userId, 'READER')]);
    expect(w.store.getRealmRole(w.realm, w.carol.userId)).toBe('READER');
  });
  it('label/exceeds-workspace: a file label above its workspace label', async () => {
    const t0 = w.b.tick();
    expect(codeOf(() => assertFileLabelAllowed(w.store, w.realm, { revision: 1, label: label('RESTRICTED') }, t0))).toBe('label/exceeds-workspace');
    await inRealm([await realmLabelCert(w.bob, SECRET_WS)]);
    const t = w.b.tick();
    expect(codeOf(() => assertFileLabelAllowed(w.store, w.realm, { revision: 1, label: label('RESTRICTED') }, t))).toBe('allowed');
    const bravo = label('SECRET', [{ tagName: 'Special Handling', type: 'RESTRICTIVE', values: ['BRAVO'] }]);
    expect(codeOf(() => assertFileLabelAllowed(w.store, w.realm, { revision: 1, label: bravo }, t))).toBe('label/exceeds-workspace');
  });
  it('label/clearance-insufficient: a reader whose clearance was lowered is refused', async () => {
    await inRealm([await realmLabelCert(w.bob, SECRET_WS)]);
    expect(codeOf(() => assertReadAllowed(w.store, w.realm, w.bob.userId, w.b.tick()))).toBe('allowed');
    // lowering a member's clearance is allowed (as for roles); reading is what stops
    await common([await clearanceCert(w.admin, w.bob, { ...BOB_CLEARANCE, maxClassification: 'CONFIDENTIAL' })]);
    const t = w.b.tick();
    expect(codeOf(() => assertReadAllowed(w.store, w.realm, w.bob.userId, t))).toBe('label/clearance-insufficient');
    expect(codeOf(() => assertReadAllowed(w.store, w.b.id(), w.carol.userId, t, { revision: 1, label: label('RESTRICTED') }))).toBe('label/clearance-insufficient');
  });
  it('old labels are read under the policy revision they name', async () => {
    await inRealm([await realmLabelCert(w.bob, SECRET_WS)]);
    // revision 2 renames SECRET: the workspace label still reads under revision 1
    const v2 = { ...ACME, classifications: ACME.classifications.map((c) => (c.name === 'SECRET' ? { ...c, name: 'SECRET-2' } : c)) };
    await common([await policyCert(w.admin, v2, 2)]);
    expect(codeOf(() => assertReadAllowed(w.store, w.realm, w.bob.userId, w.b.tick()))).toBe('allowed');
  });
  it('a store re-opened over its storage re-validates and answers the same', async () => {
    await inRealm([await realmLabelCert(w.bob, SECRET_WS)]);
    const copy = await CertificateStore.open({ rootVerifyKey: w.b.root.verifyKey });
    await copy.ingestBatch(w.store.topics().map((topic) => ({ topic, certificates: w.store.signedCertificates(topic) })));
    expect(copy.getRealmLabel(w.realm)).toEqual(w.store.getRealmLabel(w.realm));
    expect(copy.getClearance(w.bob.userId, 'ACME')).toEqual(w.store.getClearance(w.bob.userId, 'ACME'));
  });
});
