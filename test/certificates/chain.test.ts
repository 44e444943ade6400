/**
 * Topics are hash chains (format v2): one test per chain reason, each showing the refusal AND that
 * the store is unchanged (`expectRejected` compares a full snapshot), plus the generic API
 * (`topicHead`, `nextLink`, `linkAfter`) and the rule that lets a late joiner read older history.
 */
import { describe, expect, it } from 'vitest';
import type { RealmId } from '../../src/codec/ids.js';
import { certificateDigest, CertificateStore, linkAfter, readCertificate, REASONS } from '../../src/certificates/index.js';
import { builders, expectRejected, fixture } from './fixture.js';

const common = (...certificates: Uint8Array[]) => [{ topic: 'common' as const, certificates }];
const inRealm = (realm: RealmId, ...certificates: Uint8Array[]) => [{ topic: realm, certificates }];
const chainOf = (signed: Uint8Array) => readCertificate(signed).certificate.chain;

describe('chain envelope', () => {
  it('topicHead is (position, digest of the newest signed certificate); nextLink follows it', async () => {
    const f = await fixture();
    const signed = f.store.signedCertificates('common');
    const head = f.store.topicHead('common')!;
    expect(head.position).toBe(signed.length);
    expect(head.digest).toEqual(certificateDigest(signed.at(-1)!));
    expect(f.store.nextLink('common')).toEqual({ position: signed.length + 1, prev: head.digest, commonHead: null });
    const realmLink = f.store.nextLink(f.realm);
    expect(realmLink.commonHead).toEqual(head);
    expect(realmLink.prev).toEqual(f.store.topicHead(f.realm)!.digest);
    expect(f.store.topicHead('00'.repeat(16) as RealmId)).toBeNull();
    expect(f.store.nextLink('00'.repeat(16) as RealmId)).toEqual({ position: 1, prev: null, commonHead: head });
    expect(f.store.certificateAt('common', 1)).toEqual(signed[0]);
  });

  it('heads survive a reopen (re-validated from storage)', async () => {
    const f = await fixture();
    const storage = (await import('../../src/certificates/index.js')).MemoryCertificateStoreStorage;
    const s = new storage();
    const store = await CertificateStore.open({ rootVerifyKey: f.b.root.verifyKey, storage: s });
    await store.ingestBatch([{ topic: 'common', certificates: f.store.signedCertificates('common') }, { topic: f.realm, certificates: f.store.signedCertificates(f.realm) }]);
    const again = await CertificateStore.open({ rootVerifyKey: f.b.root.verifyKey, storage: s });
    expect(again.topicHead('common')).toEqual(f.store.topicHead('common'));
    expect(again.topicHead(f.realm)).toEqual(f.store.topicHead(f.realm));
  });
});

describe('chain reasons (attack: the server drops, reorders, replaces or inserts certificates)', () => {
  it('chain-gap: a withheld revocation cannot be skipped (the later certificates are refused)', async () => {
    const f = await fixture();
    const revocation = await f.b.revoke(f.A, f.C.userId);
    const later = await f.b.update(f.A, f.S.userId, 'ADMIN');
    await expectRejected(f.store, common(later), REASONS.chainGap);
    // and the withheld one is still deliverable: the mark did not move past it
    await f.store.ingest('common', [revocation, later]);
    expect(f.store.isRevoked(f.C.userId)).toBe(true);
  });

  it('chain-reordered: positions delivered backwards', async () => {
    const f = await fixture();
    const a = await f.b.update(f.A, f.S.userId, 'ADMIN');
    const b = await f.b.update(f.A, f.C.userId, 'OUTSIDER');
    await expectRejected(f.store, common(b, a), REASONS.chainReordered);
    await f.store.ingest('common', [a, b]);
  });

  it('chain-replaced: a position this device verified, served with other bytes', async () => {
    const f = await fixture();
    const first = f.store.signedCertificates('common')[4]!; // A2's device, position 5
    const other = await f.b.resignAt(f.A.key, await f.b.update(f.A, f.S.userId, 'ADMIN'), chainOf(first));
    await expectRejected(f.store, common(other), REASONS.chainReplaced);
  });

  it('chain-replayed: a position this device verified, served again', async () => {
    const f = await fixture();
    await expectRejected(f.store, common(f.store.signedCertificates('common').at(-1)!), REASONS.chainReplayed);
  });

  it('chain-prev-mismatch: a certificate inserted before the next one (or chained on a forked head)', async () => {
    const f = await fixture();
    const inserted = await f.b.update(f.A, f.S.userId, 'ADMIN'); // position n+1
    const next = await f.b.update(f.A, f.C.userId, 'OUTSIDER'); // position n+2, prev = inserted
    // `next` placed at n+1 but chained on `inserted`, which this device never accepted
    const forked = await f.b.resignAt(f.A.key, next, { position: chainOf(inserted).position, prev: certificateDigest(inserted), commonHead: null });
    await expectRejected(f.store, common(forked), REASONS.chainPrevMismatch);
    // and a first certificate of a topic must have prev = null
    const realm2 = f.b.id<RealmId>();
    const role = await f.b.role(f.S, realm2, f.S.userId, 'OWNER');
    const withPrev = await f.b.resignAt(f.S.key, role, { ...chainOf(role), prev: certificateDigest(role) });
    await expectRejected(f.store, inRealm(realm2, withPrev), REASONS.chainPrevMismatch);
  });

  it('common-head-invalid: a common certificate with a common head, a realm one without', async () => {
    const f = await fixture();
    const upd = await f.b.update(f.A, f.S.userId, 'ADMIN');
    const withHead = await f.b.resignAt(f.A.key, upd, { ...chainOf(upd), commonHead: f.store.topicHead('common') });
    await expectRejected(f.store, common(withHead), REASONS.commonHeadInvalid);
    const rot = await f.b.rotate(f.S, f.realm, 2);
    const without = await f.b.resignAt(f.S.key, rot, { ...chainOf(rot), commonHead: null });
    await expectRejected(f.store, inRealm(f.realm, without), REASONS.commonHeadInvalid);
  });

  it('common-head-unknown: a realm certificate binding common certificates the server withheld', async () => {
    const f = await fixture();
    const withheld = await f.b.update(f.A, f.S.userId, 'ADMIN'); // built, never delivered
    expect(withheld.length).toBeGreaterThan(0);
    await expectRejected(f.store, inRealm(f.realm, await f.b.rotate(f.S, f.realm, 2)), REASONS.commonHeadUnknown);
  });

  it('common-head-mismatch: a realm certificate binding a forked common topic', async () => {
    const f = await fixture();
    const rot = await f.b.rotate(f.S, f.realm, 2);
    const head = f.store.topicHead('common')!;
    const forged = await f.b.resignAt(f.S.key, rot, { ...chainOf(rot), commonHead: { position: head.position, digest: new Uint8Array(32).fill(7) } });
    await expectRejected(f.store, inRealm(f.realm, forged), REASONS.commonHeadMismatch);
  });

  it('common-head-regressed: a realm certificate claiming to know less than the one before it', async () => {
    const f = await fixture();
    await f.store.ingest('common', [await f.b.update(f.A, f.S.userId, 'ADMIN')]);
    await f.store.ingest(f.realm, [await f.b.rotate(f.S, f.realm, 2)]); // binds the newest common head
    const rot = await f.b.rotate(f.S, f.realm, 3);
    const older = f.store.signedCertificates('common').at(-2)!;
    const regressed = await f.b.resignAt(f.S.key, rot, { ...chainOf(rot), commonHead: { position: chainOf(older).position, digest: certificateDigest(older) } });
    await expectRejected(f.store, inRealm(f.realm, regressed), REASONS.commonHeadRegressed);
  });

  it('older-than-common-head (attack 4): a realm certificate dated under a revocation its author had seen', async () => {
    const f = await fixture();
    const before = f.b.tick();
    await f.store.ingest('common', [await f.b.revoke(f.A, f.M.userId)]);
    // S (OWNER) signs, binding the common head with M's revocation, but dates it before it
    await expectRejected(f.store, inRealm(f.realm, await f.b.role(f.S, f.realm, f.C.userId, 'READER', before)), REASONS.olderThanCommonHead);
  });

  it('revoked-author-already-seen (attack 4): a revoked OWNER back-dates with an old common head', async () => {
    const f = await fixture();
    const seen = f.store.topicHead('common');
    const before = f.b.tick();
    await f.store.ingest('common', [await f.b.revoke(f.A, f.S.userId)]);
    // S, revoked, claims it never saw its revocation and dates the downgrade before it
    f.b.pinnedCommonHead = seen;
    await expectRejected(f.store, inRealm(f.realm, await f.b.role(f.S, f.realm, f.C.userId, 'READER', before)), REASONS.revokedAuthorAlreadySeen);
    expect(f.store.getRealmRole(f.realm, f.C.userId)).toBe('CONTRIBUTOR');
  });

  it('a device reading a realm for the first time accepts its legitimate older history', async () => {
    const f = await fixture();
    await f.store.ingest('common', [await f.b.revoke(f.A, f.M.userId)]);
    // A fresh device: the whole common topic (revocation included) arrives first, then the realm
    // with certificates by M dated before M's revocation.
    const fresh = await CertificateStore.open({ rootVerifyKey: f.b.root.verifyKey });
    await fresh.ingest('common', f.store.signedCertificates('common'));
    await fresh.ingest(f.realm, f.store.signedCertificates(f.realm));
    expect(fresh.getRealmRole(f.realm, f.O.userId)).toBe('READER'); // given by M before the revocation
    expect(builders.get(f.store)).toBe(f.b);
  });

  it('linkAfter chains two certificates of one request', async () => {
    const f = await fixture();
    f.b.resync(f.store);
    const u = await f.b.user(f.A);
    expect(chainOf(u.certs[1]!)).toEqual(linkAfter(u.certs[0]!, chainOf(u.certs[0]!)));
    await f.store.ingest('common', u.certs);
  });
});
