/**
 * One named test per server refusal (DESIGN §9). Each asserts the error code and the recovery
 * fields the client needs; removing the check makes its test fail.
 */
import { request as httpRequest } from 'node:http';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { signCertificate } from '../../src/certificates/index.js';
import { encodeCbor } from '../../src/codec/cbor.js';
import type { BlockId, DeviceId, OrganizationId, RealmId, VlobId } from '../../src/codec/ids.js';
import { StorageError } from '../../src/errors.js';
import { SigningKey } from '../../src/keys/index.js';
import { MemoryStorage } from '../../src/storage/index.js';
import { SealsyncServer } from '../../src/server/index.js';
import {
  AUTH_HEADERS,
  InProcessTransport,
  decodeReply,
  encodeRequest,
  expectOk,
  signRequest,
  type ErrorReply,
} from '../../src/transport/index.js';
import { createRealm, createUser, expectError, expectOkReply, harness, roleCert, rotationCert, share, userCerts, type Dev, type Harness } from './helpers.js';

const MIN = 60 * 1_000_000;

describe('server refusals', () => {
  let h: Harness;
  let owner: Dev;
  let realm: RealmId;
  beforeEach(async () => {
    h = await harness('in-process');
    owner = await createUser(h);
    realm = await createRealm(h, owner);
  });
  afterEach(async () => {
    await h.close();
  });

  const create = (dev: Dev, o: { vlobId?: VlobId; keyIndex?: number; timestamp?: number } = {}) =>
    h.transport(dev).send({
      cmd: 'vlob_create',
      realmId: realm,
      vlobId: o.vlobId ?? h.id<VlobId>(),
      keyIndex: o.keyIndex ?? 1,
      timestamp: o.timestamp ?? h.clock.tick(),
      blob: h.bytes(16),
    });

  /** Sends raw bytes with a signature computed over `signedBody`. */
  async function raw(dev: Dev, body: Uint8Array, o: { signedBody?: Uint8Array; key?: SigningKey; org?: OrganizationId; timestamp?: number } = {}): Promise<ErrorReply | { status: 'ok' }> {
    const auth = await signRequest({ organizationId: o.org ?? h.orgId, deviceId: dev.deviceId, signingKey: o.key ?? dev.key }, o.signedBody ?? body, o.timestamp ?? h.clock.tick());
    return decodeReply('ping', await h.server.handle(h.orgId, auth, body)) as ErrorReply | { status: 'ok' };
  }

  it('wrong role: a READER cannot write vlobs or blocks', async () => {
    const reader = await createUser(h);
    await share(h, owner, realm, reader, 'READER');
    expectError(await create(reader), 'not_allowed');
    expectError(await h.transport(reader).send({ cmd: 'block_create', realmId: realm, blockId: h.id<BlockId>(), keyIndex: 1, block: h.bytes(4) }), 'not_allowed');
    // but it reads
    expectOkReply(await h.transport(reader).send({ cmd: 'vlob_poll_changes', realmId: realm, lastCheckpoint: 0 }));
  });

  it('revoked user: every request of its devices is refused', async () => {
    const bob = await createUser(h);
    const rev = await signCertificate(h.admin.key, { type: 'revoked_user', author: h.admin.deviceId, timestamp: h.clock.tick(), userId: bob.userId }, h.link('common'));
    expectOkReply(await h.transport(h.admin).send({ cmd: 'user_revoke', certificate: rev }));
    expectError(await h.transport(bob).send({ cmd: 'ping' }), 'revoked');
  });

  it('bad version: update must be current + 1, and says the current version', async () => {
    const vlobId = h.id<VlobId>();
    expectOkReply(await create(owner, { vlobId }));
    const r = await h.transport(owner).send({ cmd: 'vlob_update', realmId: realm, vlobId, keyIndex: 1, timestamp: h.clock.tick(), version: 3, blob: h.bytes(4) });
    expect(expectError(r, 'bad_version').currentVersion).toBe(1);
    const again = await h.transport(owner).send({ cmd: 'vlob_update', realmId: realm, vlobId, keyIndex: 1, timestamp: h.clock.tick(), version: 1, blob: h.bytes(4) });
    expect(expectError(again, 'bad_version').currentVersion).toBe(1);
  });

  it('vlob_create on an existing vlob is already_exists; vlob_update of a missing one is not_found', async () => {
    const vlobId = h.id<VlobId>();
    expectOkReply(await create(owner, { vlobId }));
    expectError(await create(owner, { vlobId }), 'already_exists');
    const r = await h.transport(owner).send({ cmd: 'vlob_update', realmId: realm, vlobId: h.id<VlobId>(), keyIndex: 1, timestamp: h.clock.tick(), version: 2, blob: h.bytes(4) });
    expectError(r, 'not_found');
  });

  it('stale key index: writes after a rotation must use the new key', async () => {
    const rot = await rotationCert(h, owner, realm, 2);
    expectOkReply(await h.transport(owner).send({ cmd: 'realm_rotate_key', keyRotationCertificate: rot, keysBundle: h.bytes(64), keysBundleAccesses: new Map([[owner.userId, h.bytes(64)]]) }));
    expect(expectError(await create(owner, { keyIndex: 1 }), 'bad_key_index').currentKeyIndex).toBe(2);
    expect(expectError(await h.transport(owner).send({ cmd: 'block_create', realmId: realm, blockId: h.id<BlockId>(), keyIndex: 1, block: h.bytes(4) }), 'bad_key_index').currentKeyIndex).toBe(2);
    expectOkReply(await create(owner, { keyIndex: 2 }));
  });

  it('clock skew: vlob timestamp more than 5 minutes off', async () => {
    const r = expectError(await create(owner, { timestamp: h.clock.now + 6 * MIN }), 'timestamp_out_of_ballpark');
    expect(r.serverTimestamp).toBe(h.clock.now);
    expectError(await create(owner, { timestamp: h.clock.now - 6 * MIN }), 'timestamp_out_of_ballpark');
    expectOkReply(await create(owner, { timestamp: h.clock.now + 4 * MIN }));
  });

  it('clock skew: request signed with a timestamp more than 5 minutes off', async () => {
    const skewed = new InProcessTransport(h.server, { organizationId: h.orgId, deviceId: owner.deviceId, signingKey: owner.key }, { clock: () => h.clock.now - 6 * MIN });
    const r = expectError(await skewed.send({ cmd: 'ping' }), 'timestamp_out_of_ballpark');
    expect(r.clientTimestamp).toBe(h.clock.now - 6 * MIN);
  });

  it('clock skew: certificate timestamp more than 5 minutes off', async () => {
    const c = await userCerts(h, h.admin, 'STANDARD', h.clock.now + 6 * MIN);
    expectError(await h.transport(h.admin).send({ cmd: 'user_create', userCertificate: c.user, deviceCertificate: c.device }), 'timestamp_out_of_ballpark');
  });

  it('forged signature: signed by another key', async () => {
    expectError(await raw(owner, encodeRequest({ cmd: 'ping' }), { key: SigningKey.generate() }), 'authentication_failed');
  });

  it('forged signature: body changed after signing', async () => {
    const signedBody = encodeRequest({ cmd: 'vlob_poll_changes', realmId: realm, lastCheckpoint: 0 });
    const body = encodeRequest({ cmd: 'vlob_poll_changes', realmId: realm, lastCheckpoint: 1 });
    expectError(await raw(owner, body, { signedBody }), 'authentication_failed');
  });

  it('forged signature: signed for another organisation', async () => {
    const other = h.id<OrganizationId>();
    const body = encodeRequest({ cmd: 'ping' });
    const auth = await signRequest({ organizationId: other, deviceId: owner.deviceId, signingKey: owner.key }, body, h.clock.tick());
    expectError(decodeReply('ping', await h.server.handle(h.orgId, { ...auth, organizationId: h.orgId }, body)), 'authentication_failed');
    expectError(decodeReply('ping', await h.server.handle(h.orgId, auth, body)), 'authentication_failed');
  });

  it('replayed request: the same signed request twice', async () => {
    const body = encodeRequest({ cmd: 'ping' });
    const auth = await signRequest({ organizationId: h.orgId, deviceId: owner.deviceId, signingKey: owner.key }, body, h.clock.tick());
    expect(decodeReply('ping', await h.server.handle(h.orgId, auth, body))).toEqual({ status: 'ok' });
    expectError(decodeReply('ping', await h.server.handle(h.orgId, auth, body)), 'authentication_failed');
  });

  it('replay memory full: new requests are refused (fail closed) rather than forgetting seen ones', async () => {
    // Forgetting an unexpired entry would let that captured request be executed a second time.
    const small = await SealsyncServer.open({ storage: h.storage, clock: h.clock.clock, replay: { maxEntries: 1 } });
    const body = encodeRequest({ cmd: 'ping' });
    const sign = async () => signRequest({ organizationId: h.orgId, deviceId: owner.deviceId, signingKey: owner.key }, body, h.clock.tick());
    expect(decodeReply('ping', await small.handle(h.orgId, await sign(), body))).toEqual({ status: 'ok' });
    expectError(decodeReply('ping', await small.handle(h.orgId, await sign(), body)), 'unavailable');
    await small.close();
  });

  it('unknown device', async () => {
    const ghost: Dev = { ...owner, deviceId: h.id<DeviceId>() };
    expectError(await h.transport(ghost).send({ cmd: 'ping' }), 'unknown_device');
  });

  it('unknown organisation', async () => {
    const body = encodeRequest({ cmd: 'invited_info', token: h.id() });
    expectError(decodeReply('invited_info', await h.server.handle(h.id<OrganizationId>(), null, body)), 'organization_not_found');
  });

  it('oversized body', async () => {
    const small = await SealsyncServer.open({ clock: h.clock.clock, maxRequestSize: 1024 });
    const { organizationId } = await small.createOrganization();
    const body = encodeRequest({ cmd: 'invited_info', token: h.id() });
    const big = new Uint8Array(2048);
    expectError(decodeReply('invited_info', await small.handle(organizationId, null, big)), 'too_large');
    expectError(decodeReply('invited_info', await small.handle(organizationId, null, body)), 'invitation_not_found');
  });

  it('malformed CBOR body', async () => {
    for (const body of [new Uint8Array([0xff]), new Uint8Array([0xa1, 0x61, 0x61]), encodeCbor(new Map([['type', 'req']])), encodeCbor([1, 2])]) {
      expectError(await raw(owner, body), 'bad_request');
      expectError(decodeReply('ping', await h.server.handle(h.orgId, null, body)), 'bad_request');
    }
    // a well-formed request with a field of the wrong type
    const wrong = encodeCbor(new Map<string, never>([['type', 'req' as never], ['v', 1 as never], ['cmd', 'vlob_poll_changes' as never], ['realmId', 'x' as never], ['lastCheckpoint', 0 as never]]));
    expectError(await raw(owner, wrong), 'bad_request');
  });

  it('unknown command, and commands on the wrong endpoint', async () => {
    const body = encodeCbor(new Map<string, never>([['type', 'req' as never], ['v', 1 as never], ['cmd', 'format_disk' as never]]));
    expectError(await raw(owner, body), 'unknown_command');
    expectError(await raw(owner, encodeRequest({ cmd: 'invited_info', token: h.id() })), 'unknown_command');
    expectError(decodeReply('ping', await h.server.handle(h.orgId, null, encodeRequest({ cmd: 'ping' }))), 'unknown_command');
  });

  it('non-member read: vlobs, blocks, changes and keys bundles of another realm', async () => {
    const eve = await createUser(h);
    const t = h.transport(eve);
    expectError(await t.send({ cmd: 'vlob_read_batch', realmId: realm, vlobIds: [h.id<VlobId>()] }), 'not_allowed');
    expectError(await t.send({ cmd: 'vlob_read_versions', realmId: realm, items: [] }), 'not_allowed');
    expectError(await t.send({ cmd: 'vlob_poll_changes', realmId: realm, lastCheckpoint: 0 }), 'not_allowed');
    expectError(await t.send({ cmd: 'block_read', realmId: realm, blockId: h.id<BlockId>() }), 'not_allowed');
    expectError(await t.send({ cmd: 'realm_get_keys_bundle', realmId: realm, keyIndex: 1 }), 'not_allowed');
  });

  it('keys bundle: a member asking a key index that has no bundle is not_found', async () => {
    expectOk(await h.transport(owner).send({ cmd: 'realm_get_keys_bundle', realmId: realm, keyIndex: 1 }));
    expectError(await h.transport(owner).send({ cmd: 'realm_get_keys_bundle', realmId: realm, keyIndex: 2 }), 'not_found');
  });

  it('a vlob or block of another realm is not readable through a realm one is a member of', async () => {
    const eve = await createUser(h);
    const eveRealm = await createRealm(h, eve);
    const vlobId = h.id<VlobId>();
    const blockId = h.id<BlockId>();
    expectOkReply(await create(owner, { vlobId }));
    expectOkReply(await h.transport(owner).send({ cmd: 'block_create', realmId: realm, blockId, keyIndex: 1, block: h.bytes(4) }));
    expect(expectOk(await h.transport(eve).send({ cmd: 'vlob_read_batch', realmId: eveRealm, vlobIds: [vlobId] })).items).toEqual([]);
    expectError(await h.transport(eve).send({ cmd: 'block_read', realmId: eveRealm, blockId }), 'not_found');
    const upd = await h.transport(eve).send({ cmd: 'vlob_update', realmId: eveRealm, vlobId, keyIndex: 1, timestamp: h.clock.tick(), version: 2, blob: h.bytes(4) });
    expectError(upd, 'not_found');
  });

  it('require greater timestamp: a vlob write not after the realm last certificate', async () => {
    const reader = await createUser(h);
    const before = h.clock.tick();
    await share(h, owner, realm, reader, 'READER');
    const bound = h.clock.now;
    const r = expectError(await create(owner, { timestamp: before }), 'require_greater_timestamp');
    expect(r.strictlyGreaterThan).toBe(bound);
    expectError(await create(owner, { timestamp: bound }), 'require_greater_timestamp');
  });

  it('require greater timestamp: a certificate not after the last accepted one', async () => {
    const early = h.clock.now - 10_000;
    const c = await userCerts(h, h.admin, 'STANDARD', early);
    const r = expectError(await h.transport(h.admin).send({ cmd: 'user_create', userCertificate: c.user, deviceCertificate: c.device }), 'require_greater_timestamp');
    expect(r.strictlyGreaterThan).toBe(h.clock.now);
    // a realm certificate must also come after the newest common certificate
    const bob = await createUser(h);
    const late = await roleCert(h, owner, realm, bob.userId, 'READER', h.clock.now - 1);
    expectError(await h.transport(owner).send({ cmd: 'realm_share', roleCertificate: late, keysBundleAccess: h.bytes(8) }), 'require_greater_timestamp');
  });

  it('invalid certificate: bad signature', async () => {
    const c = await userCerts(h, h.admin);
    const forged = c.user.slice();
    forged[3]! ^= 1;
    const r = expectError(await h.transport(h.admin).send({ cmd: 'user_create', userCertificate: forged, deviceCertificate: c.device }), 'invalid_certificate');
    expect(r.reason).toBe('bad-signature');
  });

  it('invalid certificate: a STANDARD user cannot create users', async () => {
    const c = await userCerts(h, owner);
    const r = expectError(await h.transport(owner).send({ cmd: 'user_create', userCertificate: c.user, deviceCertificate: c.device }), 'invalid_certificate');
    expect(r.reason).toBe('author-not-admin');
  });

  it('invalid certificate: author is not the requesting device', async () => {
    const c = await userCerts(h, h.admin);
    const r = expectError(await h.transport(owner).send({ cmd: 'user_create', userCertificate: c.user, deviceCertificate: c.device }), 'invalid_certificate');
    expect(r.reason).toBe('author-not-requester');
  });

  it('invalid certificate: wrong type and garbage bytes', async () => {
    const c = await userCerts(h, h.admin);
    expect(expectError(await h.transport(h.admin).send({ cmd: 'user_create', userCertificate: c.device, deviceCertificate: c.device }), 'invalid_certificate').reason).toBe('wrong-type');
    expect(expectError(await h.transport(h.admin).send({ cmd: 'user_revoke', certificate: h.bytes(100) }), 'invalid_certificate').reason).toBe('corrupted');
  });

  it('invalid certificate: a contributor cannot share (store rules apply server-side)', async () => {
    const c = await createUser(h);
    const d = await createUser(h);
    await share(h, owner, realm, c, 'CONTRIBUTOR');
    const r = await h.transport(c).send({ cmd: 'realm_share', roleCertificate: await roleCert(h, c, realm, d.userId, 'READER'), keysBundleAccess: h.bytes(8) });
    expect(expectError(r, 'invalid_certificate').reason).toBe('author-not-owner-or-manager');
  });

  it('realm_rotate_key must bring accesses for exactly the current members', async () => {
    const bob = await createUser(h);
    const eve = await createUser(h);
    await share(h, owner, realm, bob, 'READER');
    const send = async (users: Dev[]) =>
      h.transport(owner).send({
        cmd: 'realm_rotate_key',
        keyRotationCertificate: await rotationCert(h, owner, realm, 2),
        keysBundle: h.bytes(64),
        keysBundleAccesses: new Map(users.map((u) => [u.userId, h.bytes(64)])),
      });
    expectError(await send([owner]), 'realm_members_mismatch');
    expectError(await send([owner, bob, eve]), 'realm_members_mismatch');
    expectOkReply(await send([owner, bob]));
  });

  it('realm_share needs a role, realm_unshare needs none, realm_create on an existing realm', async () => {
    const bob = await createUser(h);
    expectError(await h.transport(owner).send({ cmd: 'realm_share', roleCertificate: await roleCert(h, owner, realm, bob.userId, null), keysBundleAccess: h.bytes(8) }), 'bad_request');
    expectError(await h.transport(owner).send({ cmd: 'realm_unshare', roleCertificate: await roleCert(h, owner, realm, bob.userId, 'READER') }), 'bad_request');
    const again = await h.transport(owner).send({
      cmd: 'realm_create',
      roleCertificate: await roleCert(h, owner, realm, owner.userId, 'OWNER'),
      keyRotationCertificate: await rotationCert(h, owner, realm, 1),
      keysBundle: h.bytes(8),
      keysBundleAccess: h.bytes(8),
    });
    expectError(again, 'already_exists');
    expectError(await h.transport(owner).send({ cmd: 'realm_share', roleCertificate: await roleCert(h, owner, h.id<RealmId>(), bob.userId, 'READER'), keysBundleAccess: h.bytes(8) }), 'not_found');
  });

  it('bootstrap with a wrong token', async () => {
    const { organizationId } = await h.server.createOrganization();
    const body = encodeRequest({
      cmd: 'organization_bootstrap',
      bootstrapToken: new Uint8Array(32),
      rootVerifyKey: SigningKey.generate().verifyKey.toBytes(),
      userCertificate: h.bytes(100),
      deviceCertificate: h.bytes(100),
    });
    expectError(decodeReply('organization_bootstrap', await h.server.handle(organizationId, null, body)), 'authentication_failed');
  });

  it('bootstrap with an invalid (small-order) root verify key', async () => {
    // A small-order key verifies forged signatures: it must never become an organisation's anchor.
    const { organizationId, bootstrapToken } = await h.server.createOrganization();
    const identity = new Uint8Array(32);
    identity[0] = 1;
    const body = encodeRequest({ cmd: 'organization_bootstrap', bootstrapToken, rootVerifyKey: identity, userCertificate: h.bytes(100), deviceCertificate: h.bytes(100) });
    const reply = decodeReply('organization_bootstrap', await h.server.handle(organizationId, null, body));
    expectError(reply, 'bad_request');
    expect((reply as ErrorReply).message).toContain('root verify key');
  });

  it('invite_new_user by a non-ADMIN, or for the email of an active user', async () => {
    expectError(await h.transport(owner).send({ cmd: 'invite_new_user', email: 'x@example.org' }), 'not_allowed');
    expectError(await h.transport(h.admin).send({ cmd: 'invite_new_user', email: 'admin@example.org' }), 'already_exists');
  });
});

describe('server refusals over HTTP', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await harness('http', { maxRequestSize: 4096 });
  });
  afterEach(async () => {
    await h.close();
  });

  function post(path: string, body: Uint8Array, headers: Record<string, string> = {}, chunked = false): Promise<{ status: number; body: Uint8Array }> {
    return new Promise((resolve, reject) => {
      const url = new URL(path, h.url!);
      const req = httpRequest(url, { method: 'POST', headers: { 'content-type': 'application/cbor', ...(chunked ? {} : { 'content-length': String(body.length) }), ...headers } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode!, body: new Uint8Array(Buffer.concat(chunks)) }));
      });
      req.on('error', (err) => ((err as NodeJS.ErrnoException).code === 'ECONNRESET' || (err as NodeJS.ErrnoException).code === 'EPIPE' ? undefined : reject(err)));
      if (chunked) {
        for (let i = 0; i < body.length; i += 1024) req.write(body.subarray(i, i + 1024));
        req.end();
      } else req.end(body);
    });
  }

  it('oversized body (declared length) → 413 with a too_large reply', async () => {
    const r = await post(`/${h.orgId}/anonymous`, new Uint8Array(5000));
    expect(r.status).toBe(413);
    expectError(decodeReply('ping', r.body), 'too_large');
  });

  it('oversized body (streamed, no length) → 413', async () => {
    const r = await post(`/${h.orgId}/anonymous`, new Uint8Array(20_000), {}, true);
    expect(r.status).toBe(413);
    expectError(decodeReply('ping', r.body), 'too_large');
  });

  it('malformed CBOR body → 400 with a bad_request reply', async () => {
    const r = await post(`/${h.orgId}/anonymous`, new Uint8Array([0x1c]));
    expect(r.status).toBe(400);
    expectError(decodeReply('ping', r.body), 'bad_request');
  });

  it('missing or malformed authentication headers → 401', async () => {
    const body = encodeRequest({ cmd: 'ping' });
    const r = await post(`/${h.orgId}/authenticated`, body);
    expect(r.status).toBe(401);
    expectError(decodeReply('ping', r.body), 'authentication_failed');
    const bad = await post(`/${h.orgId}/authenticated`, body, { [AUTH_HEADERS.device]: h.admin.deviceId, [AUTH_HEADERS.timestamp]: '01', [AUTH_HEADERS.signature]: 'AA' });
    expect(bad.status).toBe(401);
  });

  it('bad signature → 401; revoked → 403; unknown organisation → 404', async () => {
    const body = encodeRequest({ cmd: 'ping' });
    const auth = await signRequest({ organizationId: h.orgId, deviceId: h.admin.deviceId, signingKey: SigningKey.generate() }, body, h.clock.tick());
    const r = await post(`/${h.orgId}/authenticated`, body, {
      [AUTH_HEADERS.device]: auth.deviceId,
      [AUTH_HEADERS.timestamp]: String(auth.timestamp),
      [AUTH_HEADERS.signature]: Buffer.from(auth.signature).toString('base64url'),
    });
    expect(r.status).toBe(401);
    const bob = await createUser(h);
    const rev = await signCertificate(h.admin.key, { type: 'revoked_user', author: h.admin.deviceId, timestamp: h.clock.tick(), userId: bob.userId }, h.link('common'));
    expectOkReply(await h.transport(h.admin).send({ cmd: 'user_revoke', certificate: rev }));
    expectError(await h.transport(bob).send({ cmd: 'ping' }), 'revoked');
    const nf = await post(`/${h.id()}/anonymous`, encodeRequest({ cmd: 'invited_info', token: h.id() }));
    expect(nf.status).toBe(404);
    expectError(decodeReply('invited_info', nf.body), 'organization_not_found');
  });

  it('wrong path, method or content type', async () => {
    expect((await post('/nope', new Uint8Array(1))).status).toBe(404);
    expect((await post(`/${h.orgId}/anonymous`, new Uint8Array(1), { 'content-type': 'text/plain' })).status).toBe(415);
  });

  it('command outcomes stay 200 (bad_version is an answer, not an HTTP failure)', async () => {
    const owner = await createUser(h);
    const realm = await createRealm(h, owner);
    const r = await h.transport(owner).send({ cmd: 'vlob_update', realmId: realm, vlobId: h.id<VlobId>(), keyIndex: 1, timestamp: h.clock.tick(), version: 2, blob: h.bytes(4) });
    expectError(r, 'not_found');
  });
});

describe('bounded replies', () => {
  it('reads whose reply would exceed maxReplySize are too_large, not an oversized reply', async () => {
    // The bound stops one request from making the server build (and a client accept) a reply of
    // unbounded size: a memory-exhaustion lever for any member.
    const h = await harness('in-process', { maxReplySize: 600 });
    const owner = await createUser(h);
    const realm = await createRealm(h, owner);
    const ids: VlobId[] = [];
    for (let i = 0; i < 3; i++) {
      const vlobId = h.id<VlobId>();
      ids.push(vlobId);
      expectOkReply(await h.transport(owner).send({ cmd: 'vlob_create', realmId: realm, vlobId, keyIndex: 1, timestamp: h.clock.tick(), blob: h.bytes(200) }));
    }
    expectOk(await h.transport(owner).send({ cmd: 'vlob_read_batch', realmId: realm, vlobIds: ids.slice(0, 1) }));
    expectError(await h.transport(owner).send({ cmd: 'vlob_read_batch', realmId: realm, vlobIds: ids }), 'too_large');
    expectError(await h.transport(owner).send({ cmd: 'vlob_read_versions', realmId: realm, items: ids.map((vlobId) => ({ vlobId, version: 1 })) }), 'too_large');
    // The certificates of the organisation (admin, owner, realm) are already past 600 bytes.
    expectError(await h.transport(owner).send({ cmd: 'certificates_get', after: new Map() }), 'too_large');
    await h.close();
  });
});

describe('server survives what it cannot serve', () => {
  it('a storage failure is an internal error reply, reported to onError', async () => {
    const storage = new MemoryStorage();
    const errors: unknown[] = [];
    const h = await harness('in-process', { storage, onError: (e) => errors.push(e) });
    const owner = await createUser(h);
    const realm = await createRealm(h, owner);
    storage.put = async () => {
      throw new StorageError('storage/io', 'disk full');
    };
    const r = await h.transport(owner).send({ cmd: 'vlob_create', realmId: realm, vlobId: h.id<VlobId>(), keyIndex: 1, timestamp: h.clock.tick(), blob: h.bytes(4) });
    expectError(r, 'internal');
    expect(errors).toHaveLength(1);
    // nothing half-written: the vlob is not visible
    expect(expectOk(await h.transport(owner).send({ cmd: 'vlob_poll_changes', realmId: realm, lastCheckpoint: 0 })).currentCheckpoint).toBe(0);
    await h.close();
  });

  it('a closed server answers unavailable', async () => {
    const h = await harness('in-process');
    await h.server.close();
    expectError(await h.transport(h.admin).send({ cmd: 'ping' }), 'unavailable');
  });
});
