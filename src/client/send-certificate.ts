/**
 * Sending a request that carries certificates signed "now": the server orders each certificate
 * topic on one clock and refuses a timestamp not strictly after the topic's last one
 * (`require_greater_timestamp`, the certificate rules), so a device whose clock lags, or that raced another
 * device, re-signs past the server's bound and tries again.
 * @module
 */
import type { Timestamp } from '../codec/timestamps.js';
import type { AuthenticatedRequest, ErrorCode } from '../transport/commands.js';
import { expectOk, isErrorReply } from '../transport/transport.js';
import type { ClientContext } from './context.js';

/** Retries after the first attempt: bounded so that a server that keeps refusing cannot spin the client forever. */
const MAX_RETRIES = 3;

/** Extra retry rules of one request. */
export interface ResendOptions {
  /** Further refusals worth a retry (e.g. `realm_members_mismatch`: the member list was stale). */
  readonly alsoRetryOn?: readonly ErrorCode[];
  /** Runs before every retry (e.g. re-sync certificates so that `make` sees the fresh state). */
  readonly beforeRetry?: () => Promise<void>;
}

/**
 * Sends `make(timestamp)` with a fresh timestamp from `ctx.clock`; on `require_greater_timestamp`
 * (or a code of `alsoRetryOn`) pushes the clock past the server's bound, runs `beforeRetry` and
 * sends a newly made request, at most 3 more times. Resolves once the server accepts; throws
 * `ErrorReplyError` (a `TransportError`) for any other refusal or when the retries run out, and
 * whatever `make` or the transport throws.
 */
export async function sendWithFreshTimestamp(
  ctx: Pick<ClientContext, 'transport' | 'clock'>,
  make: (timestamp: Timestamp) => Promise<AuthenticatedRequest>,
  options: ResendOptions = {},
): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    const rep = await ctx.transport.send(await make(ctx.clock()));
    if (isErrorReply(rep) && attempt < MAX_RETRIES && (rep.code === 'require_greater_timestamp' || options.alsoRetryOn?.includes(rep.code))) {
      if (rep.code === 'require_greater_timestamp') ctx.clock.bump(rep.strictlyGreaterThan);
      await options.beforeRetry?.();
      continue;
    }
    expectOk(rep);
    return;
  }
}
