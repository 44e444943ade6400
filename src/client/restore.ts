/**
 * Restore from history (pure rules): put back a file or a folder tree as it was at time `t` as
 * ordinary local writes on top of the current working copies. Nothing of the history is
 * rewritten: the next sync uploads new versions (version = current + 1), and a concurrent remote
 * change merges like any other write (a conflict copy, never a lost edit).
 *
 * A restored file reuses the block references of its past version: blocks are immutable and
 * stay on the server, so no content is re-uploaded. Entries created after `t` are kept (a
 * restore adds, it never deletes: deleting is a separate, visible `remove`).
 * @module
 */
import type { DeviceId, VlobId } from '../codec/ids.js';
import type { Timestamp } from '../codec/timestamps.js';
import type { EntryName } from '../manifests/entry-name.js';
import { WorkspaceError } from './errors.js';
import type { EntryView } from './local-entry.js';
import type { PastEntry } from './past.js';
import { formatPath } from './paths.js';
import { mkdirChanges, overlay, resolvePath, writeFileChanges, type Changes } from './tree.js';

/** What a restore changed. */
export interface RestoreReport {
  /** Files whose content was written (created or replaced). */
  readonly files: number;
  /** Folders created (existing ones are reused). */
  readonly folders: number;
}

function lookup(view: EntryView, rootId: VlobId, names: readonly EntryName[]) {
  try {
    return resolvePath(view, rootId, names);
  } catch (err) {
    if (err instanceof WorkspaceError && err.code === 'workspace/not-found') return undefined;
    throw err;
  }
}

/**
 * The changes that put `past` back at `names` (the destination path). A file is written like
 * `writeFile` does (same vlob when the destination is a file, a new vlob when it is missing);
 * a folder is created when missing and its past children are restored into it recursively.
 * All or nothing: throws `WorkspaceError` `workspace/is-a-folder` (a past file onto a folder),
 * `workspace/not-a-folder` (a past folder onto a file), `workspace/not-found` (the destination's
 * parent is missing), and nothing is changed.
 */
export function restoreChanges(args: {
  view: EntryView;
  rootId: VlobId;
  names: readonly EntryName[];
  past: PastEntry;
  me: DeviceId;
  now: Timestamp;
  newId: () => VlobId;
}): { changes: Changes; report: RestoreReport } {
  const changes: Changes = new Map();
  const view = overlay(args.view, changes);
  let files = 0;
  let folders = 0;
  const apply = (c: Changes): void => {
    for (const [id, e] of c) changes.set(id, e);
  };
  const put = (names: readonly EntryName[], past: PastEntry): void => {
    if (past.type === 'file') {
      apply(writeFileChanges(view, args.rootId, names, past.content, args.newId(), args.me, args.now).changes);
      files++;
      return;
    }
    const existing = lookup(view, args.rootId, names);
    if (existing === undefined) {
      apply(mkdirChanges(view, args.rootId, names, args.newId(), args.me, args.now));
      folders++;
    } else if (existing.entry.local.type !== 'folder') {
      throw new WorkspaceError('workspace/not-a-folder', `${formatPath(names)} is a file now: cannot restore a folder there`);
    }
    for (const [name, child] of past.children) put([...names, name], child);
  };
  put(args.names, args.past);
  return { changes, report: { files, folders } };
}
