/**
 * Checking Shamir documents against the chain of trust, opening one's share, and recombining
 * (Parsec RFC 1000 §1–§3). Every check refuses with its own `ShamirError` code, and nothing is
 * returned from a document that failed any of them.
 * @module
 */
import { combine } from 'shamir-secret-sharing';
import { constantTimeEqual } from '../bytes.js';
import type { DeviceId, UserId } from '../codec/ids.js';
import type { Timestamp } from '../codec/timestamps.js';
import { openBox, SecretKey, sha256, type PrivateKey, type PublicKey, type VerifyKey } from '../keys/index.js';
import { shamirError } from './errors.js';
import { decodeShareData, readShamirDocument } from './formats.js';
import { checkWeights, DATA_KEY_LENGTH, recoveryDataAad, secretDigest, shareAad } from './setup.js';
import type { ShamirBrief, ShamirDocument, ShamirShareCertificate, ShamirShareData } from './types.js';

/** The point-in-time facts needed (a `CertificateStore` fits). */
export interface ShamirTrust {
  /** The device's user and verify key if the device existed at `at`, else `undefined`. */
  getDevice(deviceId: DeviceId, at: Timestamp): { readonly userId: UserId; readonly verifyKey: VerifyKey } | undefined;
  /** True if `userId` was revoked at or before `at`. */
  isRevoked(userId: UserId, at: Timestamp): boolean;
  /** The user's public key (share data is sealed to it) if the user exists (at `at` when given). */
  getUser(userId: UserId, at?: Timestamp): { readonly publicKey: PublicKey } | undefined;
}

/**
 * Verifies a signed document: its author is a device of `userId` at its timestamp
 * (`author-unknown`), that user is not revoked then (`author-revoked`), and the signature holds
 * (`bad-signature`); plus `corrupted` for undecodable bytes.
 */
export async function verifyShamirDocument<T extends ShamirDocument['type']>(trust: ShamirTrust, signed: Uint8Array, expected: T): Promise<Extract<ShamirDocument, { type: T }>> {
  const { document, body, signature } = readShamirDocument(signed, expected);
  const device = trust.getDevice(document.author, document.timestamp);
  if (device === undefined || device.userId !== document.userId) {
    throw shamirError('author-unknown', `device ${document.author} is not a device of ${document.userId} at ${document.timestamp}`);
  }
  if (trust.isRevoked(document.userId, document.timestamp)) throw shamirError('author-revoked', `user ${document.userId} is revoked`);
  if (!(await device.verifyKey.verify(body, signature))) throw shamirError('bad-signature', `the ${expected} signature does not verify`);
  return document;
}

/** A verified setup: the brief, its digest and every share certificate by recipient. */
export interface VerifiedShamirSetup {
  readonly brief: ShamirBrief;
  readonly briefDigest: Uint8Array;
  readonly shares: ReadonlyMap<UserId, ShamirShareCertificate>;
}

/**
 * Verifies a whole setup as the server (and any client) must before keeping it: the brief and
 * every share signed by the same device at the same time for the same user and brief
 * (`share-mismatch`), exactly one share per recipient of the brief (`share-mismatch`), weights
 * and threshold (`bad-threshold`, `bad-weight`), recipients that exist (`unknown-recipient`), are
 * not revoked at the brief's time (`revoked-recipient`) and are not the user itself
 * (`author-recipient`).
 */
export async function verifyShamirSetup(trust: ShamirTrust, signedBrief: Uint8Array, signedShares: readonly Uint8Array[]): Promise<VerifiedShamirSetup> {
  const brief = await verifyShamirDocument(trust, signedBrief, 'shamir_brief');
  checkWeights(brief.threshold, brief.recipients.values());
  for (const recipient of brief.recipients.keys()) {
    if (recipient === brief.userId) throw shamirError('author-recipient', 'a user cannot hold a share of its own recovery');
    if (trust.getUser(recipient, brief.timestamp) === undefined) throw shamirError('unknown-recipient', `recipient ${recipient} does not exist`);
    if (trust.isRevoked(recipient, brief.timestamp)) throw shamirError('revoked-recipient', `recipient ${recipient} is revoked`);
  }
  const briefDigest = await sha256(signedBrief);
  const shares = new Map<UserId, ShamirShareCertificate>();
  for (const signed of signedShares) {
    const share = await verifyShamirDocument(trust, signed, 'shamir_share');
    if (!constantTimeEqual(share.briefDigest, briefDigest)) throw shamirError('stale-share', 'a share belongs to another setup');
    if (share.author !== brief.author || share.timestamp !== brief.timestamp || share.userId !== brief.userId) {
      throw shamirError('share-mismatch', 'a share is not signed with its brief');
    }
    if (!brief.recipients.has(share.recipient) || shares.has(share.recipient)) throw shamirError('share-mismatch', `unexpected share for ${share.recipient}`);
    shares.set(share.recipient, share);
  }
  if (shares.size !== brief.recipients.size) throw shamirError('share-mismatch', 'a recipient of the brief has no share');
  return { brief, briefDigest, shares };
}

/**
 * A recipient opens its share of the current setup (`brief`, verified): the share is for it
 * (`not-recipient`), belongs to this very brief (`stale-share`: a share kept from an older or
 * deleted setup), decrypts, and says inside the same user, recipient, brief and weight
 * (`share-mismatch`).
 */
export async function openShamirShare(args: {
  trust: ShamirTrust;
  brief: { readonly brief: ShamirBrief; readonly briefDigest: Uint8Array };
  signedShare: Uint8Array;
  recipient: UserId;
  privateKey: PrivateKey;
}): Promise<ShamirShareData> {
  const share = await verifyShamirDocument(args.trust, args.signedShare, 'shamir_share');
  if (share.recipient !== args.recipient) throw shamirError('not-recipient', `this share is for ${share.recipient}`);
  if (!constantTimeEqual(share.briefDigest, args.brief.briefDigest)) throw shamirError('stale-share', 'this share belongs to another setup');
  let plain: Uint8Array;
  try {
    plain = await openBox(args.privateKey, share.cipheredShare, shareAad());
  } catch (err) {
    throw shamirError('share-mismatch', 'the sealed share does not open with this user key', err);
  }
  const data = decodeShareData(plain);
  checkShareData(args.brief, data);
  if (data.recipient !== share.recipient) throw shamirError('share-mismatch', 'the sealed share names another recipient');
  return data;
}

function checkShareData(setup: { readonly brief: ShamirBrief; readonly briefDigest: Uint8Array }, data: ShamirShareData): void {
  if (!constantTimeEqual(data.briefDigest, setup.briefDigest)) throw shamirError('stale-share', 'this share belongs to another setup');
  if (data.userId !== setup.brief.userId) throw shamirError('share-mismatch', 'this share recovers another user');
  if (setup.brief.recipients.get(data.recipient) !== data.shares.length) throw shamirError('share-mismatch', `recipient ${data.recipient} does not hold that many shares`);
}

/** What recombining gives: the key of the recovery data and the token the server asks for it. */
export interface ShamirSecret {
  readonly dataKey: SecretKey;
  readonly revealToken: Uint8Array;
}

/**
 * Recombines the shares relayed by recipients (each checked against the current brief: stale or
 * foreign ones refused) once their weights reach the threshold. Throws `ShamirError`
 * `stale-share`, `share-mismatch`, `duplicate-share` (the same recipient twice),
 * `not-enough-shares`, `bad-secret` (a recipient relayed wrong shares).
 */
export async function combineShamirShares(setup: { readonly brief: ShamirBrief; readonly briefDigest: Uint8Array }, relayed: readonly ShamirShareData[]): Promise<ShamirSecret> {
  const seen = new Set<UserId>();
  const pieces: Uint8Array[] = [];
  for (const data of relayed) {
    checkShareData(setup, data);
    if (seen.has(data.recipient)) throw shamirError('duplicate-share', `recipient ${data.recipient} relayed twice`);
    seen.add(data.recipient);
    pieces.push(...data.shares);
  }
  if (pieces.length < setup.brief.threshold) throw shamirError('not-enough-shares', `${pieces.length} of ${setup.brief.threshold} shares`);
  let secret: Uint8Array;
  try {
    secret = await combine(pieces.slice(0, setup.brief.threshold));
  } catch (err) {
    throw shamirError('bad-secret', 'the shares do not combine', err);
  }
  if (!constantTimeEqual(await secretDigest(secret), setup.brief.secretDigest)) throw shamirError('bad-secret', 'the combined secret does not match the brief');
  const out = { dataKey: SecretKey.fromBytes(secret.subarray(0, DATA_KEY_LENGTH)), revealToken: secret.slice(DATA_KEY_LENGTH) };
  secret.fill(0);
  return out;
}

/** Decrypts the recovery data of `userId`. Throws `ShamirError` `shamir/recovery-data`. */
export async function openRecoveryData(secret: ShamirSecret, userId: UserId, cipheredData: Uint8Array): Promise<Uint8Array> {
  try {
    return await secret.dataKey.decrypt(cipheredData, recoveryDataAad(userId));
  } catch (err) {
    throw shamirError('recovery-data', 'the recovery data does not decrypt', err);
  }
}
