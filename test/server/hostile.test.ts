/**
 * Hostile input against the server's byte-level entry point (`SealsyncServer.process`, what every
 * transport calls) and its HTTP binding. Whatever arrives — random bytes, mutated real requests
 * signed by a real device (so they get past authentication into the handlers), random or
 * ill-typed authentication — the server must answer with a typed error reply: never `internal`
 * (that would be an unexpected exception escaping a handler), never a crash, and an error reply
 * must leave storage untouched (no half-applied command). Afterwards the storage must still reload
 * into a consistent server (`SealsyncServer.open` re-validates everything).
 *
 * Runs: SEALSYNC_FUZZ_RUNS (default 300), seed SEALSYNC_FUZZ_SEED (default 7), printed on failure.
 */
import { request as httpRequest } from 'node:http';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BlockId, DeviceId, InvitationToken, OrganizationId, RealmId, VlobId } from '../../src/codec/ids.js';
import { MemoryStorage, type StorageOp } from '../../src/storage/index.js';
import { SealsyncServer } from '../../src/server/index.js';
import {
  AUTH_HEADERS,
  decodeReply,
  decodeRequest,
  encodeRequest,
  expectOk,
  signRequest,
  type Request,
  type SignedRequestAuth,
} from '../../src/transport/index.js';
import { createRealm, createUser, expectOkReply, harness, roleCert, rotationCert, userCerts, type Dev, type Harness } from './helpers.js';

const RUNS = Number(process.env['SEALSYNC_FUZZ_RUNS'] ?? 300);
const SEED = Number(process.env['SEALSYNC_FUZZ_SEED'] ?? 7);

/** A `MemoryStorage` that counts writes, to prove that refused requests write nothing. */
class CountingStorage extends MemoryStorage {
  writes = 0;
  override async put(ns: string, key: string, value: Uint8Array): Promise<void> {
    this.writes++;
    return super.put(ns, key, value);
  }
  override async delete(ns: string, key: string): Promise<boolean> {
    this.writes++;
    return super.delete(ns, key);
  }
  override async batch(ops: readonly StorageOp[]): Promise<void> {
    this.writes++;
    return super.batch(ops);
  }
}

/** True for requests that may legitimately wait (long polls): skipped so the fuzz stays fast. */
function waits(body: Uint8Array): boolean {
  try {
    const req = decodeRequest(body);
    return 'waitMs' in req && typeof req.waitMs === 'number' && req.waitMs > 0;
  } catch {
    return false;
  }
}

describe('server: hostile requests', () => {
  let h: Harness;
  let storage: CountingStorage;
  const errors: unknown[] = [];
  let owner: Dev;
  let realm: RealmId;
  let vlob: VlobId;
  let block: BlockId;
  let token: InvitationToken;
  let authSeeds: Uint8Array[];
  let anonSeeds: Uint8Array[];

  beforeAll(async () => {
    storage = new CountingStorage();
    h = await harness('in-process', { storage, seed: SEED, onError: (e) => errors.push(e) });
    owner = await createUser(h);
    realm = await createRealm(h, owner);
    vlob = h.id<VlobId>();
    block = h.id<BlockId>();
    const t = h.transport(owner);
    expectOkReply(await t.send({ cmd: 'vlob_create', realmId: realm, vlobId: vlob, keyIndex: 1, timestamp: h.clock.tick(), blob: h.bytes(40) }));
    expectOkReply(await t.send({ cmd: 'block_create', realmId: realm, blockId: block, keyIndex: 1, block: h.bytes(64) }));
    token = expectOk(await h.transport(h.admin).send({ cmd: 'invite_new_user', email: 'claimer@example.org' })).token;
    const other = await userCerts(h, h.admin);
    const ts = h.clock.tick();
    const auth: Request[] = [
      { cmd: 'ping' },
      { cmd: 'certificates_get', after: new Map([['common', 0]]) },
      { cmd: 'user_create', userCertificate: other.user, deviceCertificate: other.device },
      { cmd: 'realm_share', roleCertificate: await roleCert(h, owner, realm, other.dev.userId, 'READER'), keysBundleAccess: h.bytes(32) },
      { cmd: 'realm_rotate_key', keyRotationCertificate: await rotationCert(h, owner, realm, 2), keysBundle: h.bytes(32), keysBundleAccesses: new Map([[owner.userId, h.bytes(32)]]) },
      { cmd: 'realm_get_keys_bundle', realmId: realm, keyIndex: 1 },
      { cmd: 'vlob_create', realmId: realm, vlobId: h.id<VlobId>(), keyIndex: 1, timestamp: ts, blob: h.bytes(20) },
      { cmd: 'vlob_update', realmId: realm, vlobId: vlob, keyIndex: 1, timestamp: ts, version: 2, blob: h.bytes(20) },
      { cmd: 'vlob_read_batch', realmId: realm, vlobIds: [vlob], at: ts },
      { cmd: 'vlob_read_versions', realmId: realm, items: [{ vlobId: vlob, version: 1 }] },
      { cmd: 'vlob_poll_changes', realmId: realm, lastCheckpoint: 0 },
      { cmd: 'block_create', realmId: realm, blockId: h.id<BlockId>(), keyIndex: 1, block: h.bytes(30) },
      { cmd: 'block_read', realmId: realm, blockId: block },
      { cmd: 'invite_new_device' },
      { cmd: 'invite_greeter_join', token },
      { cmd: 'invite_greeter_step', token, attempt: 1, step: 0, payload: h.bytes(32), waitMs: 0 },
      { cmd: 'invite_greeter_cancel', token, attempt: 1, reason: 'manual' },
      { cmd: 'invite_complete', token },
      { cmd: 'invite_cancel', token },
    ];
    const anon: Request[] = [
      { cmd: 'invited_info', token },
      { cmd: 'invited_join', token },
      { cmd: 'invited_step', token, attempt: 1, step: 1, payload: h.bytes(32), waitMs: 0 },
      { cmd: 'invited_cancel', token, attempt: 1, reason: 'timeout' },
      { cmd: 'organization_bootstrap', bootstrapToken: h.bytes(32), rootVerifyKey: h.bytes(32), userCertificate: other.user, deviceCertificate: other.device },
    ];
    authSeeds = auth.map(encodeRequest);
    anonSeeds = anon.map(encodeRequest);
  });

  afterAll(async () => {
    await h.close();
  });

  /** Sends one request and checks the invariants; returns the reply status. */
  async function probe(auth: SignedRequestAuth | null, body: Uint8Array, label: string): Promise<string> {
    const before = storage.writes;
    const result = await h.server.process(h.orgId, auth, body);
    const where = `${label} (seed ${SEED}) body ${Buffer.from(body).toString('hex').slice(0, 160)}`;
    expect(errors, where).toEqual([]);
    expect(result.status, where).not.toBe('internal');
    // Whatever the status, the reply is a well-formed reply (decodable as an error or ok reply).
    if (result.status !== 'ok') {
      const reply = decodeReply('ping', result.bytes);
      expect(reply.status, where).toBe('error');
      expect(storage.writes, `${where}: a refused request wrote to storage`).toBe(before);
    }
    return result.status;
  }

  const mutation = fc.record({
    kind: fc.constantFrom('flip', 'set', 'truncate', 'insert', 'splice'),
    pos: fc.nat(),
    val: fc.nat(255),
    extra: fc.uint8Array({ maxLength: 12 }),
  });

  function mutate(seed: Uint8Array, m: { kind: string; pos: number; val: number; extra: Uint8Array }): Uint8Array {
    const at = m.pos % (seed.length + 1);
    switch (m.kind) {
      case 'flip': {
        const s = seed.slice();
        const i = m.pos % s.length;
        s[i] = s[i]! ^ (1 << m.val % 8);
        return s;
      }
      case 'set': {
        const s = seed.slice();
        s[m.pos % s.length] = m.val;
        return s;
      }
      case 'truncate':
        return seed.subarray(0, at);
      case 'insert':
        return Uint8Array.from([...seed.subarray(0, at), ...m.extra, ...seed.subarray(at)]);
      default:
        return Uint8Array.from([...seed.subarray(0, at), ...m.extra, ...seed.subarray(Math.min(seed.length, at + m.extra.length))]);
    }
  }

  it('mutated real requests, correctly signed by a member device, get typed replies and refusals write nothing', async () => {
    const statuses = new Set<string>();
    await fc.assert(
      fc.asyncProperty(fc.nat(), mutation, fc.boolean(), async (i, m, asAdmin) => {
        const body = mutate(authSeeds[i % authSeeds.length]!, m);
        if (waits(body)) return;
        const dev = asAdmin ? h.admin : owner;
        const auth = await signRequest({ organizationId: h.orgId, deviceId: dev.deviceId, signingKey: dev.key }, body, h.clock.tick(1));
        statuses.add(await probe(auth, body, `authenticated mutation ${m.kind}`));
      }),
      { numRuns: RUNS, seed: SEED },
    );
    // The fuzz reaches the handlers, not only the decoder.
    expect(statuses.size, [...statuses].join(',')).toBeGreaterThan(3);
  });

  it('mutated anonymous requests get typed replies and refusals write nothing', async () => {
    await fc.assert(
      fc.asyncProperty(fc.nat(), mutation, async (i, m) => {
        const body = mutate(anonSeeds[i % anonSeeds.length]!, m);
        if (waits(body)) return;
        await probe(null, body, `anonymous mutation ${m.kind}`);
      }),
      { numRuns: RUNS, seed: SEED },
    );
  });

  it('random bodies with random, partly valid authentication', async () => {
    const deviceIds = () => fc.constantFrom(h.admin.deviceId, owner.deviceId, h.id<DeviceId>());
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ maxLength: 300 }),
        fc.option(
          fc.record({
            organizationId: fc.constantFrom(h.orgId, h.id<OrganizationId>()),
            deviceId: deviceIds(),
            timestamp: fc.oneof(fc.constant(h.clock.now), fc.nat(), fc.maxSafeNat()),
            signature: fc.uint8Array({ minLength: 0, maxLength: 80 }),
          }),
          { nil: null },
        ),
        async (body, auth) => {
          await probe(auth as SignedRequestAuth | null, body, 'random');
        },
      ),
      { numRuns: RUNS, seed: SEED },
    );
  });

  it('ill-typed authentication values (in-process callers bypass the header parser) are refused, not crashes', async () => {
    const body = encodeRequest({ cmd: 'ping' });
    const good = await signRequest({ organizationId: h.orgId, deviceId: owner.deviceId, signingKey: owner.key }, body, h.clock.tick());
    const bad: unknown[] = [
      { ...good, signature: 'not bytes' },
      { ...good, signature: undefined },
      { ...good, timestamp: Number.NaN },
      { ...good, timestamp: -1 },
      { ...good, timestamp: 2 ** 60 },
      { ...good, deviceId: 42 },
      { ...good, deviceId: owner.deviceId.toUpperCase() },
      { ...good, organizationId: undefined },
    ];
    for (const auth of bad) {
      const status = await probe(auth as SignedRequestAuth, body, `auth ${JSON.stringify(auth, (_k, v: unknown) => (v instanceof Uint8Array ? 'bytes' : v))}`);
      expect(['authentication_failed', 'unknown_device']).toContain(status);
    }
    // Not bytes at all.
    expect(await probe(null, 'hello' as unknown as Uint8Array, 'string body')).toBe('bad_request');
  });

  it('after all of it, the storage reloads into a consistent server with the same data', async () => {
    const reopened = await SealsyncServer.open({ storage, clock: h.clock.clock });
    expect(reopened.organizations()).toEqual([h.orgId]);
    const reply = expectOk(await h.transport(owner).send({ cmd: 'vlob_read_versions', realmId: realm, items: [{ vlobId: vlob, version: 1 }] }));
    expect(reply.items).toHaveLength(1);
    await reopened.close();
  });
});

describe('HTTP handler: hostile requests', () => {
  let h: Harness;
  const errors: unknown[] = [];
  beforeAll(async () => {
    h = await harness('http', { seed: SEED + 1, maxRequestSize: 2048, onError: (e) => errors.push(e) });
  });
  afterAll(async () => {
    await h.close();
  });

  /** One raw request; `status` 0 if the server closed the connection before answering. */
  function send(o: { method: string; path: string; headers: Record<string, string>; body: Uint8Array }): Promise<{ status: number; body: Uint8Array }> {
    return new Promise((resolve, reject) => {
      // The raw path (not resolved through URL) so odd paths reach the handler as sent, on loopback.
      const { hostname, port } = new URL(h.url!);
      const headers = { ...o.headers, 'content-length': String(o.body.length) };
      const req = httpRequest({ host: hostname, port, path: o.path, method: o.method, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode!, body: new Uint8Array(Buffer.concat(chunks)) }));
      });
      req.on('error', (err) => {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'ECONNRESET' || code === 'EPIPE') resolve({ status: 0, body: new Uint8Array(0) });
        else reject(err);
      });
      req.end(o.body);
    });
  }

  it('malformed paths, methods, headers and bodies get a CBOR error reply with a 4xx status, never 500', async () => {
    const ping = encodeRequest({ cmd: 'ping' });
    const text = fc.string({ maxLength: 40 });
    const headerValue = fc.oneof(text, fc.constant(h.admin.deviceId), fc.constant('0'), fc.constant('1700000000000000'), fc.constant('A'.repeat(86)), fc.constant(''));
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(`/${h.orgId}/authenticated`, `/${h.orgId}/anonymous`, `/${h.orgId.toUpperCase()}/anonymous`, '/x/authenticated', `/${h.orgId}/authenticated/extra`, `//${h.orgId}/anonymous?a=b`),
        fc.constantFrom('POST', 'POST', 'POST', 'GET', 'PUT'),
        fc.constantFrom('application/cbor', 'application/cbor; charset=x', 'text/plain', ''),
        fc.record({ device: headerValue, timestamp: headerValue, signature: headerValue }, { requiredKeys: [] }),
        fc.oneof(fc.uint8Array({ maxLength: 300 }), fc.constant(ping), fc.uint8Array({ minLength: 2049, maxLength: 2100 })),
        async (path, method, type, auth, body) => {
          const headers: Record<string, string> = {};
          if (type !== '') headers['content-type'] = type;
          if (auth.device !== undefined) headers[AUTH_HEADERS.device] = auth.device;
          if (auth.timestamp !== undefined) headers[AUTH_HEADERS.timestamp] = auth.timestamp;
          if (auth.signature !== undefined) headers[AUTH_HEADERS.signature] = auth.signature;
          const r = await send({ method, path, headers, body });
          const where = `${method} ${path} ${JSON.stringify(headers)} body ${body.length} (seed ${SEED})`;
          // An oversized body may be cut off by the server (413 + close) before the client reads it.
          if (r.status === 0 && body.length > 2048) return;
          expect(r.status, where).toBeGreaterThanOrEqual(400);
          expect(r.status, where).toBeLessThan(500);
          expect(decodeReply('ping', r.body).status, where).toBe('error');
        },
      ),
      { numRuns: Math.min(RUNS, 120), seed: SEED },
    );
    expect(errors).toEqual([]);
  });

  it('a client that disconnects mid-body does not disturb the server', async () => {
    await new Promise<void>((resolve) => {
      const req = httpRequest(new URL(`/${h.orgId}/anonymous`, h.url!), { method: 'POST', headers: { 'content-type': 'application/cbor', 'content-length': '1000' } });
      req.on('error', () => resolve());
      req.write(new Uint8Array(10), () => {
        req.destroy();
        setTimeout(resolve, 20);
      });
    });
    expectOkReply(await h.transport(h.admin).send({ cmd: 'ping' }));
    expect(errors).toEqual([]);
  });
});
