/**
 * Three-way merge of a file manifest (the merge rules). Content is compared by block list, never by
 * bytes: two devices writing the same bytes produce different random block ids, and treating that
 * as a conflict only costs a redundant copy, whereas treating different content as equal would
 * lose data.
 * @module
 */
import { equalBytes } from '../bytes.js';
import type { DeviceId } from '../codec/ids.js';
import { ArgumentError } from '../errors.js';
import type { FileManifest } from '../manifests/types.js';
import type { FileMergeResult } from './result.js';
import { labelsEqual } from '../certificates/label.js';
import type { RevisedLabel } from '../certificates/types.js';

function sameLabel(a: RevisedLabel | undefined, b: RevisedLabel | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return a.revision === b.revision && labelsEqual(a.label, b.label);
}

/**
 * True when both manifests describe the same content (size, block size, same blocks, same label).
 * The file label is part of the content: a label changed on one side and data on the other is a
 * conflict, never a silent pairing of new data with a label chosen for other data.
 */
export function sameFileContent(a: FileManifest, b: FileManifest): boolean {
  if (a.size !== b.size || a.blocksize !== b.blocksize || a.blocks.length !== b.blocks.length) return false;
  if (!sameLabel(a.label, b.label)) return false;
  for (let i = 0; i < a.blocks.length; i++) {
    const x = a.blocks[i]!;
    const y = b.blocks[i]!;
    if (x.id !== y.id || x.offset !== y.offset || x.size !== y.size || !equalBytes(x.digest, y.digest)) return false;
  }
  return true;
}

/** Checks the three manifests describe one vlob (a caller bug otherwise: merging unrelated files loses one). */
export function checkSameVlob(kind: 'file' | 'folder', base: { id: string; type: string } | null, local: { id: string; type: string }, remote: { id: string; type: string }): void {
  for (const m of [base, local, remote]) {
    if (m !== null && m.type !== kind) throw new ArgumentError('merge/type-mismatch', `expected ${kind} manifests, got ${m.type}`);
  }
  if (local.id !== remote.id || (base !== null && base.id !== local.id)) {
    throw new ArgumentError('merge/id-mismatch', 'base, local and remote must be versions of the same vlob');
  }
}

/**
 * Merges the local working copy of a file with the newest remote version.
 * `base` is the remote version the local copy was last synced from (`null` if never synced),
 * `me` this device. Never throws on content; throws `ArgumentError` (`merge/id-mismatch`,
 * `merge/type-mismatch`) when the three manifests are not versions of the same file.
 */
export function mergeFile(base: FileManifest | null, local: FileManifest, remote: FileManifest, me: DeviceId): FileMergeResult {
  checkSameVlob('file', base, local, remote);
  const baseVersion = base?.version ?? 0;
  const localContentChanged = base === null || !sameFileContent(local, base);
  const localParentChanged = base !== null && local.parent !== base.parent;
  if (remote.version <= baseVersion) {
    return { kind: 'keep-local', manifest: local, needsUpload: localContentChanged || localParentChanged };
  }
  if (!localContentChanged && !localParentChanged) return { kind: 'take-remote', manifest: remote, needsUpload: false };
  if (remote.author === me) {
    // Only this device writes versions signed by `me`, and each was made from this device's local
    // state, which has only moved forward since: the local copy already contains the remote.
    const manifest = onTopOf(remote, local, local.parent);
    return { kind: 'rebase', manifest, needsUpload: !sameFileContent(manifest, remote) || manifest.parent !== remote.parent };
  }
  const remoteContentChanged = base === null || !sameFileContent(remote, base);
  if (localContentChanged && remoteContentChanged && !sameFileContent(local, remote)) {
    return { kind: 'conflict', manifest: remote, needsUpload: false, localContent: local };
  }
  const contentFrom = localContentChanged ? local : remote;
  const parent = mergedParent(base, local, remote);
  const manifest = onTopOf(remote, contentFrom, parent);
  return { kind: 'merged', manifest, needsUpload: !sameFileContent(manifest, remote) || parent !== remote.parent };
}

/**
 * The parent after a merge. Moved on one side → that side's parent. Moved on both sides to
 * different folders → the remote parent wins (as for names renamed differently on both): the
 * remote placement is already on the server, so the merge has nothing to upload for the move, and
 * the local destination drops the entry (the sync engine tells the user with a `moved` conflict).
 */
export function mergedParent<T extends { readonly parent: string }>(base: T | null, local: T, remote: T): T['parent'] {
  const localMoved = base !== null && local.parent !== base.parent;
  const remoteMoved = base === null || remote.parent !== base.parent;
  return localMoved && !remoteMoved ? local.parent : remote.parent;
}

/** `content`'s data with `remote`'s version metadata (the version the result is based on). */
function onTopOf(remote: FileManifest, content: FileManifest, parent: FileManifest['parent']): FileManifest {
  const { label: _remoteLabel, ...rest } = remote;
  return {
    ...rest,
    ...(content.label === undefined ? {} : { label: content.label }),
    parent,
    size: content.size,
    blocksize: content.blocksize,
    blocks: content.blocks,
    updated: Math.max(remote.updated, content.updated),
  };
}
