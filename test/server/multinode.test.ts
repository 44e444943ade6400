/**
 * Server processes under load, one killed with SIGKILL mid-run and restarted:
 * - PostgreSQL: 3 `sealsync-server --database` processes on one database, 20 HTTP clients spread
 *   over them (a client whose node dies moves to another), mixed writes to shared vlobs, blocks,
 *   reads, and SAS relays with the greeter on one node and the claimer on another;
 * - disk: one `sealsync-server --data` process, killed and restarted on its directory.
 * Checked: the only error replies are the expected conflicts (`bad_version`,
 * `require_greater_timestamp`; `already_exists` only for a create retried after a lost reply);
 * every acknowledged write is there, exactly, in order (a write whose reply was lost may be there
 * too, and then exactly as sent); every node serves the same state (the clients converge).
 *
 * CI-sized by default (20 clients × 25 operations); `SEALSYNC_LONG=1` runs 20 × 400.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toHex } from '../../src/bytes.js';
import type { BlockId, InvitationToken, RealmId, VlobId } from '../../src/codec/ids.js';
import { sha256Sync } from '../../src/keys/index.js';
import { TRUST_MARK } from '../../src/sas/machine-common.js';
import { openPostgres } from '../../src/server/pg/backend.js';
import { FsStorage } from '../../src/storage/fs.js';
import type { Storage } from '../../src/storage/index.js';
import type { ErrorReply } from '../../src/transport/index.js';
import { bytesFrom, prng } from '../support/prng.js';
import { startPostgres, type TestPostgres } from '../support/postgres.js';
import { FailoverClient, killNode, startNode, stopNode, type Node } from './cluster.js';
import { createRealm, createUser, harness, share, type Dev } from './helpers.js';

const LONG = process.env.SEALSYNC_LONG === '1';
const CLIENTS = 20;
const OPS = LONG ? 400 : 25;
const SEED = 20261205;

interface Setup {
  readonly orgId: import('../../src/codec/ids.js').OrganizationId;
  readonly owner: Dev;
  readonly admin: Dev;
  readonly devs: Dev[];
  readonly realm: RealmId;
  readonly shared: VlobId[];
  /** After every certificate of the setup. */
  readonly after: number;
}

/** Creates the organisation, 20 users sharing a realm and 10 shared vlobs, on `storage` (+ options). */
async function populate(options: Parameters<typeof harness>[1]): Promise<Setup> {
  const h = await harness('in-process', options);
  try {
    // From here on, timestamps near the real clock: the server processes use the system clock.
    h.clock.now = Date.now() * 1000;
    const owner = await createUser(h);
    const realm = await createRealm(h, owner);
    const devs: Dev[] = [];
    for (let i = 0; i < CLIENTS; i++) {
      const d = await createUser(h);
      await share(h, owner, realm, d, 'CONTRIBUTOR');
      devs.push(d);
    }
    const shared: VlobId[] = [];
    for (let i = 0; i < 10; i++) {
      const v = h.id<VlobId>();
      shared.push(v);
      const r = await h.transport(owner).send({ cmd: 'vlob_create', realmId: realm, vlobId: v, keyIndex: 1, timestamp: h.clock.tick(), blob: new Uint8Array([i]) });
      expect(r.status).toBe('ok');
    }
    return { orgId: h.orgId, owner, admin: h.admin, devs, realm, shared, after: h.clock.now };
  } finally {
    await h.close();
  }
}

const GREETER_PARTS = [32, 0, 32, 0, 0, -1, 0, 40, 0];
const CLAIMER_PARTS = [32, 32, 0, 32, -1, 0, 40, 0, 40];

/** A relayed SAS exchange (shaped parts, steps 0–8) with the greeter and the claimer on different nodes. */
async function relay(greeter: FailoverClient, claimer: FailoverClient, rand: () => number): Promise<string[]> {
  const problems: string[] = [];
  const part = (n: number): Uint8Array => (n < 0 ? TRUST_MARK : bytesFrom(rand, n));
  const ok = <T extends { status: string }>(r: T, what: string): T | null => {
    if (r.status === 'ok') return r;
    problems.push(`${what}: ${JSON.stringify(r)}`);
    return null;
  };
  const created = ok((await greeter.send({ cmd: 'invite_new_device' })).reply, 'invite_new_device');
  if (!created || created.status !== 'ok') return problems;
  const token = created.token as InvitationToken;
  const gj = ok((await greeter.send({ cmd: 'invite_greeter_join', token })).reply, 'greeter join');
  const cj = ok((await claimer.send({ cmd: 'invited_join', token } as never)).reply, 'claimer join');
  if (!gj || !cj || gj.status !== 'ok') return problems;
  const attempt = gj.attempt;
  for (let step = 0; step <= 8; step++) {
    const g = part(GREETER_PARTS[step]!);
    const c = part(CLAIMER_PARTS[step]!);
    const [gr, cr] = await Promise.all([
      greeter.send({ cmd: 'invite_greeter_step', token, attempt, step, payload: g, waitMs: 20_000 }),
      claimer.send({ cmd: 'invited_step', token, attempt, step, payload: c, waitMs: 20_000 } as never),
    ]);
    const gOk = ok(gr.reply, `greeter step ${step}`);
    const cOk = ok(cr.reply, `claimer step ${step}`) as { peerPayload: Uint8Array | null } | null;
    if (!gOk || !cOk || gOk.status !== 'ok') return problems;
    if (toHex(gOk.peerPayload ?? new Uint8Array([9])) !== toHex(c)) problems.push(`greeter got the wrong part at step ${step}`);
    if (toHex(cOk.peerPayload ?? new Uint8Array([9])) !== toHex(g)) problems.push(`claimer got the wrong part at step ${step}`);
  }
  ok((await greeter.send({ cmd: 'invite_complete', token })).reply, 'complete');
  return problems;
}

interface Outcome {
  readonly badVersions: number;
  readonly failovers: number;
  readonly acknowledged: number;
  readonly uncertain: number;
  readonly relays: number;
  readonly seconds: number;
}

/**
 * Runs the clients against `urls`; `midRun(doneFraction)` is called after each operation (the
 * test kills and restarts a node from there). Then checks every node.
 */
async function workload(s: Setup, urls: () => readonly string[], midRun: (done: number) => void, anonymousOn: (i: number) => number): Promise<Outcome> {
  const started = Date.now();
  const base = Math.max(s.after, Date.now() * 1000) + 1000;
  const accepted = new Map<VlobId, Map<number, string>>();
  for (const v of s.shared) accepted.set(v, new Map([[1, toHex(sha256Sync(new Uint8Array([s.shared.indexOf(v)])))]]));
  /** Writes whose reply was lost: vlob → version → digest (may or may not be applied). */
  const maybe = new Map<VlobId, Map<number, string>>();
  const blocks = new Map<BlockId, string>();
  const unexpected: string[] = [];
  let badVersions = 0;
  let done = 0;
  let relays = 0;
  const clients: FailoverClient[] = [];
  const credentials = (d: Dev) => ({ organizationId: s.orgId, deviceId: d.deviceId, signingKey: d.key });

  const client = async (dev: Dev, index: number): Promise<void> => {
    const rand = prng(SEED + index);
    const c = new FailoverClient(urls(), credentials(dev), index);
    clients.push(c);
    let ts = base + index;
    const known = new Map<VlobId, number>(s.shared.map((v) => [v, 1]));
    const mine: BlockId[] = [];
    const bytes = (n: number): Uint8Array => bytesFrom(rand, n);
    const check = (r: { status: string }, retried: boolean, what: string): boolean => {
      if (r.status === 'ok') return true;
      const e = r as ErrorReply;
      if (e.code === 'bad_version') badVersions++;
      else if (e.code === 'require_greater_timestamp') ts = Math.max(ts, e.strictlyGreaterThan);
      else if (!(e.code === 'already_exists' && retried)) unexpected.push(`${what}: ${e.code} ${e.message}`);
      return false;
    };
    for (let op = 0; op < OPS; op++) {
      ts += CLIENTS;
      const x = rand();
      if (x < 0.35) {
        const vlobId = s.shared[Math.floor(rand() * s.shared.length)]!;
        const version = known.get(vlobId)! + 1;
        const blob = bytes(64);
        const digest = toHex(sha256Sync(blob));
        const { reply: r, retried } = await c.send({ cmd: 'vlob_update', realmId: s.realm, vlobId, keyIndex: 1, timestamp: ts, version, blob });
        if (check(r, retried, 'vlob_update')) {
          accepted.get(vlobId)!.set(version, digest);
          known.set(vlobId, version);
        } else {
          if (retried) {
            let m = maybe.get(vlobId);
            if (!m) maybe.set(vlobId, (m = new Map()));
            m.set(version, digest);
          }
          if (r.status === 'error' && r.code === 'bad_version') known.set(vlobId, r.currentVersion);
        }
      } else if (x < 0.5) {
        const vlobId = toHex(bytes(16)) as VlobId;
        const blob = bytes(48);
        const { reply, retried } = await c.send({ cmd: 'vlob_create', realmId: s.realm, vlobId, keyIndex: 1, timestamp: ts, blob });
        // A create retried after a lost reply and refused `already_exists` was applied the first time.
        if (check(reply, retried, 'vlob_create') || (retried && reply.status === 'error' && reply.code === 'already_exists')) accepted.set(vlobId, new Map([[1, toHex(sha256Sync(blob))]]));
      } else if (x < 0.65) {
        const { reply: r, retried } = await c.send({ cmd: 'vlob_read_batch', realmId: s.realm, vlobIds: s.shared });
        if (check(r, retried, 'vlob_read_batch') && r.status === 'ok') for (const it of r.items) known.set(it.vlobId, Math.max(known.get(it.vlobId)!, it.version));
      } else if (x < 0.75) {
        const blockId = toHex(bytes(16)) as BlockId;
        const block = bytes(256);
        const { reply, retried } = await c.send({ cmd: 'block_create', realmId: s.realm, blockId, keyIndex: 1, block });
        if (check(reply, retried, 'block_create')) {
          blocks.set(blockId, toHex(sha256Sync(block)));
          mine.push(blockId);
        }
      } else if (x < 0.85 && mine.length > 0) {
        const blockId = mine[Math.floor(rand() * mine.length)]!;
        const { reply: r, retried } = await c.send({ cmd: 'block_read', realmId: s.realm, blockId });
        // Read from any node: an acknowledged block is never "not found" anywhere.
        if (check(r, retried, 'block_read') && r.status === 'ok' && toHex(sha256Sync(r.block)) !== blocks.get(blockId)) unexpected.push('block_read: other bytes');
      } else if (x < 0.97) {
        const { reply, retried } = await c.send({ cmd: 'vlob_poll_changes', realmId: s.realm, lastCheckpoint: 0 });
        check(reply, retried, 'vlob_poll_changes');
      } else if (index % 5 === 0) {
        // The greeter (this user, for a new device) on its node, the claimer on the next one.
        const claimer = new FailoverClient(urls(), { organizationId: s.orgId }, anonymousOn(index));
        unexpected.push(...(await relay(c, claimer, rand)));
        relays++;
      } else {
        const { reply, retried } = await c.send({ cmd: 'ping' });
        check(reply, retried, 'ping');
      }
      done++;
      midRun(done / (CLIENTS * OPS));
    }
  };

  await Promise.all(s.devs.map((d, i) => client(d, i)));
  expect(unexpected, `unexpected error replies (seed ${SEED})`).toEqual([]);

  // Every node serves the same state, with every acknowledged write exactly where it was put.
  const states: string[] = [];
  let acknowledged = 0;
  let uncertain = 0;
  for (let n = 0; n < urls().length; n++) {
    const reader = new FailoverClient([urls()[n]!], credentials(s.owner), 0, 5_000);
    const pieces: unknown[] = [];
    let writes = 0;
    for (const [vlobId, versions] of accepted) {
      const latest = (await reader.send({ cmd: 'vlob_read_batch', realmId: s.realm, vlobIds: [vlobId] })).reply;
      expect(latest.status).toBe('ok');
      const current = latest.status === 'ok' ? latest.items[0]!.version : 0;
      const items = Array.from({ length: current }, (_, i) => ({ vlobId, version: i + 1 }));
      const got = (await reader.send({ cmd: 'vlob_read_versions', realmId: s.realm, items })).reply;
      if (got.status !== 'ok') throw new Error('read_versions');
      const digests = new Map(got.items.map((i) => [i.version, toHex(sha256Sync(i.blob))]));
      expect(digests.size).toBe(current);
      for (const [version, digest] of versions) expect(digests.get(version), `acknowledged ${vlobId} v${version}`).toBe(digest);
      for (const [version, digest] of digests) {
        if (versions.get(version) === digest) continue;
        // Not acknowledged: must be a write whose reply was lost, exactly as sent.
        expect(maybe.get(vlobId)?.get(version), `unexpected ${vlobId} v${version}`).toBe(digest);
        if (n === 0) uncertain++;
      }
      writes += current;
      if (n === 0) acknowledged += versions.size;
      pieces.push([vlobId, [...digests]]);
    }
    const changes = (await reader.send({ cmd: 'vlob_poll_changes', realmId: s.realm, lastCheckpoint: 0 })).reply;
    if (changes.status !== 'ok') throw new Error('poll');
    expect(changes.currentCheckpoint).toBe(writes);
    for (const [blockId, digest] of blocks) {
      const r = (await reader.send({ cmd: 'block_read', realmId: s.realm, blockId })).reply;
      expect(r.status === 'ok' ? toHex(sha256Sync(r.block)) : r.status).toBe(digest);
    }
    const certs = (await reader.send({ cmd: 'certificates_get', after: new Map() })).reply;
    if (certs.status !== 'ok') throw new Error('certs');
    pieces.push(changes, [...certs.topics].map(([t, list]) => [t, list.map((c) => toHex(sha256Sync(c)))]));
    states.push(JSON.stringify(pieces));
  }
  for (const state of states) expect(state).toBe(states[0]);
  expect(badVersions).toBeGreaterThan(0);
  return {
    badVersions,
    failovers: clients.reduce((a, c) => a + c.failovers, 0),
    acknowledged,
    uncertain,
    relays,
    seconds: (Date.now() - started) / 1000,
  };
}

describe('PostgreSQL: 3 server processes, 20 clients, one node SIGKILLed and restarted', () => {
  let pg: TestPostgres;
  let nodes: Node[] = [];

  beforeAll(async () => {
    pg = await startPostgres();
  }, 120_000);

  afterAll(async () => {
    for (const n of nodes) await killNode(n);
    await pg?.stop();
  });

  it(`${CLIENTS} clients × ${OPS} operations over 3 nodes`, { timeout: LONG ? 900_000 : 240_000 }, async () => {
    const backend = await openPostgres(pg.url);
    let s: Setup;
    try {
      s = await populate({ storage: backend.storage, database: backend.database, blocks: backend.blocks });
    } finally {
      await backend.close();
    }
    const args = ['--database', pg.url];
    nodes = [await startNode(args)];
    nodes.push(...(await Promise.all([startNode(args), startNode(args)])));
    const urls = nodes.map((n) => n.url);
    let killed = false;
    let restarting: Promise<void> | null = null;
    const outcome = await workload(
      s,
      () => urls,
      (fraction) => {
        if (!killed && fraction >= 0.25) {
          killed = true;
          void killNode(nodes[1]!);
        }
        if (killed && restarting === null && fraction >= 0.5) {
          restarting = killNode(nodes[1]!).then(async () => {
            nodes[1] = await startNode(args, nodes[1]!.port);
          });
        }
      },
      (i) => i + 1,
    );
    await restarting;
    expect(killed).toBe(true);
    expect(nodes.flatMap((n) => n.stderr).join(''), 'internal errors on the nodes').not.toMatch(/internal error/);
    console.log(`[multinode pg] ${JSON.stringify(outcome)}`);
    for (const n of nodes) expect(await stopNode(n)).toBe(0);
  });
});

describe('disk: one server process, 20 clients, SIGKILLed and restarted on its directory', () => {
  let dir: string;
  let node: Node | null = null;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sealsync-multinode-'));
  });
  afterAll(async () => {
    if (node) await killNode(node);
    await rm(dir, { recursive: true, force: true });
  });

  it(`${CLIENTS} clients × ${OPS} operations, kill -9 and restart mid-run`, { timeout: LONG ? 900_000 : 240_000 }, async () => {
    const storage: Storage = await FsStorage.open(join(dir, 'store'));
    let s: Setup;
    try {
      s = await populate({ storage });
    } finally {
      await storage.close();
    }
    const args = ['--data', dir];
    node = await startNode(args);
    const url = node.url;
    let killed = false;
    let restarting: Promise<void> | null = null;
    const outcome = await workload(
      s,
      () => [url],
      (fraction) => {
        if (!killed && fraction >= 0.3) {
          killed = true;
          restarting = killNode(node!).then(async () => {
            node = await startNode(args, node!.port);
          });
        }
      },
      () => 0,
    );
    await restarting;
    expect(killed).toBe(true);
    console.log(`[multinode disk] ${JSON.stringify(outcome)}`);
    expect(await stopNode(node!)).toBe(0);
  });
});
