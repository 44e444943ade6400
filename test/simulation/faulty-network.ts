/**
 * The simulated network between the devices and the reference server: a restartable server host
 * (a restart reopens `SealsyncServer` over the same storage, as after a crash) and a transport
 * wrapper injecting the faults of a real network. Every decision comes from a seeded `Rng`, and
 * delays are counted in event-loop turns, not milliseconds, so a seed replays exactly.
 * @module
 */
import type { OrganizationId } from '../../src/codec/ids.js';
import type { Clock } from '../../src/codec/timestamps.js';
import { TransportError } from '../../src/errors.js';
import { SealsyncServer } from '../../src/server/index.js';
import type { Storage } from '../../src/storage/index.js';
import type { SignedRequestAuth } from '../../src/transport/auth.js';
import type { AuthenticatedRequest, Reply } from '../../src/transport/commands.js';
import type { RequestHandler, SendOptions, Transport } from '../../src/transport/index.js';
import type { Rng } from './rng.js';

/** Probability of each fault per request (all zero once the network is healed). */
export interface FaultRates {
  /** The request never reaches the server. */
  readonly dropRequest: number;
  /** The server applies the request, the reply is lost. */
  readonly dropReply: number;
  /** The client stack sends the command twice (re-signed), the caller gets one of the replies. */
  readonly duplicate: number;
  /** The same signed bytes reach the server twice, concurrently (replay). */
  readonly wireDuplicate: number;
  /** The request or its reply waits a few event-loop turns (reorders concurrent requests). */
  readonly delay: number;
  /** The server restarts from its storage just before handling the request. */
  readonly restart: number;
}

export const DEFAULT_FAULTS: FaultRates = { dropRequest: 0.04, dropReply: 0.04, duplicate: 0.04, wireDuplicate: 0.04, delay: 0.3, restart: 0.01 };

export type FaultKind = keyof FaultRates;

/** Lets every other ready task run `n` times (deterministic: no timers, no I/O in the simulation). */
export async function turns(n: number): Promise<void> {
  for (let i = 0; i < n; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

/**
 * A lying server (lying-server mode): sees every authenticated request of every device before the
 * server does, may answer it by itself, and may rewrite the server's reply.
 */
export interface Liar {
  /** Called for every request (for the invariants' logs). */
  observe?(device: string, req: AuthenticatedRequest): void;
  /** An answer of its own (the server never sees the request), or `undefined` to forward it. */
  intercept?(device: string, req: AuthenticatedRequest): unknown;
  /** The reply the device gets instead of the server's. */
  tamper?(device: string, req: AuthenticatedRequest, reply: unknown, inner: Transport): unknown;
}

/** The network: the current server, the fault switch and the counters of injected faults. */
export class SimNetwork implements RequestHandler {
  server: SealsyncServer;
  faults: FaultRates | null = null;
  /** The lying server's hooks (lying-server mode), or `null` for an honest one. */
  liar: Liar | null = null;
  readonly counts: Record<FaultKind, number> = { dropRequest: 0, dropReply: 0, duplicate: 0, wireDuplicate: 0, delay: 0, restart: 0 };
  #restarting: Promise<void> | null = null;

  private constructor(
    server: SealsyncServer,
    readonly storage: Storage,
    readonly clock: Clock,
    readonly rng: Rng,
  ) {
    this.server = server;
  }

  static async open(storage: Storage, clock: Clock, rng: Rng): Promise<SimNetwork> {
    return new SimNetwork(await SealsyncServer.open({ storage, clock }), storage, clock, rng);
  }

  /** True with the probability of fault `kind` (false when healed); counts it. */
  roll(kind: FaultKind): boolean {
    if (this.faults === null || !this.rng.chance(this.faults[kind])) return false;
    this.counts[kind]++;
    return true;
  }

  /**
   * Stops the server (in-flight requests finish or get `unavailable`) and opens a new one over
   * the same storage. Concurrent callers share one restart.
   */
  restart(): Promise<void> {
    this.#restarting ??= (async () => {
      await this.server.close();
      this.server = await SealsyncServer.open({ storage: this.storage, clock: this.clock });
    })().finally(() => (this.#restarting = null));
    return this.#restarting;
  }

  /** See `RequestHandler.handle`: forwards to the current server, sometimes twice (wire duplicate). */
  async handle(organizationId: OrganizationId, auth: SignedRequestAuth | null, body: Uint8Array): Promise<Uint8Array> {
    await this.#restarting;
    const server = this.server;
    if (auth !== null && this.roll('wireDuplicate')) {
      const [first] = await Promise.all([server.handle(organizationId, auth, body), server.handle(organizationId, auth, body)]);
      return first;
    }
    return server.handle(organizationId, auth, body);
  }
}

/** A device's transport through the simulated network (wraps its `InProcessTransport`). */
export class FaultyTransport implements Transport {
  constructor(
    private readonly inner: Transport,
    private readonly net: SimNetwork,
    /** The device's name, for the liar. */
    private readonly device = '',
  ) {}

  /** See `Transport.send`; throws `TransportError` `transport/network` for a lost request or reply. */
  async send<R extends AuthenticatedRequest>(req: R, options: SendOptions = {}): Promise<Reply<R['cmd']>> {
    const liar = this.net.liar;
    if (liar === null) return this.sendFaulty(req, options);
    liar.observe?.(this.device, req);
    const own = liar.intercept?.(this.device, req);
    if (own !== undefined) return own as Reply<R['cmd']>;
    const reply = await this.sendFaulty(req, options);
    return (liar.tamper ? await liar.tamper(this.device, req, reply, this.inner) : reply) as Reply<R['cmd']>;
  }

  private async sendFaulty<R extends AuthenticatedRequest>(req: R, options: SendOptions): Promise<Reply<R['cmd']>> {
    const net = this.net;
    if (net.roll('delay')) await turns(net.rng.int(1, 6));
    if (net.roll('restart')) await net.restart();
    if (net.roll('dropRequest')) throw new TransportError('transport/network', `simulated: ${req.cmd} request lost`);
    let reply: Reply<R['cmd']>;
    if (net.roll('duplicate')) {
      const first = await this.inner.send(req, options);
      const second = await this.inner.send(req, options);
      reply = net.rng.chance(0.5) ? first : second;
    } else {
      reply = await this.inner.send(req, options);
    }
    if (net.roll('delay')) await turns(net.rng.int(1, 6));
    if (net.roll('dropReply')) throw new TransportError('transport/network', `simulated: ${req.cmd} reply lost after the server applied it`);
    return reply;
  }
}
