/**
 * The chain envelope every certificate carries (certificate format v2: every topic is a hash chain).
 *
 * Inside what is signed, each certificate names its `position` in its topic (1, 2, 3…) and `prev`,
 * the SHA-256 of the previous certificate of that topic (its signed bytes; `null` at position 1).
 * A realm certificate also names `commonHead`: the (position, digest) of the common topic its
 * author had verified when it signed.
 *
 * Why: with v1 a topic was ordered by timestamps only, so a server could withhold one certificate
 * (a revocation) and serve the later ones; the reader's timestamp mark moved past the gap and the
 * certificate could never be delivered again. With a hash chain the reader's mark is
 * (position, digest): a dropped, reordered, replaced or inserted certificate is a broken chain.
 *
 * This file is the ONE place that checks the envelope, whatever the certificate type, so a new
 * certificate type gets it by declaring its fields with the shared base (see `formats.ts`).
 * @module
 */
import { equalBytes, toHex } from '../bytes.js';
import type { Timestamp } from '../codec/timestamps.js';
import { sha256Sync } from '../keys/index.js';
import { certificateError, REASONS } from './reasons.js';
import { COMMON_TOPIC, type ChainHead, type ChainLink, type Topic } from './types.js';

export type { ChainHead, ChainLink };

/** SHA-256 output length: the size of `prev` and of a head digest. */
export const CHAIN_DIGEST_LENGTH = 32;

/** One accepted certificate as the chain rules remember it. */
export interface ChainEntry {
  readonly digest: Uint8Array;
  readonly timestamp: Timestamp;
  /** Position of the common head the certificate bound (realm topics), else 0. */
  readonly commonPosition: number;
}

/** The digest that names a certificate in the chain: SHA-256 of its signed bytes (signature ‖ body). */
export function certificateDigest(signed: Uint8Array): Uint8Array {
  return sha256Sync(signed);
}

/** The link of the certificate that follows `head` (`null`: empty topic) in its topic. */
export function nextLink(head: ChainHead | null, commonHead: ChainHead | null): ChainLink {
  return head === null ? { position: 1, prev: null, commonHead } : { position: head.position + 1, prev: head.digest, commonHead };
}

/**
 * The link of the certificate signed right after `signed` (whose link was `link`) in the same
 * topic: for requests that carry several certificates of one topic (a user and its first
 * device, a realm's first role and key).
 */
export function linkAfter(signed: Uint8Array, link: ChainLink): ChainLink {
  return { position: link.position + 1, prev: certificateDigest(signed), commonHead: link.commonHead };
}

/** What the chain rules read: the accepted entries of each topic (committed + earlier in batch). */
export interface ChainView {
  /** Entries of `topic` in position order (entry `i` has position `i + 1`). */
  chainLength(topic: Topic): number;
  chainEntry(topic: Topic, position: number): ChainEntry | undefined;
}

/**
 * Refuses a batch that delivers one topic's certificates out of order (`chain-reordered`), before
 * any other rule: `positions` are the positions of one topic's certificates, in delivery order.
 * Throws `CertificateError`; `firstIndex` is the batch index of the first one.
 */
export function checkDeliveryOrder(topic: Topic, positions: readonly number[], indexes: readonly number[]): void {
  for (let i = 1; i < positions.length; i++) {
    if (positions[i]! <= positions[i - 1]!) {
      throw certificateError(REASONS.chainReordered, `topic ${topic}: position ${positions[i]} delivered after ${positions[i - 1]}`, indexes[i]);
    }
  }
}

/**
 * Checks `link` of a certificate delivered in `topic` against the chain so far; returns the entry
 * to record. Rules (each its own reason):
 * - position already held: `chain-replayed` (same bytes) or `chain-replaced` (other bytes: the
 *   server rewrites a past this device verified);
 * - position beyond head + 1: `chain-gap` (a certificate was dropped or withheld);
 * - `prev` not the head's digest: `chain-prev-mismatch` (something was inserted before it, or
 *   it was chained onto a history this device was not shown: a fork);
 * - common topic with a common head, realm topic without: `common-head-invalid`;
 * - realm: common head beyond what this device verified (`common-head-unknown`: the server
 *   withholds common certificates the author saw), with another digest (`common-head-mismatch`:
 *   forked common topic), behind the previous realm certificate's (`common-head-regressed`), or
 *   dated at or before the common certificate it names (`older-than-common-head`: an author
 *   cannot date a certificate before what it had already seen, e.g. under a known revocation).
 */
export function checkLink(
  view: ChainView,
  topic: Topic,
  link: ChainLink,
  digest: Uint8Array,
  timestamp: Timestamp,
  index: number,
): ChainEntry {
  const length = view.chainLength(topic);
  if (link.position <= length) {
    const held = view.chainEntry(topic, link.position)!;
    const same = equalBytes(held.digest, digest);
    throw certificateError(
      same ? REASONS.chainReplayed : REASONS.chainReplaced,
      same
        ? `topic ${topic}: position ${link.position} is already accepted`
        : `topic ${topic}: position ${link.position} already holds another certificate (rewritten history)`,
      index,
    );
  }
  if (link.position > length + 1) {
    throw certificateError(REASONS.chainGap, `topic ${topic}: position ${link.position} but the head is ${length} (certificates missing)`, index);
  }
  const expectedPrev = length === 0 ? null : view.chainEntry(topic, length)!.digest;
  if (expectedPrev === null ? link.prev !== null : link.prev === null || !equalBytes(link.prev, expectedPrev)) {
    throw certificateError(REASONS.chainPrevMismatch, `topic ${topic}: position ${link.position} does not follow the head ${expectedPrev ? toHex(expectedPrev).slice(0, 16) : 'genesis'}`, index);
  }
  if (topic === COMMON_TOPIC) {
    if (link.commonHead !== null) throw certificateError(REASONS.commonHeadInvalid, 'a common certificate names no common head', index);
    return { digest, timestamp, commonPosition: 0 };
  }
  const ch = link.commonHead;
  if (ch === null) throw certificateError(REASONS.commonHeadInvalid, 'a realm certificate names the common head its author verified', index);
  const common = view.chainEntry(COMMON_TOPIC, ch.position);
  if (common === undefined) {
    throw certificateError(REASONS.commonHeadUnknown, `common position ${ch.position} is beyond what this device verified (${view.chainLength(COMMON_TOPIC)})`, index);
  }
  if (!equalBytes(common.digest, ch.digest)) {
    throw certificateError(REASONS.commonHeadMismatch, `common position ${ch.position} differs from the certificate this device verified there`, index);
  }
  const previous = length === 0 ? 0 : view.chainEntry(topic, length)!.commonPosition;
  if (ch.position < previous) {
    throw certificateError(REASONS.commonHeadRegressed, `common head ${ch.position} is behind the previous realm certificate's (${previous})`, index);
  }
  if (timestamp <= common.timestamp) {
    throw certificateError(REASONS.olderThanCommonHead, `timestamp ${timestamp} is not after the common certificate its author had seen (${common.timestamp})`, index);
  }
  return { digest, timestamp, commonPosition: ch.position };
}
