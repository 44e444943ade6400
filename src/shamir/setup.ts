/**
 * Creating a Shamir recovery setup (Parsec RFC 1000 §1): a fresh random secret (a 32-byte data
 * key and a 16-byte reveal token) is split with the audited `shamir-secret-sharing` library into
 * as many shares as the total weight; each recipient's shares are sealed to its user key and
 * bound (inside the ciphertext and under the author's signature) to the user, the recipient and
 * the brief. The data key encrypts the recovery data (a recovery device of the user); the server
 * keeps that ciphertext and gives it only to whoever shows the reveal token, i.e. whoever gathered
 * enough shares.
 * @module
 */
import { split } from 'shamir-secret-sharing';
import { concatBytes, utf8Encode } from '../bytes.js';
import type { DeviceId, UserId } from '../codec/ids.js';
import type { Timestamp } from '../codec/timestamps.js';
import { randomBytes, sealBox, SecretKey, sha256, type PublicKey, type SigningKey } from '../keys/index.js';
import { shamirError } from './errors.js';
import { encodeShareData, signShamirDocument } from './formats.js';
import { MAX_TOTAL_WEIGHT, type ShamirBrief, type ShamirShareCertificate } from './types.js';

/** Length of the data key and of the reveal token inside the secret. */
export const DATA_KEY_LENGTH = 32;
/** Length in bytes of the reveal token (kept in the Shamir secret; the server hands out the recovery data only against it). */
export const REVEAL_TOKEN_LENGTH = 16;

const SECRET_DOMAIN = utf8Encode('sealsync/1/shamir-secret');
const SHARE_AAD = utf8Encode('sealsync/1/shamir-share');
const DATA_AAD = utf8Encode('sealsync/1/shamir-recovery-data');

/** The commitment to a secret written in the brief. */
export function secretDigest(secret: Uint8Array): Promise<Uint8Array> {
  return sha256(concatBytes(SECRET_DOMAIN, secret));
}

/** AAD of a sealed share: the recipient's sealed box is bound to this purpose. */
export function shareAad(): Uint8Array {
  return SHARE_AAD;
}

/** AAD of the recovery data: bound to the user it recovers. */
export function recoveryDataAad(userId: UserId): Uint8Array {
  return concatBytes(DATA_AAD, utf8Encode(userId));
}

/**
 * Checks threshold and weights: 2 ≤ threshold ≤ total weight ≤ 255, every weight ≥ 1 (a
 * threshold of 1 would hand the whole secret to every recipient; give one recipient a weight
 * equal to the threshold instead). Throws `ShamirError` `shamir/bad-threshold`, `shamir/bad-weight`.
 */
export function checkWeights(threshold: number, weights: Iterable<number>): number {
  let total = 0;
  for (const w of weights) {
    if (!Number.isSafeInteger(w) || w < 1) throw shamirError('bad-weight', `a recipient weight must be a positive integer, got ${w}`);
    total += w;
  }
  if (total > MAX_TOTAL_WEIGHT) throw shamirError('bad-threshold', `total weight ${total} is over ${MAX_TOTAL_WEIGHT}`);
  if (!Number.isSafeInteger(threshold) || threshold < 2 || threshold > total) {
    throw shamirError('bad-threshold', `the threshold must be between 2 and the total weight ${total}, got ${threshold}`);
  }
  return total;
}

/** A recipient of a setup: its user key (to seal its shares to) and its weight. */
export interface ShamirRecipient {
  readonly publicKey: PublicKey;
  readonly weight: number;
}

/** A signed setup, ready for the server. */
export interface ShamirSetup {
  /** The signed brief. */
  readonly brief: Uint8Array;
  readonly briefDigest: Uint8Array;
  /** Recipient → its signed share certificate. */
  readonly shares: ReadonlyMap<UserId, Uint8Array>;
  /** The recovery data, encrypted with the data key. */
  readonly cipheredData: Uint8Array;
  /** What the server asks before giving `cipheredData` out (it never sees the data key). */
  readonly revealToken: Uint8Array;
}

/**
 * Creates a setup for `author.userId`. `recoveryData` is what recovery gives back (sealsync puts
 * a recovery device there). Throws `ShamirError` (`bad-threshold`, `bad-weight`,
 * `author-recipient`).
 */
export async function createShamirSetup(args: {
  author: { readonly deviceId: DeviceId; readonly userId: UserId; readonly signingKey: SigningKey };
  recipients: ReadonlyMap<UserId, ShamirRecipient>;
  threshold: number;
  timestamp: Timestamp;
  recoveryData: Uint8Array;
}): Promise<ShamirSetup> {
  const { author, recipients, threshold, timestamp } = args;
  const total = checkWeights(threshold, [...recipients.values()].map((r) => r.weight));
  if (recipients.has(author.userId)) throw shamirError('author-recipient', 'a user cannot hold a share of its own recovery');
  const dataKey = randomBytes(DATA_KEY_LENGTH);
  const revealToken = randomBytes(REVEAL_TOKEN_LENGTH);
  const secret = concatBytes(dataKey, revealToken);
  const key = SecretKey.fromBytes(dataKey);
  const cipheredData = await key.encrypt(args.recoveryData, recoveryDataAad(author.userId));
  key.dispose();
  const pieces = await split(secret, total, threshold);
  const sorted = [...recipients].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const brief: ShamirBrief = {
    type: 'shamir_brief',
    author: author.deviceId,
    timestamp,
    userId: author.userId,
    threshold,
    recipients: new Map(sorted.map(([u, r]) => [u, r.weight])),
    secretDigest: await secretDigest(secret),
  };
  const signedBrief = await signShamirDocument(author.signingKey, brief);
  const briefDigest = await sha256(signedBrief);
  const shares = new Map<UserId, Uint8Array>();
  let next = 0;
  for (const [recipient, r] of sorted) {
    const mine = pieces.slice(next, next + r.weight);
    next += r.weight;
    const sealed = await sealBox(r.publicKey, encodeShareData({ userId: author.userId, recipient, briefDigest, shares: mine }), shareAad());
    const cert: ShamirShareCertificate = { type: 'shamir_share', author: author.deviceId, timestamp, userId: author.userId, recipient, briefDigest, cipheredShare: sealed };
    shares.set(recipient, await signShamirDocument(author.signingKey, cert));
  }
  secret.fill(0);
  dataKey.fill(0);
  return { brief: signedBrief, briefDigest, shares, cipheredData, revealToken };
}
