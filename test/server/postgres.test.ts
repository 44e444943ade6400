/**
 * The PostgreSQL backend against a real PostgreSQL started by this suite: the storage contract,
 * versioned migrations, and two server nodes (each with its own pool and LISTEN connection) on
 * one database: no lost update, no two certificates at one position, the SAS relay across nodes,
 * the shared replay guard, events numbered alike on every node, and no stale answer on the node
 * that did not take the write.
 */
import pgClient from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OrganizationId, VlobId } from '../../src/codec/ids.js';
import { StorageError } from '../../src/errors.js';
import { SealsyncServer } from '../../src/server/index.js';
import { openPostgres, type PostgresBackend } from '../../src/server/pg/backend.js';
import { MIGRATIONS, SCHEMA_VERSION } from '../../src/server/pg/schema.js';
import { vlobKey } from '../../src/server/records.js';
import { decodeReply, encodeRequest, expectOk, InProcessAnonymousTransport, InProcessTransport, signRequest, type Transport } from '../../src/transport/index.js';
import { storageContract } from '../storage/storage-contract.js';
import { batchSuite } from './batch-suite.js';
import { startPostgres, type TestPostgres } from '../support/postgres.js';
import { createRealm, createUser, expectError, expectOkReply, harness, share, userCerts, type Dev, type Harness } from './helpers.js';

let pg: TestPostgres;
const backends: PostgresBackend[] = [];

async function backend(url = pg.url): Promise<PostgresBackend> {
  const b = await openPostgres(url);
  backends.push(b);
  return b;
}

beforeAll(async () => {
  pg = await startPostgres();
}, 120_000);

afterAll(async () => {
  for (const b of backends) await b.close();
  await pg?.stop();
});

let batchDbs = 0;
batchSuite('PostgreSQL, read back by another node', {
  harness: async () => {
    const url = await pg.database(`batch_${++batchDbs}`);
    const a = await backend(url);
    const h = await harness('in-process', { storage: a.storage, database: a.database, blocks: a.blocks });
    const b = await backend(url);
    const nodeB = await SealsyncServer.open({ clock: h.clock.clock, storage: b.storage, database: b.database, blocks: b.blocks });
    const close = h.close.bind(h);
    return Object.assign(h, { close: async () => (await nodeB.close(), await close()), nodeB });
  },
  readBack: async (h) => (h as unknown as { nodeB: SealsyncServer }).nodeB,
});

let contractDbs = 0;
storageContract('PgStorage', {
  // A fresh, empty storage: a database of its own.
  make: async () => (await backend(await pg.database(`contract_${++contractDbs}`))).storage,
});

describe('migrations', () => {
  it('a fresh database gets every migration once; opening again applies nothing; versions are recorded', async () => {
    const url = await pg.database('migrations');
    const first = await backend(url);
    expect(first.schemaVersion).toBe(SCHEMA_VERSION);
    expect(SCHEMA_VERSION).toBe(MIGRATIONS.length);
    const again = await backend(url);
    expect(again.schemaVersion).toBe(SCHEMA_VERSION);
    const client = new pgClient.Client({ connectionString: url });
    await client.connect();
    try {
      const { rows } = await client.query('SELECT version FROM sealsync_schema ORDER BY version');
      expect(rows.map((r) => Number(r.version))).toEqual(MIGRATIONS.map((_, i) => i + 1));
      // A database from a newer server is refused, and nothing is written to it.
      await client.query('INSERT INTO sealsync_schema (version) VALUES ($1)', [SCHEMA_VERSION + 1]);
    } finally {
      await client.end();
    }
    const err = await openPostgres(url).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(StorageError);
    expect((err as StorageError).code).toBe('storage/corrupt');
    expect((err as Error).message).toMatch(/newer than this server/);
  });

  it('an unreachable database is one clear StorageError naming the host, never the password', async () => {
    const err = await openPostgres('postgres://u:secret-pw@127.0.0.1:1/nothing').then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(StorageError);
    expect((err as StorageError).code).toBe('storage/io');
    expect((err as Error).message).toMatch(/cannot reach the database at 127\.0\.0\.1:1\/nothing/);
    expect((err as Error).message).not.toMatch(/secret-pw/);
  });
});

describe('two nodes on one database', () => {
  let h: Harness;
  let nodeB: SealsyncServer;
  let alice: Dev;
  let bob: Dev;
  let realm: Awaited<ReturnType<typeof createRealm>>;
  const on = (server: SealsyncServer, dev: Dev): Transport =>
    // Every request gets a timestamp of its own: the replay guard is shared by the nodes.
    new InProcessTransport(server, { organizationId: h.orgId, deviceId: dev.deviceId, signingKey: dev.key }, { clock: () => h.clock.tick(1) });

  beforeAll(async () => {
    const url = await pg.database('nodes');
    const a = await backend(url);
    const b = await backend(url);
    h = await harness('in-process', { storage: a.storage, database: a.database, blocks: a.blocks });
    nodeB = await SealsyncServer.open({ clock: h.clock.clock, storage: b.storage, database: b.database, blocks: b.blocks });
    alice = await createUser(h);
    bob = await createUser(h);
    realm = await createRealm(h, alice);
    await share(h, alice, realm, bob, 'CONTRIBUTOR');
  });

  afterAll(async () => {
    await nodeB?.close();
    await h?.close();
  });

  it('node B knows the organisation created on A and every certificate, with no wait', async () => {
    expect(nodeB.organizations()).toContain(h.orgId);
    const onA = expectOk(await on(h.server, bob).send({ cmd: 'certificates_get', after: new Map() }));
    const onB = expectOk(await on(nodeB, bob).send({ cmd: 'certificates_get', after: new Map() }));
    expect(onB).toEqual(onA);
  });

  it('a vlob written on A is read on B at once (no stale absence), and its checkpoint agrees', async () => {
    const vlobId = h.id<VlobId>();
    const blob = h.bytes(40);
    expectOkReply(await on(h.server, alice).send({ cmd: 'vlob_create', realmId: realm, vlobId, keyIndex: 1, timestamp: h.clock.tick(), blob }));
    const read = expectOk(await on(nodeB, bob).send({ cmd: 'vlob_read_batch', realmId: realm, vlobIds: [vlobId] }));
    expect(read.items.map((i) => i.blob)).toEqual([blob]);
    const a = expectOk(await on(h.server, bob).send({ cmd: 'vlob_poll_changes', realmId: realm, lastCheckpoint: 0 }));
    const b = expectOk(await on(nodeB, bob).send({ cmd: 'vlob_poll_changes', realmId: realm, lastCheckpoint: 0 }));
    expect(b).toEqual(a);
  });

  it('no lost update: concurrent version 2 on both nodes, exactly one wins, the other is bad_version; nothing else applied', async () => {
    const vlobId = h.id<VlobId>();
    expectOkReply(await on(h.server, alice).send({ cmd: 'vlob_create', realmId: realm, vlobId, keyIndex: 1, timestamp: h.clock.tick(), blob: h.bytes(10) }));
    for (let round = 2; round < 8; round++) {
      const ts = h.clock.tick();
      const blobs = [h.bytes(10), h.bytes(10)];
      const replies = await Promise.all([
        on(h.server, alice).send({ cmd: 'vlob_update', realmId: realm, vlobId, keyIndex: 1, timestamp: ts, version: round, blob: blobs[0]! }),
        on(nodeB, bob).send({ cmd: 'vlob_update', realmId: realm, vlobId, keyIndex: 1, timestamp: ts + 1, version: round, blob: blobs[1]! }),
      ]);
      const winners = replies.flatMap((r, i) => (r.status === 'ok' ? [i] : []));
      expect(winners).toHaveLength(1);
      expectError(replies[1 - winners[0]!]!, 'bad_version');
      for (const server of [h.server, nodeB]) {
        const items = expectOk(await on(server, bob).send({ cmd: 'vlob_read_versions', realmId: realm, items: [{ vlobId, version: round }, { vlobId, version: round + 1 }] })).items;
        expect(items.map((i) => i.blob)).toEqual([blobs[winners[0]!]]);
      }
    }
  });

  it('no two certificates at one position: two admins on two nodes claim the same link, one is refused', async () => {
    const admin2 = await createUser(h, 'ADMIN');
    const before = expectOk(await on(h.server, bob).send({ cmd: 'certificates_get', after: new Map() }));
    const link = h.link('common');
    const x = await userCerts(h, h.admin, 'STANDARD', h.clock.tick());
    const y = await userCerts(h, admin2, 'STANDARD', h.clock.tick());
    // Both signed against the same head (userCerts uses h.link, the head before either is stored).
    expect(h.link('common')).toEqual(link);
    const replies = await Promise.all([
      on(h.server, h.admin).send({ cmd: 'user_create', userCertificate: x.user, deviceCertificate: x.device }),
      on(nodeB, admin2).send({ cmd: 'user_create', userCertificate: y.user, deviceCertificate: y.device }),
    ]);
    expect(replies.filter((r) => r.status === 'ok')).toHaveLength(1);
    expectError(replies.find((r) => r.status !== 'ok')!, 'invalid_certificate');
    const after = [h.server, nodeB].map(async (s) => expectOk(await on(s, bob).send({ cmd: 'certificates_get', after: new Map() })));
    const [ca, cb] = await Promise.all(after);
    expect(cb).toEqual(ca);
    const common = (c: typeof before) => c.topics.get('common')?.length ?? 0;
    expect(common(ca!)).toBe(common(before) + 2); // one user + its device
  });

  it('the replay guard is shared: a request executed on A is refused on B', async () => {
    const body = encodeRequest({ cmd: 'ping' });
    const auth = await signRequest({ organizationId: h.orgId, deviceId: bob.deviceId, signingKey: bob.key }, body, h.clock.tick());
    expect(decodeReply('ping', await h.server.handle(h.orgId, auth, body))).toEqual({ status: 'ok' });
    expectError(decodeReply('ping', await nodeB.handle(h.orgId, auth, body)), 'authentication_failed');
  });

  it('events cross nodes with the same numbers: a long poll on B wakes for a write on A', async () => {
    const start = expectOk(await on(nodeB, bob).send({ cmd: 'events_listen', after: 1e9, waitMs: 0 })).last;
    const startA = expectOk(await on(h.server, bob).send({ cmd: 'events_listen', after: 1e9, waitMs: 0 })).last;
    expect(startA).toBe(start);
    const vlobId = h.id<VlobId>();
    const poll = on(nodeB, bob).send({ cmd: 'events_listen', after: start, waitMs: 20_000 });
    await new Promise((r) => setTimeout(r, 50));
    expectOkReply(await on(h.server, alice).send({ cmd: 'vlob_create', realmId: realm, vlobId, keyIndex: 1, timestamp: h.clock.tick(), blob: h.bytes(8) }));
    const got = expectOk(await poll);
    expect(got.events).toContainEqual(expect.objectContaining({ event: 'vlob', vlobId, version: 1 }));
    const onA = expectOk(await on(h.server, bob).send({ cmd: 'events_listen', after: start, waitMs: 0 }));
    expect(onA.last).toBe(got.last);
    expect(onA.events).toEqual(got.events);
  });

  it('the SAS relay works with the greeter on A and the claimer on B (long polls woken across nodes)', async () => {
    const token = expectOk(await on(h.server, h.admin).send({ cmd: 'invite_new_user', email: 'carol@example.org' })).token;
    const claimer = new InProcessAnonymousTransport(nodeB, h.orgId);
    expect(expectOk(await claimer.send({ cmd: 'invited_info', token })).email).toBe('carol@example.org');
    const attempt = expectOk(await on(h.server, h.admin).send({ cmd: 'invite_greeter_join', token })).attempt;
    expect(expectOk(await claimer.send({ cmd: 'invited_join', token })).attempt).toBe(attempt);
    const gpk = h.bytes(32);
    const cpk = h.bytes(32);
    // The claimer waits on B for the greeter's step 0, posted on A.
    const claimerStep = claimer.send({ cmd: 'invited_step', token, attempt, step: 0, payload: cpk, waitMs: 20_000 });
    await new Promise((r) => setTimeout(r, 50));
    const greeterStep = expectOk(await on(h.server, h.admin).send({ cmd: 'invite_greeter_step', token, attempt, step: 0, payload: gpk, waitMs: 20_000 }));
    expect(greeterStep.peerPayload).toEqual(cpk);
    expect(expectOk(await claimerStep).peerPayload).toEqual(gpk);
  });

  it('a refused write on B changes nothing on either node', async () => {
    const vlobId = h.id<VlobId>();
    expectOkReply(await on(h.server, alice).send({ cmd: 'vlob_create', realmId: realm, vlobId, keyIndex: 1, timestamp: h.clock.tick(), blob: h.bytes(8) }));
    const before = expectOk(await on(nodeB, bob).send({ cmd: 'vlob_poll_changes', realmId: realm, lastCheckpoint: 0 }));
    expectError(await on(nodeB, bob).send({ cmd: 'vlob_update', realmId: realm, vlobId, keyIndex: 1, timestamp: h.clock.tick(), version: 5, blob: h.bytes(8) }), 'bad_version');
    expectError(await on(nodeB, bob).send({ cmd: 'vlob_update', realmId: realm, vlobId, keyIndex: 9, timestamp: h.clock.tick(), version: 2, blob: h.bytes(8) }), 'bad_key_index');
    for (const s of [h.server, nodeB]) expect(expectOk(await on(s, bob).send({ cmd: 'vlob_poll_changes', realmId: realm, lastCheckpoint: 0 }))).toEqual(before);
  });

  it('a write that fails after writing is rolled back, and the node reloads before it answers again', async () => {
    const org = (await h.server.findOrganization(h.orgId))!;
    const vlobId = h.id<VlobId>();
    await expect(
      org.lock.run(async () => {
        await org.storage.put(org.ns.vlobs, vlobKey(vlobId, 1), new Uint8Array([1]));
        org.vlobs.set(vlobId, { realmId: realm, versions: [] });
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(org.stale).toBe(true);
    expect(await org.storage.get(org.ns.vlobs, vlobKey(vlobId, 1))).toBeUndefined();
    // Memory showed a vlob the database never got: the next command reloads before answering.
    expectError(await on(h.server, bob).send({ cmd: 'vlob_update', realmId: realm, vlobId, keyIndex: 1, timestamp: h.clock.tick(), version: 2, blob: h.bytes(8) }), 'not_found');
    expect(org.stale).toBe(false);
    expect(org.vlobs.has(vlobId)).toBe(false);
  });

  it('blocks live in the block store, readable from the other node; an organisation created on B is found on A', async () => {
    const blockId = h.id<import('../../src/codec/ids.js').BlockId>();
    const block = h.bytes(300);
    expectOkReply(await on(nodeB, bob).send({ cmd: 'block_create', realmId: realm, blockId, keyIndex: 1, block }));
    expect(expectOk(await on(h.server, alice).send({ cmd: 'block_read', realmId: realm, blockId })).block).toEqual(block);
    const created = await nodeB.createOrganization();
    expect(await h.server.findOrganization(created.organizationId)).toBeDefined();
    await expect(h.server.createOrganization(created.organizationId)).rejects.toThrow(/already exists/);
    expect(h.server.organizations()).toContain(created.organizationId as OrganizationId);
  });
});
