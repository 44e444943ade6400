/**
 * Rollback and fork rules (the sync model) as pure functions. The client keeps high-water marks (per
 * topic certificate timestamp, per vlob version + signed bytes of that version, per realm
 * checkpoint); an honest server's answers only ever move them forward. Each rule throws
 * `RollbackError` before anything of the answer is applied.
 * @module
 */
import { equalBytes } from '../bytes.js';
import type { VlobId } from '../codec/ids.js';
import type { Timestamp } from '../codec/timestamps.js';
import { RollbackError } from '../errors.js';

/**
 * A realm checkpoint only grows: a smaller one means the server lost or hid writes we already
 * saw (a restored backup, or a replay of an old state to make us miss a revocation's rotation).
 * Throws `rollback/checkpoint`.
 */
export function checkCheckpoint(known: number, served: number): void {
  if (served < known) throw new RollbackError('rollback/checkpoint', `server checkpoint ${served} is behind ${known}, already seen`);
}

/** One entry of a `vlob_poll_changes` answer. */
export interface PolledChange {
  readonly vlobId: VlobId;
  readonly version: number;
}

/**
 * The realm checkpoint is an unsigned count: the number of vlob writes in the realm. Checked
 * against what it summarises before it is stored, since a stored inflated checkpoint would make
 * every later honest answer look like a rollback (the workspace would never sync again):
 * - an incremental answer (`known` > 0 and `served` ≥ `known`) lists each vlob written since, at
 *   its latest version, so `served - known` lies between the number of changes (one write each at
 *   least) and the sum of their versions (at most all of a vlob's writes are new);
 * - a full answer (`known` = 0) lists every vlob, so `served` is exactly the sum of their versions.
 * Throws `RollbackError` `rollback/checkpoint-unbacked`.
 */
export function checkCheckpointBacked(known: number, served: number, changes: readonly PolledChange[]): void {
  const sum = changes.reduce((acc, c) => acc + c.version, 0);
  const delta = served - known;
  const ok = known === 0 ? delta === sum : delta >= changes.length && delta <= sum;
  if (!ok) {
    throw new RollbackError(
      'rollback/checkpoint-unbacked',
      `checkpoint ${served} after ${known} does not match the ${changes.length} changes served (versions summing to ${sum})`,
    );
  }
}

/**
 * A full listing (poll from checkpoint 0) must hold every vlob this device verified, at that
 * version or later: what a server that lost or hides writes cannot give. Throws `RollbackError`
 * `rollback/checkpoint` for a vlob left out, `rollback/vlob-version` for one going back.
 */
export function checkFullListing(known: ReadonlyMap<VlobId, number>, changes: readonly PolledChange[]): void {
  const served = new Map(changes.map((c) => [c.vlobId, c.version]));
  for (const [id, version] of known) {
    const v = served.get(id);
    if (v === undefined) throw new RollbackError('rollback/checkpoint', `the full listing of the realm lacks vlob ${id}, verified at version ${version}`);
    checkVlobVersion(id, version, v);
  }
}

/** The latest version of a vlob never goes below one we verified. Throws `rollback/vlob-version`. */
export function checkVlobVersion(id: VlobId, known: number, served: number): void {
  if (served < known) throw new RollbackError('rollback/vlob-version', `vlob ${id}: server says version ${served}, we verified ${known}`);
}

/**
 * A version we already verified must come back byte-identical: a different signed document under
 * the same version number is a fork (two histories served to two devices). Throws `rollback/fork`.
 */
export function checkSameVersion(id: VlobId, version: number, knownSigned: Uint8Array, servedSigned: Uint8Array): void {
  if (!equalBytes(knownSigned, servedSigned)) {
    throw new RollbackError('rollback/fork', `vlob ${id}: version ${version} differs from the one we verified (forked history)`);
  }
}

/** What the certificate rules need to know of the local store. */
export interface KnownCertificates {
  /** Newest accepted timestamp of `topic`, or `null`. */
  lastTimestamp(topic: string): Timestamp | null;
  /** True when this exact signed certificate was accepted in `topic`. */
  has(topic: string, timestamp: Timestamp, signed: Uint8Array): boolean;
}

/** One served certificate with its (unverified, decoded) timestamp. */
export interface ServedCertificate {
  readonly signed: Uint8Array;
  readonly timestamp: Timestamp;
}

/**
 * Keeps the certificates of one topic that are new (after the high-water mark), refusing an answer
 * that goes backwards: a non-empty topic whose newest certificate is older than our mark
 * (`rollback/certificate-topic`), or a certificate at or before the mark that is not
 * byte-identical to one we accepted (`rollback/certificate-fork`: a rewritten past).
 */
export function newCertificates(topic: string, served: readonly ServedCertificate[], known: KnownCertificates): Uint8Array[] {
  const mark = known.lastTimestamp(topic);
  if (mark === null) return served.map((c) => c.signed);
  const newest = served.reduce((m, c) => Math.max(m, c.timestamp), -1);
  if (served.length > 0 && newest < mark) {
    throw new RollbackError('rollback/certificate-topic', `topic ${topic}: newest served certificate (${newest}) is older than what we saw (${mark})`);
  }
  const out: Uint8Array[] = [];
  for (const c of served) {
    if (c.timestamp > mark) out.push(c.signed);
    else if (!known.has(topic, c.timestamp, c.signed)) {
      throw new RollbackError('rollback/certificate-fork', `topic ${topic}: a certificate at ${c.timestamp} differs from the one we accepted`);
    }
  }
  return out;
}
