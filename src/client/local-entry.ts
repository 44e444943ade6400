/**
 * What a device keeps per vlob (the manifest format, the sync model): the working copy it edits and the last remote
 * version it verified (the merge base, and the rollback/fork evidence of the `prev` chain).
 * @module
 */
import type { VlobId } from '../codec/ids.js';
import type { Manifest } from '../manifests/types.js';

/** A remote version that passed every read check. */
export interface BaseVersion {
  readonly manifest: Manifest;
  /** `signature ‖ body` as verified: SHA-256 of it is the next version's `prev`. */
  readonly signed: Uint8Array;
  /** Realm key index the server stored the blob under. */
  readonly keyIndex: number;
}

/**
 * One vlob on this device. `local.version` is the version the working copy is based on (0 for a
 * vlob created here and never uploaded), as the merge functions expect; `needSync` says the working
 * copy has changes the server has not seen.
 */
export interface LocalEntry {
  readonly local: Manifest;
  readonly needSync: boolean;
  readonly base: BaseVersion | null;
}

/** Read access to the working copies of one workspace. */
export interface EntryView {
  get(id: VlobId): LocalEntry | undefined;
}
