/**
 * Timestamps are integer microseconds since the Unix epoch (the encoding rules). A JS number holds them
 * exactly until the year 2255 (2^53 µs), so no bigint is needed in the API.
 * @module
 */
import { CodecError } from '../errors.js';

export type Timestamp = number;

/** A source of time, injectable so tests and simulations are deterministic. */
export type Clock = () => Timestamp;

export const systemClock: Clock = () => Date.now() * 1000;

export function isTimestamp(t: unknown): t is Timestamp {
  return typeof t === 'number' && Number.isSafeInteger(t) && t >= 0;
}

export function checkTimestamp(t: unknown): Timestamp {
  if (!isTimestamp(t)) throw new CodecError('codec/invalid-timestamp', 'a timestamp is a non-negative integer of µs');
  return t;
}

export function timestampFromDate(d: Date): Timestamp {
  return checkTimestamp(d.getTime() * 1000);
}

export function timestampToDate(t: Timestamp): Date {
  return new Date(Math.floor(checkTimestamp(t) / 1000));
}

export const MICROSECONDS_PER_SECOND = 1_000_000;
