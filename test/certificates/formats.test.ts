/** Encoding, decoding and signing of single certificates; hostile bytes; bootstrap; store plumbing. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeCbor, encodeCbor, type CborMap } from '../../src/codec/index.js';
import type { RealmId } from '../../src/codec/ids.js';
import { CertificateError, SealsyncError, StorageError } from '../../src/errors.js';
import { PrivateKey, signDocument, SigningKey } from '../../src/keys/index.js';
import {
  bootstrapOrganization,
  CertificateStore,
  decodeCertificate,
  encodeCertificate,
  MemoryCertificateStoreStorage,
  openCertificate,
  readCertificate,
  REASONS,
  signCertificate,
  type Certificate,
  type TopicCertificates,
} from '../../src/certificates/index.js';
import { Builder } from './builder.js';
import { fixture, snapshot } from './fixture.js';

/** A chain link for certificates that are only encoded, never ingested. */
const L = { position: 1, prev: null, commonHead: null };

describe('formats', () => {
  it('round-trips every type through encode/decode', async () => {
    const b = new Builder(5);
    const realm = b.id<RealmId>();
    const dev = b.id<never>();
    const certs: Certificate[] = [
      { type: 'user', author: null, timestamp: 1, chain: L, userId: b.id(), humanHandle: { email: 'a@b.c', label: 'A' }, publicKey: PrivateKey.generate().publicKey, profile: 'OUTSIDER' },
      { type: 'device', author: dev, timestamp: 2, chain: L, userId: b.id(), deviceId: b.id(), deviceLabel: 'x', verifyKey: SigningKey.generate().verifyKey },
      { type: 'user_update', author: dev, timestamp: 3, chain: L, userId: b.id(), newProfile: 'ADMIN' },
      { type: 'revoked_user', author: dev, timestamp: 4, chain: L, userId: b.id() },
      { type: 'realm_role', author: dev, timestamp: 5, chain: L, realmId: realm, userId: b.id(), role: 'READER' },
      { type: 'realm_key_rotation', author: dev, timestamp: 6, chain: L, realmId: realm, keyIndex: 3, suite: 'sealsync-v1', keyCanary: b.bytes(32) },
      { type: 'realm_name', author: dev, timestamp: 7, chain: L, realmId: realm, keyIndex: 2, encryptedName: b.bytes(50) },
      { type: 'realm_archiving', author: dev, timestamp: 8, chain: L, realmId: realm, configuration: { status: 'available' } },
    ];
    for (const c of certs) {
      const back = decodeCertificate(encodeCertificate(c), c.type);
      expect(encodeCertificate(back)).toEqual(encodeCertificate(c));
      expect(back.type).toBe(c.type);
    }
  });

  it('refuses to encode a certificate readers would refuse', () => {
    expect(() =>
      encodeCertificate({ type: 'realm_key_rotation', author: null, timestamp: 1, chain: L, realmId: 'x' as RealmId, keyIndex: 0, suite: 's', keyCanary: new Uint8Array(1) }),
    ).toThrow(SealsyncError);
  });

  it('ignores unknown extra fields (covered by the signature)', async () => {
    const key = SigningKey.generate();
    const body = decodeCbor(encodeCertificate({ type: 'revoked_user', author: null, timestamp: 9, chain: L, userId: 'ab'.repeat(16) as never })) as CborMap;
    body.set('zz_future', 'hello');
    const signed = await signDocument(key, encodeCbor(body));
    expect((await openCertificate(signed, key.verifyKey, 'revoked_user')).timestamp).toBe(9);
  });

  it('corrupted: a device certificate with a small-order verify key', async () => {
    const c = decodeCbor(encodeCertificate({ type: 'device', author: null, timestamp: 1, chain: L, userId: 'ab'.repeat(16) as never, deviceId: 'cd'.repeat(16) as never, deviceLabel: 'x', verifyKey: SigningKey.generate().verifyKey })) as CborMap;
    c.set('verify_key', new Uint8Array(32)); // the identity point: small order
    expect(() => decodeCertificate(encodeCbor(c))).toThrow(expect.objectContaining({ reason: REASONS.corrupted }));
  });

  it('corrupted: an archiving certificate planning deletion without a deletion date', () => {
    // A plan without its date would reach clients as a deletion planned for `undefined`.
    const realm = 'ef'.repeat(16) as RealmId;
    const c = decodeCbor(
      encodeCertificate({ type: 'realm_archiving', author: null, timestamp: 1, chain: L, realmId: realm, configuration: { status: 'deletion_planned', deletionDate: 5 } }),
    ) as CborMap;
    expect(decodeCertificate(encodeCbor(c), 'realm_archiving').configuration).toEqual({ status: 'deletion_planned', deletionDate: 5 });
    for (const v of c.values()) if (v instanceof Map && v.has('deletion_date')) v.delete('deletion_date');
    expect(() => decodeCertificate(encodeCbor(c))).toThrow(expect.objectContaining({ reason: REASONS.corrupted }));
  });

  it('corrupted: a map without a type', () => {
    const c = decodeCbor(encodeCertificate({ type: 'revoked_user', author: null, timestamp: 9, chain: L, userId: 'ab'.repeat(16) as never })) as CborMap;
    c.delete('type');
    expect(() => decodeCertificate(encodeCbor(c))).toThrow(expect.objectContaining({ reason: REASONS.corrupted, message: expect.stringContaining('no type') }));
  });

  it('hostile bytes only ever raise CertificateError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        try {
          readCertificate(bytes);
        } catch (err) {
          expect(err).toBeInstanceOf(CertificateError);
        }
      }),
      { numRuns: 500, seed: 42 },
    );
  });

  it('openCertificate: bad-signature with the wrong key', async () => {
    const a = SigningKey.generate();
    const signed = await signCertificate(a, { type: 'revoked_user', author: null, timestamp: 1, userId: 'ab'.repeat(16) as never }, L);
    await expect(openCertificate(signed, SigningKey.generate().verifyKey)).rejects.toMatchObject({ reason: REASONS.badSignature });
  });
});

describe('bootstrapOrganization', () => {
  it('creates an ingestible first admin and device; the root key is not returned', async () => {
    const boot = await bootstrapOrganization({ humanHandle: { email: 'boss@example.org', label: 'Boss' }, deviceLabel: 'laptop', clock: () => 1_000_000 });
    expect(Object.values(boot).some((v) => v instanceof SigningKey)).toBe(false);
    const store = await CertificateStore.open({ rootVerifyKey: boot.rootVerifyKey });
    await store.ingest('common', boot.certificates);
    const user = store.getUser(boot.user.userId)!;
    expect(user.profile).toBe('ADMIN');
    expect(user.publicKey.equals(boot.user.privateKey.publicKey)).toBe(true);
    expect(user.createdOn).toBe(1_000_000);
    expect(store.getVerifyKey(boot.device.deviceId)!.equals(boot.device.signingKey.verifyKey)).toBe(true);
    // the new device can act as an admin right away
    const next = await signCertificate(boot.device.signingKey, { type: 'revoked_user', author: boot.device.deviceId, timestamp: 2_000_000, userId: boot.user.userId }, store.nextLink('common'));
    await expect(store.ingest('common', [next])).rejects.toMatchObject({ reason: REASONS.selfTargeted });
  });

  it('another organisation cannot be ingested under this root', async () => {
    const a = await bootstrapOrganization({ humanHandle: { email: 'a@example.org', label: 'A' }, deviceLabel: 'd' });
    const b = await bootstrapOrganization({ humanHandle: { email: 'b@example.org', label: 'B' }, deviceLabel: 'd' });
    const store = await CertificateStore.open({ rootVerifyKey: a.rootVerifyKey });
    await expect(store.ingest('common', b.certificates)).rejects.toMatchObject({ reason: REASONS.badSignature });
  });
});

describe('store plumbing', () => {
  it('a storage failure leaves the store unchanged', async () => {
    const f = await fixture();
    const failing = new MemoryCertificateStoreStorage();
    const store = await CertificateStore.open({ rootVerifyKey: f.b.root.verifyKey, storage: failing });
    for (const t of f.store.topics()) await store.ingest(t, f.store.signedCertificates(t));
    failing.append = async () => {
      throw new StorageError('storage/failed', 'disk full');
    };
    const before = snapshot(store);
    await expect(store.ingest('common', [await f.b.update(f.A, f.S.userId, 'ADMIN')])).rejects.toBeInstanceOf(StorageError);
    expect(snapshot(store)).toBe(before);
  });

  it('serialises concurrent ingestion in call order', async () => {
    const f = await fixture();
    const u1 = await f.b.user(f.A);
    const u2 = await f.b.user(f.A);
    await Promise.all([f.store.ingest('common', u1.certs), f.store.ingest('common', u2.certs)]);
    expect(f.store.getUser(u2.dev.userId)).toBeDefined();
  });

  it('keeps its own copy of the bytes it accepted', async () => {
    const f = await fixture();
    const cert = await f.b.update(f.A, f.S.userId, 'ADMIN');
    const copy = cert.slice();
    await f.store.ingest('common', [cert]);
    cert.fill(0);
    const stored = f.store.signedCertificates('common');
    expect(stored[stored.length - 1]).toEqual(copy);
  });

  it('re-validates what storage holds when opening', async () => {
    const f = await fixture();
    const tampered: TopicCertificates[] = [{ topic: 'common', certificates: f.store.signedCertificates('common').map((c, i) => (i === 3 ? c.map((x, j) => (j === 10 ? x ^ 1 : x)) : c)) }];
    const storage: MemoryCertificateStoreStorage = new MemoryCertificateStoreStorage();
    await storage.append(tampered);
    await expect(CertificateStore.open({ rootVerifyKey: f.b.root.verifyKey, storage })).rejects.toMatchObject({ reason: REASONS.badSignature });
  });

  it('an empty batch is a no-op', async () => {
    const f = await fixture();
    const before = snapshot(f.store);
    expect(await f.store.ingestBatch([])).toEqual([]);
    expect(snapshot(f.store)).toBe(before);
  });
});
