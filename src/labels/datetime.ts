/**
 * `xs:dateTime` in UTC for label times (ADatP-4774 `CreationDateTime`, `ReviewDateTime`) ⇄ sealsync
 * µs timestamps.
 * @module
 */
import { LabelError } from '../errors.js';
import type { Timestamp } from '../codec/timestamps.js';

/** Formats `t` as `YYYY-MM-DDThh:mm:ss[.ffffff]Z` (fraction only when non-zero, trailing zeros cut). */
export function formatDateTime(t: Timestamp): string {
  if (!Number.isSafeInteger(t) || t < 0) throw new LabelError('label/invalid-time', 'a label time is a non-negative µs timestamp');
  const ms = Math.floor(t / 1000);
  const iso = new Date(ms).toISOString(); // YYYY-MM-DDThh:mm:ss.sssZ
  const micros = t % 1_000_000;
  const frac = micros === 0 ? '' : `.${String(micros).padStart(6, '0').replace(/0+$/, '')}`;
  return `${iso.slice(0, 19)}${frac}Z`;
}

const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?(Z|[+-]\d{2}:\d{2})$/;

/**
 * Parses an `xs:dateTime` with an explicit zone (`Z` or `±hh:mm`) and at most 6 fraction digits.
 * @throws LabelError `label/invalid-time` (no zone, bad field, before 1970, out of range).
 */
export function parseDateTime(s: string): Timestamp {
  const m = DATE_TIME.exec(s);
  if (!m) throw new LabelError('label/invalid-time', `not an xs:dateTime with a time zone: ${s.slice(0, 40)}`);
  const [, y, mo, d, h, mi, se, frac = '', zone] = m;
  const base = Date.UTC(+y!, +mo! - 1, +d!, +h!, +mi!, +se!);
  const check = new Date(base);
  if (Number.isNaN(base) || check.getUTCMonth() !== +mo! - 1 || check.getUTCDate() !== +d! || +h! > 23 || +mi! > 59 || +se! > 59) {
    throw new LabelError('label/invalid-time', `invalid date or time: ${s}`);
  }
  let offsetMin = 0;
  if (zone !== 'Z') {
    const [zh, zm] = zone!.slice(1).split(':').map(Number) as [number, number];
    if (zh > 14 || zm > 59) throw new LabelError('label/invalid-time', `invalid time zone: ${s}`);
    offsetMin = (zone!.startsWith('-') ? -1 : 1) * (zh * 60 + zm);
  }
  const t = (base - offsetMin * 60_000) * 1000 + Number(frac.padEnd(6, '0'));
  if (!Number.isSafeInteger(t) || t < 0) throw new LabelError('label/invalid-time', `time out of range: ${s}`);
  return t;
}
