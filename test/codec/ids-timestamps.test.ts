import { describe, expect, it } from 'vitest';
import { idFromBytes, idToBytes, isId, newId, parseId, type RealmId, type UserId } from '../../src/codec/ids.js';
import {
  checkTimestamp,
  isTimestamp,
  MICROSECONDS_PER_SECOND,
  systemClock,
  timestampFromDate,
  timestampToDate,
} from '../../src/codec/timestamps.js';
import { expectCodecError } from './helpers.js';

describe('ids', () => {
  it('newId gives distinct 32-char lowercase hex ids', () => {
    const a = newId<UserId>();
    const b = newId<UserId>();
    expect(a).toMatch(/^[0-9a-f]{32}$/);
    expect(a).not.toBe(b);
  });
  it('bytes ⇄ id round-trip', () => {
    const bytes = Uint8Array.from({ length: 16 }, (_, i) => i * 17);
    const id = idFromBytes<RealmId>(bytes);
    expect(id).toBe('00112233445566778899aabbccddeeff');
    expect(idToBytes(id)).toEqual(bytes);
  });
  it('parseId accepts only the canonical lowercase spelling', () => {
    expect(parseId<UserId>('ab'.repeat(16))).toBe('ab'.repeat(16));
    expectCodecError(() => parseId('AB'.repeat(16)), 'codec/invalid-id');
    expectCodecError(() => parseId('ab'.repeat(15)), 'codec/invalid-id');
    expectCodecError(() => parseId('zz'.repeat(16)), 'codec/invalid-id');
    expect(isId(5)).toBe(false);
  });
  it('idFromBytes/idToBytes reject the wrong length', () => {
    expectCodecError(() => idFromBytes(new Uint8Array(15)), 'codec/invalid-id');
    expectCodecError(() => idFromBytes(new Uint8Array(17)), 'codec/invalid-id');
    expectCodecError(() => idToBytes('ab' as UserId), 'codec/invalid-id');
  });
});

describe('timestamps', () => {
  it('are integer microseconds', () => {
    const d = new Date(Date.UTC(2024, 0, 1));
    expect(timestampFromDate(d)).toBe(d.getTime() * 1000);
    expect(timestampToDate(timestampFromDate(d)).getTime()).toBe(d.getTime());
    expect(timestampToDate(1_500)).toEqual(new Date(1));
    expect(MICROSECONDS_PER_SECOND).toBe(1e6);
    expect(isTimestamp(systemClock())).toBe(true);
  });
  it('reject negative, fractional and unsafe values', () => {
    for (const bad of [-1, 1.5, 2 ** 53, Number.NaN, '1']) {
      expect(isTimestamp(bad)).toBe(false);
      expectCodecError(() => checkTimestamp(bad), 'codec/invalid-timestamp');
    }
    expectCodecError(() => timestampFromDate(new Date(Number.NaN)), 'codec/invalid-timestamp');
  });
});
