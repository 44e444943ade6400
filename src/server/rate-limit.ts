/**
 * Token-bucket rate limits of the reference server. Anonymous commands (bootstrap, the claimer's
 * side of an invitation) are processed before anything authenticates them, and invitation
 * commands make the server hold state and relay; both are what a flood aims at. Each is limited
 * per organisation and, where the transport knows it, per network address.
 *
 * The buckets live in a bounded map (least recently used first out), so an attacker spraying
 * addresses costs the server a fixed amount of memory; an evicted address starts again with a full
 * bucket, which is why every anonymous request also draws from its organisation's bucket.
 * @module
 */
import { ArgumentError } from '../errors.js';

/** A bucket of `burst` tokens refilled at `perSecond` tokens per second. */
export interface RateLimit {
  /** Most requests accepted at once after a quiet period (> 0, integer). */
  readonly burst: number;
  /** Sustained requests per second (> 0). */
  readonly perSecond: number;
}

/** The server's limits; `false` turns one off. */
export interface RateLimitOptions {
  /** Anonymous requests per network address (HTTP binding only). Default 60 at once, 10/s. */
  readonly anonymousPerAddress?: RateLimit | false;
  /** Anonymous requests per organisation. Default 600 at once, 100/s. */
  readonly anonymousPerOrganization?: RateLimit | false;
  /**
   * Invitation commands (create, cancel, greeter join) per organisation. Default 100 at once,
   * 10/s.
   */
  readonly invitationsPerOrganization?: RateLimit | false;
  /** Most buckets kept per limit (least recently used evicted first). Default 10 000. */
  readonly maxTrackedKeys?: number;
  /**
   * Monotonic milliseconds; default `performance.now`. Rate limits are about real elapsed time, not
   * the protocol clock a deployment (or a test) may set for the server, hence a separate clock.
   */
  readonly now?: () => number;
}

/** The default limits: generous for honest use (a SAS claim is about ten anonymous requests). */
export const DEFAULT_RATE_LIMITS = Object.freeze({
  anonymousPerAddress: Object.freeze({ burst: 60, perSecond: 10 }),
  anonymousPerOrganization: Object.freeze({ burst: 600, perSecond: 100 }),
  invitationsPerOrganization: Object.freeze({ burst: 100, perSecond: 10 }),
  maxTrackedKeys: 10_000,
});

/** The outcome of taking a token: allowed, or refused with how long until one is available. */
export type RateDecision = { readonly ok: true } | { readonly ok: false; readonly retryAfterMs: number };

interface Bucket {
  tokens: number;
  /** Milliseconds of `now` at the last take. */
  at: number;
}

function checkLimit(limit: RateLimit, what: string): void {
  if (!Number.isInteger(limit.burst) || limit.burst < 1) throw new ArgumentError('argument/invalid', `${what}.burst must be a positive integer`);
  if (!(Number.isFinite(limit.perSecond) && limit.perSecond > 0)) throw new ArgumentError('argument/invalid', `${what}.perSecond must be a positive number`);
}

/**
 * The state after `elapsedMs` of refill and one take: a pure rule, so that the arithmetic is
 * tested without a clock. A clock that goes backwards refills nothing (never a negative refill).
 */
export function takeToken(tokens: number, elapsedMs: number, limit: RateLimit): { tokens: number; decision: RateDecision } {
  const refilled = Math.min(limit.burst, tokens + (Math.max(0, elapsedMs) / 1000) * limit.perSecond);
  if (refilled >= 1) return { tokens: refilled - 1, decision: { ok: true } };
  const retryAfterMs = Math.max(1, Math.ceil(((1 - refilled) / limit.perSecond) * 1000));
  return { tokens: refilled, decision: { ok: false, retryAfterMs } };
}

/** One limit over many keys (addresses or organisation ids), in bounded memory. */
export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  /** Throws `ArgumentError` (`argument/invalid`) for a limit that is not positive. */
  constructor(
    private readonly limit: RateLimit,
    private readonly maxKeys: number = DEFAULT_RATE_LIMITS.maxTrackedKeys,
    what = 'rate limit',
  ) {
    checkLimit(limit, what);
    if (!Number.isInteger(maxKeys) || maxKeys < 1) throw new ArgumentError('argument/invalid', 'maxTrackedKeys must be a positive integer');
  }

  /** Takes one token of `key`'s bucket at time `now` (monotonic milliseconds). */
  take(key: string, now: number): RateDecision {
    const bucket = this.buckets.get(key);
    const tokens = bucket === undefined ? this.limit.burst : bucket.tokens;
    const elapsed = bucket === undefined ? 0 : now - bucket.at;
    const { tokens: left, decision } = takeToken(tokens, elapsed, this.limit);
    // Re-inserting keeps the map in least-recently-used order for eviction.
    this.buckets.delete(key);
    this.buckets.set(key, { tokens: left, at: bucket === undefined || now > bucket.at ? now : bucket.at });
    if (this.buckets.size > this.maxKeys) {
      const oldest = this.buckets.keys().next().value;
      if (oldest !== undefined) this.buckets.delete(oldest);
    }
    return decision;
  }

  /** How many keys are tracked (bounded by `maxTrackedKeys`). */
  get size(): number {
    return this.buckets.size;
  }
}

/** The three limits of a server, built from its options. */
export class ServerRateLimits {
  /** Monotonic milliseconds for `take`. */
  readonly now: () => number;
  readonly anonymousPerAddress: RateLimiter | null;
  readonly anonymousPerOrganization: RateLimiter | null;
  readonly invitationsPerOrganization: RateLimiter | null;

  /** Throws `ArgumentError` (`argument/invalid`) for a malformed limit. */
  constructor(options: RateLimitOptions = {}) {
    const max = options.maxTrackedKeys ?? DEFAULT_RATE_LIMITS.maxTrackedKeys;
    this.now = options.now ?? (() => performance.now());
    const make = (value: RateLimit | false | undefined, fallback: RateLimit, what: string): RateLimiter | null =>
      value === false ? null : new RateLimiter(value ?? fallback, max, what);
    this.anonymousPerAddress = make(options.anonymousPerAddress, DEFAULT_RATE_LIMITS.anonymousPerAddress, 'anonymousPerAddress');
    this.anonymousPerOrganization = make(options.anonymousPerOrganization, DEFAULT_RATE_LIMITS.anonymousPerOrganization, 'anonymousPerOrganization');
    this.invitationsPerOrganization = make(options.invitationsPerOrganization, DEFAULT_RATE_LIMITS.invitationsPerOrganization, 'invitationsPerOrganization');
  }
}
