/**
 * Reading a workspace as it was: a vlob's verified history, the version current at time `t`
 * picked from that verified chain (not from the server's say-so), and a whole folder tree at `t`.
 * Used by `Workspace.history` and `Workspace.restore`.
 * @module
 */
import type { VlobId } from '../codec/ids.js';
import type { Timestamp } from '../codec/timestamps.js';
import { RollbackError } from '../errors.js';
import type { EntryName } from '../manifests/entry-name.js';
import { expectOk } from '../transport/transport.js';
import { WorkspaceError } from './errors.js';
import type { BaseVersion } from './local-entry.js';
import { fetchHistory, type RemoteContext } from './remote.js';
import { checkVlobVersion } from './rollback.js';
import { checkSameAsVerified, verifiedVersion, type Verified } from './verified.js';
import type { FileContent } from './tree.js';

/**
 * Every version of `id`, verified as one hash chain from version 1, and consistent with `base`
 * (the version this device verified, or its collected entry's mark): the served latest is not older (`RollbackError`
 * `rollback/vlob-version`) and the chain holds `base` byte for byte (`rollback/fork`). Empty when
 * the server has no version of `id` and this device knows none either.
 */
export async function verifiedHistory(rc: RemoteContext, id: VlobId, base: Verified | null): Promise<BaseVersion[]> {
  const rep = expectOk(await rc.transport.send({ cmd: 'vlob_read_batch', realmId: rc.realmId, vlobIds: [id] }));
  const latest = rep.items.find((it) => it.vlobId === id);
  const known = verifiedVersion(base);
  checkVlobVersion(id, known, latest?.version ?? 0);
  if (latest === undefined) return [];
  const versions = await fetchHistory(rc, id, latest.version);
  if (base !== null) {
    const mine = versions[known - 1];
    if (mine === undefined) throw new RollbackError('rollback/vlob-version', `history of ${id} lacks version ${known}`);
    await checkSameAsVerified(id, base, mine.signed);
  }
  return versions;
}

/**
 * The version of a verified chain current at `at`: the newest version signed at or before `at`
 * (`undefined` if none was). Picked on this device from the verified chain, so a server cannot
 * answer with an older version than the one that was current (it can with `vlob_read_batch`'s
 * `at`, which only bounds the answer from above). Clocks of different devices may disagree by
 * the server's window, so signed timestamps along a chain are not assumed to increase; the rule
 * is the server's own (`latestAt`), applied to verified data.
 */
export function versionAt(chain: readonly BaseVersion[], at: Timestamp): BaseVersion | undefined {
  for (let i = chain.length - 1; i >= 0; i--) if (chain[i]!.manifest.timestamp <= at) return chain[i];
  return undefined;
}

/** An entry as it was at some time: a file's content, or a folder's children (recursively). */
export type PastEntry =
  | { readonly type: 'file'; readonly id: VlobId; readonly content: FileContent }
  | { readonly type: 'folder'; readonly id: VlobId; readonly children: ReadonlyMap<EntryName, PastEntry> };

/** Bounds of one tree read: a hostile member could sign a huge or cyclic folder graph. */
export interface PastTreeLimits {
  /** Entries read at most (default 10,000): `workspace/too-large` beyond. */
  readonly maxEntries: number;
  /** Folder depth at most (default 64): `workspace/too-large` beyond. */
  readonly maxDepth: number;
}

/** Default bounds of a restored tree: 10 000 entries, 64 levels (a hostile history cannot make a restore unbounded). */
export const DEFAULT_PAST_TREE_LIMITS: PastTreeLimits = { maxEntries: 10_000, maxDepth: 64 };

/**
 * The tree rooted at `id` as it was at `at`, each entry picked from its verified history (see
 * `versionAt`). Children that did not exist yet at `at` (uploaded after the folder naming them)
 * are left out. Throws `WorkspaceError` `workspace/not-found` when `id` itself did not exist at
 * `at`, `workspace/too-large` past `limits`, `workspace/cycle` for a folder that contains itself;
 * and every read-check / rollback error of the histories.
 */
export async function pastTree(args: {
  rc: RemoteContext;
  id: VlobId;
  at: Timestamp;
  /** The version this device verified of a vlob (rollback evidence), if any. */
  baseOf: (id: VlobId) => Verified | null;
  limits?: PastTreeLimits;
  signal?: AbortSignal;
}): Promise<PastEntry> {
  const limits = args.limits ?? DEFAULT_PAST_TREE_LIMITS;
  let read = 0;
  const visit = async (id: VlobId, depth: number, ancestors: ReadonlySet<VlobId>): Promise<PastEntry | undefined> => {
    args.signal?.throwIfAborted();
    if (++read > limits.maxEntries) throw new WorkspaceError('workspace/too-large', `more than ${limits.maxEntries} entries to restore`);
    if (depth > limits.maxDepth) throw new WorkspaceError('workspace/too-large', `folders nested deeper than ${limits.maxDepth}`);
    if (ancestors.has(id)) throw new WorkspaceError('workspace/cycle', `folder ${id} contains itself`);
    const v = versionAt(await verifiedHistory(args.rc, id, args.baseOf(id)), args.at);
    if (v === undefined) return undefined;
    const m = v.manifest;
    if (m.type === 'file') return { type: 'file', id, content: { size: m.size, blocksize: m.blocksize, blocks: m.blocks } };
    const inner = new Set(ancestors).add(id);
    const children = new Map<EntryName, PastEntry>();
    for (const [name, childId] of m.children) {
      const child = await visit(childId, depth + 1, inner);
      if (child !== undefined) children.set(name, child);
    }
    return { type: 'folder', id, children };
  };
  const root = await visit(args.id, 0, new Set());
  if (root === undefined) throw new WorkspaceError('workspace/not-found', `entry ${args.id} did not exist at ${args.at}`);
  return root;
}

/**
 * The tree that was at path `names` (from the workspace root `rootId`) at `at`: each folder on
 * the way is read as it was then, from its verified history. Throws `WorkspaceError`
 * `workspace/not-found` when nothing was at that path then, plus everything `pastTree` throws.
 */
export async function pastTreeAtPath(args: {
  rc: RemoteContext;
  rootId: VlobId;
  names: readonly EntryName[];
  at: Timestamp;
  baseOf: (id: VlobId) => Verified | null;
  limits?: PastTreeLimits;
  signal?: AbortSignal;
}): Promise<PastEntry> {
  let id = args.rootId;
  for (const name of args.names) {
    args.signal?.throwIfAborted();
    const folder = versionAt(await verifiedHistory(args.rc, id, args.baseOf(id)), args.at)?.manifest;
    const child = folder?.type === 'folder' ? folder.children.get(name) : undefined;
    if (child === undefined) throw new WorkspaceError('workspace/not-found', `/${args.names.join('/')} did not exist at ${args.at}`);
    id = child;
  }
  return pastTree({ ...args, id });
}
