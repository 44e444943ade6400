/**
 * What this device verified of a vlob, in one of two forms: the full verified version of a kept
 * entry (`BaseVersion`), or the compact mark left when local garbage collection removed the
 * entry (entry GC). The rollback and fork rules need only three things of it — the version,
 * its signed timestamp and its signed bytes up to their SHA-256 — so both forms serve every check
 * that compares a served version with what was verified.
 * @module
 */
import { equalBytes } from '../bytes.js';
import type { VlobId } from '../codec/ids.js';
import type { Timestamp } from '../codec/timestamps.js';
import { RollbackError } from '../errors.js';
import { sha256 } from '../keys/index.js';
import type { BaseVersion } from './local-entry.js';
import { checkSameVersion } from './rollback.js';

/** The compact record of a collected entry's verified version. */
export interface CollectedMark {
  /** The highest version this device verified (≥ 1). */
  readonly version: number;
  /** Its signed timestamp (history reads at a time check against it). */
  readonly timestamp: Timestamp;
  /** SHA-256 of its signed bytes: an equal version served with other bytes is a fork, and the next version's `prev`. */
  readonly digest: Uint8Array;
  /** The collection that recorded it (realm-wide counter): past the cap, the lowest go first. */
  readonly seq: number;
}

/** What this device verified of a vlob: a kept entry's base version, or a collected entry's mark. */
export type Verified = BaseVersion | CollectedMark;

/** True for a collected entry's mark (no signed bytes kept). */
export function isMark(v: Verified): v is CollectedMark {
  return !('signed' in v);
}

/** The version verified (0 for nothing). */
export function verifiedVersion(v: Verified | null | undefined): number {
  if (v === null || v === undefined) return 0;
  return isMark(v) ? v.version : v.manifest.version;
}

/** The signed timestamp of the version verified. */
export function verifiedTimestamp(v: Verified): Timestamp {
  return isMark(v) ? v.timestamp : v.manifest.timestamp;
}

/**
 * The mark of `base` for collection `seq`.
 * @throws `CryptoError` only if the provider fails.
 */
export async function markOf(base: BaseVersion, seq: number): Promise<CollectedMark> {
  return { version: base.manifest.version, timestamp: base.manifest.timestamp, digest: await sha256(base.signed), seq };
}

/**
 * The served signed bytes of the verified version of `id` must be the verified ones (byte for
 * byte, or by SHA-256 against a mark). Throws `RollbackError` `rollback/fork`.
 */
export async function checkSameAsVerified(id: VlobId, known: Verified, servedSigned: Uint8Array): Promise<void> {
  if (!isMark(known)) return checkSameVersion(id, known.manifest.version, known.signed, servedSigned);
  if (!equalBytes(known.digest, await sha256(servedSigned))) {
    throw new RollbackError('rollback/fork', `vlob ${id}: version ${known.version} differs from the one we verified (forked history)`);
  }
}
