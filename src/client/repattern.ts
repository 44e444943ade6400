/**
 * A change of the ignore patterns (`ClientOptions.ignore`) between two opens, applied once to a
 * workspace's working copies, atomically with the record of the new patterns. A working copy is
 * only meaningful with the patterns it was computed with (the shared view: which remote children
 * are hidden, which local ones are scratch), so each folder's shared view is taken under the old
 * patterns and the working copy rebuilt from it under the new ones:
 *
 * - a hidden remote child whose name no longer matches is shown again (never read as a delete);
 * - a shared child whose name now matches is hidden, kept in uploads exactly as the base has it;
 * - a scratch child whose name no longer matches becomes new shared data (the user's choice),
 *   renamed `name (name conflict N)` if a shown child holds its name;
 * - everything else stays. Nothing is deleted and nothing still matching is ever uploaded.
 * Pure.
 * @module
 */
import type { VlobId } from '../codec/ids.js';
import type { EntryName } from '../manifests/entry-name.js';
import type { FolderManifest } from '../manifests/types.js';
import type { IgnoreMatcher } from '../merge/ignore.js';
import { repatternChildren, sharedChildren, type IsShared } from '../merge/shared-view.js';
import type { LocalEntry } from './local-entry.js';
import type { Changes } from './tree.js';

type Children = ReadonlyMap<EntryName, VlobId>;

function same(a: Children, b: Children): boolean {
  if (a.size !== b.size) return false;
  for (const [n, id] of a) if (b.get(n) !== id) return false;
  return true;
}

/** The entries a pattern change from `prev` to `next` rewrites (folders only); `isShared`: `isSharedIn` of the workspace. */
export function repattern(entries: Iterable<[VlobId, LocalEntry]>, prev: IgnoreMatcher, next: IgnoreMatcher, isShared: IsShared): Changes {
  const changes: Changes = new Map();
  for (const [id, e] of entries) {
    if (e.local.type !== 'folder') continue;
    const b = e.base?.manifest;
    const base = b?.type === 'folder' ? b.children : null;
    const children = repatternChildren(e.local.children, base, prev, next, isShared);
    // The shared view may change with the children unchanged (a scratch child now shared).
    const needSync = e.needSync || base === null || !same(sharedChildren(children, base, next, isShared), base);
    if (same(children, e.local.children) && needSync === e.needSync) continue;
    changes.set(id, { ...e, local: { ...e.local, children } satisfies FolderManifest, needSync });
  }
  return changes;
}
