/**
 * Waiting out a server's rate limit. A `too_many_requests` reply is given before the command runs
 * (the server checks its limits first), so sending the command again is safe; an authenticated
 * command is signed again each time, since the server's replay guard has seen the first signature.
 *
 * The server's `retryAfterMs` is unsigned: each pause is bounded by `MAX_RETRY_AFTER_MS` and the
 * number of retries by the caller, so a lying server can slow a client down by at most
 * `retries × MAX_RETRY_AFTER_MS`, never park it.
 * @module
 */
import { AbortError } from '../errors.js';
import { retryAfterHint } from './transport.js';

/** Retries of a rate-limited command by the HTTP transports (`HttpTransportOptions.rateLimitRetries`). */
export const DEFAULT_RATE_LIMIT_RETRIES = 3;

/** Resolves after `ms`, or rejects with `AbortError` as soon as `signal` aborts. */
export function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  if (signal?.aborted) return Promise.reject(new AbortError('request aborted', { cause: signal.reason }));
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new AbortError('request aborted', { cause: signal?.reason }));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Calls `attempt` until its reply is not `too_many_requests` or `retries` retries are spent
 * (then the last reply is returned as is), pausing for the bounded hint in between.
 * @throws AbortError `abort/aborted` when `signal` aborts during a pause; whatever `attempt` throws.
 */
export async function withRateLimitRetry<T>(attempt: () => Promise<T>, retries: number, signal: AbortSignal | undefined): Promise<T> {
  for (let tries = 0; ; tries++) {
    const reply = await attempt();
    const wait = retryAfterHint(reply);
    if (wait === undefined || tries >= retries) return reply;
    await pause(wait, signal);
  }
}
