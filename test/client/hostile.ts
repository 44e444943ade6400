/**
 * A transport wrapper that lies: each test installs a `tamper` function that rewrites the honest
 * server's replies (or answers by itself), the way a compromised server would.
 */
import type { Client, LocalDevice, Workspace } from '../../src/client/index.js';
import { expect } from 'vitest';
import type { AuthenticatedRequest, Reply, VlobItem } from '../../src/transport/index.js';
import { caught } from '../support/caught.js';
import type { World } from './world.js';
import type { SendOptions, Transport } from '../../src/transport/index.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Tamper = (req: AuthenticatedRequest, reply: any, inner: Transport) => unknown;

/** Answers a request by itself (the honest server never sees it), or `undefined` to forward it. */
export type Intercept = (req: AuthenticatedRequest) => unknown;

export class HostileTransport implements Transport {
  tamper: Tamper | null = null;
  /** Runs before forwarding: e.g. acknowledge a command and never deliver it. */
  intercept: Intercept | null = null;
  /** Requests seen (commands), for assertions. */
  readonly seen: AuthenticatedRequest[] = [];

  constructor(readonly inner: Transport) {}

  async send<R extends AuthenticatedRequest>(req: R, options?: SendOptions): Promise<Reply<R['cmd']>> {
    this.seen.push(req);
    const own = this.intercept?.(req);
    if (own !== undefined) return own as Reply<R['cmd']>;
    const reply = await this.inner.send(req, options);
    return (this.tamper ? await this.tamper(req, reply, this.inner) : reply) as Reply<R['cmd']>;
  }
}

/** What `aliceAndHostileBob` sets up. */
export interface HostileCast {
  readonly alice: Client;
  readonly aliceDevice: LocalDevice;
  readonly bob: Client;
  readonly bobDevice: LocalDevice;
  readonly hostile: HostileTransport;
  readonly ws: Workspace;
  readonly wsBob: Workspace;
}

/** Alice (honest transport) shares a workspace with Bob (CONTRIBUTOR), whose transport is hostile. */
export async function aliceAndHostileBob(world: World, track: (c: Client) => Client): Promise<HostileCast> {
  const aliceDevice = await world.bootstrap();
  const alice = track(await world.open(aliceDevice));
  await alice.syncCertificates();
  const bobDevice = await world.enrollUser(alice, 'bob@example.org', 'Bob');
  let hostile!: HostileTransport;
  const bob = track(await world.open(bobDevice, { wrap: (t) => (hostile = new HostileTransport(t)) }));
  await bob.syncCertificates();
  const ws = await alice.createWorkspace('W');
  await ws.share(bob.userId, 'CONTRIBUTOR');
  await bob.sync();
  return { alice, aliceDevice, bob, bobDevice, hostile, ws, wsBob: await bob.workspace(ws.id) };
}

/** The server announces `item` as `item.vlobId`'s next version (poll + reads), on top of the honest answers. */
export function announceVersion(hostile: HostileTransport, item: VlobItem): void {
  hostile.tamper = (req, rep) => {
    if (req.cmd === 'vlob_poll_changes' && rep.status === 'ok') {
      const changes = rep.changes.filter((c: { vlobId: string }) => c.vlobId !== item.vlobId);
      return { ...rep, currentCheckpoint: rep.currentCheckpoint + 1, changes: [...changes, { vlobId: item.vlobId, version: item.version }] };
    }
    if (req.cmd === 'vlob_read_batch' && req.at === undefined && req.vlobIds.includes(item.vlobId)) return { status: 'ok', items: [item] };
    return rep;
  };
}

/**
 * Syncs `ws` through `hostile` (a lie installed) and expects `code`; then checks nothing was
 * applied: `path` still reads `content` at `version`, and once the lie stops, the next poll starts
 * from the checkpoint the lying one started from (the lie's was not stored) and reads the same.
 */
export async function expectSyncRefused(hostile: HostileTransport, ws: Workspace, code: string, path: string, content: string, version: number): Promise<void> {
  const polls = () => hostile.seen.flatMap((r) => (r.cmd === 'vlob_poll_changes' ? [r.lastCheckpoint] : []));
  const n = polls().length;
  expect((await caught(ws.sync())).code).toBe(code);
  expect((await ws.stat(path)).version).toBe(version);
  expect(new TextDecoder().decode(await ws.readFile(path))).toBe(content);
  const stored = polls()[n];
  hostile.tamper = null;
  const m = polls().length;
  await ws.sync();
  expect(polls()[m]).toBe(stored);
  expect(new TextDecoder().decode(await ws.readFile(path))).toBe(content);
}
