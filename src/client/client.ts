/**
 * `Client`: one enrolled device connected to its organisation. Keeps the persisted certificate
 * store up to date (refusing rollbacks), creates and opens workspaces, runs admin operations,
 * invitations and the sync of every workspace.
 * @module
 */
import { newId, type RealmId, type UserId } from '../codec/ids.js';
import { systemClock, type Timestamp } from '../codec/timestamps.js';
import { linkAfter } from '../certificates/chain.js';
import { readCertificate, signCertificate } from '../certificates/sign.js';
import { CertificateStore, type DeviceInfo, type RealmMember, type UserInfo } from '../certificates/store.js';
import { COMMON_TOPIC, type Certificate, type RealmRole, type UserProfile } from '../certificates/types.js';
import { DEFAULT_BLOCKSIZE, DEFAULT_CONCURRENCY } from '../blocks/constants.js';
import { checkBlocksize, checkConcurrency } from '../blocks/constants.js';
import { ArgumentError, SealsyncError } from '../errors.js';
import { rotateRealmKey } from '../manifests/rotation.js';
import { compileIgnorePatterns, DEFAULT_IGNORE_PATTERNS } from '../merge/ignore.js';
import { formatInvitationLink, type InvitationKind } from '../sas/invitation.js';
import type { GreeterContext } from '../sas/enrollment.js';
import { EncryptedStorage } from '../storage/encrypted.js';
import { MemoryStorage } from '../storage/memory.js';
import type { LocalDevice } from '../storage/device-file.js';
import { REQUEST_TIMESTAMP_WINDOW } from '../transport/auth.js';
import { expectOk } from '../transport/transport.js';
import { BackgroundSync, type BackgroundSyncOptions } from './background.js';
import { iterateChanges } from './change-iterator.js';
import type { ChangeEvent } from './push.js';
import { syncCertificates } from './cert-sync.js';
import { strictlyIncreasing } from './clock.js';
import type { ClientContext, ClientSettings } from './context.js';
import { TypedEmitter, type Listener } from './emitter.js';
import { WorkspaceError } from './errors.js';
import type { ClientEvents, SyncReport } from './events.js';
import { GreeterInvitation } from './invite.js';
import { PkiAdminApi } from './pki.js';
import { ShamirRecoveryApi } from './shamir.js';
import { isBlocksNamespace, LocalCertificateStorage, LocalStore } from './local-store.js';
import { Mutex } from './mutex.js';
import { RealmKeysManager } from './realm-keys.js';
import { revokeUser } from './membership.js';
import { reactToRevocations, resumeRemovals } from './reactions.js';
import { sendAndConfirm } from './send-certificate.js';
import { Workspace } from './workspace.js';
import { publishLabelPolicy, setClearance } from './labels.js';
import type { Clearance } from '../certificates/label.js';
import type { LabelPolicy } from '../certificates/label-policy.js';
import { WorkspaceState } from './workspace-state.js';
import { applyPatternChange } from './repattern-apply.js';
import { DEFAULT_TOMBSTONE_RETENTION } from './tombstone-prune.js';

import type { ClientOptions, InviteOptions, WorkspaceInfo } from './client-options.js';

export type { ClientOptions, InviteOptions, WorkspaceInfo } from './client-options.js';

/**
 * One enrolled device connected to its organisation: the entry point of the SDK. Get one with
 * {@link Client.open} from a `LocalDevice` (from `bootstrapDevice`, `claimInvitation` or a
 * `DeviceFileStore`) and an authenticated transport; `close()` it when done.
 *
 * @example
 * ```ts
 * const client = await Client.open({ device, transport: new HttpTransport({ url, credentials }), storage });
 * const ws = await client.createWorkspace('Team');
 * await ws.writeFile('/hello.txt', new TextEncoder().encode('hi'));
 * await ws.share(bobUserId, 'CONTRIBUTOR');
 * await ws.sync();
 * client.on('conflict', (c) => console.log('conflict copy', c));
 * const background = client.startBackgroundSync();
 * // …
 * await background.stop();
 * await client.close();
 * ```
 */
export class Client {
  readonly #ctx: ClientContext;
  readonly #events: TypedEmitter<ClientEvents>;
  readonly #workspaces = new Map<RealmId, Promise<Workspace>>();
  readonly #certMutex = new Mutex();
  #reacting = false;
  #background: BackgroundSync | undefined;
  #closed = false;

  private constructor(ctx: Omit<ClientContext, 'syncCertificates'>) {
    this.#events = ctx.events;
    this.#ctx = { ...ctx, syncCertificates: async () => void (await this.syncCertificates()) };
  }

  /**
   * Opens a device: its local state lives in an `EncryptedStorage` over `storage` keyed by the
   * device's local key; stored certificates are re-validated against the pinned root key.
   * Offline: nothing is sent until a sync.
   * @throws {@link StorageError} / {@link CertificateError} for a corrupted local state
   *   (`storage/corrupt`, `certificate/<reason>`), `storage/io` when the storage fails.
   * @throws {@link ArgumentError} for bad settings (`argument/invalid`, `merge/invalid-ignore-pattern`
   *   for an ignore pattern that is empty or holds `/` or NUL).
   */
  static async open(options: ClientOptions): Promise<Client> {
    const { device, transport } = options;
    // Checked before anything is opened: a bad pattern is a configuration error.
    const ignore = compileIgnorePatterns(options.ignore ?? DEFAULT_IGNORE_PATTERNS);
    // Blocks are stored as the realm-encrypted ciphertext, verified on every read (AEAD bound to
    // realm, id and key index, then the signed digest): not sealed a second time (issue 14).
    const storage = new EncryptedStorage(options.storage ?? new MemoryStorage(), device.localStorageKey, { opaqueNamespaces: isBlocksNamespace });
    const certs = await CertificateStore.open({ rootVerifyKey: device.rootVerifyKey, storage: new LocalCertificateStorage(storage) });
    const store = new LocalStore(storage);
    const settings: ClientSettings = {
      blocksize: checkBlocksize(options.blocksize ?? DEFAULT_BLOCKSIZE),
      concurrency: checkConcurrency(options.concurrency ?? DEFAULT_CONCURRENCY),
      clockTolerance: options.clockTolerance ?? 2 * REQUEST_TIMESTAMP_WINDOW,
      ignore,
      tombstoneRetention: options.tombstoneRetention ?? DEFAULT_TOMBSTONE_RETENTION,
    };
    if (!Number.isSafeInteger(settings.tombstoneRetention) || settings.tombstoneRetention < 0) throw new ArgumentError('argument/invalid', 'tombstoneRetention must be a non-negative integer');
    if (!Number.isSafeInteger(settings.clockTolerance) || settings.clockTolerance < 0) throw new ArgumentError('argument/invalid', 'clockTolerance must be a non-negative integer');
    return new Client({
      device,
      transport,
      certs,
      store,
      keys: new RealmKeysManager(device, transport, certs, store),
      clock: strictlyIncreasing(options.clock ?? systemClock, settings.clockTolerance),
      events: new TypedEmitter<ClientEvents>(),
      settings,
      removalsInFlight: new Set<string>(),
    });
  }

  /** This device. */
  get device(): LocalDevice {
    return this.#ctx.device;
  }

  /** This device's user. */
  get userId(): UserId {
    return this.#ctx.device.userId;
  }

  /** The validated certificate store (point-in-time queries). */
  get certificates(): CertificateStore {
    return this.#ctx.certs;
  }

  /** Subscribes to an event; returns the unsubscribe function. */
  on<K extends keyof ClientEvents>(type: K, listener: Listener<ClientEvents[K]>): () => void {
    return this.#events.on(type, listener);
  }

  /** Removes a listener. */
  off<K extends keyof ClientEvents>(type: K, listener: Listener<ClientEvents[K]>): void {
    this.#events.off(type, listener);
  }

  /** Number of listeners of `type` (diagnostics, tests). */
  listenerCount(type: keyof ClientEvents): number {
    return this.#events.listenerCount(type);
  }

  /**
   * The `change` events (server push hints, while background sync runs) as an async iterator,
   * until `signal` aborts.
   * @example
   * for await (const change of client.changes({ signal })) console.log('server says', change.kind);
   */
  changes(options: { signal?: AbortSignal } = {}): AsyncGenerator<ChangeEvent, void, undefined> {
    return iterateChanges(this.#events, options.signal);
  }

  // ---- trust ----------------------------------------------------------------------------------

  /**
   * Fetches the certificates of every topic since its high-water mark and ingests them
   * atomically. Refuses (`RollbackError`, nothing applied) an answer going backwards or
   * rewriting a certificate already accepted; `CertificateError` for any certificate breaking a
   * rule (e.g. signed by a revoked device). Then reacts, from the verified store: removals this
   * device signed and does not see yet are re-sent; an OWNER device unshares revoked members and
   * rotates the key of its realms (failures of these are `error` events). Returns the new
   * certificates.
   */
  async syncCertificates(): Promise<Certificate[]> {
    const ctx = this.#ctx;
    const fresh = await this.#certMutex.run(() =>
      syncCertificates({ store: ctx.certs, transport: ctx.transport, now: ctx.clock(), tolerance: ctx.settings.clockTolerance }),
    );
    // Run even without new certificates: a reaction that failed last time must be retried.
    if (!this.#reacting) {
      this.#reacting = true;
      try {
        await resumeRemovals(this.#ctx);
        await reactToRevocations(this.#ctx);
      } finally {
        this.#reacting = false;
      }
    }
    return fresh;
  }

  /** Users at `at` (default now), revoked ones included (see `revokedOn`). */
  users(at?: Timestamp): UserInfo[] {
    return this.#ctx.certs.listUsers(at);
  }

  /** One user, or `undefined`. */
  user(userId: UserId, at?: Timestamp): UserInfo | undefined {
    return this.#ctx.certs.getUser(userId, at);
  }

  /** A user's devices. */
  devices(userId: UserId = this.userId, at?: Timestamp): DeviceInfo[] {
    return this.#ctx.certs.listDevices(userId, at);
  }

  /** Realms this user has a role in, with the role. */
  realms(at?: Timestamp): { realmId: RealmId; role: RealmRole }[] {
    return this.#ctx.certs.listUserRealms(this.userId, at);
  }

  /** Members of a realm. */
  roles(realmId: RealmId, at?: Timestamp): RealmMember[] {
    return this.#ctx.certs.listRealmMembers(realmId, at);
  }

  // ---- admin ------------------------------------------------------------------------------------

  /**
   * Revokes a user and all its devices (ADMIN only; never oneself: the server and every client
   * refuse it). Returns only once the revocation is read back in the verified common topic; until
   * then this device remembers it (no rotation seals a key to the user, the next certificate sync
   * re-sends it). Realms this device OWNs are then unshared and re-keyed automatically.
   * Throws `TransportError` (`transport/not-confirmed`: acknowledged but not served back;
   * `transport/invalid_certificate`, `transport/not_allowed`).
   */
  async revokeUser(userId: UserId): Promise<void> {
    await revokeUser(this.#ctx, userId);
  }

  /**
   * Changes a user's profile (ADMIN only, never oneself); returns once the certificate is read
   * back in the verified chain. Throws `TransportError` (`transport/not-confirmed`, …).
   */
  async changeProfile(userId: UserId, profile: UserProfile): Promise<void> {
    const ctx = this.#ctx;
    await sendAndConfirm(ctx, async (timestamp) => ({
      cmd: 'user_update',
      certificate: await signCertificate(ctx.device.signingKey, { type: 'user_update', author: ctx.device.deviceId, timestamp, userId, newProfile: profile }, ctx.certs.nextLink(COMMON_TOPIC)),
    }));
  }

  // ---- labels (STANAG 4774) --------------------------------------------------------------------

  /**
   * Publishes a label policy as the next revision of its identifier (ADMIN only); returns the
   * revision once the certificate is read back in the verified chain.
   * @throws LabelError `label/invalid-policy`; TransportError (`transport/invalid_certificate`: `author-not-admin`, …).
   */
  publishLabelPolicy(policy: LabelPolicy): Promise<number> {
    return publishLabelPolicy(this.#ctx, policy);
  }

  /**
   * Gives `userId` a clearance under `policyId` (ADMIN only, never oneself), changes it, or
   * withdraws it (`null`); returns once read back in the verified chain.
   * @throws LabelError `label/unknown-policy` and the clearance checks; TransportError (`transport/invalid_certificate`).
   */
  setClearance(userId: UserId, policyId: string, clearance: Omit<Clearance, 'policyId'> | null): Promise<void> {
    return setClearance(this.#ctx, userId, policyId, clearance);
  }

  // ---- invitations ------------------------------------------------------------------------------

  #linkHost(options: InviteOptions): string {
    if (options.host !== undefined) return options.host;
    if (this.device.serverUrl !== undefined) {
      try {
        return new URL(this.device.serverUrl).host;
      } catch {
        // fall through to the default
      }
    }
    return 'localhost';
  }

  #greeterContext(kind: InvitationKind, email: string | null, profile: UserProfile | undefined): GreeterContext {
    const ctx = this.#ctx;
    const author = { deviceId: ctx.device.deviceId, signingKey: ctx.device.signingKey };
    const link = () => ctx.certs.nextLink(COMMON_TOPIC);
    if (kind === 'user') return { kind: 'user', author, email: email!, ...(profile ? { profile } : {}), clock: ctx.clock, link };
    // The new device checks the user key it receives against these exact signed bytes.
    const userCertificate = ctx.certs.signedCertificates(COMMON_TOPIC).find((signed) => matchesUser(signed, this.userId));
    if (userCertificate === undefined) throw new WorkspaceError('workspace/no-user-certificate', 'own user certificate not in the local store: sync certificates first');
    return { kind: 'device', author, userId: this.userId, userPrivateKey: ctx.device.userPrivateKey, userCertificate, clock: ctx.clock, link };
  }

  #greeterHost() {
    return {
      transport: this.#ctx.transport,
      greeterContext: (kind: InvitationKind, email: string | null, profile: UserProfile | undefined) => this.#greeterContext(kind, email, profile),
      syncCertificates: async () => void (await this.syncCertificates()),
    };
  }

  /** PKI enrollment administration (ADMIN): trusted roots, pending requests, accept or reject. */
  get pki(): PkiAdminApi {
    return new PkiAdminApi(this.#ctx);
  }

  /** Shamir recovery of this user (set up, delete) and help for other users (Parsec RFC 1000). */
  get shamir(): ShamirRecoveryApi {
    return new ShamirRecoveryApi(this.#ctx, () => this.#linkHost({}));
  }

  /**
   * Creates an invitation for `email` (ADMIN only). Give `invitation.link` to the person, then
   * run `invitation.greet(ui)` while they run `claimInvitation`.
   * @throws {@link TransportError} `transport/not_allowed` (not an ADMIN), `transport/network`, ….
   * @example
   * ```ts
   * const invitation = await admin.inviteUser('bob@example.org');
   * send(invitation.link);                        // out of band: mail, chat, QR code
   * await invitation.greet({ showCode, pickCode }); // while Bob runs claimInvitation(link, …)
   * ```
   */
  async inviteUser(email: string, options: InviteOptions & { profile?: UserProfile } = {}): Promise<GreeterInvitation> {
    await this.syncCertificates();
    const rep = expectOk(await this.#ctx.transport.send({ cmd: 'invite_new_user', email }));
    const link = formatInvitationLink({ host: this.#linkHost(options), organizationId: this.device.organizationId, kind: 'user', token: rep.token, rootVerifyKey: this.device.rootVerifyKey });
    return new GreeterInvitation(this.#greeterHost(), 'user', rep.token, link, email, options.profile);
  }

  /** Creates an invitation for a new device of this user (it receives the user's key inside the SAS channel). */
  async inviteDevice(options: InviteOptions = {}): Promise<GreeterInvitation> {
    await this.syncCertificates();
    const rep = expectOk(await this.#ctx.transport.send({ cmd: 'invite_new_device' }));
    const link = formatInvitationLink({ host: this.#linkHost(options), organizationId: this.device.organizationId, kind: 'device', token: rep.token, rootVerifyKey: this.device.rootVerifyKey });
    return new GreeterInvitation(this.#greeterHost(), 'device', rep.token, link, null, undefined);
  }

  // ---- workspaces --------------------------------------------------------------------------------

  /**
   * Creates a workspace (online): realm with this user as OWNER, key 1 (rotation certificate with
   * canary), keys bundle with this user's access, encrypted name, and the root folder manifest
   * (`id == parent == realm id`). Returns it.
   * @throws {@link TransportError} when the server refuses or cannot be reached (nothing is
   *   half-created: the realm exists only once its certificates are read back).
   */
  async createWorkspace(name: string): Promise<Workspace> {
    const ctx = this.#ctx;
    await this.syncCertificates();
    const realmId = newId<RealmId>();
    const me = { userId: this.userId, publicKey: ctx.device.userPrivateKey.publicKey };
    let rot: Awaited<ReturnType<typeof rotateRealmKey>> | undefined;
    await sendAndConfirm(ctx, async (roleTs) => {
      const roleLink = ctx.certs.nextLink(realmId);
      const roleCertificate = await signCertificate(ctx.device.signingKey, { type: 'realm_role', author: ctx.device.deviceId, timestamp: roleTs, realmId, userId: this.userId, role: 'OWNER' }, roleLink);
      rot = await rotateRealmKey({ realmId, currentKeys: null, members: [me], author: ctx.device.deviceId, signingKey: ctx.device.signingKey, timestamp: ctx.clock(), link: linkAfter(roleCertificate, roleLink) });
      return {
        cmd: 'realm_create',
        roleCertificate,
        keyRotationCertificate: rot.certificate,
        keysBundle: rot.bundle,
        keysBundleAccess: rot.accesses.get(this.userId)!,
      };
    });
    await ctx.keys.install(realmId, { keyring: rot!.keyring, bundleKey: rot!.bundleKey });
    const ws = await this.workspace(realmId);
    await ws.setName(name);
    await ws.initRoot();
    await ws.sync();
    return ws;
  }

  /** Workspaces this user is a member of, with role and (decrypted) name. */
  async workspaces(): Promise<WorkspaceInfo[]> {
    const out: WorkspaceInfo[] = [];
    for (const { realmId, role } of this.realms()) {
      let name: string | null = null;
      const ws = await this.workspace(realmId);
      try {
        name = await ws.name();
      } catch (err) {
        if (!(err instanceof SealsyncError)) throw err;
      }
      out.push({ id: realmId, role, name, archiving: ws.archiving });
    }
    return out;
  }

  /**
   * The workspace of `realmId` (one instance per realm). Works offline on what was synced
   * before.
   * @throws {@link WorkspaceError} `workspace/not-member` for a realm this device never saw.
   */
  workspace(realmId: RealmId): Promise<Workspace> {
    let p = this.#workspaces.get(realmId);
    if (p === undefined) {
      if (!this.#ctx.certs.listRealms().includes(realmId)) {
        return Promise.reject(new WorkspaceError('workspace/not-member', `unknown workspace ${realmId}: sync certificates first`));
      }
      p = WorkspaceState.load(this.#ctx.store, realmId, this.#ctx.device.deviceId).then(async (state) => {
        await applyPatternChange(this.#ctx, state);
        return new Workspace(this.#ctx, state);
      });
      this.#workspaces.set(realmId, p);
      p.catch(() => this.#workspaces.delete(realmId));
    }
    return p;
  }

  // ---- sync ---------------------------------------------------------------------------------------

  /**
   * Syncs certificates, then every workspace this user is a member of. Every workspace is tried;
   * rejects with the first error after that. Returns the reports.
   */
  async sync(): Promise<SyncReport[]> {
    await this.syncCertificates();
    const reports: SyncReport[] = [];
    let firstError: unknown;
    for (const { realmId } of this.realms()) {
      try {
        const ws = await this.workspace(realmId);
        if (ws.archiving.status === 'deleted') continue; // gone for good (RFC 1028): nothing to sync
        reports.push(await ws.sync());
      } catch (err) {
        firstError ??= err;
      }
    }
    if (firstError !== undefined) throw firstError;
    return reports;
  }

  /**
   * Starts syncing in the background every `intervalMs`, backing off exponentially (up to
   * `maxBackoffMs`) while rounds fail; failures are `error` events. Returns the handle; `stop()`
   * it (or `close()` the client).
   * @throws {@link ArgumentError} `argument/invalid` if one is already running.
   */
  startBackgroundSync(options: BackgroundSyncOptions = {}): BackgroundSync {
    if (this.#background !== undefined) throw new ArgumentError('argument/invalid', 'background sync already running');
    const bg = new BackgroundSync(
      async () => void (await this.sync()),
      (error) => this.#events.emit('error', { error, realmId: null }),
      options,
      { transport: this.#ctx.transport, onChanges: (changes) => changes.forEach((c) => this.#events.emit('change', c)) },
    );
    this.#background = bg;
    const stop = bg.stop.bind(bg);
    bg.stop = async () => {
      await stop();
      if (this.#background === bg) this.#background = undefined;
    };
    return bg;
  }

  /** Stops the background sync and closes the local storage. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#background?.stop();
    // Let queued workspace operations finish before the storage goes away.
    for (const p of this.#workspaces.values()) await p.then((ws) => ws.hasPendingChanges()).catch(() => undefined);
    await this.#ctx.store.storage.close();
  }
}

/** True when `signed` is the `user` certificate of `userId`. */
function matchesUser(signed: Uint8Array, userId: UserId): boolean {
  try {
    const c = readCertificate(signed).certificate;
    return c.type === 'user' && c.userId === userId;
  } catch {
    return false;
  }
}
