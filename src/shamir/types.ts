/**
 * Shamir recovery documents (Parsec RFC 1000, sealsync's own formats): a user (the author) picks
 * recipients with weights and a threshold; a random recovery secret is split into as many shares
 * as the total weight; each recipient gets its shares sealed to its user key inside a signed share
 * certificate; the brief (threshold, weights and a commitment to the secret) is signed too.
 * @module
 */
import type { DeviceId, UserId } from '../codec/ids.js';
import type { Timestamp } from '../codec/timestamps.js';

/** Total weight at most: GF(256) gives at most 255 distinct shares. */
export const MAX_TOTAL_WEIGHT = 255;

/** The setup of one user: who holds how many shares, and how many are needed. */
export interface ShamirBrief {
  readonly type: 'shamir_brief';
  /** A device of `userId` (the user whose account the setup recovers). */
  readonly author: DeviceId;
  readonly timestamp: Timestamp;
  readonly userId: UserId;
  readonly threshold: number;
  /** Recipient → number of shares (its weight), each ≥ 1. */
  readonly recipients: ReadonlyMap<UserId, number>;
  /** SHA-256 of the domain-separated secret: checks a reconstruction (the library does not). */
  readonly secretDigest: Uint8Array;
}

/** One recipient's shares, sealed to its user public key, under the author's signature. */
export interface ShamirShareCertificate {
  readonly type: 'shamir_share';
  readonly author: DeviceId;
  readonly timestamp: Timestamp;
  readonly userId: UserId;
  readonly recipient: UserId;
  /** SHA-256 of the signed brief this share belongs to: a share of another setup is refused. */
  readonly briefDigest: Uint8Array;
  /** `sealBox(recipient public key, shareData)`. */
  readonly cipheredShare: Uint8Array;
}

/** What a sealed share holds: bound again to user, recipient and brief inside the ciphertext. */
export interface ShamirShareData {
  readonly userId: UserId;
  readonly recipient: UserId;
  readonly briefDigest: Uint8Array;
  readonly shares: readonly Uint8Array[];
}

/** The user removes its setup (a device of its own signs). */
export interface ShamirDeletion {
  readonly type: 'shamir_deletion';
  readonly author: DeviceId;
  readonly timestamp: Timestamp;
  readonly userId: UserId;
  readonly briefDigest: Uint8Array;
}

/** Any signed Shamir document, discriminated by `type`. */
export type ShamirDocument = ShamirBrief | ShamirShareCertificate | ShamirDeletion;
