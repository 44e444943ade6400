/**
 * The sync engine of one workspace (DESIGN §9): inbound (poll changes since the checkpoint, fetch,
 * verify, merge) and outbound (blocks first, then manifests with optimistic concurrency). Called
 * with the workspace's mutex held.
 * @module
 */
import { newId, type BlockId, type RealmId, type VlobId } from '../codec/ids.js';
import { ManifestError, SealsyncError, TransportError } from '../errors.js';
import { sha256 } from '../keys/index.js';
import { blockAad, blockKey, encryptBlock } from '../blocks/block-crypto.js';
import { encryptManifest } from '../manifests/vlob-crypto.js';
import type { Manifest } from '../manifests/types.js';
import { expectOk, isErrorReply } from '../transport/transport.js';
import type { ClientContext } from './context.js';
import { WorkspaceError } from './errors.js';
import type { ConflictEvent } from './events.js';
import type { BaseVersion } from './local-entry.js';
import { afterUpload, applyRemote, type MergeConflict } from './merge-apply.js';
import type { RealmKeys } from './realm-keys.js';
import { fetchLatest, type RemoteContext } from './remote.js';
import { checkCheckpoint, checkVlobVersion } from './rollback.js';
import type { WorkspaceState } from './workspace-state.js';

/** Read-check failures that new certificates or keys can cure (a device, role or key we do not know yet). */
const REFRESHABLE = new Set([
  'manifest/author-unknown',
  'manifest/unknown-key-index',
  'manifest/no-write-role',
  'manifest/key-canary-missing',
  'manifest/keys-bundle-stale',
  'workspace/no-keys',
]);

function isRefreshable(err: unknown): boolean {
  return err instanceof SealsyncError && REFRESHABLE.has(err.code);
}

/**
 * The realm keys for reading: the current ones, or — when this device can no longer fetch them
 * (unshared) — the ones it already holds, so old data stays readable.
 */
export async function readKeys(ctx: ClientContext, realmId: RealmId, refresh = false): Promise<RealmKeys> {
  try {
    return await ctx.keys.get(realmId, { refresh });
  } catch (err) {
    if (!(err instanceof TransportError)) throw err;
    const held = await ctx.keys.held(realmId);
    if (held === undefined) throw err;
    return held;
  }
}

/** A `RemoteContext` for `realmId` with `keys`. */
export function remoteContext(ctx: ClientContext, realmId: RealmId, keys: RealmKeys): RemoteContext {
  return { realmId, transport: ctx.transport, certs: ctx.certs, keys: keys.keyring, now: ctx.clock(), tolerance: ctx.settings.clockTolerance };
}

/**
 * Runs `fn` with the realm's keys; if it fails because a certificate or key is not known yet,
 * syncs certificates, refreshes the keys and runs it once more (a verdict with more trust data
 * is final).
 */
export async function withFreshTrust<T>(ctx: ClientContext, realmId: RealmId, fn: (rc: RemoteContext) => Promise<T>): Promise<T> {
  try {
    return await fn(remoteContext(ctx, realmId, await readKeys(ctx, realmId)));
  } catch (err) {
    if (!isRefreshable(err)) throw err;
    await ctx.syncCertificates();
    return fn(remoteContext(ctx, realmId, await readKeys(ctx, realmId, true)));
  }
}

function toEvent(ws: WorkspaceState, c: MergeConflict): ConflictEvent {
  const folderPath = ws.pathOf(c.folderId);
  if (c.kind === 'sync') return { realmId: ws.realmId, kind: 'sync', vlobId: c.vlobId, copyId: c.copyId, copyName: c.copyName, folderPath };
  return { realmId: ws.realmId, kind: 'name', vlobId: c.vlobId, from: c.from, to: c.to, folderPath };
}

/** Merges `remotes` into the working copies and persists (with `extra` ops) atomically. */
async function merge(ctx: ClientContext, ws: WorkspaceState, remotes: readonly BaseVersion[], extra: Parameters<WorkspaceState['commit']>[1] = []): Promise<ConflictEvent[]> {
  const applied = applyRemote({ view: ws, rootId: ws.rootId, remotes, me: ctx.device.deviceId, newId: () => newId<VlobId>(), now: ctx.clock() });
  await ws.commit(applied.changes, extra);
  const events = applied.conflicts.map((c) => toEvent(ws, c));
  for (const e of events) ctx.events.emit('conflict', e);
  return events;
}

/**
 * Inbound: polls the changes since the stored checkpoint, fetches and verifies every newer
 * version, merges, and stores the new checkpoint in the same batch. Throws `RollbackError` for a
 * checkpoint or version going backwards (or a fork), read-check errors for bad manifests; nothing
 * of a refused answer is applied.
 */
export async function inbound(ctx: ClientContext, ws: WorkspaceState): Promise<{ downloaded: number; conflicts: ConflictEvent[] }> {
  const realmId = ws.realmId;
  const checkpoint = await ctx.store.getCheckpoint(realmId);
  const rep = expectOk(await ctx.transport.send({ cmd: 'vlob_poll_changes', realmId, lastCheckpoint: checkpoint }));
  checkCheckpoint(checkpoint, rep.currentCheckpoint);
  const need: VlobId[] = [];
  const min = new Map<VlobId, number>();
  for (const ch of rep.changes) {
    const known = ws.get(ch.vlobId)?.base?.manifest.version ?? 0;
    checkVlobVersion(ch.vlobId, known, ch.version);
    if (ch.version > known) {
      if (!min.has(ch.vlobId)) need.push(ch.vlobId);
      min.set(ch.vlobId, Math.max(min.get(ch.vlobId) ?? 0, ch.version));
    }
  }
  ctx.events.emit('progress', { realmId, phase: 'download', done: 0, total: need.length });
  const remotes = need.length === 0 ? [] : await withFreshTrust(ctx, realmId, (rc) => fetchLatest(rc, need, (id) => ws.get(id)?.base ?? null, min));
  const extra = rep.currentCheckpoint !== checkpoint ? [ctx.store.checkpointOp(realmId, rep.currentCheckpoint)] : [];
  const conflicts = await merge(ctx, ws, remotes, extra);
  ctx.events.emit('progress', { realmId, phase: 'download', done: need.length, total: need.length });
  return { downloaded: remotes.length, conflicts };
}

/** Re-encrypts a not-yet-uploaded block under the realm's newest key, keeping its id. */
async function reencryptBlock(ctx: ClientContext, realmId: RealmId, id: BlockId, keyIndex: number, ciphertext: Uint8Array): Promise<{ keyIndex: number; ciphertext: Uint8Array }> {
  await ctx.syncCertificates();
  const keys = await ctx.keys.get(realmId, { refresh: true });
  const old = keys.keyring.get(keyIndex);
  if (old === undefined) throw new ManifestError('manifest/unknown-key-index', `no realm key ${keyIndex} for pending block ${id}`);
  const plaintext = await (await blockKey(old, id)).decrypt(ciphertext, blockAad(realmId, id, keyIndex));
  const latest = keys.keyring.latest();
  const enc = await encryptBlock(plaintext, { realmId, realmKey: latest.key, keyIndex: latest.keyIndex }, id);
  const block = { keyIndex: latest.keyIndex, ciphertext: enc.ciphertext };
  await ctx.store.storage.batch(ctx.store.blockOps(realmId, id, block, true));
  return block;
}

/**
 * Uploads the blocks written on this device (idempotent: "already exists" is success, DESIGN §7),
 * re-encrypting a block under the new key when a rotation happened meanwhile (`bad_key_index`).
 */
export async function uploadBlocks(ctx: ClientContext, realmId: RealmId): Promise<number> {
  const pending = (await ctx.store.pendingBlocks(realmId)) as BlockId[];
  let done = 0;
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < pending.length) {
      const id = pending[next++]!;
      let block = await ctx.store.getBlock(realmId, id);
      if (block !== undefined) {
        for (let attempt = 0; ; attempt++) {
          const rep = await ctx.transport.send({ cmd: 'block_create', realmId, blockId: id, keyIndex: block.keyIndex, block: block.ciphertext });
          if (!isErrorReply(rep) || rep.code === 'already_exists') break;
          if (rep.code === 'bad_key_index' && attempt < 2) {
            block = await reencryptBlock(ctx, realmId, id, block.keyIndex, block.ciphertext);
            continue;
          }
          expectOk(rep);
        }
      }
      await ctx.store.storage.batch([ctx.store.uploadedOp(realmId, id)]);
      done++;
      ctx.events.emit('progress', { realmId, phase: 'upload-blocks', done, total: pending.length });
    }
  };
  await Promise.all(Array.from({ length: Math.min(ctx.settings.concurrency, pending.length) }, worker));
  return done;
}

type UploadOutcome = { kind: 'ok'; uploaded: BaseVersion } | { kind: 'conflict' } | { kind: 'retry' };

/** Signs, encrypts and sends version base + 1 of one working copy. */
async function uploadOne(ctx: ClientContext, ws: WorkspaceState, id: VlobId): Promise<UploadOutcome> {
  const realmId = ws.realmId;
  const entry = ws.get(id)!;
  const keys = await ctx.keys.get(realmId);
  const base = entry.base;
  const version = (base?.manifest.version ?? 0) + 1;
  const timestamp = ctx.clock();
  const manifest = {
    ...entry.local,
    version,
    prev: base === null ? null : await sha256(base.signed),
    author: ctx.device.deviceId,
    timestamp,
  } as Manifest;
  const enc = await encryptManifest({ manifest, realmId, keyring: keys.keyring, signingKey: ctx.device.signingKey });
  const common = { realmId, vlobId: id, keyIndex: enc.keyIndex, timestamp, blob: enc.blob };
  const rep = version === 1
    ? await ctx.transport.send({ cmd: 'vlob_create', ...common })
    : await ctx.transport.send({ cmd: 'vlob_update', ...common, version });
  if (!isErrorReply(rep)) return { kind: 'ok', uploaded: { manifest, signed: enc.signed, keyIndex: enc.keyIndex } };
  switch (rep.code) {
    case 'bad_version':
    case 'already_exists':
      return { kind: 'conflict' };
    case 'require_greater_timestamp':
      // The realm got a certificate (share, rotation) after our clock's "now": sign later.
      ctx.clock.bump(rep.strictlyGreaterThan);
      return { kind: 'retry' };
    case 'bad_key_index':
      await ctx.syncCertificates();
      await ctx.keys.get(realmId, { refresh: true });
      return { kind: 'retry' };
    default:
      expectOk(rep);
      return { kind: 'retry' };
  }
}

function depth(ws: WorkspaceState, id: VlobId): number {
  let d = 0;
  let cur = id;
  while (cur !== ws.rootId && d < 10_000) {
    const e = ws.get(cur);
    if (e === undefined) break;
    cur = e.local.parent;
    d++;
  }
  return d;
}

const MAX_PASSES = 20;

/**
 * Outbound: uploads pending blocks, then every working copy with unsynced changes, children
 * before the folders that name them (a reader never finds a folder entry whose manifest does not
 * exist yet). A version conflict fetches the remote version, merges and retries; throws
 * `WorkspaceError` `workspace/sync-stalled` if the server keeps refusing.
 */
export async function outbound(ctx: ClientContext, ws: WorkspaceState): Promise<{ uploaded: number; blocksUploaded: number; conflicts: ConflictEvent[] }> {
  const realmId = ws.realmId;
  const blocksUploaded = await uploadBlocks(ctx, realmId);
  const conflicts: ConflictEvent[] = [];
  let uploaded = 0;
  for (let pass = 0; pass < MAX_PASSES; pass++) {
    const todo = [...ws.all()].filter(([, e]) => e.needSync).map(([id]) => id);
    if (todo.length === 0) return { uploaded, blocksUploaded, conflicts };
    const rank = (id: VlobId): number => (ws.get(id)!.local.type === 'file' ? 1_000_000 : depth(ws, id));
    todo.sort((a, b) => rank(b) - rank(a));
    // Conflict copies made by a merge carry blocks that are already uploaded; new writes do not happen
    // here (mutex), so only a merge can add work: the outer loop picks it up.
    for (const id of todo) {
      if (!ws.get(id)?.needSync) continue;
      const r = await uploadOne(ctx, ws, id);
      if (r.kind === 'ok') {
        await ws.commit(new Map([[id, afterUpload(r.uploaded)]]));
        uploaded++;
        ctx.events.emit('progress', { realmId, phase: 'upload-manifests', done: uploaded, total: todo.length });
      } else if (r.kind === 'conflict') {
        const remotes = await withFreshTrust(ctx, realmId, (rc) => fetchLatest(rc, [id], (v) => ws.get(v)?.base ?? null));
        conflicts.push(...(await merge(ctx, ws, remotes)));
      }
    }
  }
  throw new WorkspaceError('workspace/sync-stalled', `workspace ${realmId}: the server kept refusing uploads`);
}
