/**
 * The sync engine of one workspace (the sync model): inbound (poll changes since the checkpoint, fetch,
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
import type { StorageOp } from '../storage/storage.js';
import type { BlockCreateItem, ErrorReply, VlobWriteItem } from '../transport/commands.js';
import { expectOk } from '../transport/transport.js';
import type { ClientContext } from './context.js';
import { WorkspaceError } from './errors.js';
import type { ConflictEvent } from './events.js';
import type { BaseVersion, LocalEntry } from './local-entry.js';
import { blocksToUpload, isSharedIn, listedElsewhereIn, pendingUploads, sharedIds, uploadContent } from './local-only.js';
import { afterUpload, applyRemote, type MergeConflict } from './merge-apply.js';
import { forEachLimit } from './pool.js';
import { BLOCK_BATCH_BYTES, BLOCK_BATCH_ITEMS, VLOB_BATCH_BYTES, VLOB_BATCH_ITEMS, sendBlockBatch, sendVlobBatch, splitBatches } from './upload-batch.js';
import type { RealmKeys } from './realm-keys.js';
import { currentMark, type PollMark } from './appeared-after.js';
import { fetchRelisted } from './entry-gc.js';
import { currentHeads, headsTimestamp } from './manifest-heads.js';
import { fetchLatest, type RemoteContext } from './remote.js';
import { checkCheckpointBacked, checkFullListing, checkVlobVersion, type PolledChange } from './rollback.js';
import { verifiedVersion } from './verified.js';
import type { WorkspaceState } from './workspace-state.js';

/** Read-check failures that new certificates or keys can cure (a device, role or key we do not know yet). */
const REFRESHABLE = new Set([
  'manifest/author-unknown',
  'manifest/unknown-key-index',
  'manifest/no-write-role',
  'manifest/heads-unknown',
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
  if (c.kind === 'moved') return { realmId: ws.realmId, kind: 'moved', vlobId: c.vlobId, name: c.name, folderPath, toPath: ws.pathOf(c.toFolderId) };
  return { realmId: ws.realmId, kind: 'name', vlobId: c.vlobId, from: c.from, to: c.to, folderPath };
}

/** Merges `remotes` into the working copies and persists (with `extra` ops) atomically. */
async function merge(ctx: ClientContext, ws: WorkspaceState, remotes: readonly BaseVersion[], extra: Parameters<WorkspaceState['commit']>[1] = []): Promise<ConflictEvent[]> {
  const applied = applyRemote({ view: ws, rootId: ws.rootId, remotes, me: ctx.device.deviceId, newId: () => newId<VlobId>(), now: ctx.clock(), ignore: ctx.settings.ignore, tombstones: ws });
  await ws.commit(applied.changes, extra, applied.tombstones);
  const events = applied.conflicts.map((c) => toEvent(ws, c));
  for (const e of events) ctx.events.emit('conflict', e);
  return events;
}

/**
 * Polls the changes since `stored`, checking the unsigned checkpoint against the changes it
 * summarises (`checkCheckpointBacked`). A checkpoint below `stored` is not trusted either way:
 * the realm is listed in full once (from 0), the listing must hold every vlob this device
 * verified, at that version or later (`checkFullListing`: a server that lost or hides writes is
 * a `RollbackError`), and its exact count replaces the stored one. So a server that once slipped
 * an inflated checkpoint in cannot keep the workspace from syncing afterwards.
 */
async function poll(ctx: ClientContext, ws: WorkspaceState, stored: number): Promise<{ lastCheckpoint: number; currentCheckpoint: number; changes: readonly PolledChange[] }> {
  const realmId = ws.realmId;
  const rep = expectOk(await ctx.transport.send({ cmd: 'vlob_poll_changes', realmId, lastCheckpoint: stored }));
  if (rep.currentCheckpoint >= stored) {
    checkCheckpointBacked(stored, rep.currentCheckpoint, rep.changes);
    return { lastCheckpoint: stored, currentCheckpoint: rep.currentCheckpoint, changes: rep.changes };
  }
  const full = expectOk(await ctx.transport.send({ cmd: 'vlob_poll_changes', realmId, lastCheckpoint: 0 }));
  checkCheckpointBacked(0, full.currentCheckpoint, full.changes);
  const known = new Map<VlobId, number>();
  for (const [id, e] of ws.all()) if (e.base !== null) known.set(id, e.base.manifest.version);
  for (const [id, m] of ws.allCollected()) if (!known.has(id)) known.set(id, m.version);
  checkFullListing(known, full.changes);
  return { lastCheckpoint: 0, currentCheckpoint: full.currentCheckpoint, changes: full.changes };
}

/**
 * Fetches the latest verified versions of `ids` (`fetchLatest`, against what this device verified,
 * collected entries' marks included) and the entries their folders name that this device no
 * longer holds (`fetchRelisted`).
 */
async function fetchVerified(ctx: ClientContext, ws: WorkspaceState, ids: readonly VlobId[], floor: ReadonlyMap<VlobId, number>, mark: PollMark | null): Promise<BaseVersion[]> {
  const fetch = (v: readonly VlobId[], f: ReadonlyMap<VlobId, number>) => withFreshTrust(ctx, ws.realmId, (rc) => fetchLatest(rc, v, (id) => ws.verified(id), f, mark));
  const remotes = ids.length === 0 ? [] : await fetch(ids, floor);
  await fetchRelisted(ws, remotes, fetch);
  return remotes;
}

/**
 * Inbound: polls the changes since the stored checkpoint (see `poll`), fetches and verifies every newer
 * version, merges, and stores the new checkpoint in the same batch. Throws `RollbackError` for a
 * checkpoint or version going backwards (or a fork), read-check errors for bad manifests; nothing
 * of a refused answer is applied.
 */
export async function inbound(ctx: ClientContext, ws: WorkspaceState): Promise<{ downloaded: number; conflicts: ConflictEvent[] }> {
  const realmId = ws.realmId;
  const { checkpoint: stored, mark } = await ctx.store.getRealmState(realmId);
  // Taken before the poll: what this poll does not deliver was stored after these certificates.
  const nextMark = currentMark(ctx.certs, realmId);
  const rep = await poll(ctx, ws, stored);
  const checkpoint = rep.lastCheckpoint;
  const need: VlobId[] = [];
  const min = new Map<VlobId, number>();
  for (const ch of rep.changes) {
    const known = verifiedVersion(ws.verified(ch.vlobId));
    checkVlobVersion(ch.vlobId, known, ch.version);
    if (ch.version > known) {
      if (!min.has(ch.vlobId)) need.push(ch.vlobId);
      min.set(ch.vlobId, Math.max(min.get(ch.vlobId) ?? 0, ch.version));
    }
  }
  ctx.events.emit('progress', { realmId, phase: 'download', done: 0, total: need.length });
  const remotes = await fetchVerified(ctx, ws, need, min, mark);
  const moved = mark === null || mark.common !== nextMark.common || mark.realm !== nextMark.realm;
  const extra = rep.currentCheckpoint !== stored || moved ? [ctx.store.checkpointOp(realmId, rep.currentCheckpoint, nextMark)] : [];
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
  await ctx.store.storage.batch(ctx.store.blockOps(realmId, id, block));
  return block;
}

/** Upload marks cleared per storage batch: a crash loses at most this many acknowledgements (re-sent as "already exists"). */
const MARKS_PER_BATCH = 256;

/**
 * Sends `batch` (one `block_create_batch`), re-encrypting under the newest key and sending again
 * the blocks refused `bad_key_index` (twice at most); `accept` is called for each block the server
 * took (or already had). Throws the first other refusal as `ErrorReplyError`, after accepting
 * the rest; `TransportError` `transport/batch-mismatch` for a reply that does not answer the
 * blocks sent (nothing of it accepted).
 */
async function sendBlocks(ctx: ClientContext, realmId: RealmId, batch: readonly BlockCreateItem[], accept: (id: BlockId) => Promise<void>): Promise<void> {
  let toSend: readonly BlockCreateItem[] = batch;
  for (let attempt = 0; toSend.length > 0; attempt++) {
    const results = await sendBlockBatch(ctx.transport, realmId, toSend);
    const again: BlockCreateItem[] = [];
    let refused: ErrorReply | null = null;
    for (const [i, r] of results.entries()) {
      const item = toSend[i]!;
      if (r.status === 'ok' || r.code === 'already_exists') await accept(item.blockId);
      else if (r.code === 'bad_key_index' && attempt < 2) again.push(item);
      else refused ??= r;
    }
    if (refused !== null) expectOk(refused);
    const reencrypted: BlockCreateItem[] = [];
    for (const item of again) {
      const block = await reencryptBlock(ctx, realmId, item.blockId, item.keyIndex, item.block);
      reencrypted.push({ blockId: item.blockId, keyIndex: block.keyIndex, block: block.ciphertext });
    }
    toSend = reencrypted;
  }
}

/**
 * Uploads the blocks the unsynced entries in `shared` need (`blocksToUpload`: scratch and removed
 * files' blocks stay local) plus those with a legacy upload mark, in batches of at most
 * `BLOCK_BATCH_ITEMS` blocks and `BLOCK_BATCH_BYTES` (read from the local store as the batch
 * fills: memory stays bounded), a few batches in flight (idempotent: "already exists" is success,
 * the block format), re-encrypting a block under the new key when a rotation happened meanwhile
 * (`bad_key_index`). A block this device does not hold is not its to upload.
 * Legacy marks are cleared in batches, also when a block fails (the others are done).
 */
export async function uploadBlocks(ctx: ClientContext, ws: WorkspaceState, shared: ReadonlySet<VlobId>): Promise<number> {
  const realmId = ws.realmId;
  const legacy = new Set((await ctx.store.pendingBlocks(realmId)) as BlockId[]);
  const live = [...ws.all()].filter(([id]) => shared.has(id));
  const pending = [...new Set([...blocksToUpload(live, new Set()).filter((id) => !ws.uploadedBlocks.has(id)), ...legacy])];
  let done = 0;
  const marks: StorageOp[] = [];
  const flush = async (): Promise<void> => {
    if (marks.length > 0) await ctx.store.storage.batch(marks.splice(0));
  };
  const accept = async (id: BlockId): Promise<void> => {
    ws.uploadedBlocks.add(id);
    if (legacy.has(id)) marks.push(ctx.store.uploadedOp(realmId, id));
    done++;
    ctx.events.emit('progress', { realmId, phase: 'upload-blocks', done, total: pending.length });
    if (marks.length >= MARKS_PER_BATCH) await flush();
  };
  const chunks: BlockId[][] = [];
  for (let i = 0; i < pending.length; i += BLOCK_BATCH_ITEMS) chunks.push(pending.slice(i, i + BLOCK_BATCH_ITEMS));
  try {
    await forEachLimit(chunks, Math.min(ctx.settings.concurrency, BLOCK_BATCHES_IN_FLIGHT), async (ids) => {
      let batch: BlockCreateItem[] = [];
      let bytes = 0;
      for (const id of ids) {
        const block = await ctx.store.getBlock(realmId, id);
        if (block === undefined) {
          await accept(id);
          continue;
        }
        if (batch.length > 0 && bytes + block.ciphertext.length > BLOCK_BATCH_BYTES) {
          await sendBlocks(ctx, realmId, batch, accept);
          batch = [];
          bytes = 0;
        }
        batch.push({ blockId: id, keyIndex: block.keyIndex, block: block.ciphertext });
        bytes += block.ciphertext.length;
      }
      if (batch.length > 0) await sendBlocks(ctx, realmId, batch, accept);
    });
  } finally {
    await flush();
  }
  return done;
}

/** One manifest ready to send: the item of the batch and the version it becomes once accepted. */
interface Prepared {
  readonly id: VlobId;
  readonly entry: LocalEntry;
  readonly item: VlobWriteItem;
  readonly uploaded: BaseVersion;
}

/** Signs and encrypts version base + 1 of `entry`, publishing `content` (its shareable working copy). */
async function prepare(ctx: ClientContext, realmId: RealmId, keys: RealmKeys, id: VlobId, entry: LocalEntry, content: Manifest): Promise<Prepared> {
  const base = entry.base;
  const version = (base?.manifest.version ?? 0) + 1;
  // Timestamps strictly increase along a vlob's chain (readers refuse otherwise): a base signed
  // by a device whose clock runs ahead pushes ours past it (bounded by the clock tolerance).
  if (base !== null && ctx.clock() <= base.manifest.timestamp) ctx.clock.bump(base.manifest.timestamp);
  // Bind the certificate heads this device verified, and date the version after them (readers
  // refuse `older-than-heads`); a certificate signed by a clock ahead pushes ours past it.
  const heads = currentHeads(ctx.certs, realmId);
  const seen = headsTimestamp(ctx.certs, realmId, heads);
  if (ctx.clock() <= seen) ctx.clock.bump(seen);
  const timestamp = ctx.clock();
  const manifest = {
    ...content,
    version,
    prev: base === null ? null : await sha256(base.signed),
    author: ctx.device.deviceId,
    timestamp,
    heads,
  } as Manifest;
  const enc = await encryptManifest({ manifest, realmId, keyring: keys.keyring, signingKey: ctx.device.signingKey });
  return { id, entry, item: { vlobId: id, keyIndex: enc.keyIndex, timestamp, version, blob: enc.blob }, uploaded: { manifest, signed: enc.signed, keyIndex: enc.keyIndex } };
}

/**
 * Signs, encrypts and sends `ready` (one `vlob_write_batch` per `VLOB_BATCH_BYTES`), and records
 * every accepted version durably, in one local batch per reply, before anything else is sent:
 * after a crash the device knows every version it wrote (and the restore step tells its own
 * uploads from edits it never saw, see `findMissedDeletes`). Returns how many were accepted and
 * which were refused for a version conflict; a refused timestamp or key index is fixed (clock
 * bumped, keys refreshed) for the next pass. Throws the first other refusal (`ErrorReplyError`),
 * `TransportError` `transport/batch-mismatch` for a reply that does not answer what was sent
 * (nothing of it recorded), `TransportError` `transport/clock-hint-too-far` for a timestamp hint
 * beyond the clock tolerance.
 */
async function uploadBatch(ctx: ClientContext, ws: WorkspaceState, ready: readonly { id: VlobId; entry: LocalEntry; content: Manifest }[]): Promise<{ accepted: number; conflicted: VlobId[] }> {
  const realmId = ws.realmId;
  const keys = await ctx.keys.get(realmId);
  const prepared: Prepared[] = [];
  for (const r of ready) prepared.push(await prepare(ctx, realmId, keys, r.id, r.entry, r.content));
  let accepted = 0;
  const conflicted: VlobId[] = [];
  for (const part of splitBatches(prepared, (p) => p.item.blob.length, VLOB_BATCH_ITEMS, VLOB_BATCH_BYTES)) {
    const results = await sendVlobBatch(ctx.transport, realmId, part.map((p) => p.item));
    const changes = new Map<VlobId, LocalEntry>();
    const bumps: number[] = [];
    let refused: ErrorReply | null = null;
    let rotated = false;
    for (const [i, r] of results.entries()) {
      const p = part[i]!;
      if (r.status === 'ok') {
        changes.set(p.id, afterUpload(p.entry.local, p.uploaded));
        continue;
      }
      switch (r.code) {
        case 'bad_version':
        case 'already_exists':
          conflicted.push(p.id);
          break;
        case 'require_greater_timestamp':
          // The realm got a certificate (share, rotation) after our clock's "now": sign later.
          bumps.push(r.strictlyGreaterThan);
          break;
        case 'bad_key_index':
          rotated = true;
          break;
        default:
          refused ??= r;
      }
    }
    if (changes.size > 0) await ws.commit(changes);
    accepted += changes.size;
    for (const b of bumps) ctx.clock.bump(b);
    if (refused !== null) expectOk(refused);
    if (rotated) {
      await ctx.syncCertificates();
      await ctx.keys.get(realmId, { refresh: true });
    }
  }
  return { accepted, conflicted };
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
/** Block batches in flight (at most this many × `BLOCK_BATCH_BYTES` held in memory). */
const BLOCK_BATCHES_IN_FLIGHT = 2;

/**
 * The upload order: all files first, then folders deepest first. The members of a group can go
 * together: a folder only names entries that are deeper (or files), i.e. of earlier groups.
 */
function uploadGroups(ws: WorkspaceState, pending: readonly VlobId[]): VlobId[][] {
  const byRank = new Map<number, VlobId[]>();
  for (const id of pending) {
    const rank = ws.get(id)!.local.type === 'file' ? Number.MAX_SAFE_INTEGER : depth(ws, id);
    let g = byRank.get(rank);
    if (g === undefined) byRank.set(rank, (g = []));
    g.push(id);
  }
  return [...byRank].sort((a, b) => b[0] - a[0]).map(([, ids]) => ids.sort());
}

/**
 * Outbound: uploads pending blocks, then every working copy with unsynced changes, children
 * before the folders that name them (a reader never finds a folder entry whose manifest does not
 * exist yet: a folder naming a never-uploaded child waits for the next pass). Scratch entries
 * (ignore patterns) and their blocks stay local, and folders are published without them. Files
 * go first, then folders level by level, each level in `vlob_write_batch` batches; the accepted
 * versions of each reply are persisted in one local batch before anything else is sent. A version
 * conflict fetches the remote version, merges and retries; throws `WorkspaceError`
 * `workspace/sync-stalled` if the server keeps refusing.
 */
export async function outbound(ctx: ClientContext, ws: WorkspaceState): Promise<{ uploaded: number; blocksUploaded: number; conflicts: ConflictEvent[] }> {
  const realmId = ws.realmId;
  const ignore = ctx.settings.ignore;
  const blocksUploaded = await uploadBlocks(ctx, ws, sharedIds(ws, ws.rootId, ignore));
  const conflicts: ConflictEvent[] = [];
  let uploaded = 0;
  for (let pass = 0; pass < MAX_PASSES; pass++) {
    // Only entries still in the shared tree: a removed entry's pending edit is never published.
    const { pending, shared } = pendingUploads(ws, ws.rootId, ignore);
    if (pending.length === 0) {
      ws.uploadedBlocks.clear();
      return { uploaded, blocksUploaded, conflicts };
    }
    for (const group of uploadGroups(ws, pending)) {
      const conflicted: VlobId[] = [];
      const ready: { id: VlobId; entry: LocalEntry; content: Manifest }[] = [];
      for (const id of group) {
        const entry = ws.get(id);
        // Clean folders are here when their shared view changed (`pendingUploads`).
        if (entry === undefined || (!entry.needSync && entry.local.type !== 'folder')) continue;
        const content = uploadContent(entry, ignore, isSharedIn(ws), shared.get(id) === true, listedElsewhereIn(ws));
        if (content === null) {
          // Only scratch entries changed: nothing to publish.
          await ws.commit(new Map([[id, { ...entry, needSync: false }]]));
          continue;
        }
        if (content.type === 'folder' && [...content.children.values()].some((c) => ws.get(c)?.base === null)) continue;
        ready.push({ id, entry, content });
      }
      // The members of a group never name one another: they can share a batch.
      for (let i = 0; i < ready.length; i += VLOB_BATCH_ITEMS) {
        const r = await uploadBatch(ctx, ws, ready.slice(i, i + VLOB_BATCH_ITEMS));
        uploaded += r.accepted;
        conflicted.push(...r.conflicted);
        if (r.accepted > 0) ctx.events.emit('progress', { realmId, phase: 'upload-manifests', done: uploaded, total: pending.length });
      }
      // One merge at a time: two merges computed from the same state would overwrite each
      // other's change to a shared parent folder (e.g. two conflict copies added to it).
      for (const id of conflicted.sort()) {
        if (!ws.get(id)?.needSync) continue;
        const { mark } = await ctx.store.getRealmState(realmId);
        const remotes = await fetchVerified(ctx, ws, [id], new Map(), mark);
        conflicts.push(...(await merge(ctx, ws, remotes)));
      }
    }
  }
  throw new WorkspaceError('workspace/sync-stalled', `workspace ${realmId}: the server kept refusing uploads`);
}
