/**
 * The read paths of a `Workspace`: a file as it was at a past time (walked from the root through
 * versions checked against what this device verified) and a file's content as checked pieces.
 * @module
 */
import type { RealmId, VlobId } from '../codec/ids.js';
import type { Timestamp } from '../codec/timestamps.js';
import type { EntryName } from '../manifests/entry-name.js';
import type { FileManifest } from '../manifests/types.js';
import { readBlock, readContent, type KeyOf } from './block-io.js';
import type { ClientContext } from './context.js';
import { WorkspaceError } from './errors.js';
import { formatPath } from './paths.js';
import { fetchAt } from './remote.js';
import { readKeys, withFreshTrust } from './sync-engine.js';
import type { WorkspaceState } from './workspace-state.js';
import type { ReadOptions } from './workspace-types.js';

/**
 * The file at `names` as it was at `at`, walked from the root through versions each checked
 * against what this device verified of the vlob (its sync base).
 * @throws `WorkspaceError` (`not-found`, `is-a-folder`), `RollbackError` and read-check errors.
 */
export async function fileAt(ctx: ClientContext, state: WorkspaceState, names: readonly EntryName[], at: Timestamp): Promise<FileManifest> {
  return withFreshTrust(ctx, state.realmId, async (rc) => {
    const known = (id: VlobId) => state.verified(id);
    let current = await fetchAt(rc, state.rootId, at, known(state.rootId));
    for (let i = 0; i < names.length; i++) {
      if (current === undefined || current.manifest.type !== 'folder') break;
      const child = current.manifest.children.get(names[i]!);
      current = child === undefined ? undefined : await fetchAt(rc, child, at, known(child));
    }
    if (current === undefined) throw new WorkspaceError('workspace/not-found', `${formatPath(names)} did not exist at ${at}`);
    if (current.manifest.type !== 'file') throw new WorkspaceError('workspace/is-a-folder', `${formatPath(names)} is a folder`);
    return current.manifest;
  });
}

/**
 * The realm key of an index for block reads: from the verified keyring, refreshed (certificates
 * synced, keys re-read) at most once per resolver when an index is unknown — one refresh shared
 * by every block read with it, however many ask at once.
 */
export function realmKeyOf(ctx: ClientContext, realmId: RealmId): KeyOf {
  let refresh: Promise<Awaited<ReturnType<typeof readKeys>>> | undefined;
  return async (keyIndex: number) => {
    let keys = await readKeys(ctx, realmId);
    if (keys.keyring.get(keyIndex) === undefined) keys = await (refresh ??= ctx.syncCertificates().then(() => readKeys(ctx, realmId, true)));
    return keys.keyring.get(keyIndex);
  };
}

/**
 * The content of `file` (or the range of `options`) as pieces, each block checked against the
 * manifest (`readContent`), fetched `concurrency` ahead.
 */
export function filePieces(ctx: ClientContext, realmId: RealmId, file: FileManifest, options: ReadOptions): AsyncGenerator<Uint8Array, void, undefined> {
  const keyOf = realmKeyOf(ctx, realmId);
  return readContent({
    file,
    ...(options.offset !== undefined ? { offset: options.offset } : {}),
    ...(options.length !== undefined ? { length: options.length } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
    concurrency: ctx.settings.concurrency,
    fetch: (ref) => readBlock({ store: ctx.store, transport: ctx.transport, realmId, ref, keyOf }),
  });
}
