/** Request signing, header parsing and replay protection. */
import { describe, expect, it } from 'vitest';
import { concatBytes, toHex, u64be, utf8Encode } from '../../src/bytes.js';
import type { DeviceId, OrganizationId } from '../../src/codec/ids.js';
import { ArgumentError } from '../../src/errors.js';
import { SigningKey, sha256Sync } from '../../src/keys/index.js';
import {
  AUTH_HEADERS,
  ReplayGuard,
  authFromHeaders,
  authToHeaders,
  ballparkProblem,
  monotonicClock,
  requestSigningMessage,
  signRequest,
  verifyRequestSignature,
} from '../../src/transport/index.js';

const org = '0123456789abcdef0123456789abcdef' as OrganizationId;
const dev = 'fedcba9876543210fedcba9876543210' as DeviceId;
const key = SigningKey.fromBytes(new Uint8Array(32).fill(9));
const body = utf8Encode('body');

describe('request authentication', () => {
  it('signs exactly context ‖ 0 ‖ org ‖ device ‖ u64be(ts) ‖ sha256(body)', async () => {
    const m = await requestSigningMessage(org, dev, 5, body);
    const expected = concatBytes(utf8Encode('sealsync/1/request'), new Uint8Array([0]), Uint8Array.from(Buffer.from(org, 'hex')), Uint8Array.from(Buffer.from(dev, 'hex')), u64be(5), sha256Sync(body));
    expect(toHex(m)).toBe(toHex(expected));
  });

  it('verifies its own signature, and nothing else', async () => {
    const auth = await signRequest({ organizationId: org, deviceId: dev, signingKey: key }, body, 1000);
    expect(await verifyRequestSignature(auth, body, key.verifyKey)).toBe(true);
    expect(await verifyRequestSignature(auth, utf8Encode('other'), key.verifyKey)).toBe(false);
    expect(await verifyRequestSignature({ ...auth, timestamp: 1001 }, body, key.verifyKey)).toBe(false);
    expect(await verifyRequestSignature({ ...auth, deviceId: org as unknown as DeviceId }, body, key.verifyKey)).toBe(false);
    expect(await verifyRequestSignature(auth, body, SigningKey.generate().verifyKey)).toBe(false);
    expect(await verifyRequestSignature({ ...auth, signature: auth.signature.subarray(1) }, body, key.verifyKey)).toBe(false);
    expect(await verifyRequestSignature({ ...auth, deviceId: 'nope' as DeviceId }, body, key.verifyKey)).toBe(false);
  });

  it('headers round-trip; malformed headers are null', async () => {
    const auth = await signRequest({ organizationId: org, deviceId: dev, signingKey: key }, body, 1234);
    const headers = authToHeaders(auth);
    expect(authFromHeaders(org, (n) => headers[n])).toEqual(auth);
    const bad = (name: string, value: string | undefined) => authFromHeaders(org, (n) => (n === name ? value : headers[n]));
    expect(bad(AUTH_HEADERS.timestamp, '01234')).toBeNull();
    expect(bad(AUTH_HEADERS.timestamp, '-1')).toBeNull();
    expect(bad(AUTH_HEADERS.timestamp, '99999999999999999999')).toBeNull();
    // 16 digits pass the spelling check but exceed 2^53 - 1: Number() would round it, so two
    // header spellings could name one signed timestamp.
    expect(bad(AUTH_HEADERS.timestamp, '9999999999999999')).toBeNull();
    expect(bad(AUTH_HEADERS.device, dev.toUpperCase())).toBeNull();
    expect(bad(AUTH_HEADERS.signature, 'AAAA')).toBeNull();
    expect(bad(AUTH_HEADERS.signature, '!!')).toBeNull();
    expect(bad(AUTH_HEADERS.device, undefined)).toBeNull();
  });

  it('ballpark: within ±window is fine, beyond reports both clocks', () => {
    expect(ballparkProblem(100, 100 + 300_000_000)).toBeNull();
    expect(ballparkProblem(100, 100 + 300_000_001)).toEqual({ serverTimestamp: 300_000_101, clientTimestamp: 100 });
  });

  it('replay guard: a request is fresh once, a replay is refused, expired entries are forgotten', () => {
    const g = new ReplayGuard({ window: 100 });
    expect(g.check('a', 1000, 1000)).toBe('fresh');
    expect(g.check('a', 1000, 1050)).toBe('replay');
    expect(g.check('b', 1010, 1050)).toBe('fresh');
    // after expiry, the timestamp check refuses it anyway; the guard may forget it
    expect(g.check('c', 1200, 1200)).toBe('fresh');
    expect(g.size).toBe(1);
  });

  it('replay guard fails closed when full of live entries', () => {
    const g = new ReplayGuard({ window: 1000, maxEntries: 2 });
    expect(g.check('a', 0, 0)).toBe('fresh');
    expect(g.check('b', 0, 0)).toBe('fresh');
    expect(g.check('c', 0, 0)).toBe('full');
    expect(g.check('c', 0, 2000)).toBe('fresh');
    expect(() => new ReplayGuard({ maxEntries: 0 })).toThrow(ArgumentError);
  });

  it('monotonic clock never repeats', () => {
    const c = monotonicClock(() => 5);
    expect([c(), c(), c()]).toEqual([5, 6, 7]);
  });
});
