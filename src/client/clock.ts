/**
 * Timestamps the client signs with.
 * @module
 */
import type { Clock, Timestamp } from '../codec/timestamps.js';
import { TransportError } from '../errors.js';

/**
 * Wraps `clock` so that it never returns the same or an earlier value twice: certificate topics
 * need strictly increasing timestamps (the certificate rules), and two writes within one
 * microsecond (or a clock stepping back) must not produce documents the server or a peer would
 * refuse.
 *
 * `bump(after)` follows the server's unsigned `require_greater_timestamp` hint, but never to more
 * than `tolerance` µs ahead of the wrapped clock. Attack stopped: this same clock is the "now" of
 * every future-timestamp check, so an unbounded hint would switch those checks off — a server
 * pushes an admin's clock ten years ahead, the admin signs a revocation dated then, and its own
 * client goes on accepting the "revoked" user's writes dated today. Beyond the bound `bump` throws
 * `TransportError` `transport/clock-hint-too-far` and the clock is unchanged, so nothing is signed
 * with the lie.
 */
export function strictlyIncreasing(clock: Clock, tolerance: number): Clock & { bump(after: Timestamp): void } {
  let last = 0;
  const next = (() => {
    const t = clock();
    last = t > last ? t : last + 1;
    return last;
  }) as Clock & { bump(after: Timestamp): void };
  /** Makes the next value greater than `after` (the server's "require greater timestamp" bound). */
  next.bump = (after: Timestamp) => {
    const now = clock();
    if (!Number.isSafeInteger(after) || after - now >= tolerance) {
      throw new TransportError(
        'transport/clock-hint-too-far',
        `the server asks for a timestamp after ${after}, ${tolerance} µs or more ahead of this device's clock (${now})`,
      );
    }
    if (after > last) last = after;
  };
  return next;
}
