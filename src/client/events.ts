/**
 * Events the client emits (`client.on(...)`).
 * @module
 */
import type { RealmId, VlobId } from '../codec/ids.js';
import type { EntryName } from '../manifests/entry-name.js';
import type { ChangeEvent } from './push.js';

/** A conflict resolved during a sync (the merge rules). `path` is the folder's path, when known. */
export type ConflictEvent =
  | {
      readonly realmId: RealmId;
      readonly kind: 'sync';
      /** The file both sides changed (the remote content kept its entry). */
      readonly vlobId: VlobId;
      /** The new file holding this device's content, `name (sync conflict N).ext`. */
      readonly copyId: VlobId;
      readonly copyName: EntryName;
      readonly folderPath: string | null;
    }
  | {
      readonly realmId: RealmId;
      readonly kind: 'name';
      readonly vlobId: VlobId;
      readonly from: EntryName;
      readonly to: EntryName;
      readonly folderPath: string | null;
    }
  | {
      readonly realmId: RealmId;
      /**
       * This device's move of the entry lost: another device moved it elsewhere at the same time
       * (the remote placement wins), or the move closed a folder cycle (undone). The entry left
       * `folderPath` and is now in `toPath`.
       */
      readonly kind: 'moved';
      readonly vlobId: VlobId;
      readonly name: EntryName;
      readonly folderPath: string | null;
      readonly toPath: string | null;
    };

/** Outcome of one workspace sync. */
export interface SyncReport {
  readonly realmId: RealmId;
  /** Remote versions merged into the working copies. */
  readonly downloaded: number;
  /** Manifest versions uploaded. */
  readonly uploaded: number;
  /** Blocks uploaded. */
  readonly blocksUploaded: number;
  readonly conflicts: readonly ConflictEvent[];
}

/** Progress of a sync phase. */
export interface SyncProgress {
  readonly realmId: RealmId;
  readonly phase: 'download' | 'upload-blocks' | 'upload-manifests';
  readonly done: number;
  readonly total: number;
}

/** The event map of `Client`. */
export interface ClientEvents {
  conflict: ConflictEvent;
  synced: SyncReport;
  progress: SyncProgress;
  /** A background sync failed (foreground calls reject instead). */
  error: { readonly error: unknown; readonly realmId: RealmId | null };
  /**
   * The server announced a change (push event, while background sync runs): a hint, not a fact;
   * the background sync it wakes verifies what actually changed (then `synced`).
   */
  change: ChangeEvent;
  /** An OWNER device unshared a revoked member and rotated the key on its own. */
  'auto-rotated': { readonly realmId: RealmId; readonly keyIndex: number; readonly removed: readonly string[] };
}
