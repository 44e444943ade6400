/**
 * What every command handler receives.
 * @module
 */
import type { CertificateStore } from '../certificates/index.js';
import type { DeviceId, UserId } from '../codec/ids.js';
import type { Clock, Timestamp } from '../codec/timestamps.js';
import type { Org } from './org.js';

/** Server-wide settings the handlers apply. */
export interface ServerConfig {
  readonly clock: Clock;
  /** Accepted distance (µs) between a client timestamp and the server clock. */
  readonly timestampWindow: number;
  /** Attempts per invitation. */
  readonly maxAttempts: number;
  /** Open (not finished or cancelled) invitations per organisation. */
  readonly maxOpenInvitations: number;
  /** Largest reply body the server builds (batch reads are refused `too_large` beyond). */
  readonly maxReplySize: number;
  /** Shortest delay (µs) between a `deletion_planned` certificate and its deletion date (RFC 1028). */
  readonly minimumArchivingPeriod: number;
  /** Aborted when the server closes: long polls return at once. */
  readonly shutdown: AbortSignal;
}

/** An anonymous request (bootstrap, claimer side). */
export interface AnonymousContext {
  readonly config: ServerConfig;
  readonly org: Org;
  readonly now: Timestamp;
}

/** An authenticated request: the device and its (non-revoked) user. */
export interface DeviceContext extends AnonymousContext {
  readonly store: CertificateStore;
  readonly deviceId: DeviceId;
  readonly userId: UserId;
}
