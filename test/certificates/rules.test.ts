/** One test per rejection reason (DESIGN §4): each fails if its check is removed. */
import { describe, expect, it } from 'vitest';
import type { DeviceId, RealmId, UserId } from '../../src/codec/ids.js';
import { decodeCbor, encodeCbor, type CborMap } from '../../src/codec/index.js';
import { signDocument } from '../../src/keys/index.js';
import { encodeCertificate, linkAfter, readCertificate, REASONS, type Certificate } from '../../src/certificates/index.js';
import { expectRejected, fixture } from './fixture.js';
import { Builder } from './builder.js';
import { CertificateStore } from '../../src/certificates/index.js';

const common = (...certificates: Uint8Array[]) => [{ topic: 'common' as const, certificates }];
const inRealm = (realm: RealmId, ...certificates: Uint8Array[]) => [{ topic: realm, certificates }];

describe('certificate decoding reasons', () => {
  it('corrupted: garbage, truncated or signature-only bytes', async () => {
    const f = await fixture();
    const good = await f.b.update(f.A, f.S.userId, 'ADMIN');
    await expectRejected(f.store, common(good.subarray(0, good.length - 3)), REASONS.corrupted);
    await expectRejected(f.store, common(new Uint8Array(64)), REASONS.corrupted);
    await expectRejected(f.store, common(f.b.bytes(120)), REASONS.corrupted);
  });

  it('wrong-type: a signed document that is not a certificate', async () => {
    const f = await fixture();
    const body = encodeCbor({ type: 'file_manifest', v: 1, author: null });
    await expectRejected(f.store, common(await signDocument(f.A.key, body)), REASONS.wrongType);
  });

  it('unsupported-format: a newer format version', async () => {
    const f = await fixture();
    const cert: Certificate = { type: 'user_update', author: f.A.deviceId, timestamp: f.b.tick(), chain: f.store.nextLink('common'), userId: f.S.userId, newProfile: 'ADMIN' };
    const m = decodeCbor(encodeCertificate(cert)) as CborMap;
    m.set('v', 3);
    await expectRejected(f.store, common(await signDocument(f.A.key, encodeCbor(m))), REASONS.unsupportedFormat);
  });

  it('bad-signature: one flipped signature bit', async () => {
    const f = await fixture();
    const cert = await f.b.update(f.A, f.S.userId, 'ADMIN');
    cert[5]! ^= 0x01;
    await expectRejected(f.store, common(cert), REASONS.badSignature);
  });

  it('bad-signature: signed by another device than the claimed author', async () => {
    const f = await fixture();
    const cert = await f.b.sign(f.A2.key, { type: 'user_update', author: f.A.deviceId, timestamp: f.b.tick(), userId: f.S.userId, newProfile: 'ADMIN' });
    await expectRejected(f.store, common(cert), REASONS.badSignature);
  });
});

describe('author reasons', () => {
  it('unknown-author', async () => {
    const f = await fixture();
    const ghost = { ...f.A, deviceId: f.b.id<DeviceId>() };
    await expectRejected(f.store, common(await f.b.update(ghost, f.S.userId, 'ADMIN')), REASONS.unknownAuthor);
  });

  it('author-newer-than-certificate: a device cannot sign before it existed', async () => {
    const f = await fixture();
    const realm2 = f.b.id<RealmId>();
    await f.store.ingest(realm2, [await f.b.role(f.S, realm2, f.S.userId, 'OWNER')]);
    const seen = f.store.topicHead('common');
    const before = f.b.tick();
    const d2 = await f.b.device(f.S);
    await f.store.ingest('common', [d2.cert]);
    // Binding the older common head (allowed): only the author rule can catch the date.
    f.b.pinnedCommonHead = seen;
    await expectRejected(f.store, inRealm(realm2, await f.b.rotate(d2.dev, realm2, 1, before)), REASONS.authorNewerThanCertificate);
  });

  it('revoked-author', async () => {
    const f = await fixture();
    await f.store.ingest('common', [await f.b.revoke(f.A, f.A2.userId)]);
    const u = await f.b.user(f.A2);
    await expectRejected(f.store, common(...u.certs), REASONS.revokedAuthor);
    // the realm side: a revoked OWNER cannot rotate keys
    await f.store.ingest('common', [await f.b.revoke(f.A, f.S.userId)]);
    await expectRejected(f.store, inRealm(f.realm, await f.b.rotate(f.S, f.realm, 2)), REASONS.revokedAuthor);
  });

  it('root-outside-bootstrap', async () => {
    const f = await fixture();
    const u = await f.b.user(null, { profile: 'ADMIN' });
    await expectRejected(f.store, common(...u.certs), REASONS.rootOutsideBootstrap);
    const rootRole = await f.b.sign(f.b.root, { type: 'realm_role', author: null, timestamp: f.b.tick(), realmId: f.realm, userId: f.A.userId, role: 'READER' });
    await expectRejected(f.store, inRealm(f.realm, rootRole), REASONS.rootOutsideBootstrap);
  });

  it('root-outside-bootstrap: root signing a lone device at bootstrap', async () => {
    const b = new Builder(3);
    const store = await CertificateStore.open({ rootVerifyKey: b.root.verifyKey });
    const boot = await b.bootstrap();
    const lone = await b.resignAt(b.root, boot.certs[1]!, { position: 1, prev: null, commonHead: null });
    await expectRejected(store, common(lone), REASONS.rootOutsideBootstrap);
  });

  it('bootstrap-not-admin', async () => {
    const b = new Builder(3);
    const store = await CertificateStore.open({ rootVerifyKey: b.root.verifyKey });
    const u = await b.user(null, { profile: 'STANDARD' });
    await expectRejected(store, common(...u.certs), REASONS.bootstrapNotAdmin);
  });
});

describe('ordering reasons', () => {
  it('timestamp-not-increasing in common (equal and older)', async () => {
    const f = await fixture();
    const last = f.store.lastTimestamp('common')!;
    await expectRejected(f.store, common(await f.b.update(f.A, f.S.userId, 'ADMIN', last)), REASONS.timestampNotIncreasing);
    await expectRejected(f.store, common(await f.b.update(f.A, f.S.userId, 'ADMIN', last - 1)), REASONS.timestampNotIncreasing);
  });

  it('timestamp-not-increasing in a realm', async () => {
    const f = await fixture();
    const last = f.store.lastTimestamp(f.realm)!;
    await expectRejected(f.store, inRealm(f.realm, await f.b.rotate(f.S, f.realm, 2, last)), REASONS.timestampNotIncreasing);
  });

  it('older-than-realm-certificate: a common certificate back-dated before realm history', async () => {
    const f = await fixture();
    const t = f.store.lastTimestamp('common')! + 1;
    expect(t).toBeLessThan(f.store.lastTimestamp(f.realm)!);
    await expectRejected(f.store, common(await f.b.revoke(f.A, f.S.userId, t)), REASONS.olderThanRealmCertificate);
  });

  it('topic-mismatch: realm certificate in common, common certificate in a realm, realm in another realm', async () => {
    const f = await fixture();
    await expectRejected(f.store, common(await f.b.rotate(f.S, f.realm, 2)), REASONS.topicMismatch);
    await expectRejected(f.store, inRealm(f.realm, await f.b.update(f.A, f.S.userId, 'ADMIN')), REASONS.topicMismatch);
    const other = f.b.id<RealmId>();
    await expectRejected(f.store, inRealm(other, await f.b.rotate(f.S, f.realm, 2)), REASONS.topicMismatch);
    const u = await f.b.user(f.A);
    await expectRejected(f.store, [{ topic: 'common', certificates: [u.certs[0]!] }, { topic: f.realm, certificates: [u.certs[1]!] }], REASONS.topicMismatch);
  });
});

describe('common topic reasons', () => {
  it('author-not-admin: a STANDARD user creates a user, updates a profile, revokes', async () => {
    const f = await fixture();
    await expectRejected(f.store, common(...(await f.b.user(f.S)).certs), REASONS.authorNotAdmin);
    await expectRejected(f.store, common(await f.b.update(f.S, f.C.userId, 'OUTSIDER')), REASONS.authorNotAdmin);
    await expectRejected(f.store, common(await f.b.revoke(f.S, f.C.userId)), REASONS.authorNotAdmin);
  });

  it('author-not-admin: a demoted admin', async () => {
    const f = await fixture();
    await f.store.ingest('common', [await f.b.update(f.A, f.A2.userId, 'STANDARD')]);
    await expectRejected(f.store, common(await f.b.revoke(f.A2, f.C.userId)), REASONS.authorNotAdmin);
  });

  it('self-targeted: an admin revokes or demotes itself', async () => {
    const f = await fixture();
    await expectRejected(f.store, common(await f.b.revoke(f.A, f.A.userId)), REASONS.selfTargeted);
    await expectRejected(f.store, common(await f.b.update(f.A, f.A.userId, 'STANDARD')), REASONS.selfTargeted);
  });

  it('first-device-mismatch: other timestamp, other author, missing device, other user', async () => {
    const f = await fixture();
    const t = f.b.tick();
    const skewed = await f.b.user(f.A, { timestamp: t, deviceTimestamp: t + 1 });
    await expectRejected(f.store, common(...skewed.certs), REASONS.firstDeviceMismatch);
    const otherAuthor = await f.b.user(f.A, { deviceAuthor: f.A2 });
    await expectRejected(f.store, common(...otherAuthor.certs), REASONS.firstDeviceMismatch);
    const lone = await f.b.user(f.A);
    const after = linkAfter(lone.certs[0]!, readCertificate(lone.certs[0]!).certificate.chain);
    const update = await f.b.sign(f.A.key, { type: 'user_update', author: f.A.deviceId, timestamp: f.b.tick(), userId: f.S.userId, newProfile: 'ADMIN' }, after);
    await expectRejected(f.store, common(lone.certs[0]!), REASONS.firstDeviceMismatch);
    await expectRejected(f.store, common(lone.certs[0]!, update), REASONS.firstDeviceMismatch);
    const u1 = await f.b.user(f.A);
    const u2 = await f.b.user(f.A, { timestamp: f.b.now });
    const otherDevice = await f.b.resignAt(f.A.key, u2.certs[1]!, linkAfter(u1.certs[0]!, readCertificate(u1.certs[0]!).certificate.chain));
    await expectRejected(f.store, common(u1.certs[0]!, otherDevice), REASONS.firstDeviceMismatch);
  });

  it('device-signed-by-other-user: even an admin cannot add a device to someone else', async () => {
    const f = await fixture();
    const d = await f.b.device(f.A, f.S.userId);
    await expectRejected(f.store, common(d.cert), REASONS.deviceSignedByOtherUser);
  });

  it('later devices signed by the user itself are accepted', async () => {
    const f = await fixture();
    const d = await f.b.device(f.S);
    await f.store.ingest('common', [d.cert]);
    expect(f.store.listDevices(f.S.userId).map((x) => x.deviceId)).toEqual([f.S.deviceId, d.dev.deviceId]);
  });

  it('duplicate-user', async () => {
    const f = await fixture();
    const t = f.b.tick();
    const u = await f.b.user(f.A, { timestamp: t });
    const c = (await import('../../src/certificates/index.js')).readCertificate(u.certs[0]!, 'user').certificate;
    f.b.resync(f.store);
    const dup = await f.b.sign(f.A.key, { ...c, userId: f.S.userId });
    const dev = (await import('../../src/certificates/index.js')).readCertificate(u.certs[1]!, 'device').certificate;
    const dupDev = await f.b.sign(f.A.key, { ...dev, userId: f.S.userId });
    await expectRejected(f.store, common(dup, dupDev), REASONS.duplicateUser);
  });

  it('duplicate-device', async () => {
    const f = await fixture();
    const { readCertificate } = await import('../../src/certificates/index.js');
    const d = await f.b.device(f.S);
    const dev = readCertificate(d.cert, 'device').certificate;
    f.b.resync(f.store);
    await expectRejected(f.store, common(await f.b.sign(f.S.key, { ...dev, deviceId: f.C.deviceId })), REASONS.duplicateDevice);
  });

  it('duplicate-human-handle among non-revoked users (case-insensitive), reusable after revocation', async () => {
    const f = await fixture();
    const taken = f.store.getUser(f.S.userId)!.humanHandle.email;
    await expectRejected(f.store, common(...(await f.b.user(f.A, { email: taken.toUpperCase() })).certs), REASONS.duplicateHumanHandle);
    await f.store.ingest('common', [await f.b.revoke(f.A, f.S.userId)]);
    await f.store.ingest('common', (await f.b.user(f.A, { email: taken })).certs);
  });

  it('user-not-found: update, revoke or role for a user that does not exist', async () => {
    const f = await fixture();
    const ghost = f.b.id<UserId>();
    await expectRejected(f.store, common(await f.b.update(f.A, ghost, 'ADMIN')), REASONS.userNotFound);
    await expectRejected(f.store, common(await f.b.revoke(f.A, ghost)), REASONS.userNotFound);
    await expectRejected(f.store, inRealm(f.realm, await f.b.role(f.S, f.realm, ghost, 'READER')), REASONS.userNotFound);
  });

  it('user-not-found: a role dated before the user existed', async () => {
    const f = await fixture();
    const realm2 = f.b.id<RealmId>();
    await f.store.ingest(realm2, [await f.b.role(f.S, realm2, f.S.userId, 'OWNER')]);
    f.b.pinnedCommonHead = f.store.topicHead('common');
    const before = f.b.tick();
    const u = await f.b.user(f.A);
    await f.store.ingest('common', u.certs);
    await expectRejected(f.store, inRealm(realm2, await f.b.role(f.S, realm2, u.dev.userId, 'READER', before)), REASONS.userNotFound);
  });

  it('user-already-revoked: revoke or update a revoked user', async () => {
    const f = await fixture();
    await f.store.ingest('common', [await f.b.revoke(f.A, f.C.userId)]);
    await expectRejected(f.store, common(await f.b.revoke(f.A, f.C.userId)), REASONS.userAlreadyRevoked);
    await expectRejected(f.store, common(await f.b.update(f.A, f.C.userId, 'ADMIN')), REASONS.userAlreadyRevoked);
  });

  it('profile-unchanged', async () => {
    const f = await fixture();
    await expectRejected(f.store, common(await f.b.update(f.A, f.S.userId, 'STANDARD')), REASONS.profileUnchanged);
  });
});

describe('realm reasons', () => {
  it('realm-first-not-self-owner: owner given to another, lower self role, other first type', async () => {
    const f = await fixture();
    const r = f.b.id<RealmId>();
    await expectRejected(f.store, inRealm(r, await f.b.role(f.S, r, f.C.userId, 'OWNER')), REASONS.realmFirstNotSelfOwner);
    await expectRejected(f.store, inRealm(r, await f.b.role(f.S, r, f.S.userId, 'MANAGER')), REASONS.realmFirstNotSelfOwner);
    await expectRejected(f.store, inRealm(r, await f.b.rotate(f.S, r, 1)), REASONS.realmFirstNotSelfOwner);
  });

  it('author-no-realm-role', async () => {
    const f = await fixture();
    await expectRejected(f.store, inRealm(f.realm, await f.b.role(f.A, f.realm, f.A2.userId, 'READER')), REASONS.authorNoRealmRole);
    // a member removed earlier has no role any more
    await f.store.ingest(f.realm, [await f.b.role(f.S, f.realm, f.M.userId, null)]);
    await expectRejected(f.store, inRealm(f.realm, await f.b.role(f.M, f.realm, f.A.userId, 'READER')), REASONS.authorNoRealmRole);
  });

  it('author-not-owner: a MANAGER touching OWNER/MANAGER roles, keys, name, archiving', async () => {
    const f = await fixture();
    await expectRejected(f.store, inRealm(f.realm, await f.b.role(f.M, f.realm, f.A.userId, 'MANAGER')), REASONS.authorNotOwner);
    await expectRejected(f.store, inRealm(f.realm, await f.b.role(f.M, f.realm, f.S.userId, 'READER')), REASONS.authorNotOwner);
    await expectRejected(f.store, inRealm(f.realm, await f.b.rotate(f.M, f.realm, 2)), REASONS.authorNotOwner);
    await expectRejected(f.store, inRealm(f.realm, await f.b.name(f.M, f.realm, 1)), REASONS.authorNotOwner);
    await expectRejected(f.store, inRealm(f.realm, await f.b.archive(f.M, f.realm, { status: 'archived' })), REASONS.authorNotOwner);
  });

  it('author-not-owner-or-manager: a CONTRIBUTOR sharing', async () => {
    const f = await fixture();
    await expectRejected(f.store, inRealm(f.realm, await f.b.role(f.C, f.realm, f.A.userId, 'READER')), REASONS.authorNotOwnerOrManager);
  });

  it('self-role-change', async () => {
    const f = await fixture();
    await expectRejected(f.store, inRealm(f.realm, await f.b.role(f.M, f.realm, f.M.userId, 'READER')), REASONS.selfRoleChange);
  });

  it('outsider-elevated: OUTSIDER as MANAGER or OWNER, or creating a realm', async () => {
    const f = await fixture();
    await expectRejected(f.store, inRealm(f.realm, await f.b.role(f.S, f.realm, f.O.userId, 'MANAGER')), REASONS.outsiderElevated);
    await expectRejected(f.store, inRealm(f.realm, await f.b.role(f.S, f.realm, f.O.userId, 'OWNER')), REASONS.outsiderElevated);
    const r = f.b.id<RealmId>();
    await expectRejected(f.store, inRealm(r, await f.b.role(f.O, r, f.O.userId, 'OWNER')), REASONS.outsiderElevated);
  });

  it('revoked-user-role: no role for a revoked user, but unsharing it is fine', async () => {
    const f = await fixture();
    await f.store.ingest('common', [await f.b.revoke(f.A, f.A2.userId), await f.b.revoke(f.A, f.C.userId)]);
    await expectRejected(f.store, inRealm(f.realm, await f.b.role(f.S, f.realm, f.A2.userId, 'READER')), REASONS.revokedUserRole);
    await f.store.ingest(f.realm, [await f.b.role(f.S, f.realm, f.C.userId, null)]);
  });

  it('role-unchanged', async () => {
    const f = await fixture();
    await expectRejected(f.store, inRealm(f.realm, await f.b.role(f.S, f.realm, f.C.userId, 'CONTRIBUTOR')), REASONS.roleUnchanged);
    await expectRejected(f.store, inRealm(f.realm, await f.b.role(f.S, f.realm, f.A.userId, null)), REASONS.roleUnchanged);
  });

  it('key-index-not-next', async () => {
    const f = await fixture();
    await expectRejected(f.store, inRealm(f.realm, await f.b.rotate(f.S, f.realm, 1)), REASONS.keyIndexNotNext);
    await expectRejected(f.store, inRealm(f.realm, await f.b.rotate(f.S, f.realm, 3)), REASONS.keyIndexNotNext);
    await f.store.ingest(f.realm, [await f.b.rotate(f.S, f.realm, 2)]);
  });

  it('unknown-key-index: a name encrypted with a key the realm does not have', async () => {
    const f = await fixture();
    await expectRejected(f.store, inRealm(f.realm, await f.b.name(f.S, f.realm, 2)), REASONS.unknownKeyIndex);
    await f.store.ingest(f.realm, [await f.b.name(f.S, f.realm, 1)]);
  });

  it('deletion-date-not-after', async () => {
    const f = await fixture();
    const t = f.b.tick();
    await expectRejected(f.store, inRealm(f.realm, await f.b.archive(f.S, f.realm, { status: 'deletion_planned', deletionDate: t }, t)), REASONS.deletionDateNotAfter);
    await f.store.ingest(f.realm, [await f.b.archive(f.S, f.realm, { status: 'deletion_planned', deletionDate: t + 10 ** 9 })]);
    expect(f.store.getArchiving(f.realm)).toEqual({ status: 'deletion_planned', deletionDate: t + 10 ** 9 });
  });
});

describe('atomicity', () => {
  it('a bad certificate at the end of a multi-topic batch rejects all of it', async () => {
    const f = await fixture();
    const u = await f.b.user(f.A);
    const good = await f.b.role(f.S, f.realm, u.dev.userId, 'READER');
    const bad = await f.b.rotate(f.S, f.realm, 5);
    const err = await expectRejected(f.store, [{ topic: 'common', certificates: u.certs }, { topic: f.realm, certificates: [good, bad] }], REASONS.keyIndexNotNext);
    expect(err.message).toContain('#3');
    expect(f.store.getUser(u.dev.userId)).toBeUndefined();
  });
});

describe('error order', () => {
  it('reports the first bad certificate of the batch, whichever check catches it', async () => {
    const f = await fixture();
    const forged = await f.b.update(f.A, f.S.userId, 'ADMIN');
    forged[0]! ^= 1;
    const selfRevoke = await f.b.revoke(f.A, f.A.userId);
    await expectRejected(f.store, common(forged, selfRevoke), REASONS.badSignature);
    const selfRevoke2 = await f.b.revoke(f.A, f.A.userId);
    const forged2 = await f.b.update(f.A, f.S.userId, 'ADMIN');
    forged2[0]! ^= 1;
    await expectRejected(f.store, common(selfRevoke2, forged2), REASONS.selfTargeted);
  });

  it('pipelined verification: a bad signature deep in a large batch', async () => {
    const f = await fixture();
    const certs: Uint8Array[] = [];
    for (let i = 0; i < 300; i++) certs.push(...(await f.b.user(f.A)).certs);
    certs[555]![3]! ^= 1;
    const err = await expectRejected(f.store, common(...certs), REASONS.badSignature);
    expect(err.message).toContain('#555');
  });
});

it('covers every reason with a test', () => {
  // Guards against adding a reason without its test in this file.
  const fs = require('node:fs');
  const src = (fs.readFileSync(__filename, 'utf8') as string) + fs.readFileSync(__filename.replace('rules.test.ts', 'chain.test.ts'), 'utf8') +
    // the labelling reasons are tested with the labels
    fs.readFileSync(__filename.replace('certificates/rules.test.ts', 'labels/engine.test.ts'), 'utf8');
  for (const key of Object.keys(REASONS)) expect(src, key).toContain(`REASONS.${key}`);
});
