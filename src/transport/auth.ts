/**
 * Signed request authentication (the sync model).
 *
 * An authenticated request is its body plus four values: organisation id, device id, timestamp
 * (µs) and an Ed25519 signature by the device over
 *
 *     "sealsync/1/request" ‖ 0x00 ‖ orgId (16 bytes) ‖ deviceId (16 bytes) ‖ u64be(timestamp) ‖ SHA-256(body)
 *
 * The body names the command and carries every argument, so the signature covers what is asked;
 * the organisation and device ids stop a signature made for one organisation (or claimed by
 * another device) from being replayed elsewhere; the context string and its NUL separator keep
 * this message from ever being a valid certificate or manifest body (those are CBOR maps, whose
 * first byte is never `s`), so no signed request can be passed off as a signed document.
 * The timestamp bounds how long a captured request stays usable (±5 minutes), and the server
 * remembers the requests it saw within that window (`ReplayGuard`) so none is executed twice.
 * @module
 */
import { concatBytes, fromBase64Url, toBase64Url, u64be, utf8Encode } from '../bytes.js';
import { idToBytes, isId, type DeviceId, type OrganizationId } from '../codec/ids.js';
import type { Clock, Timestamp } from '../codec/timestamps.js';
import { ArgumentError } from '../errors.js';
import { sha256, type SigningKey, type VerifyKey } from '../keys/index.js';

/** Domain-separation prefix of every request signature. */
export const REQUEST_SIGNATURE_CONTEXT = utf8Encode('sealsync/1/request');
/** Accepted distance between a request's timestamp and the server clock: 5 minutes. */
export const REQUEST_TIMESTAMP_WINDOW = 5 * 60 * 1_000_000;
const SIGNATURE_LENGTH = 64;

/** HTTP header names carrying the authentication (the organisation is in the URL path). */
export const AUTH_HEADERS = {
  device: 'x-sealsync-device',
  timestamp: 'x-sealsync-timestamp',
  signature: 'x-sealsync-signature',
} as const;

/** The authentication of one request, as it travels next to the body. */
export interface SignedRequestAuth {
  readonly organizationId: OrganizationId;
  readonly deviceId: DeviceId;
  readonly timestamp: Timestamp;
  readonly signature: Uint8Array;
}

/** What a client needs to sign requests as one of its devices. */
export interface DeviceCredentials {
  readonly organizationId: OrganizationId;
  readonly deviceId: DeviceId;
  readonly signingKey: SigningKey;
}

/**
 * The exact bytes a device signs for `body`. Throws `CodecError` for a malformed id and
 * `ArgumentError` for a timestamp that is not a safe uint.
 */
export async function requestSigningMessage(
  organizationId: OrganizationId,
  deviceId: DeviceId,
  timestamp: Timestamp,
  body: Uint8Array,
): Promise<Uint8Array> {
  return concatBytes(REQUEST_SIGNATURE_CONTEXT, new Uint8Array([0]), idToBytes(organizationId), idToBytes(deviceId), u64be(timestamp), await sha256(body));
}

/** Signs `body` for `credentials` at `timestamp`. Throws like `requestSigningMessage`. */
export async function signRequest(credentials: DeviceCredentials, body: Uint8Array, timestamp: Timestamp): Promise<SignedRequestAuth> {
  const message = await requestSigningMessage(credentials.organizationId, credentials.deviceId, timestamp, body);
  return {
    organizationId: credentials.organizationId,
    deviceId: credentials.deviceId,
    timestamp,
    signature: await credentials.signingKey.sign(message),
  };
}

/**
 * True if `auth.signature` is `verifyKey`'s signature of `body` under `auth`'s ids and timestamp.
 * Never throws for hostile values: a malformed id, timestamp or signature is simply `false`.
 */
export async function verifyRequestSignature(auth: SignedRequestAuth, body: Uint8Array, verifyKey: VerifyKey): Promise<boolean> {
  if (!(auth.signature instanceof Uint8Array) || auth.signature.length !== SIGNATURE_LENGTH) return false;
  if (!isId(auth.organizationId) || !isId(auth.deviceId) || !Number.isSafeInteger(auth.timestamp) || auth.timestamp < 0) return false;
  const message = await requestSigningMessage(auth.organizationId, auth.deviceId, auth.timestamp, body);
  try {
    return await verifyKey.verify(message, auth.signature);
  } catch {
    return false;
  }
}

/**
 * `null` if `timestamp` is within `window` µs of `now`, else the two values to report in a
 * `timestamp_out_of_ballpark` reply (so the client can tell its clock is off).
 */
export function ballparkProblem(
  timestamp: Timestamp,
  now: Timestamp,
  window: number = REQUEST_TIMESTAMP_WINDOW,
): { serverTimestamp: Timestamp; clientTimestamp: Timestamp } | null {
  return Math.abs(timestamp - now) <= window ? null : { serverTimestamp: now, clientTimestamp: timestamp };
}

/** The auth values as HTTP headers (besides the organisation, which is in the path). */
export function authToHeaders(auth: SignedRequestAuth): Record<string, string> {
  return {
    [AUTH_HEADERS.device]: auth.deviceId,
    [AUTH_HEADERS.timestamp]: String(auth.timestamp),
    [AUTH_HEADERS.signature]: toBase64Url(auth.signature),
  };
}

/**
 * Parses the auth headers of a request for `organizationId`; `header(name)` returns a header's
 * value. Returns `null` when a header is missing or malformed (→ `authentication_failed`).
 */
export function authFromHeaders(organizationId: OrganizationId, header: (name: string) => string | undefined): SignedRequestAuth | null {
  const device = header(AUTH_HEADERS.device);
  const ts = header(AUTH_HEADERS.timestamp);
  const sig = header(AUTH_HEADERS.signature);
  if (device === undefined || ts === undefined || sig === undefined) return null;
  // Canonical spellings only: decimal without sign or leading zeros, lowercase hex ids.
  if (!isId(device) || !/^(0|[1-9][0-9]{0,15})$/.test(ts)) return null;
  const timestamp = Number(ts);
  if (!Number.isSafeInteger(timestamp)) return null;
  let signature: Uint8Array;
  try {
    signature = fromBase64Url(sig);
  } catch {
    return null;
  }
  if (signature.length !== SIGNATURE_LENGTH) return null;
  return { organizationId, deviceId: device as DeviceId, timestamp, signature };
}

/** Options of `ReplayGuard`. */
export interface ReplayGuardOptions {
  /** How long a request stays acceptable after its timestamp (µs); default 5 minutes. */
  readonly window?: number;
  /** Most remembered requests; beyond it (after dropping expired ones) new requests are refused. */
  readonly maxEntries?: number;
}

/**
 * Remembers the authenticated requests seen within the timestamp window, so a captured request
 * cannot be executed a second time (a replayed `vlob_update` or `user_revoke` would otherwise be
 * accepted while its timestamp is in the ballpark). Entries expire when their timestamp leaves the
 * window, after which the timestamp check refuses the replay anyway. Memory is bounded: when
 * full of unexpired entries, `check` refuses (fail closed) rather than forgetting.
 */
export class ReplayGuard {
  private readonly seen = new Map<string, Timestamp>();
  private readonly window: number;
  private readonly maxEntries: number;

  /**
   * An empty guard.
   * @param options - the acceptance window (µs, default `REQUEST_TIMESTAMP_WINDOW`) and the most
   *   remembered requests (default 10⁶).
   * @throws {@link ArgumentError} `argument/out-of-range` for a negative window or fewer than 1 entry.
   */
  constructor(options: ReplayGuardOptions = {}) {
    this.window = options.window ?? REQUEST_TIMESTAMP_WINDOW;
    this.maxEntries = options.maxEntries ?? 1_000_000;
    if (!Number.isSafeInteger(this.window) || this.window < 0 || !Number.isSafeInteger(this.maxEntries) || this.maxEntries < 1) {
      throw new ArgumentError('argument/out-of-range', 'ReplayGuard window and maxEntries must be positive integers');
    }
  }

  /**
   * Records request `key` (unique per signed message) with its `timestamp`; returns `'fresh'` the
   * first time, `'replay'` if it was seen and has not expired, `'full'` if it cannot be recorded.
   */
  check(key: string, timestamp: Timestamp, now: Timestamp): 'fresh' | 'replay' | 'full' {
    const known = this.seen.get(key);
    if (known !== undefined && known >= now) return 'replay';
    this.prune(now, false);
    if (this.seen.size >= this.maxEntries) {
      this.prune(now, true);
      if (this.seen.size >= this.maxEntries) return 'full';
    }
    this.seen.delete(key);
    this.seen.set(key, timestamp + this.window);
    return 'fresh';
  }

  /** Number of remembered requests. */
  get size(): number {
    return this.seen.size;
  }

  private prune(now: Timestamp, full: boolean): void {
    // Insertion order is roughly expiry order (timestamps are near the clock), so the cheap pass
    // stops at the first live entry; the full pass runs only when the map is at its bound.
    for (const [k, expiry] of this.seen) {
      if (expiry < now) this.seen.delete(k);
      else if (!full) return;
    }
  }
}

/**
 * The `ReplayGuard` key of a verified request. The signature identifies the signed message: strict
 * Ed25519 verification (canonical S, canonical points) leaves a third party no way to derive a
 * second valid signature of a captured message, so a replay always carries the same bytes.
 */
export function replayKey(auth: SignedRequestAuth): string {
  return `${auth.organizationId}:${auth.deviceId}:${toBase64Url(auth.signature)}`;
}

/** A clock that never returns the same value twice (µs resolution from a ms system clock). */
export function monotonicClock(base: Clock): Clock {
  let last = 0;
  return () => {
    const t = Math.max(base(), last + 1);
    last = t;
    return t;
  };
}
