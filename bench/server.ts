/**
 * Reference server throughput over HTTP loopback: signed `vlob_read_batch` and `vlob_update`
 * requests/s with 1 and 16 concurrent clients (fetch), next to a bare `node:http` echo server
 * answering the same body sizes to the same fetch clients in the same run. The ratio is what the
 * protocol costs on top of HTTP itself (encode, sign, verify, checks, storage, decode).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { bootstrapOrganization, certificateDigest, linkAfter, nextLink, signCertificate, SUITE_V1 } from '../src/certificates/index.js';
import { newId, type RealmId, type VlobId } from '../src/codec/ids.js';
import { systemClock } from '../src/codec/timestamps.js';
import { createHttpHandler, SealsyncServer } from '../src/server/index.js';
import { HttpAnonymousTransport, HttpTransport, encodeReply, encodeRequest, expectOk, monotonicClock } from '../src/transport/index.js';
import { measure, report, section } from './util.js';

const BLOB = 1024;

async function listen(server: Server): Promise<string> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function close(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
}

/** Runs `total` calls of `op` over `clients` concurrent loops; returns requests/s (best of 2). */
async function rate(total: number, clients: number, op: (client: number) => Promise<unknown>): Promise<number> {
  const per = Math.ceil(total / clients);
  let best = 0;
  for (let round = 0; round < 2; round++) {
    const m = await measure(per * clients, () => Promise.all(Array.from({ length: clients }, async (_, c) => {
      for (let i = 0; i < per; i++) await op(c);
    })), 0);
    best = Math.max(best, m.rate);
  }
  return best;
}

/** Prints requests/s of vlob read and update at 1 and 16 clients, against an echo baseline. */
export async function run(): Promise<void> {
  section('server (HTTP loopback, 1 KiB blobs, signed requests)');
  const clock = monotonicClock(systemClock);
  const server = await SealsyncServer.open({ clock: systemClock });
  const http = createServer(createHttpHandler(server));
  const url = await listen(http);
  const { organizationId, bootstrapToken } = await server.createOrganization();
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
  for (let c = 0; c < 16; c++) {
    const id = newId<VlobId>();
    expectOk(await t.send({ cmd: 'vlob_create', realmId, vlobId: id, keyIndex: 1, timestamp: clock(), blob }));
    vlobs.push({ id, version: 1 });
  }
  // One transport per client, as separate devices would have (same device key here).
  const transports = Array.from({ length: 16 }, () => new HttpTransport({ url, credentials: dev, clock }));

  const read = (c: number) => transports[c]!.send({ cmd: 'vlob_read_batch', realmId, vlobIds: [vlobs[c]!.id] }).then(expectOk);
  const update = async (c: number) => {
    const v = vlobs[c]!;
    expectOk(await transports[c]!.send({ cmd: 'vlob_update', realmId, vlobId: v.id, keyIndex: 1, timestamp: clock(), version: v.version + 1, blob }));
    v.version++;
  };

  // Baseline: a bare node:http server answering the same byte sizes.
  const readReq = encodeRequest({ cmd: 'vlob_read_batch', realmId, vlobIds: [vlobs[0]!.id] });
  const readRep = encodeReply('vlob_read_batch', {
    status: 'ok',
    items: [{ vlobId: vlobs[0]!.id, version: 1, keyIndex: 1, author: author.id, timestamp: clock(), blob }],
  });
  const updReq = encodeRequest({ cmd: 'vlob_update', realmId, vlobId: vlobs[0]!.id, keyIndex: 1, timestamp: clock(), version: 2, blob });
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

  try {
    for (const clients of [1, 16]) {
      const total = clients === 1 ? 300 : 1200;
      const oursRead = await rate(total, clients, read);
      const baseRead = await rate(total, clients, bare('/read', readReq));
      report(`vlob_read_batch, ${clients} client(s)`, oursRead, baseRead, 'req/s', 'node:http echo');
      const oursUpd = await rate(total, clients, update);
      const baseUpd = await rate(total, clients, bare('/update', updReq));
      report(`vlob_update, ${clients} client(s)`, oursUpd, baseUpd, 'req/s', 'node:http echo');
    }
  } finally {
    await server.close();
    await close(http);
    await close(echo);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
