/**
 * Result types of the merge functions: discriminated unions on `kind`, so that callers handle
 * every outcome (a `switch` over `kind` is checked for exhaustiveness by TypeScript).
 * @module
 */
import type { VlobId } from '../codec/ids.js';
import type { EntryName } from '../manifests/entry-name.js';
import type { FileManifest, FolderManifest } from '../manifests/types.js';
import type { IgnoreMatcher } from './ignore.js';

/**
 * About the manifests returned: `version`, `author`, `timestamp`, `prev` and `created` are those of
 * the version the result is based on (the remote one once it has been merged, the local one when
 * it was kept). When an upload is needed the caller writes `version + 1`, signed by itself, with
 * `prev` = hash of the based-on version (the manifest format); after a merge, the new base is `remote`.
 */
export type FileMergeResult =
  /** The remote is not newer than the base: nothing new to merge. */
  | { readonly kind: 'keep-local'; readonly manifest: FileManifest; readonly needsUpload: boolean }
  /** No local change: the remote replaces the local copy. */
  | { readonly kind: 'take-remote'; readonly manifest: FileManifest; readonly needsUpload: false }
  /** The remote was written by this device (e.g. an upload whose answer was lost): local content on top of it. */
  | { readonly kind: 'rebase'; readonly manifest: FileManifest; readonly needsUpload: boolean }
  /** Only one side changed the content (or both made the same change); other fields merged. */
  | { readonly kind: 'merged'; readonly manifest: FileManifest; readonly needsUpload: boolean }
  /**
   * Content changed on both sides. The remote wins the original entry (`manifest` is the remote);
   * `localContent` is the local version, which the caller must save as a new file (fresh vlob id,
   * version 0) beside the original, named with `conflictName(name, 'sync', taken)` — see
   * `addConflictCopy`.
   */
  | {
      readonly kind: 'conflict';
      readonly manifest: FileManifest;
      readonly needsUpload: false;
      readonly localContent: FileManifest;
    };

/** A local entry renamed because its name was taken by a remote entry (`name (name conflict N).ext`). */
export interface NameConflictRename {
  readonly id: VlobId;
  readonly from: EntryName;
  readonly to: EntryName;
}

/** The fields every {@link FolderMergeResult} has, whatever its `kind`. */
export interface FolderMergeResultBase {
  /**
   * The new local working copy: merged children plus the local entries with ignored names
   * (kept, never uploaded). Children are inserted sorted by name (UTF-16 code unit order).
   */
  readonly manifest: FolderManifest;
  /**
   * What to upload (`version + 1` of it), or `null` when the server already has it: the merged
   * children without local ignored entries, plus the remote's own ignored entries (written by a
   * device with other patterns: not ours to delete).
   */
  readonly upload: FolderManifest | null;
  /** `upload !== null`. */
  readonly needsUpload: boolean;
}

/** Outcome of `mergeFolder`, discriminated by `kind` (same kinds as {@link FileMergeResult} except `conflict`: folders never conflict, children merge one by one and colliding names are renamed). */
export type FolderMergeResult =
  | (FolderMergeResultBase & { readonly kind: 'keep-local' })
  | (FolderMergeResultBase & { readonly kind: 'take-remote'; readonly upload: null; readonly needsUpload: false })
  | (FolderMergeResultBase & { readonly kind: 'rebase' })
  | (FolderMergeResultBase & {
      readonly kind: 'merged';
      /** Local entries renamed because a remote entry took their name. Sorted by id. */
      readonly renamed: readonly NameConflictRename[];
      /** Children removed on one side but kept because `hasUnseenChanges` said the removal missed changes. Sorted. */
      readonly restored: readonly VlobId[];
    });

/** Which side removed a child, for `MergeFolderOptions.hasUnseenChanges`. */
export type RemovedBy = 'local' | 'remote';

/** Options of `mergeFolder`: ignore patterns and the guard against removals that missed changes. */
export interface MergeFolderOptions {
  /** Ignore patterns (default `DEFAULT_IGNORE_PATTERNS`); `[]` ignores nothing. */
  readonly ignore?: IgnoreMatcher | readonly string[];
  /**
   * Asked when a child present in the base was removed on one side and left unchanged (same name)
   * on the other. Return true when the child or anything under it has changes the removing side
   * cannot have seen — `removedBy: 'remote'`: this device has unsynced changes in it;
   * `removedBy: 'local'`: its remote version is newer than what this device saw when it removed
   * it. The child is then kept (edits win over blind deletes: no lost data). Default: never.
   */
  readonly hasUnseenChanges?: (id: VlobId, removedBy: RemovedBy) => boolean;
  /**
   * True when this device holds a verified version of vlob `id` (`IsShared`):
   * an ignored-name child it knows is shared data, never scratch, even where the folder's base
   * and remote versions do not list it. Default: never (the listings alone decide).
   */
  readonly isShared?: (id: VlobId) => boolean;
  /**
   * The folder itself is hidden on this device (an ignored name at or above it): its children
   * that were never shared are scratch whatever their names, never uploaded. Default `false`.
   */
  readonly hidden?: boolean;
}
