/**
 * Reference server throughput over HTTP loopback: signed `vlob_read_batch` and `vlob_update`
 * requests/s with 16 concurrent clients (fetch), for each backend: memory, disk (`FsStorage`,
 * fsync per write), PostgreSQL with one node, and PostgreSQL with three nodes (three servers,
 * each with its own pool and LISTEN connection and HTTP listener, in this process; the clients
 * spread over them, so every write is followed by catch-ups on the other two). Next to each, a bare
 * `node:http` echo server answering the same body sizes to the same fetch clients, measured in
 * the same run; both warmed, best of several interleaved rounds. PostgreSQL is the embedded one
 * the tests use (`SEALSYNC_BENCH_DATABASE_URL` for another, an empty database).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bootstrapOrganization, certificateDigest, linkAfter, nextLink, signCertificate, SUITE_V1 } from '../src/certificates/index.js';
import { newId, type RealmId, type VlobId } from '../src/codec/ids.js';
import { systemClock } from '../src/codec/timestamps.js';
import { createHttpHandler, openPostgres, SealsyncServer, type SealsyncServerOptions } from '../src/server/index.js';
import { FsStorage } from '../src/storage/fs.js';
import { HttpAnonymousTransport, HttpTransport, encodeReply, encodeRequest, expectOk, monotonicClock } from '../src/transport/index.js';
import { startPostgres } from '../test/support/postgres.js';
import { measure, report, section } from './util.js';

const BLOB = 1024;
const CLIENTS = 16;
const TOTAL = Number(process.env.SEALSYNC_BENCH_SERVER_REQUESTS ?? 400);
const ROUNDS = 3;

async function listen(server: Server): Promise<string> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function close(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
}

/** `total` calls of `op` over `clients` concurrent loops (after a warm-up of a quarter); requests/s. */
async function rate(total: number, clients: number, op: (client: number) => Promise<unknown>): Promise<number> {
  const loops = (per: number) => () => Promise.all(Array.from({ length: clients }, async (_, c) => {
    for (let i = 0; i < per; i++) await op(c);
  }));
  const per = Math.ceil(total / clients);
  await loops(Math.ceil(per / 4))();
  return (await measure(per * clients, loops(per), 0)).rate;
}

interface Target {
  readonly name: string;
  read(c: number): Promise<unknown>;
  update(c: number): Promise<unknown>;
  close(): Promise<void>;
}

/**
 * Servers (one per options object) on HTTP, an organisation bootstrapped through the first, a
 * realm and one vlob per client; client `c` talks to server `c % n`.
 */
async function target(name: string, nodes: readonly SealsyncServerOptions[], cleanup: () => Promise<void>): Promise<Target> {
  const clock = monotonicClock(systemClock);
  const servers: SealsyncServer[] = [];
  const https: Server[] = [];
  const urls: string[] = [];
  for (const options of nodes) {
    const server = await SealsyncServer.open({ clock: systemClock, ...options });
    const http = createServer(createHttpHandler(server));
    servers.push(server);
    https.push(http);
    urls.push(await listen(http));
  }
  const url = urls[0]!;
  const { organizationId, bootstrapToken } = await servers[0]!.createOrganization();
  const boot = await bootstrapOrganization({ humanHandle: { email: 'bench@example.org', label: 'Bench' }, deviceLabel: 'bench', clock });
  expectOk(
    await new HttpAnonymousTransport({ url, organizationId }).send({
      cmd: 'organization_bootstrap',
      bootstrapToken,
      rootVerifyKey: boot.rootVerifyKey.toBytes(),
      userCertificate: boot.certificates[0]!,
      deviceCertificate: boot.certificates[1]!,
    }),
  );
  const dev = { organizationId, deviceId: boot.device.deviceId, signingKey: boot.device.signingKey };
  const author = { key: boot.device.signingKey, id: boot.device.deviceId };
  const t = new HttpTransport({ url, credentials: dev, clock });
  const realmId = newId<RealmId>();
  // Realm position 1 binds the common head the author verified: the bootstrap's device certificate.
  const roleLink = nextLink(null, { position: 2, digest: certificateDigest(boot.certificates[1]!) });
  const roleCertificate = await signCertificate(author.key, { type: 'realm_role', author: author.id, timestamp: clock(), realmId, userId: boot.user.userId, role: 'OWNER' }, roleLink);
  expectOk(
    await t.send({
      cmd: 'realm_create',
      roleCertificate,
      keyRotationCertificate: await signCertificate(author.key, {
        type: 'realm_key_rotation',
        author: author.id,
        timestamp: clock(),
        realmId,
        keyIndex: 1,
        suite: SUITE_V1,
        keyCanary: new Uint8Array(32),
      }, linkAfter(roleCertificate, roleLink)),
      keysBundle: new Uint8Array(64),
      keysBundleAccess: new Uint8Array(64),
    }),
  );
  const blob = new Uint8Array(BLOB).fill(7);
  const vlobs: { id: VlobId; version: number }[] = [];
  for (let c = 0; c < CLIENTS; c++) {
    const id = newId<VlobId>();
    expectOk(await t.send({ cmd: 'vlob_create', realmId, vlobId: id, keyIndex: 1, timestamp: clock(), blob }));
    vlobs.push({ id, version: 1 });
  }
  // One transport per client, as separate devices would have (same device key here).
  const transports = Array.from({ length: CLIENTS }, (_, c) => new HttpTransport({ url: urls[c % urls.length]!, credentials: dev, clock }));
  return {
    name,
    read: (c) => transports[c]!.send({ cmd: 'vlob_read_batch', realmId, vlobIds: [vlobs[c]!.id] }).then(expectOk),
    async update(c) {
      const v = vlobs[c]!;
      expectOk(await transports[c]!.send({ cmd: 'vlob_update', realmId, vlobId: v.id, keyIndex: 1, timestamp: clock(), version: v.version + 1, blob }));
      v.version++;
    },
    async close() {
      for (const s of servers) await s.close();
      for (const h of https) await close(h);
      await cleanup();
    },
  };
}

/** A bare node:http server answering the byte sizes of our replies. */
async function echoBaseline(): Promise<{ read: () => Promise<void>; update: () => Promise<void>; close: () => Promise<void> }> {
  const clock = monotonicClock(systemClock);
  const realmId = newId<RealmId>();
  const vlobId = newId<VlobId>();
  const blob = new Uint8Array(BLOB).fill(7);
  const readReq = encodeRequest({ cmd: 'vlob_read_batch', realmId, vlobIds: [vlobId] });
  const readRep = encodeReply('vlob_read_batch', { status: 'ok', items: [{ vlobId, version: 1, keyIndex: 1, author: newId(), timestamp: clock(), blob }] });
  const updReq = encodeRequest({ cmd: 'vlob_update', realmId, vlobId, keyIndex: 1, timestamp: clock(), version: 2, blob });
  const updRep = encodeReply('vlob_update', { status: 'ok' });
  const echo = createServer((req, res) => {
    req.resume();
    const reply = req.url === '/read' ? readRep : updRep;
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/cbor', 'content-length': String(reply.length) });
      res.end(reply);
    });
  });
  const echoUrl = await listen(echo);
  const bare = (path: string, body: Uint8Array) => async () => {
    const r = await fetch(`${echoUrl}${path}`, { method: 'POST', body: body as Uint8Array<ArrayBuffer>, headers: { 'content-type': 'application/cbor' } });
    await r.arrayBuffer();
  };
  return { read: bare('/read', readReq), update: bare('/update', updReq), close: () => close(echo) };
}

/** Prints requests/s of vlob read and update per backend, each next to the echo baseline. */
export async function run(): Promise<void> {
  section(`server over HTTP loopback: ${CLIENTS} clients, 1 KiB blobs, signed requests; best of ${ROUNDS} interleaved rounds`);
  const dir = await mkdtemp(join(tmpdir(), 'sealsync-bench-server-'));
  const external = process.env.SEALSYNC_BENCH_DATABASE_URL;
  const pg = external === undefined ? await startPostgres() : null;
  const url = external ?? pg!.url;
  const targets: Target[] = [];
  const echo = await echoBaseline();
  try {
    targets.push(await target('memory', [{}], async () => undefined));
    const fs = await FsStorage.open(join(dir, 'store'));
    targets.push(await target('disk', [{ storage: fs }], () => fs.close()));
    const one = await openPostgres(url);
    targets.push(await target('PostgreSQL, 1 node', [{ storage: one.storage, database: one.database, blocks: one.blocks }], () => one.close()));
    const three = await Promise.all([openPostgres(url), openPostgres(url), openPostgres(url)]);
    targets.push(
      await target(
        'PostgreSQL, 3 nodes',
        three.map((b) => ({ storage: b.storage, database: b.database, blocks: b.blocks })),
        async () => {
          for (const b of three) await b.close();
        },
      ),
    );
    const best = new Map<string, number>();
    const keep = (key: string, value: number) => best.set(key, Math.max(best.get(key) ?? 0, value));
    for (let round = 0; round < ROUNDS; round++) {
      process.stderr.write(`round ${round + 1}/${ROUNDS}\n`);
      for (const t of targets) {
        keep(`${t.name} read`, await rate(TOTAL, CLIENTS, t.read));
        keep('echo read', await rate(TOTAL, CLIENTS, echo.read));
        keep(`${t.name} update`, await rate(TOTAL, CLIENTS, t.update));
        keep('echo update', await rate(TOTAL, CLIENTS, echo.update));
      }
    }
    for (const t of targets) {
      report(`vlob_read_batch, ${t.name}`, best.get(`${t.name} read`)!, best.get('echo read')!, 'req/s', 'node:http echo');
      report(`vlob_update, ${t.name}`, best.get(`${t.name} update`)!, best.get('echo update')!, 'req/s', 'node:http echo');
    }
  } finally {
    for (const t of targets) await t.close();
    await echo.close();
    await pg?.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
