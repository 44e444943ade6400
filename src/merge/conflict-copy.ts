/**
 * Placing the local side of a file conflict beside the original (the merge rules): the remote keeps the
 * original entry, the local content becomes a new file `name (sync conflict N).ext`.
 * @module
 */
import type { VlobId } from '../codec/ids.js';
import { ArgumentError } from '../errors.js';
import type { EntryName } from '../manifests/entry-name.js';
import type { FolderManifest } from '../manifests/types.js';
import { placementName } from './conflict-name.js';
import { resolveIgnore, type IgnoreMatcher } from './ignore.js';

/**
 * Returns `folder` with `copyId` added under the first free sync-conflict name of the entry that
 * holds `originalId` (the smallest name, should a malformed folder list it twice), and that name.
 * The new name also avoids names matching the ignore patterns, so the copy is never left out of
 * the upload. The caller creates `copyId` (a fresh vlob) with the conflict's `localContent`.
 * Throws `ArgumentError` (`merge/not-a-child`) if `originalId` is not in `folder`, or
 * (`merge/duplicate-id`) if `copyId` already is.
 */
export function addConflictCopy(
  folder: FolderManifest,
  originalId: VlobId,
  copyId: VlobId,
  ignore?: IgnoreMatcher | readonly string[],
): { manifest: FolderManifest; name: EntryName } {
  const matcher = resolveIgnore(ignore);
  let original: EntryName | undefined;
  for (const [n, id] of folder.children) {
    if (id === copyId) throw new ArgumentError('merge/duplicate-id', 'the conflict copy id is already a child of this folder');
    if (id === originalId && (original === undefined || n < original)) original = n;
  }
  if (original === undefined) throw new ArgumentError('merge/not-a-child', 'the conflicting file is not a child of this folder');
  const taken = (n: string): boolean => folder.children.has(n as EntryName);
  const ignored = (n: string): boolean => matcher.matches(n);
  // When every candidate for the original's name is ignored here (`notes.md` under `*.md`, a
  // shared entry kept under an ignored name), the copy would be scratch and never go out: it is
  // named `recovered (sync conflict N)` instead, as for a copy whose original is hidden.
  const visible = placementName(original, 'sync', taken, ignored);
  const name = ignored(visible) ? placementName('recovered', 'sync', taken, ignored) : visible;
  const entries = [...folder.children, [name, copyId] as const].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return { manifest: { ...folder, children: new Map(entries) }, name };
}
