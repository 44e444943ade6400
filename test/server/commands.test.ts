/**
 * Command-level suite, run over both the in-process and the HTTP (loopback) transport: the same
 * requests must give the same replies whichever carries them.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { signCertificate } from '../../src/certificates/index.js';
import type { BlockId, DeviceId, RealmId, UserId, VlobId } from '../../src/codec/ids.js';
import { SigningKey } from '../../src/keys/index.js';
import { claim, greet, parseInvitationLink, formatInvitationLink, type SasUi } from '../../src/sas/index.js';
import { claimerInviteTransport, expectOk, greeterInviteTransport, ErrorReplyError } from '../../src/transport/index.js';
import {
  MODES,
  createRealm,
  createUser,
  expectError,
  expectOkReply,
  harness,
  rotationCert,
  roleCert,
  share,
  type Harness,
} from './helpers.js';

describe.each(MODES)('commands over %s', (mode) => {
  let h: Harness;
  beforeEach(async () => {
    h = await harness(mode);
  });
  afterEach(async () => {
    await h.close();
  });

  it('ping authenticates the device', async () => {
    expect(await h.transport(h.admin).send({ cmd: 'ping' })).toEqual({ status: 'ok' });
  });

  it('bootstrap: a second bootstrap is already_bootstrapped', async () => {
    const r = await h.anonymous().send({
      cmd: 'organization_bootstrap',
      bootstrapToken: new Uint8Array(32),
      rootVerifyKey: SigningKey.generate().verifyKey.toBytes(),
      userCertificate: new Uint8Array(80),
      deviceCertificate: new Uint8Array(80),
    });
    expectError(r, 'already_bootstrapped');
  });

  it('user_create, device_create, user_update, user_revoke, certificates_get', async () => {
    const bob = await createUser(h);
    const t = h.transport(bob);
    expect(await t.send({ cmd: 'ping' })).toEqual({ status: 'ok' });
    // bob adds a second device
    const key2 = SigningKey.generate();
    const dev2 = h.id<DeviceId>();
    const cert = await signCertificate(bob.key, {
      type: 'device',
      author: bob.deviceId,
      timestamp: h.clock.tick(),
      userId: bob.userId,
      deviceId: dev2,
      deviceLabel: 'phone',
      verifyKey: key2.verifyKey,
    }, h.link('common'));
    expectOkReply(await t.send({ cmd: 'device_create', certificate: cert }));
    const bob2 = { ...bob, deviceId: dev2, key: key2 };
    expect(await h.transport(bob2).send({ cmd: 'ping' })).toEqual({ status: 'ok' });

    const carol = await createUser(h);
    const upd = await signCertificate(h.admin.key, { type: 'user_update', author: h.admin.deviceId, timestamp: h.clock.tick(), userId: carol.userId, newProfile: 'ADMIN' }, h.link('common'));
    expectOkReply(await h.transport(h.admin).send({ cmd: 'user_update', certificate: upd }));
    const rev = await signCertificate(h.admin.key, { type: 'revoked_user', author: h.admin.deviceId, timestamp: h.clock.tick(), userId: bob.userId }, h.link('common'));
    expectOkReply(await h.transport(h.admin).send({ cmd: 'user_revoke', certificate: rev }));
    expectError(await h.transport(bob2).send({ cmd: 'ping' }), 'revoked');

    const all = expectOk(await h.transport(carol).send({ cmd: 'certificates_get', after: new Map() }));
    // bootstrap (2) + bob (2) + device + carol (2) + update + revoke
    expect(all.topics.get('common')).toHaveLength(9);
    const last = all.topics.get('common')!;
    const since = expectOk(await h.transport(carol).send({ cmd: 'certificates_get', after: new Map([['common', h.clock.now - 500]]) }));
    expect(since.topics.get('common')).toEqual(last.slice(-1));
  });

  it('realms: create, share, read keys bundle, rotate, rename, unshare; topics per member', async () => {
    const alice = await createUser(h);
    const bob = await createUser(h);
    const realm = await createRealm(h, alice);
    await share(h, alice, realm, bob, 'CONTRIBUTOR');
    const kb = expectOk(await h.transport(bob).send({ cmd: 'realm_get_keys_bundle', realmId: realm, keyIndex: 1 }));
    expect(kb.keysBundle.length).toBe(100);

    const outsider = await createUser(h);
    const seen = expectOk(await h.transport(outsider).send({ cmd: 'certificates_get', after: new Map() }));
    expect([...seen.topics.keys()]).toEqual(['common']);
    const bobSees = expectOk(await h.transport(bob).send({ cmd: 'certificates_get', after: new Map() }));
    expect(bobSees.topics.get(realm)).toHaveLength(3);

    const accesses = new Map([
      [alice.userId, h.bytes(80)],
      [bob.userId, h.bytes(80)],
    ]);
    expectOkReply(await h.transport(alice).send({ cmd: 'realm_rotate_key', keyRotationCertificate: await rotationCert(h, alice, realm, 2), keysBundle: h.bytes(120), keysBundleAccesses: accesses }));
    const kb2 = expectOk(await h.transport(bob).send({ cmd: 'realm_get_keys_bundle', realmId: realm, keyIndex: 2 }));
    expect(kb2.keysBundleAccess).toEqual(accesses.get(bob.userId));

    const nameCert = await signCertificate(alice.key, { type: 'realm_name', author: alice.deviceId, timestamp: h.clock.tick(), realmId: realm, keyIndex: 2, encryptedName: h.bytes(40) }, h.link(realm));
    expectOkReply(await h.transport(alice).send({ cmd: 'realm_rename', nameCertificate: nameCert }));

    expectOkReply(await h.transport(alice).send({ cmd: 'realm_unshare', roleCertificate: await roleCert(h, alice, realm, bob.userId, null) }));
    expectError(await h.transport(bob).send({ cmd: 'realm_get_keys_bundle', realmId: realm, keyIndex: 2 }), 'not_allowed');
    // a former member still receives the realm's certificates (to verify the past)
    const after = expectOk(await h.transport(bob).send({ cmd: 'certificates_get', after: new Map() }));
    expect(after.topics.get(realm)).toHaveLength(6);
  });

  it('vlobs: create, update, read latest / at / versions, poll changes', async () => {
    const alice = await createUser(h);
    const realm = await createRealm(h, alice);
    const t = h.transport(alice);
    const v = h.id<VlobId>();
    const w = h.id<VlobId>();
    const t1 = h.clock.tick();
    expectOkReply(await t.send({ cmd: 'vlob_create', realmId: realm, vlobId: v, keyIndex: 1, timestamp: t1, blob: h.bytes(50) }));
    expectOkReply(await t.send({ cmd: 'vlob_create', realmId: realm, vlobId: w, keyIndex: 1, timestamp: h.clock.tick(), blob: h.bytes(50) }));
    const blob2 = h.bytes(60);
    expectOkReply(await t.send({ cmd: 'vlob_update', realmId: realm, vlobId: v, keyIndex: 1, timestamp: h.clock.tick(), version: 2, blob: blob2 }));

    const latest = expectOk(await t.send({ cmd: 'vlob_read_batch', realmId: realm, vlobIds: [v, w, h.id<VlobId>()] }));
    expect(latest.items.map((i) => [i.vlobId, i.version])).toEqual([
      [v, 2],
      [w, 1],
    ]);
    expect(latest.items[0]).toMatchObject({ author: alice.deviceId, keyIndex: 1, blob: blob2 });
    const past = expectOk(await t.send({ cmd: 'vlob_read_batch', realmId: realm, vlobIds: [v], at: t1 }));
    expect(past.items.map((i) => i.version)).toEqual([1]);
    const versions = expectOk(await t.send({ cmd: 'vlob_read_versions', realmId: realm, items: [{ vlobId: v, version: 1 }, { vlobId: v, version: 9 }] }));
    expect(versions.items.map((i) => i.version)).toEqual([1]);

    const all = expectOk(await t.send({ cmd: 'vlob_poll_changes', realmId: realm, lastCheckpoint: 0 }));
    expect(all.currentCheckpoint).toBe(3);
    expect(all.changes).toEqual([
      { vlobId: w, version: 1 },
      { vlobId: v, version: 2 },
    ]);
    const since = expectOk(await t.send({ cmd: 'vlob_poll_changes', realmId: realm, lastCheckpoint: 2 }));
    expect(since.changes).toEqual([{ vlobId: v, version: 2 }]);
  });

  it('blocks: create is idempotent, read returns the bytes', async () => {
    const alice = await createUser(h);
    const realm = await createRealm(h, alice);
    const t = h.transport(alice);
    const id = h.id<BlockId>();
    const block = h.bytes(1000);
    expectOkReply(await t.send({ cmd: 'block_create', realmId: realm, blockId: id, keyIndex: 1, block }));
    expectOkReply(await t.send({ cmd: 'block_create', realmId: realm, blockId: id, keyIndex: 1, block }));
    expectError(await t.send({ cmd: 'block_create', realmId: realm, blockId: id, keyIndex: 1, block: h.bytes(1000) }), 'already_exists');
    const r = expectOk(await t.send({ cmd: 'block_read', realmId: realm, blockId: id }));
    expect(r).toEqual({ status: 'ok', keyIndex: 1, block });
    expectError(await t.send({ cmd: 'block_read', realmId: realm, blockId: h.id<BlockId>() }), 'not_found');
  });

  it('events: long poll wakes on a vlob write, filtered by membership', async () => {
    const alice = await createUser(h);
    const eve = await createUser(h);
    const realm = await createRealm(h, alice);
    const start = expectOk(await h.transport(alice).send({ cmd: 'events_listen', after: 0, waitMs: 0 }));
    const eveStart = expectOk(await h.transport(eve).send({ cmd: 'events_listen', after: 0, waitMs: 0 }));
    expect(eveStart.events.some((e) => e.event === 'certificates' && e.topic === realm)).toBe(false);
    const waiting = h.transport(alice).send({ cmd: 'events_listen', after: start.last, waitMs: 10_000 });
    const eveWaiting = h.transport(eve).send({ cmd: 'events_listen', after: eveStart.last, waitMs: 300 });
    const v = h.id<VlobId>();
    expectOkReply(await h.transport(alice).send({ cmd: 'vlob_create', realmId: realm, vlobId: v, keyIndex: 1, timestamp: h.clock.tick(), blob: h.bytes(8) }));
    const got = expectOk(await waiting);
    expect(got.events).toEqual([{ event: 'vlob', realmId: realm, checkpoint: 1, vlobId: v, version: 1 }]);
    expect(expectOk(await eveWaiting).events).toEqual([]);
  });

  it('invitations: a real SAS enrolment of a new user through the server', async () => {
    const admin = h.admin;
    const invite = expectOk(await h.transport(admin).send({ cmd: 'invite_new_user', email: 'new@example.org' }));
    const info = expectOk(await h.anonymous().send({ cmd: 'invited_info', token: invite.token }));
    expect(info).toMatchObject({ kind: 'user', email: 'new@example.org', greeterUserId: admin.userId });

    const link = parseInvitationLink(
      formatInvitationLink({ host: 'localhost', organizationId: h.orgId, kind: 'user', token: invite.token, rootVerifyKey: h.rootVerifyKey }),
    );
    // Each side is shown the other's code among candidates: the test UIs pass it along.
    let greeterCode: string | null = null;
    let claimerCode: string | null = null;
    const ui = (mine: (c: string) => void, theirs: () => string | null): SasUi => ({
      showCode: async (code) => mine(code),
      pickCode: async (candidates) => {
        for (let i = 0; i < 200 && theirs() === null; i++) await new Promise((r) => setTimeout(r, 5));
        return candidates.find((c) => c === theirs())!;
      },
    });
    const [g, c] = await Promise.all([
      greet({
        token: invite.token,
        transport: greeterInviteTransport(h.transport(admin), invite.token, { pollMs: 2000 }),
        context: { kind: 'user', author: { deviceId: admin.deviceId, signingKey: admin.key }, email: 'new@example.org', clock: () => h.clock.tick(), link: () => h.link('common') },
        ui: ui((x) => (greeterCode = x), () => claimerCode),
      }),
      claim({
        link,
        transport: claimerInviteTransport(h.anonymous(), invite.token, { pollMs: 2000 }),
        requestedDeviceLabel: 'new laptop',
        requestedHumanHandle: { email: 'new@example.org', label: 'Newcomer' },
        ui: ui((x) => (claimerCode = x), () => greeterCode),
      }),
    ]);
    expect(g.status, JSON.stringify(g)).toBe('done');
    expect(c.status, JSON.stringify(c)).toBe('done');
    if (g.status !== 'done' || c.status !== 'done' || g.outcome.kind !== 'user') return;
    expectOkReply(await h.transport(admin).send({ cmd: 'user_create', userCertificate: g.outcome.certificates[0]!, deviceCertificate: g.outcome.certificates[1]! }));
    expectOkReply(await h.transport(admin).send({ cmd: 'invite_complete', token: invite.token }));
    const newcomer = { userId: c.device.userId as UserId, deviceId: c.device.deviceId, key: c.device.signingKey, privateKey: c.device.userPrivateKey };
    expect(await h.transport(newcomer).send({ cmd: 'ping' })).toEqual({ status: 'ok' });
    expectError(await h.anonymous().send({ cmd: 'invited_info', token: invite.token }), 'invitation_already_used');
  });

  it('expectOk throws ErrorReplyError with transport/<code> and the reply', async () => {
    const r = await h.transport(h.admin).send({ cmd: 'block_read', realmId: h.id<RealmId>(), blockId: h.id<BlockId>() });
    let caught: unknown;
    try {
      expectOk(r);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ErrorReplyError);
    expect((caught as ErrorReplyError).code).toBe('transport/not_allowed');
    expect((caught as ErrorReplyError).reply).toEqual(r);
  });
});
