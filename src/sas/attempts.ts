/**
 * Client-side counting of SAS attempts. Each attempt is one 2⁻²⁰ guess per code for a
 * man in the middle, so the number of attempts per invitation must be bounded; the relay bounds
 * it too, but the relay is the server, which the threat model does not trust. The machines refuse
 * an attempt numbered past `MAX_SAS_ATTEMPTS` whatever the relay says, and `drive` counts the
 * attempts it ran per invitation in a ledger, so a relay that keeps answering "attempt 1" does not
 * reset anything.
 * @module
 */
import type { InvitationToken } from '../codec/ids.js';

/** Attempts one side runs per invitation, whatever the relay says (the relay's default is the same). */
export const MAX_SAS_ATTEMPTS = 5;

/** Where a side counts the attempts it ran per invitation. Implement it over storage to count across restarts. */
export interface SasAttemptLedger {
  /** Attempts already run for `token`. */
  count(token: InvitationToken): number;
  /** Records one more attempt for `token`; returns the new count. */
  record(token: InvitationToken): number;
}

/**
 * In-memory ledger; keeps at most `capacity` invitations (the oldest is forgotten first, which
 * only matters to a process juggling that many invitations at once).
 */
export class MemoryAttemptLedger implements SasAttemptLedger {
  private readonly counts = new Map<string, number>();

  /**
   * An empty ledger.
   * @param capacity - invitations remembered at most (default 10 000; the oldest is forgotten first).
   */
  constructor(private readonly capacity = 10_000) {}

  count(token: InvitationToken): number {
    return this.counts.get(token) ?? 0;
  }

  record(token: InvitationToken): number {
    const n = this.count(token) + 1;
    this.counts.delete(token);
    this.counts.set(token, n);
    if (this.counts.size > this.capacity) this.counts.delete(this.counts.keys().next().value as string);
    return n;
  }
}

/** The process-wide ledger `drive` uses when given none. */
export const defaultAttemptLedger: SasAttemptLedger = new MemoryAttemptLedger();
