import { beforeEach, describe, expect, it } from 'vitest';
import { LabelError } from '../../src/errors.js';
import type { RealmId } from '../../src/codec/ids.js';
import { CertificateStore, COMMON_TOPIC } from '../../src/certificates/index.js';
import {
  assertFileLabelAllowed,
  assertReadAllowed,
  assertShareAllowed,
  LabelRegistry,
  signLabelCertificate,
  type Clearance,
  type LabelCertificate,
  type LabelPolicy,
  type RevisedLabel,
} from '../../src/labels/index.js';
import { Builder, type Dev } from '../certificates/builder.js';
import { ACME, SECRET_ALPHA_XAA, clearance, label } from './fixtures.js';

interface World {
  b: Builder;
  store: CertificateStore;
  reg: LabelRegistry;
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
  return { b, store, reg: new LabelRegistry(store), admin: admin.dev, bob: bob.dev, carol: carol.dev, realm };
}

const SECRET_WS: RevisedLabel = { revision: 1, label: SECRET_ALPHA_XAA };
const BOB_CLEARANCE: Clearance = clearance('SECRET', [
  { tagName: 'Special Handling', values: ['ALPHA'] },
  { tagName: 'Releasable To', values: ['XAA'] },
]);

let w: World;
type Draft = LabelCertificate extends infer C ? (C extends LabelCertificate ? Omit<C, 'author' | 'timestamp'> & { timestamp?: number } : never) : never;
const sign = (by: Dev, c: Draft) =>
  signLabelCertificate(by.key, { author: by.deviceId, timestamp: c.timestamp ?? w.b.tick(), ...c } as LabelCertificate);
const policyCert = (by: Dev, policy: LabelPolicy = ACME, revision = 1) => sign(by, { type: 'label_policy', revision, policy });
const clearanceCert = (by: Dev, user: Dev, c: Clearance | null) => sign(by, { type: 'clearance', userId: user.userId, policyId: 'ACME', clearance: c });
const realmLabelCert = (by: Dev, l: RevisedLabel | null) => sign(by, { type: 'realm_label', realmId: w.realm, label: l });

async function refused(batch: Uint8Array[]): Promise<string> {
  const before = { last: w.reg.lastTimestamp(), n: w.reg.signedCertificates().length };
  const err = await w.reg.ingest(batch).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(LabelError);
  // nothing applied
  expect({ last: w.reg.lastTimestamp(), n: w.reg.signedCertificates().length }).toEqual(before);
  return (err as LabelError).code;
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
    await w.reg.ingest([await policyCert(w.admin)]);
    const v2 = { ...ACME, classifications: [...ACME.classifications, { name: 'TOP SECRET', lacv: 5 }] };
    await w.reg.ingest([await policyCert(w.admin, v2, 2)]);
    expect(w.reg.policy('ACME', 1)?.classifications).toHaveLength(4);
    expect(w.reg.policyAt('ACME')?.revision).toBe(2);
  });
  it('label/author-not-admin', async () => {
    expect(await refused([await policyCert(w.bob)])).toBe('label/author-not-admin');
  });
  it('label/policy-revision: revisions go 1, 2, 3 without gaps', async () => {
    expect(await refused([await policyCert(w.admin, ACME, 2)])).toBe('label/policy-revision');
  });
  it('label/invalid-policy', async () => {
    expect(await refused([await policyCert(w.admin, { ...ACME, classifications: [] })])).toBe('label/invalid-policy');
  });
  it('label/timestamp-order', async () => {
    const t = w.b.tick();
    await w.reg.ingest([await sign(w.admin, { type: 'label_policy', revision: 1, policy: ACME, timestamp: t })]);
    expect(await refused([await sign(w.admin, { type: 'label_policy', revision: 2, policy: ACME, timestamp: t })])).toBe('label/timestamp-order');
  });
  it('label/bad-signature and label/unknown-author', async () => {
    const forged = await signLabelCertificate(w.bob.key, { type: 'label_policy', author: w.admin.deviceId, timestamp: w.b.tick(), revision: 1, policy: ACME });
    expect(await refused([forged])).toBe('label/bad-signature');
    const stranger = await signLabelCertificate(w.bob.key, { type: 'label_policy', author: w.b.id(), timestamp: w.b.tick(), revision: 1, policy: ACME });
    expect(await refused([stranger])).toBe('label/unknown-author');
  });
  it('label/corrupted: hostile bytes are a typed refusal', async () => {
    const good = await policyCert(w.admin);
    for (const bad of [new Uint8Array(10), good.slice(0, 90), new Uint8Array([...good.slice(0, 64), 0xa0])]) {
      expect(await refused([bad])).toBe('label/corrupted');
    }
  });
  it('a batch is atomic', async () => {
    expect(await refused([await policyCert(w.admin), await policyCert(w.admin, ACME, 3)])).toBe('label/policy-revision');
    expect(w.reg.policyAt('ACME')).toBeUndefined();
  });
});

describe('clearance certificates', () => {
  beforeEach(async () => {
    await w.reg.ingest([await policyCert(w.admin)]);
  });
  it('an admin clears a user, changes and withdraws the clearance (point in time)', async () => {
    await w.reg.ingest([await clearanceCert(w.admin, w.bob, BOB_CLEARANCE)]);
    const t1 = w.reg.lastTimestamp();
    await w.reg.ingest([await clearanceCert(w.admin, w.bob, null)]);
    expect(w.reg.clearanceAt(w.bob.userId, 'ACME', t1)?.maxClassification).toBe('SECRET');
    expect(w.reg.clearanceAt(w.bob.userId, 'ACME')).toBeNull();
  });
  it('label/author-not-admin', async () => {
    expect(await refused([await clearanceCert(w.bob, w.carol, BOB_CLEARANCE)])).toBe('label/author-not-admin');
  });
  it('label/self-clearance: an admin does not clear itself', async () => {
    expect(await refused([await clearanceCert(w.admin, w.admin, BOB_CLEARANCE)])).toBe('label/self-clearance');
  });
  it('label/unknown-user (and revoked users)', async () => {
    const ghost = { ...w.bob, userId: w.b.id() } as Dev;
    expect(await refused([await clearanceCert(w.admin, ghost, BOB_CLEARANCE)])).toBe('label/unknown-user');
    await w.store.ingest(COMMON_TOPIC, [await w.b.revoke(w.admin, w.carol.userId)]);
    expect(await refused([await clearanceCert(w.admin, w.carol, BOB_CLEARANCE)])).toBe('label/unknown-user');
  });
  it('label/unknown-policy', async () => {
    const c = await sign(w.admin, { type: 'clearance', userId: w.bob.userId, policyId: 'OTHER', clearance: { ...BOB_CLEARANCE, policyId: 'OTHER' } });
    expect(await refused([c])).toBe('label/unknown-policy');
  });
  it('label/unknown-classification: a clearance outside its policy', async () => {
    expect(await refused([await clearanceCert(w.admin, w.bob, clearance('COSMIC'))])).toBe('label/unknown-classification');
  });
  it('label/no-change', async () => {
    expect(await refused([await clearanceCert(w.admin, w.bob, null)])).toBe('label/no-change');
    await w.reg.ingest([await clearanceCert(w.admin, w.bob, BOB_CLEARANCE)]);
    expect(await refused([await clearanceCert(w.admin, w.bob, BOB_CLEARANCE)])).toBe('label/no-change');
  });
});

describe('workspace labels and the labelling rules', () => {
  beforeEach(async () => {
    await w.reg.ingest([await policyCert(w.admin), await clearanceCert(w.admin, w.bob, BOB_CLEARANCE)]);
  });
  it('an owner cleared for it labels the workspace SECRET', async () => {
    await w.reg.ingest([await realmLabelCert(w.bob, SECRET_WS)]);
    expect(w.reg.realmLabelAt(w.realm)?.label.classification).toBe('SECRET');
  });
  it('label/author-not-owner', async () => {
    expect(await refused([await realmLabelCert(w.admin, SECRET_WS)])).toBe('label/author-not-owner');
  });
  it('label/members-not-cleared: a label above a current member is refused', async () => {
    await w.store.ingest(w.realm, [await w.b.role(w.bob, w.realm, w.carol.userId, 'READER')]);
    expect(await refused([await realmLabelCert(w.bob, SECRET_WS)])).toBe('label/members-not-cleared');
  });
  it('label/not-cleared: a SECRET workspace is not shared with a user without clearance', async () => {
    await w.reg.ingest([await realmLabelCert(w.bob, SECRET_WS)]);
    const t = w.b.tick();
    expect(codeOf(() => assertShareAllowed(w.reg, w.realm, w.carol.userId, t))).toBe('label/not-cleared');
    await w.reg.ingest([await clearanceCert(w.admin, w.carol, clearance('SECRET', [{ tagName: 'Special Handling', values: ['ALPHA'] }, { tagName: 'Releasable To', values: ['XBB'] }]))]);
    expect(codeOf(() => assertShareAllowed(w.reg, w.realm, w.carol.userId, w.b.tick()))).toBe('allowed');
  });
  it('label/exceeds-workspace: a file label above its workspace label', async () => {
    const t0 = w.b.tick();
    expect(codeOf(() => assertFileLabelAllowed(w.reg, w.realm, { revision: 1, label: label('RESTRICTED') }, t0))).toBe('label/exceeds-workspace');
    await w.reg.ingest([await realmLabelCert(w.bob, SECRET_WS)]);
    const t = w.b.tick();
    expect(codeOf(() => assertFileLabelAllowed(w.reg, w.realm, { revision: 1, label: label('RESTRICTED') }, t))).toBe('allowed');
    const bravo = label('SECRET', [{ tagName: 'Special Handling', type: 'RESTRICTIVE', values: ['BRAVO'] }]);
    expect(codeOf(() => assertFileLabelAllowed(w.reg, w.realm, { revision: 1, label: bravo }, t))).toBe('label/exceeds-workspace');
  });
  it('label/clearance-insufficient: a reader whose clearance was lowered is refused', async () => {
    await w.reg.ingest([await realmLabelCert(w.bob, SECRET_WS)]);
    expect(codeOf(() => assertReadAllowed(w.reg, w.realm, w.bob.userId, w.b.tick()))).toBe('allowed');
    await w.reg.ingest([await clearanceCert(w.admin, w.bob, { ...BOB_CLEARANCE, maxClassification: 'CONFIDENTIAL' })]);
    const t = w.b.tick();
    expect(codeOf(() => assertReadAllowed(w.reg, w.realm, w.bob.userId, t))).toBe('label/clearance-insufficient');
    // a file label the reader is not cleared for, in an unlabelled workspace position
    expect(codeOf(() => assertReadAllowed(w.reg, w.b.id(), w.carol.userId, t, { revision: 1, label: label('RESTRICTED') }))).toBe('label/clearance-insufficient');
  });
  it('old labels are read under the policy revision they name', async () => {
    await w.reg.ingest([await realmLabelCert(w.bob, SECRET_WS)]);
    // revision 2 renames SECRET: the workspace label still reads under revision 1
    const v2 = { ...ACME, classifications: ACME.classifications.map((c) => (c.name === 'SECRET' ? { ...c, name: 'SECRET-2' } : c)) };
    await w.reg.ingest([await policyCert(w.admin, v2, 2)]);
    expect(codeOf(() => assertReadAllowed(w.reg, w.realm, w.bob.userId, w.b.tick()))).toBe('allowed');
  });
});
