/**
 * `Workspace`: one realm seen as a folder tree. File-system operations work offline on the local
 * working copies; `sync()` exchanges them with the server. Membership operations (share, unshare,
 * rotate key, rename) are online.
 * @module
 */
import { newId, type RealmId, type UserId, type VlobId } from '../codec/ids.js';
import type { Timestamp } from '../codec/timestamps.js';
import type { RealmArchivingConfiguration, RealmMember, RealmRole, RevisedLabel } from '../certificates/index.js';
import type { ConfidentialityLabel } from '../certificates/label.js';
import { canRead, checkRead, fileLabelFor, setWorkspaceLabel } from './labels.js';
import { archivingState, requireAvailable, setWorkspaceArchiving, type WorkspaceArchiving } from './archiving.js';
import type { BlockSource } from '../blocks/source.js';
import { decryptRealmName } from '../manifests/realm-name.js';
import { WRITE_ROLES } from '../manifests/trust.js';
import type { FileManifest, Manifest } from '../manifests/types.js';
import { collect, storeContent } from './block-io.js';
import type { ClientContext } from './context.js';
import { WorkspaceError } from './errors.js';
import type { SyncReport } from './events.js';
import { renameWithTombstones } from './scratch-fork.js';
import { tidyAfterSync } from './local-gc.js';
import { isLocalOnlyPath, pendingUploads } from './local-only.js';
import { Mutex } from './mutex.js';
import { setWorkspaceName, shareWorkspace, unshareWorkspace } from './membership.js';
import { rotateWorkspaceKey } from './rotate-key.js';
import { reencryptWorkspace, type ReencryptOptions, type ReencryptReport } from './reencrypt.js';
import { formatPath, parsePath } from './paths.js';
import { pastTreeAtPath, verifiedHistory, type PastTreeLimits } from './past.js';
import { restoreChanges, type RestoreReport } from './restore.js';
import { inbound, outbound, readKeys, withFreshTrust } from './sync-engine.js';
import { fileAt, filePieces, realmKeyOf } from './workspace-read.js';
import { filesUnder, prefetchFiles, type PrefetchOptions, type PrefetchReport } from './prefetch.js';
import { removeTombstones } from './tombstones.js';
import { labelFileChanges, mkdirChanges, removeChanges, resolvePath, writeFileChanges } from './tree.js';
import type { WorkspaceState } from './workspace-state.js';
import { statOf, type DirEntry, type EntryStat, type HistoryEntry, type ReadOptions } from './workspace-types.js';

export type { DirEntry, EntryStat, HistoryEntry, ReadOptions } from './workspace-types.js';
export type { PrefetchOptions, PrefetchReport } from './prefetch.js';

/**
 * A workspace of a `Client` (get it with `client.workspace(id)` / `client.createWorkspace(name)`).
 * File operations work offline on the local working copy; `sync()` exchanges with the server.
 * @example
 * ```ts
 * await ws.mkdir('/docs', { parents: true });
 * await ws.writeFile('/docs/plan.md', new TextEncoder().encode('# Plan'));
 * await ws.sync();                                     // uploads; merges what others wrote
 * const text = new TextDecoder().decode(await ws.readFile('/docs/plan.md'));
 * ```
 */
export class Workspace {
  readonly #ctx: ClientContext;
  readonly #state: WorkspaceState;
  readonly #mutex = new Mutex();

  /** @internal Created by `Client`. */
  constructor(ctx: ClientContext, state: WorkspaceState) {
    this.#ctx = ctx;
    this.#state = state;
  }

  /** The realm id (also the root folder's vlob id). */
  get id(): RealmId {
    return this.#state.realmId;
  }

  /** This user's role now, per the local certificate store (`null`: not a member). */
  get role(): RealmRole | null {
    return this.#ctx.certs.getRealmRole(this.id, this.#ctx.device.userId);
  }

  /** Current members and roles (revoked users excluded). */
  members(): RealmMember[] {
    return this.#ctx.certs.listRealmMembers(this.id);
  }

  /**
   * The workspace name from its latest `realm_name` certificate, decrypted with the realm key;
   * `null` if it has none. Throws `ManifestError` if it does not decrypt.
   */
  async name(): Promise<string | null> {
    const cert = this.#ctx.certs.getRealmName(this.id);
    if (cert === undefined) return null;
    const keys = await readKeys(this.#ctx, this.id);
    return decryptRealmName({ encryptedName: cert.encryptedName, keyIndex: cert.keyIndex, realmId: this.id, realmKeys: keys.keyring });
  }

  #requireWriter(): void {
    const role = this.role;
    if (role === null) throw new WorkspaceError('workspace/not-member', `not a member of workspace ${this.id}`);
    if (!WRITE_ROLES.has(role)) throw new WorkspaceError('workspace/read-only', `role ${role} cannot write`);
    requireAvailable(this.archiving);
  }

  /** The archiving state now, from the verified certificates and the local clock (RFC 1028). */
  get archiving(): WorkspaceArchiving {
    return archivingState(this.#ctx.certs.getArchiving(this.id), this.#ctx.clock());
  }

  /**
   * Archives the workspace (`{ status: 'archived' }`: read only for everyone), plans its deletion
   * (`{ status: 'deletion_planned', deletionDate }`, at least the organisation's minimum period
   * ahead), or makes it available again (`{ status: 'available' }`, also cancels a planned
   * deletion before its date). OWNER only. Online.
   * @throws `WorkspaceError` (`not-owner`, `deleted`), `ArgumentError`, `TransportError`
   *   (`archiving_period_too_short`, `realm_deleted`).
   */
  async setArchiving(configuration: RealmArchivingConfiguration): Promise<void> {
    this.#requireOwner();
    await setWorkspaceArchiving(this.#ctx, this.id, configuration);
  }

  #requireOwner(): void {
    if (this.role !== 'OWNER') throw new WorkspaceError('workspace/not-owner', 'only an OWNER can do this');
  }

  // ---- file system (offline) ----------------------------------------------------------------

  /** Creates folder `path` (and missing parents with `{ parents: true }`). Throws `WorkspaceError`, `EntryNameError`. */
  async mkdir(path: string, options: { parents?: boolean } = {}): Promise<VlobId> {
    const names = parsePath(path);
    return this.#mutex.run(async () => {
      this.#requireWriter();
      const ctx = this.#ctx;
      let id: VlobId | undefined;
      for (let i = options.parents ? 1 : names.length; i <= names.length; i++) {
        const prefix = names.slice(0, i);
        if (options.parents && i < names.length) {
          try {
            const r = resolvePath(this.#state, this.#state.rootId, prefix);
            if (r.entry.local.type === 'folder') continue;
          } catch (err) {
            if (!(err instanceof WorkspaceError && err.code === 'workspace/not-found')) throw err;
          }
        }
        id = newId<VlobId>();
        await this.#state.commit(mkdirChanges(this.#state, this.#state.rootId, prefix, id, ctx.device.deviceId, ctx.clock()));
      }
      return id ?? this.#state.rootId;
    });
  }

  /**
   * Writes `data` (bytes, async iterable or WHATWG stream) to file `path`, creating it or replacing
   * its content. The content is encrypted into blocks stored locally and uploaded by the next sync.
   * With `label`, sets the file's confidentiality label (kept by later writes without one).
   * Throws `WorkspaceError` (`not-found` parent, `is-a-folder`, `read-only`, `no-keys`), LabelError
   * (`label/exceeds-workspace`: above the workspace label, or in an unlabelled workspace;
   * `label/unknown-policy` and the label checks); nothing is written then.
   */
  async writeFile(path: string, data: BlockSource, options: { signal?: AbortSignal; onProgress?: (done: number, total: number | undefined) => void; label?: ConfidentialityLabel } = {}): Promise<VlobId> {
    const names = parsePath(path);
    return this.#mutex.run(async () => {
      this.#requireWriter();
      const ctx = this.#ctx;
      // The label is checked before anything is stored: a refused label leaves nothing behind.
      const label = options.label === undefined ? {} : { label: fileLabelFor(ctx, this.id, options.label, ctx.clock()) };
      // Check the target before spending time on the content.
      writeFileChanges(this.#state, this.#state.rootId, names, { size: 0, blocksize: ctx.settings.blocksize, blocks: [] }, newId<VlobId>(), ctx.device.deviceId, 0);
      const keys = await ctx.keys.get(this.id);
      const content = await storeContent({
        store: ctx.store,
        realmId: this.id,
        key: keys.keyring.latest(),
        source: data,
        blocksize: ctx.settings.blocksize,
        concurrency: ctx.settings.concurrency,
        ...(options.signal ? { signal: options.signal } : {}),
        ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      });
      const { changes, id } = writeFileChanges(this.#state, this.#state.rootId, names, { ...content, ...label }, newId<VlobId>(), ctx.device.deviceId, ctx.clock());
      await this.#state.commit(changes);
      return id;
    });
  }

  /** Moves/renames `from` to `to`. Throws `WorkspaceError` (`exists`, `invalid-move`, `root`, …). */
  async rename(from: string, to: string, options: { overwrite?: boolean } = {}): Promise<void> {
    const a = parsePath(from);
    const b = parsePath(to);
    return this.#mutex.run(async () => {
      this.#requireWriter();
      const ctx = this.#ctx;
      const r = renameWithTombstones({ view: this.#state, rootId: this.#state.rootId, from: a, to: b, ignore: ctx.settings.ignore, me: ctx.device.deviceId, now: ctx.clock(), newId: () => newId<VlobId>(), overwrite: options.overwrite ?? false });
      await this.#state.commit(r.changes, [], r.tombstones);
    });
  }

  /** Same as `rename`. */
  move(from: string, to: string, options: { overwrite?: boolean } = {}): Promise<void> {
    return this.rename(from, to, options);
  }

  /** Removes `path` from its folder (a non-empty folder needs `{ recursive: true }`). History stays on the server. */
  async remove(path: string, options: { recursive?: boolean } = {}): Promise<void> {
    const names = parsePath(path);
    return this.#mutex.run(async () => {
      this.#requireWriter();
      const changes = removeChanges(this.#state, this.#state.rootId, names, this.#ctx.clock(), options.recursive ?? false);
      // What this device saw of the entry: a concurrent change it missed brings the entry back.
      await this.#state.commit(changes, [], removeTombstones(this.#state, this.#state.rootId, names, this.#ctx.settings.ignore));
    });
  }

  /** Stat of `path` in the working copy. Throws `WorkspaceError` `workspace/not-found`. */
  async stat(path: string): Promise<EntryStat> {
    const names = parsePath(path);
    return this.#mutex.run(async () => {
      const r = resolvePath(this.#state, this.#state.rootId, names);
      return statOf(r.entry.local, r.entry.needSync, isLocalOnlyPath(names, this.#ctx.settings.ignore));
    });
  }

  /** True when `path` exists in the working copy. */
  async exists(path: string): Promise<boolean> {
    try {
      await this.stat(path);
      return true;
    } catch (err) {
      if (err instanceof WorkspaceError && err.code === 'workspace/not-found') return false;
      throw err;
    }
  }

  /** The entries of folder `path`, sorted by name. Children not fetched yet are left out. */
  async list(path = '/'): Promise<DirEntry[]> {
    const names = parsePath(path);
    return this.#mutex.run(async () => {
      const r = resolvePath(this.#state, this.#state.rootId, names);
      if (r.entry.local.type !== 'folder') throw new WorkspaceError('workspace/not-a-folder', `${formatPath(names)} is a file`);
      const ignore = this.#ctx.settings.ignore;
      const hidden = isLocalOnlyPath(names, ignore);
      const out: DirEntry[] = [];
      for (const [name, id] of r.entry.local.children) {
        const e = this.#state.get(id);
        if (e !== undefined) out.push({ name, ...statOf(e.local, e.needSync, hidden || ignore.matches(name)) });
      }
      return out.sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0));
    });
  }

  // ---- reads ----------------------------------------------------------------------------------

  async #file(path: string, at: Timestamp | undefined): Promise<FileManifest> {
    const names = parsePath(path);
    if (at !== undefined) return fileAt(this.#ctx, this.#state, names, at);
    return this.#mutex.run(async () => {
      const r = resolvePath(this.#state, this.#state.rootId, names);
      if (r.entry.local.type !== 'file') throw new WorkspaceError('workspace/is-a-folder', `${formatPath(names)} is a folder`);
      return r.entry.local;
    });
  }

  /**
   * Reads file `path` (whole, or the range `offset`/`length`; at time `at` with `{ at }`).
   * Every block is checked against the signed manifest: `IntegrityError` if one does not match.
   * LabelError `label/clearance-insufficient` (before any block is fetched) when this user's
   * clearance does not dominate the workspace label or the file label.
   */
  async readFile(path: string, options: ReadOptions = {}): Promise<Uint8Array> {
    const file = await this.#file(path, options.at);
    checkRead(this.#ctx, this.id, file, options.at);
    const offset = options.offset ?? 0;
    const length = Math.max(0, Math.min(options.length ?? file.size, file.size - offset));
    return collect(filePieces(this.#ctx, this.id, file, options), length);
  }

  /** Same as `readFile`, as a WHATWG stream (pull-based: memory bounded by the prefetch window). */
  async readFileStream(path: string, options: ReadOptions = {}): Promise<ReadableStream<Uint8Array>> {
    const file = await this.#file(path, options.at);
    checkRead(this.#ctx, this.id, file, options.at);
    const it = filePieces(this.#ctx, this.id, file, options);
    return new ReadableStream<Uint8Array>(
      {
        async pull(controller) {
          const r = await it.next();
          if (r.done) controller.close();
          else controller.enqueue(r.value);
        },
        cancel() {
          it.return(undefined).catch(() => undefined);
        },
      },
      { highWaterMark: 0 },
    );
  }

  /**
   * Makes the files at or under `path` (default: the whole workspace) readable offline: every
   * block this device does not hold is fetched (many per `block_read_batch`), checked as a read
   * checks it (AEAD, SHA-256 against the signed manifest) and stored. Files this user's clearance
   * does not cover are skipped. Blocks stored before a failure stay (each was checked).
   * @throws `WorkspaceError` `not-found`; `IntegrityError`, `TransportError`, `AbortError` `abort/aborted`.
   * @example
   * ```ts
   * await ws.sync();
   * const { blocks, bytes } = await ws.prefetch('/docs', { onProgress: (done, total) => bar(done / total) });
   * ```
   */
  async prefetch(path = '/', options: PrefetchOptions = {}): Promise<PrefetchReport> {
    const names = parsePath(path);
    const files = await this.#mutex.run(async () => filesUnder(this.#state, resolvePath(this.#state, this.#state.rootId, names).id));
    return prefetchFiles(this.#ctx, this.id, files, realmKeyOf(this.#ctx, this.id), (f) => canRead(this.#ctx, this.id, f), options);
  }

  /**
   * Every version of the entry at `path` (resolved in the working copy), verified as one hash
   * chain from version 1 and consistent with the version this device verified (else
   * `RollbackError`). Online.
   */
  async history(path: string): Promise<HistoryEntry[]> {
    const names = parsePath(path);
    const { id, base } = await this.#mutex.run(async () => {
      const r = resolvePath(this.#state, this.#state.rootId, names);
      return { id: r.id, base: r.entry.base };
    });
    const versions = await withFreshTrust(this.#ctx, this.id, (rc) => verifiedHistory(rc, id, base));
    return versions.map(({ manifest: m }) => ({
      version: m.version,
      type: m.type,
      author: m.author,
      timestamp: m.timestamp,
      updated: m.updated,
      size: m.type === 'file' ? m.size : 0,
      parent: m.parent,
    }));
  }

  /**
   * Restores the file or folder tree at `path` as it was at `at` (µs; each version picked from the
   * verified hash chain) as new local versions on top (history untouched; `sync()` uploads them and
   * merges concurrent changes as usual). Folders are restored recursively into `options.to`
   * (default `path`); entries created after `at` are kept. Online; all or nothing.
   * @throws `WorkspaceError` (`not-found`, `is-a-folder`, `not-a-folder`, `too-large`, `cycle`,
   *   `read-only`), `RollbackError` and read-check errors.
   * @example await ws.restore('/plan.md', before); await ws.sync();
   */
  async restore(path: string, at: Timestamp, options: { to?: string; signal?: AbortSignal; limits?: PastTreeLimits } = {}): Promise<RestoreReport> {
    const from = parsePath(path);
    const to = parsePath(options.to ?? path);
    this.#requireWriter();
    const ctx = this.#ctx;
    const baseOf = (id: VlobId) => this.#state.verified(id);
    const past = await withFreshTrust(ctx, this.id, (rc) =>
      pastTreeAtPath({ rc, rootId: this.#state.rootId, names: from, at, baseOf, ...(options.limits ? { limits: options.limits } : {}), ...(options.signal ? { signal: options.signal } : {}) }),
    );
    return this.#mutex.run(async () => {
      this.#requireWriter();
      const { changes, report } = restoreChanges({ view: this.#state, rootId: this.#state.rootId, names: to, past, me: ctx.device.deviceId, now: ctx.clock(), newId: () => newId<VlobId>() });
      await this.#state.commit(changes);
      return report;
    });
  }

  /** @internal Marks a fresh root folder (created now) for upload: used once, by `createWorkspace`. */
  async initRoot(): Promise<void> {
    return this.#mutex.run(async () => {
      const root = this.#state.get(this.#state.rootId)!;
      if (root.base !== null || root.local.version !== 0) return;
      const now = this.#ctx.clock();
      await this.#state.commit(new Map([[this.#state.rootId, { ...root, local: { ...root.local, created: now, updated: now }, needSync: true }]]));
    });
  }

  // ---- sync -------------------------------------------------------------------------------------

  /**
   * Synchronises now: inbound (fetch, verify, merge), then outbound (blocks, then manifests, with
   * merge-and-retry on conflicts). Emits `conflict`, `progress` and `synced`. Rejects with
   * `RollbackError`, `ManifestError`, `IntegrityError`, `CertificateError` or `TransportError`;
   * nothing of a refused answer is applied.
   */
  async sync(): Promise<SyncReport> {
    return this.#mutex.run(async () => {
      const ctx = this.#ctx;
      if (this.archiving.status === 'deleted') throw new WorkspaceError('workspace/deleted', 'the workspace was deleted');
      const inb = await inbound(ctx, this.#state);
      const out = this.role !== null && WRITE_ROLES.has(this.role) && this.archiving.status === 'available' ? await outbound(ctx, this.#state) : { uploaded: 0, blocksUploaded: 0, conflicts: [] };
      await tidyAfterSync(ctx, this.#state);
      const report: SyncReport = {
        realmId: this.id,
        downloaded: inb.downloaded,
        uploaded: out.uploaded,
        blocksUploaded: out.blocksUploaded,
        conflicts: [...inb.conflicts, ...out.conflicts],
      };
      ctx.events.emit('synced', report);
      return report;
    });
  }

  /**
   * True when some working copy or block has not been uploaded yet (scratch entries, which never
   * are, aside, and removed entries, whose pending edits are never published).
   */
  async hasPendingChanges(): Promise<boolean> {
    return this.#mutex.run(async () => {
      if (pendingUploads(this.#state, this.#state.rootId, this.#ctx.settings.ignore).pending.length > 0) return true;
      // Blocks to upload all belong to unsynced entries; only legacy upload marks remain to check.
      return (await this.#ctx.store.pendingBlocks(this.id)).length > 0;
    });
  }

  // ---- membership (online) ------------------------------------------------------------------------

  /**
   * Renames the workspace (new `realm_name` certificate). OWNER only. Returns once the certificate
   * is read back in the verified chain. Throws `WorkspaceError` `workspace/not-owner`,
   * `TransportError` (`transport/not-confirmed`: acknowledged but not served back).
   */
  async setName(name: string): Promise<void> {
    this.#requireOwner();
    await setWorkspaceName(this.#ctx, this.id, name);
  }

  /**
   * Gives `userId` a role (or changes it), with a sealed access to the current keys bundle.
   * Returns once the role certificate is read back in the verified chain.
   * Throws LabelError `label/not-cleared` (a labelled workspace, a user not cleared for its label:
   * nothing is signed or sent), `ArgumentError` (unknown or revoked user, or one whose revocation this device signed),
   * `TransportError` (`transport/not-confirmed`; `transport/invalid_certificate`: e.g. only an
   * OWNER gives OWNER/MANAGER, an OUTSIDER cannot get them).
   */
  share(userId: UserId, role: RealmRole): Promise<void> {
    return shareWorkspace(this.#ctx, this.id, userId, role);
  }

  /** The workspace label (its ceiling; STANAG 4774) as this device verified it, `null` if unlabelled. */
  get label(): RevisedLabel | null {
    return this.#ctx.certs.getRealmLabel(this.id);
  }

  /**
   * Sets the workspace label under the newest revision of its policy (or removes it: `null`).
   * OWNER only; returns once the certificate is read back in the verified chain.
   * @throws WorkspaceError `workspace/not-owner`; LabelError `label/unknown-policy` and the label
   *   checks; TransportError `transport/invalid_certificate` (`members-not-cleared`).
   */
  async setLabel(label: ConfidentialityLabel | null): Promise<RevisedLabel | null> {
    this.#requireOwner();
    return setWorkspaceLabel(this.#ctx, this.id, label);
  }

  /**
   * Sets the label of file `path` (checked like `writeFile`'s) or removes it (`null`), content
   * unchanged; uploaded by the next sync.
   * @throws WorkspaceError `not-found`, `is-a-folder`, `read-only`; LabelError `label/exceeds-workspace`, `label/unknown-policy`.
   */
  async setFileLabel(path: string, label: ConfidentialityLabel | null): Promise<void> {
    const names = parsePath(path);
    await this.#mutex.run(async () => {
      this.#requireWriter();
      const ctx = this.#ctx;
      const now = ctx.clock();
      const revised = label === null ? null : fileLabelFor(ctx, this.id, label, now);
      await this.#state.commit(labelFileChanges(this.#state, this.#state.rootId, names, revised, now));
    });
  }

  /** The label of file `path` (working copy), `null` without one. @throws WorkspaceError `not-found`, `is-a-folder`. */
  async fileLabel(path: string): Promise<RevisedLabel | null> {
    return (await this.#file(path, undefined)).label ?? null;
  }

  /**
   * Takes `userId`'s role away; returns once the certificate is read back in the verified chain.
   * Until then this device remembers the removal: no key rotation seals the key to `userId`, and
   * the next certificate sync re-sends it. Follow with `rotateKey()` so it cannot read what is
   * written next. Throws `TransportError` (`transport/not-confirmed`, `transport/invalid_certificate`).
   */
  unshare(userId: UserId): Promise<void> {
    return unshareWorkspace(this.#ctx, this.id, userId);
  }

  /**
   * Appends a fresh realm key (rotation certificate with canary) and distributes a new keys bundle
   * to the current verified members only, never to a user whose removal this device signed.
   * OWNER only. Returns the new key index once the rotation is read back in the verified chain.
   * Throws `WorkspaceError` `workspace/not-owner`, `TransportError` (`transport/not-confirmed`,
   * `transport/realm_members_mismatch`).
   */
  async rotateKey(): Promise<number> {
    this.#requireOwner();
    return rotateWorkspaceKey(this.#ctx, this.id);
  }

  /**
   * Rotates the key and re-encrypts every manifest version and block under it (after a suspected
   * compromise; `{ rotate: false }` resumes a stopped run). OWNER only.
   * @throws `WorkspaceError` `not-owner`; `TransportError`, `ManifestError`, `IntegrityError`, `RollbackError`.
   */
  async reencrypt(options: ReencryptOptions = {}): Promise<ReencryptReport> {
    this.#requireOwner();
    return reencryptWorkspace(this.#ctx, this.id, options);
  }
}
