/**
 * Timestamps the client signs with.
 * @module
 */
import type { Clock, Timestamp } from '../codec/timestamps.js';

/**
 * Wraps `clock` so that it never returns the same or an earlier value twice: certificate topics
 * need strictly increasing timestamps (the certificate rules), and two writes within one microsecond (or a
 * clock stepping back) must not produce documents the server or a peer would refuse.
 */
export function strictlyIncreasing(clock: Clock): Clock & { bump(after: Timestamp): void } {
  let last = 0;
  const next = (() => {
    const t = clock();
    last = t > last ? t : last + 1;
    return last;
  }) as Clock & { bump(after: Timestamp): void };
  /** Makes the next value greater than `after` (the server's "require greater timestamp" bound). */
  next.bump = (after: Timestamp) => {
    if (after > last) last = after;
  };
  return next;
}
