/**
 * Full workspace re-encryption (Parsec F10 `WS_REENCRYPT`, beyond key rotation): after a suspected
 * key compromise, an OWNER rotates the realm key, then replaces every manifest version and every
 * block on the server by the same plaintext under the new key. Each version is verified (signature,
 * hash chain) and each block checked against its signed digest before it is re-wrapped, so a
 * server cannot make the OWNER re-encrypt something it substituted. The state lives on the server
 * (each item names its key index), so a run stopped at any point is resumed by running again
 * without rotating; items already under the current key are skipped. Readers keep reading: every
 * answer names the key index it is under, and members hold every key.
 * @module
 */
import type { BlockId, RealmId, VlobId } from '../codec/ids.js';
import { blockKey, decryptBlock, encryptBlock } from '../blocks/block-crypto.js';
import type { BlockRef } from '../manifests/types.js';
import { decryptRealmName } from '../manifests/realm-name.js';
import { vlobAad, vlobKey } from '../manifests/vlob-crypto.js';
import { ManifestError } from '../errors.js';
import { MAX_BATCH_ITEMS } from '../transport/limits.js';
import { expectOk } from '../transport/transport.js';
import type { ClientContext } from './context.js';
import { setWorkspaceName } from './membership.js';
import { fetchHistory } from './remote.js';
import { rotateWorkspaceKey } from './rotate-key.js';
import { remoteContext } from './sync-engine.js';

/** Where a re-encryption stands. */
export interface ReencryptProgress {
  readonly phase: 'manifests' | 'blocks';
  /** Vlobs (manifests phase) or blocks (blocks phase) handled so far, of `total`. */
  readonly done: number;
  readonly total: number;
}

/** What a re-encryption did. */
export interface ReencryptReport {
  /** The key everything is now under. */
  readonly keyIndex: number;
  readonly versionsReencrypted: number;
  readonly blocksReencrypted: number;
  /** Items found already under `keyIndex` (a resumed run). */
  readonly alreadyDone: number;
}

/** Options of `Workspace.reencrypt`. */
export interface ReencryptOptions {
  /** Rotate the key first (default `true`); `false` resumes a stopped run under the current key. */
  readonly rotate?: boolean;
  readonly signal?: AbortSignal;
  /** Awaited: the run waits for it (a UI may render; a test may read in the middle). */
  readonly onProgress?: (p: ReencryptProgress) => void | Promise<void>;
}

/** Largest sum of blob sizes sent in one `realm_reencrypt_vlobs`. */
const BATCH_BYTES = 4 * 1024 * 1024;

/** The OWNER checked by the caller. Throws `TransportError`, `ManifestError`, `IntegrityError`, `RollbackError`, `AbortError`. */
export async function reencryptWorkspace(ctx: ClientContext, realmId: RealmId, options: ReencryptOptions = {}): Promise<ReencryptReport> {
  const { signal, onProgress } = options;
  if (options.rotate ?? true) await rotateWorkspaceKey(ctx, realmId);
  await ctx.syncCertificates();
  const keys = await ctx.keys.get(realmId, { refresh: true });
  const target = keys.keyring.latest();
  const rc = remoteContext(ctx, realmId, keys);
  const poll = expectOk(await ctx.transport.send({ cmd: 'vlob_poll_changes', realmId, lastCheckpoint: 0 }));
  const blocks = new Map<BlockId, BlockRef>();
  let versionsReencrypted = 0;
  let alreadyDone = 0;

  for (const [i, { vlobId, version }] of poll.changes.entries()) {
    signal?.throwIfAborted();
    const history = await fetchHistory(rc, vlobId, version);
    let batch: { vlobId: VlobId; version: number; blob: Uint8Array }[] = [];
    let bytes = 0;
    const flush = async (): Promise<void> => {
      if (batch.length === 0) return;
      expectOk(await ctx.transport.send({ cmd: 'realm_reencrypt_vlobs', realmId, keyIndex: target.keyIndex, items: batch }));
      versionsReencrypted += batch.length;
      batch = [];
      bytes = 0;
    };
    const key = await vlobKey(target.key, vlobId);
    for (const v of history) {
      if (v.manifest.type === 'file') for (const b of v.manifest.blocks) blocks.set(b.id, b);
      if (v.keyIndex >= target.keyIndex) {
        alreadyDone++;
        continue;
      }
      const blob = await key.encrypt(v.signed, vlobAad(realmId, vlobId, target.keyIndex, v.manifest.version));
      batch.push({ vlobId, version: v.manifest.version, blob });
      bytes += blob.length;
      if (batch.length >= MAX_BATCH_ITEMS || bytes >= BATCH_BYTES) await flush();
    }
    await flush();
    await onProgress?.({ phase: 'manifests', done: i + 1, total: poll.changes.length });
  }

  let blocksReencrypted = 0;
  let done = 0;
  for (const ref of blocks.values()) {
    signal?.throwIfAborted();
    const rep = expectOk(await ctx.transport.send({ cmd: 'block_read', realmId, blockId: ref.id }));
    if (rep.keyIndex >= target.keyIndex) {
      alreadyDone++;
    } else {
      const old = keys.keyring.get(rep.keyIndex);
      if (old === undefined) throw new ManifestError('manifest/unknown-key-index', `no realm key ${rep.keyIndex} for block ${ref.id}`);
      // Size, decryption and the signed digest: only the real content is re-wrapped.
      const plaintext = await decryptBlock(ref, rep.block, { realmId, realmKey: old, keyIndex: rep.keyIndex }, blockKey(old, ref.id));
      const enc = await encryptBlock(plaintext, { realmId, realmKey: target.key, keyIndex: target.keyIndex }, ref.id);
      expectOk(await ctx.transport.send({ cmd: 'realm_reencrypt_block', realmId, blockId: ref.id, keyIndex: target.keyIndex, block: enc.ciphertext }));
      blocksReencrypted++;
    }
    await onProgress?.({ phase: 'blocks', done: ++done, total: blocks.size });
  }

  // The name is the last thing a retired key could still open.
  const name = ctx.certs.getRealmName(realmId);
  if (name !== undefined && name.keyIndex < target.keyIndex) {
    const plain = await decryptRealmName({ encryptedName: name.encryptedName, keyIndex: name.keyIndex, realmId, realmKeys: keys.keyring });
    await setWorkspaceName(ctx, realmId, plain);
  }
  return { keyIndex: target.keyIndex, versionsReencrypted, blocksReencrypted, alreadyDone };
}
