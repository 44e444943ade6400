/**
 * `sealsync/merge`: deterministic three-way merge of file and folder manifests (the merge rules).
 * Pure functions: no I/O, no crypto, no clock, no randomness.
 * @module
 */
export { mergeFile, sameFileContent } from './merge-file.js';
export { mergeFolder } from './merge-folder.js';
export { conflictName, placementName, splitExtension, truncateUtf8, type ConflictKind } from './conflict-name.js';
export { addConflictCopy } from './conflict-copy.js';
export {
  compileIgnorePatterns,
  defaultIgnoreMatcher,
  DEFAULT_IGNORE_PATTERNS,
  type IgnoreMatcher,
} from './ignore.js';
export type {
  FileMergeResult,
  FolderMergeResult,
  FolderMergeResultBase,
  MergeFolderOptions,
  NameConflictRename,
  RemovedBy,
} from './result.js';
export { scratchChildren, sharedChildren, visibleChildren, workingChildren, type IsShared } from './shared-view.js';
