/**
 * Sending a request that carries certificates signed "now": the server orders each certificate
 * topic on one clock and refuses a timestamp not strictly after the topic's last one
 * (`require_greater_timestamp`, the certificate rules), so a device whose clock lags, or that raced another
 * device, re-signs past the server's bound and tries again.
 * @module
 */
import type { Timestamp } from '../codec/timestamps.js';
import { REASONS } from '../certificates/reasons.js';
import type { AuthenticatedRequest, ErrorCode, ErrorReply } from '../transport/commands.js';
import { expectOk, isErrorReply } from '../transport/transport.js';
import type { ClientContext } from './context.js';

/** Retries after the first attempt: bounded so that a server that keeps refusing cannot spin the client forever. */
const MAX_RETRIES = 3;

/**
 * `invalid_certificate` reasons that mean "your chain head is stale" (another device's
 * certificate landed first): sync certificates, re-sign on the new head, retry.
 */
const STALE_HEAD_REASONS: ReadonlySet<string> = new Set([
  REASONS.chainReplaced,
  REASONS.chainPrevMismatch,
  REASONS.chainGap,
  REASONS.commonHeadUnknown,
]);

function staleHead(rep: ErrorReply): boolean {
  return rep.code === 'invalid_certificate' && STALE_HEAD_REASONS.has(rep.reason);
}

/** Extra retry rules of one request. */
export interface ResendOptions {
  /** Further refusals worth a retry (e.g. `realm_members_mismatch`: the member list was stale). */
  readonly alsoRetryOn?: readonly ErrorCode[];
  /** Runs before every retry (e.g. re-sync certificates so that `make` sees the fresh state). */
  readonly beforeRetry?: () => Promise<void>;
}

/**
 * Sends `make(timestamp)` with a fresh timestamp from `ctx.clock`; on a stale chain head
 * (`invalid_certificate` `chain-replaced` / `chain-prev-mismatch` / `chain-gap` /
 * `common-head-unknown`) syncs certificates first; on `require_greater_timestamp`
 * (or a code of `alsoRetryOn`) pushes the clock past the server's bound, runs `beforeRetry` and
 * sends a newly made request, at most 3 more times. Resolves once the server accepts; throws
 * `ErrorReplyError` (a `TransportError`) for any other refusal or when the retries run out, and
 * whatever `make` or the transport throws.
 */
export async function sendWithFreshTimestamp(
  ctx: Pick<ClientContext, 'transport' | 'clock' | 'syncCertificates'>,
  make: (timestamp: Timestamp) => Promise<AuthenticatedRequest>,
  options: ResendOptions = {},
): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    const rep = await ctx.transport.send(await make(ctx.clock()));
    if (isErrorReply(rep) && attempt < MAX_RETRIES && staleHead(rep)) {
      // Another certificate took the position: `make` re-reads the head after this sync.
      await ctx.syncCertificates();
      await options.beforeRetry?.();
      continue;
    }
    if (isErrorReply(rep) && attempt < MAX_RETRIES && (rep.code === 'require_greater_timestamp' || options.alsoRetryOn?.includes(rep.code))) {
      if (rep.code === 'require_greater_timestamp') ctx.clock.bump(rep.strictlyGreaterThan);
      await options.beforeRetry?.();
      continue;
    }
    expectOk(rep);
    return;
  }
}
