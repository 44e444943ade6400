/**
 * A transport wrapper that lies: each test installs a `tamper` function that rewrites the honest
 * server's replies (or answers by itself), the way a compromised server would.
 */
import type { AuthenticatedRequest, Reply } from '../../src/transport/index.js';
import type { SendOptions, Transport } from '../../src/transport/index.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Tamper = (req: AuthenticatedRequest, reply: any, inner: Transport) => unknown;

export class HostileTransport implements Transport {
  tamper: Tamper | null = null;
  /** Requests seen (commands), for assertions. */
  readonly seen: AuthenticatedRequest[] = [];

  constructor(readonly inner: Transport) {}

  async send<R extends AuthenticatedRequest>(req: R, options?: SendOptions): Promise<Reply<R['cmd']>> {
    this.seen.push(req);
    const reply = await this.inner.send(req, options);
    return (this.tamper ? await this.tamper(req, reply, this.inner) : reply) as Reply<R['cmd']>;
  }
}
