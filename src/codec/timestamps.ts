/**
 * Timestamps are integer microseconds since the Unix epoch (the encoding rules). A JS number holds them
 * exactly until the year 2255 (2^53 µs), so no bigint is needed in the API.
 * @module
 */
import { CodecError } from '../errors.js';

/** Integer microseconds since the Unix epoch (UTC), non-negative and a safe integer. */
export type Timestamp = number;

/** A source of time, injectable so tests and simulations are deterministic. */
export type Clock = () => Timestamp;

/** The wall clock (`Date.now()`) in microseconds; millisecond resolution, as browsers coarsen time anyway. */
export const systemClock: Clock = () => Date.now() * 1000;

/** True when `t` is a valid {@link Timestamp}: a non-negative safe integer. */
export function isTimestamp(t: unknown): t is Timestamp {
  return typeof t === 'number' && Number.isSafeInteger(t) && t >= 0;
}

/**
 * Returns `t` as a {@link Timestamp} if it is one.
 * @throws {@link CodecError} `codec/invalid-timestamp` when `t` is not a non-negative safe integer.
 */
export function checkTimestamp(t: unknown): Timestamp {
  if (!isTimestamp(t)) throw new CodecError('codec/invalid-timestamp', 'a timestamp is a non-negative integer of µs');
  return t;
}

/**
 * The timestamp of a `Date` (millisecond precision, times 1000).
 * @throws {@link CodecError} `codec/invalid-timestamp` for an invalid date or one before 1970.
 */
export function timestampFromDate(d: Date): Timestamp {
  return checkTimestamp(d.getTime() * 1000);
}

/**
 * The `Date` of a timestamp, truncated to the millisecond (a `Date` holds no more).
 * @throws {@link CodecError} `codec/invalid-timestamp` when `t` is not a valid timestamp.
 */
export function timestampToDate(t: Timestamp): Date {
  return new Date(Math.floor(checkTimestamp(t) / 1000));
}

/** 10⁶: converts seconds to {@link Timestamp} units. */
export const MICROSECONDS_PER_SECOND = 1_000_000;
