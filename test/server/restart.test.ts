/**
 * A server restarted from its storage serves exactly what it served before: certificates,
 * vlobs and checkpoints, blocks, keys bundles, invitations in progress.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { signCertificate } from '../../src/certificates/index.js';
import type { BlockId, VlobId } from '../../src/codec/ids.js';
import { CertificateError, StorageError } from '../../src/errors.js';
import { SigningKey } from '../../src/keys/index.js';
import { MemoryStorage, type Storage } from '../../src/storage/index.js';
import { FsStorage } from '../../src/storage/fs.js';
import { SealsyncServer } from '../../src/server/index.js';
import { InProcessTransport, decodeReply, encodeRequest, expectOk, monotonicClock } from '../../src/transport/index.js';
import { createRealm, createUser, expectError, expectOkReply, harness, share, type Dev, type Harness } from './helpers.js';

async function populate(h: Harness) {
  const alice = await createUser(h);
  const bob = await createUser(h);
  const realm = await createRealm(h, alice);
  await share(h, alice, realm, bob, 'CONTRIBUTOR');
  const t = h.transport(alice);
  const vlobs: VlobId[] = [];
  for (let i = 0; i < 5; i++) {
    const v = h.id<VlobId>();
    vlobs.push(v);
    expectOkReply(await t.send({ cmd: 'vlob_create', realmId: realm, vlobId: v, keyIndex: 1, timestamp: h.clock.tick(), blob: h.bytes(30) }));
  }
  expectOkReply(await t.send({ cmd: 'vlob_update', realmId: realm, vlobId: vlobs[0]!, keyIndex: 1, timestamp: h.clock.tick(), version: 2, blob: h.bytes(30) }));
  const blockId = h.id<BlockId>();
  expectOkReply(await t.send({ cmd: 'block_create', realmId: realm, blockId, keyIndex: 1, block: h.bytes(500) }));
  const revoked = await createUser(h);
  const rev = await signCertificate(h.admin.key, { type: 'revoked_user', author: h.admin.deviceId, timestamp: h.clock.tick(), userId: revoked.userId }, h.link('common'));
  expectOkReply(await h.transport(h.admin).send({ cmd: 'user_revoke', certificate: rev }));
  const token = expectOk(await h.transport(h.admin).send({ cmd: 'invite_new_user', email: 'later@example.org' })).token;
  const attempt = expectOk(await h.transport(h.admin).send({ cmd: 'invite_greeter_join', token })).attempt;
  const gpk = h.bytes(32);
  expectOkReply(await h.transport(h.admin).send({ cmd: 'invite_greeter_step', token, attempt, step: 0, payload: gpk }));
  return { alice, bob, revoked, realm, vlobs, blockId, token, attempt, gpk };
}

async function snapshot(server: SealsyncServer, h: Harness, s: Awaited<ReturnType<typeof populate>>) {
  const t = (dev: Dev) => new InProcessTransport(server, { organizationId: h.orgId, deviceId: dev.deviceId, signingKey: dev.key }, { clock: monotonicClock(h.clock.clock) });
  const bob = t(s.bob);
  return {
    certs: expectOk(await bob.send({ cmd: 'certificates_get', after: new Map() })),
    vlobs: expectOk(await bob.send({ cmd: 'vlob_read_batch', realmId: s.realm, vlobIds: s.vlobs })),
    history: expectOk(await bob.send({ cmd: 'vlob_read_versions', realmId: s.realm, items: [{ vlobId: s.vlobs[0]!, version: 1 }] })),
    changes: expectOk(await bob.send({ cmd: 'vlob_poll_changes', realmId: s.realm, lastCheckpoint: 0 })),
    block: expectOk(await bob.send({ cmd: 'block_read', realmId: s.realm, blockId: s.blockId })),
    bundle: expectOk(await bob.send({ cmd: 'realm_get_keys_bundle', realmId: s.realm, keyIndex: 1 })),
  };
}

async function restartCheck(storage: Storage, reopen: () => Promise<Storage>): Promise<void> {
  const h = await harness('in-process', { storage });
  const s = await populate(h);
  const before = await snapshot(h.server, h, s);
  await h.server.close();
  const storage2 = await reopen();
  const server = await SealsyncServer.open({ storage: storage2, clock: h.clock.clock });
  expect(server.organizations()).toEqual([h.orgId]);
  expect(await snapshot(server, h, s)).toEqual(before);

  const t = (dev: Dev) => new InProcessTransport(server, { organizationId: h.orgId, deviceId: dev.deviceId, signingKey: dev.key }, { clock: monotonicClock(() => h.clock.now + 1) });
  expectError(await t(s.revoked).send({ cmd: 'ping' }), 'revoked');
  // checkpoints and versions continue where they were
  expectOkReply(await t(s.bob).send({ cmd: 'vlob_update', realmId: s.realm, vlobId: s.vlobs[0]!, keyIndex: 1, timestamp: h.clock.tick(), version: 3, blob: h.bytes(8) }));
  const changes = expectOk(await t(s.bob).send({ cmd: 'vlob_poll_changes', realmId: s.realm, lastCheckpoint: before.changes.currentCheckpoint }));
  expect(changes).toEqual({ status: 'ok', currentCheckpoint: before.changes.currentCheckpoint + 1, changes: [{ vlobId: s.vlobs[0], version: 3 }] });
  // the invitation in progress goes on
  const anon = await server.handle(h.orgId, null, encodeRequest({ cmd: 'invited_join', token: s.token }));
  expect(decodeReply('invited_join', anon)).toEqual({ status: 'ok', attempt: s.attempt });
  // and the organisation stays bootstrapped
  const boot = encodeRequest({
    cmd: 'organization_bootstrap',
    bootstrapToken: new Uint8Array(32),
    rootVerifyKey: SigningKey.generate().verifyKey.toBytes(),
    userCertificate: h.bytes(80),
    deviceCertificate: h.bytes(80),
  });
  expectError(decodeReply('organization_bootstrap', await server.handle(h.orgId, null, boot)), 'already_bootstrapped');
  await server.close();
}

describe('restart from storage', () => {
  it('memory storage: a new server over the same storage serves the same state', async () => {
    const storage = new MemoryStorage();
    await restartCheck(storage, async () => storage);
  });

  it('filesystem storage: survives closing and reopening the directory', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sealsync-server-'));
    try {
      const storage = await FsStorage.open(dir);
      await restartCheck(storage, async () => {
        await storage.close();
        return FsStorage.open(dir);
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('tampered stored certificates are refused at open (storage is not trusted)', async () => {
    const storage = new MemoryStorage();
    const h = await harness('in-process', { storage });
    await createUser(h);
    await h.server.close();
    const ns = `${h.orgId}-certs`;
    const keys = await storage.list(ns);
    const last = keys.at(-1)!;
    const bytes = (await storage.get(ns, last))!;
    // flip a byte inside the signature of the stored certificate
    const i = bytes.length - 120;
    bytes[i]! ^= 1;
    await storage.put(ns, last, bytes);
    await expect(SealsyncServer.open({ storage, clock: h.clock.clock })).rejects.toSatisfy((e) => e instanceof CertificateError || e instanceof StorageError);
  });

  it('unreadable records are storage/corrupt', async () => {
    const storage = new MemoryStorage();
    const h = await harness('in-process', { storage });
    await h.server.close();
    await storage.put(`${h.orgId}-vlobs`, 'x', new Uint8Array([1, 2, 3]));
    await expect(SealsyncServer.open({ storage })).rejects.toMatchObject({ code: 'storage/corrupt' });
  });
});
