/**
 * Applies a change of the ignore patterns to a workspace when it is loaded: the
 * rewritten folders and the record of the new patterns go in one atomic batch, so a crash leaves
 * either the old working copies with the old record or the new ones with the new record.
 * @module
 */
import { StorageError } from '../errors.js';
import { compileIgnorePatterns } from '../merge/ignore.js';
import type { ClientContext } from './context.js';
import { isSharedIn } from './local-only.js';
import { repattern } from './repattern.js';
import type { WorkspaceState } from './workspace-state.js';

/**
 * Rewrites `ws` for `ctx.settings.ignore` if it was last computed with other patterns. A
 * workspace with no record (older stores, first open) is taken as computed with the current
 * patterns. Throws `StorageError` for a corrupted record.
 */
export async function applyPatternChange(ctx: ClientContext, ws: WorkspaceState): Promise<void> {
  const next = ctx.settings.ignore;
  const stored = await ctx.store.getIgnore(ws.realmId);
  if (stored !== undefined && stored.length === next.patterns.length && stored.every((p, i) => p === next.patterns[i])) return;
  const op = ctx.store.ignoreOp(ws.realmId, next.patterns);
  if (stored === undefined) return ws.commit(new Map(), [op]);
  let prev;
  try {
    prev = compileIgnorePatterns(stored);
  } catch (err) {
    // Written by this device from validated patterns: invalid means corrupted.
    throw new StorageError('storage/corrupt', 'stored ignore patterns are invalid', { cause: err });
  }
  await ws.commit(repattern(ws.all(), prev, next, isSharedIn(ws)), [op]);
}
