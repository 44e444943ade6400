/**
 * History helpers (the manifest format "History", §9 rollback/fork evidence): choosing the version current
 * at a point in time, and checking that a run of versions forms one hash chain.
 * @module
 */
import { constantTimeEqual } from '../bytes.js';
import { ManifestError } from '../errors.js';
import { sha256 } from '../keys/index.js';
import type { Timestamp } from '../codec/timestamps.js';
import type { Manifest } from './types.js';

/** A manifest whose read checks passed, with the exact signed bytes it came from. */
export interface VerifiedManifest<M extends Manifest = Manifest> {
  readonly manifest: M;
  /** `signature ‖ body`: the next version's `prev` is SHA-256 of these bytes. */
  readonly signed: Uint8Array;
}

/**
 * The version current at time `t`: among the versions signed at or before `t`, the one with the
 * highest version number. Picking by version number rather than by timestamp keeps the answer
 * well defined even when two writers' clocks disagree slightly (the server tolerates ±5 minutes).
 * Returns `undefined` when nothing existed yet at `t`. Order of `versions` does not matter.
 */
export function versionAt<T extends { readonly version: number; readonly timestamp: Timestamp }>(
  versions: Iterable<T>,
  t: Timestamp,
): T | undefined {
  let best: T | undefined;
  for (const v of versions) {
    if (v.timestamp <= t && (best === undefined || v.version > best.version)) best = v;
  }
  return best;
}

/**
 * Checks that `versions` (any order) are consecutive versions of one vlob linked by `prev`:
 * version n+1's `prev` is SHA-256 of version n's signed bytes, and version 1 has no `prev`.
 * A server that drops, reorders or forks versions cannot pass this (the sync model).
 * Returns the versions sorted by version number.
 * Throws `ManifestError`: `manifest/id-mismatch` (versions of different vlobs),
 * `manifest/chain-gap` (duplicate or missing version), `manifest/prev-mismatch` (broken link).
 */
export async function verifyVersionChain<M extends Manifest>(
  versions: readonly VerifiedManifest<M>[],
): Promise<VerifiedManifest<M>[]> {
  const sorted = [...versions].sort((a, b) => a.manifest.version - b.manifest.version);
  const first = sorted[0];
  if (first === undefined) return sorted;
  for (let i = 0; i < sorted.length; i++) {
    const cur = sorted[i]!;
    if (cur.manifest.id !== first.manifest.id) {
      throw new ManifestError('manifest/id-mismatch', `version ${cur.manifest.version} belongs to another vlob`);
    }
    if (i === 0) {
      if (cur.manifest.version === 1 && cur.manifest.prev !== null) {
        throw new ManifestError('manifest/prev-mismatch', 'version 1 must not have a prev');
      }
      continue;
    }
    const before = sorted[i - 1]!;
    if (cur.manifest.version !== before.manifest.version + 1) {
      throw new ManifestError(
        'manifest/chain-gap',
        `version ${cur.manifest.version} does not follow version ${before.manifest.version}`,
      );
    }
    const expected = await sha256(before.signed);
    if (cur.manifest.prev === null || !constantTimeEqual(cur.manifest.prev, expected)) {
      throw new ManifestError('manifest/prev-mismatch', `version ${cur.manifest.version} does not link to its predecessor`);
    }
  }
  return sorted;
}
