/**
 * A transport wrapper that lies: each test installs a `tamper` function that rewrites the honest
 * server's replies (or answers by itself), the way a compromised server would.
 */
import type { Client, LocalDevice, Workspace } from '../../src/client/index.js';
import type { AuthenticatedRequest, Reply } from '../../src/transport/index.js';
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
