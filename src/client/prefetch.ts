/**
 * Offline availability (`Workspace.prefetch`): every block of the files under a path that this
 * device does not hold yet is fetched, checked exactly as a read checks it, and kept in the
 * local store, so that later reads of those files need no server.
 *
 * Why it exists: a device that reads files one after another pays one signed
 * `block_read` per block it does not hold (signing and the server's verification were ~30 % of
 * reading 3,000 small files). Fetched here, many blocks at once, they share one
 * `block_read_batch` per up to 128 blocks / 4 MiB (`fetchBlock` coalesces the blocks asked in one
 * turn), and every check stays: each block is decrypted (AEAD bound to realm, block id and key
 * index) and its SHA-256 compared with the signed manifest before it is stored (`readBlock`).
 * @module
 */
import { throwIfAborted } from '../errors.js';
import type { RealmId, VlobId } from '../codec/ids.js';
import type { BlockRef, FileManifest } from '../manifests/types.js';
import { readBlock, type KeyOf } from './block-io.js';
import type { ClientContext } from './context.js';
import type { WorkspaceState } from './workspace-state.js';

/** What `Workspace.prefetch` did. */
export interface PrefetchReport {
  /** Files under the path whose every block is now held locally. */
  readonly files: number;
  /** Blocks fetched from the server (checked, then stored). */
  readonly blocks: number;
  /** Plaintext bytes of the blocks fetched. */
  readonly bytes: number;
  /** Files left out because this user's clearance does not dominate their label. */
  readonly skipped: number;
}

/** Options of `Workspace.prefetch`. */
export interface PrefetchOptions {
  /** Stops launching fetches once aborted (those in flight finish); rejects `AbortError` `abort/aborted`, the signal's reason as `cause`. */
  readonly signal?: AbortSignal;
  /** Called after each block is stored: blocks done, blocks to fetch in all. */
  readonly onProgress?: (done: number, total: number) => void;
}

/**
 * Plaintext bytes in flight at most: enough for several full `block_read_batch` replies at once
 * (4 MiB each), while memory stays bounded whatever the workspace holds.
 */
export const PREFETCH_WINDOW_BYTES = 16 * 1024 * 1024;

/**
 * The files of the working copy at or under folder or file `id`, each once (a folder walk; a
 * child not fetched yet is left out, as `list` leaves it out).
 */
export function filesUnder(state: WorkspaceState, id: VlobId): FileManifest[] {
  const out: FileManifest[] = [];
  const seen = new Set<VlobId>();
  const stack = [id];
  while (stack.length > 0) {
    const cur = stack.pop()!;
    // The working copy is a tree; the set only guards against walking a damaged one forever.
    if (seen.has(cur)) continue;
    seen.add(cur);
    const e = state.get(cur);
    if (e === undefined) continue;
    if (e.local.type === 'file') out.push(e.local);
    else for (const child of e.local.children.values()) stack.push(child);
  }
  return out;
}

/**
 * The blocks of `files` not in `held`, each once (the same block id in two files is fetched
 * once: content-addressed ids are per realm and a block is the same wherever it is listed).
 */
export function missingBlocks(files: readonly FileManifest[], held: ReadonlySet<string>): BlockRef[] {
  const out = new Map<string, BlockRef>();
  for (const f of files) for (const ref of f.blocks) if (!held.has(ref.id) && !out.has(ref.id)) out.set(ref.id, ref);
  return [...out.values()];
}

/**
 * Fetches, checks and stores `refs` of realm `realmId`, at most `PREFETCH_WINDOW_BYTES` of them
 * in flight. Rejects with the first failure (`IntegrityError`, `TransportError`,
 * `AbortError`) once the fetches in flight have settled; each block stored before it stays stored
 * (every block is its own atomic write and was fully checked first).
 */
export async function fetchAll(ctx: ClientContext, realmId: RealmId, refs: readonly BlockRef[], keyOf: KeyOf, options: PrefetchOptions): Promise<{ blocks: number; bytes: number }> {
  let inFlight = 0;
  let bytesInFlight = 0;
  let done = 0;
  let bytes = 0;
  let failure: { error: unknown } | undefined;
  let wake: (() => void) | undefined;
  const settled = (): void => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  const launch = (ref: BlockRef): void => {
    inFlight++;
    bytesInFlight += ref.size;
    readBlock({ store: ctx.store, transport: ctx.transport, realmId, ref, keyOf }).then(
      () => {
        done++;
        bytes += ref.size;
        options.onProgress?.(done, refs.length);
      },
      (error: unknown) => void (failure ??= { error }),
    ).finally(() => {
      inFlight--;
      bytesInFlight -= ref.size;
      settled();
    });
  };
  const waitOne = (): Promise<void> => new Promise<void>((resolve) => (wake = resolve));
  for (const ref of refs) {
    if (failure !== undefined || options.signal?.aborted) break;
    // A full window drains to half before refilling, so blocks are asked in groups (one batch
    // each) rather than one by one as each lands. A block larger than the window goes alone.
    if (bytesInFlight + ref.size > PREFETCH_WINDOW_BYTES) while (inFlight > 0 && bytesInFlight > PREFETCH_WINDOW_BYTES / 2) await waitOne();
    while (inFlight > 0 && bytesInFlight + ref.size > PREFETCH_WINDOW_BYTES) await waitOne();
    if (failure !== undefined || options.signal?.aborted) break;
    launch(ref);
  }
  while (inFlight > 0) await waitOne();
  if (failure !== undefined) throw failure.error;
  throwIfAborted(options.signal);
  return { blocks: done, bytes };
}

/**
 * `Workspace.prefetch` without the workspace: the files under `id` (read from `state` by the
 * caller under its lock), their missing blocks fetched and stored.
 */
export async function prefetchFiles(ctx: ClientContext, realmId: RealmId, files: readonly FileManifest[], keyOf: KeyOf, readable: (f: FileManifest) => boolean, options: PrefetchOptions): Promise<PrefetchReport> {
  throwIfAborted(options.signal);
  const allowed = files.filter(readable);
  const held = new Set(await ctx.store.storedBlocks(realmId));
  const { blocks, bytes } = await fetchAll(ctx, realmId, missingBlocks(allowed, held), keyOf, options);
  return { files: allowed.length, blocks, bytes, skipped: files.length - allowed.length };
}
