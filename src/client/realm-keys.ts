/**
 * A device's realm keys (the manifest format): fetched as a keys bundle through this user's sealed access,
 * verified (OWNER signature, rotation canaries), cached encrypted at rest, and re-verified against
 * the certificate store every time they are loaded.
 * @module
 */
import type { RealmId } from '../codec/ids.js';
import type { CertificateStore } from '../certificates/store.js';
import { SecretKey } from '../keys/index.js';
import { keyRotationsFromStore, manifestTrustFromStore } from '../manifests/certificate-trust.js';
import { RealmKeyring } from '../manifests/realm-keyring.js';
import { openRealmKeysAccess, openRealmKeysBundle } from '../manifests/realm-keys-bundle.js';
import type { LocalDevice } from '../storage/device-file.js';
import { expectOk, type Transport } from '../transport/transport.js';
import { WorkspaceError } from './errors.js';
import type { LocalStore } from './local-store.js';

/** A verified keyring and the one-time key of the bundle it came from (to give access to new members). */
export interface RealmKeys {
  readonly keyring: RealmKeyring;
  readonly bundleKey: SecretKey;
}

/** Loads, fetches and caches realm keys. */
export class RealmKeysManager {
  readonly #cache = new Map<RealmId, RealmKeys>();

  constructor(
    private readonly device: LocalDevice,
    private readonly transport: Transport,
    private readonly certs: CertificateStore,
    private readonly store: LocalStore,
  ) {}

  /**
   * The realm's keys up to its current key index (per the certificate store). From memory, else
   * from the local cache, else from the server. Throws `WorkspaceError` `workspace/no-keys` when
   * the realm has no key rotation yet; `ManifestError` when the served bundle or access fails a
   * check (corrupted bundle, not signed by an OWNER, canary mismatch, …); `TransportError`.
   * Nothing is cached unless every check passed.
   */
  async get(realmId: RealmId, options: { refresh?: boolean } = {}): Promise<RealmKeys> {
    const current = this.certs.getKeyIndex(realmId);
    if (current === 0) throw new WorkspaceError('workspace/no-keys', `realm ${realmId} has no key yet`);
    const cached = this.#cache.get(realmId);
    if (!options.refresh && cached !== undefined && cached.keyring.latestIndex === current) return cached;
    if (!options.refresh) {
      const local = await this.#fromLocal(realmId, current);
      if (local !== undefined) return local;
    }
    return this.#fetch(realmId, current);
  }

  /** Installs keys this device produced itself (realm creation, rotation). */
  async install(realmId: RealmId, keys: RealmKeys): Promise<void> {
    await this.store.storage.batch([
      this.store.keysOp(realmId, { keys: keys.keyring.toArray().map((k) => k.exportSecretBytes()), bundleKey: keys.bundleKey.exportSecretBytes() }),
    ]);
    this.#cache.set(realmId, keys);
  }

  /** The keys already held for a realm, whatever the current index (reading old data after being unshared). */
  async held(realmId: RealmId): Promise<RealmKeys | undefined> {
    const cached = this.#cache.get(realmId);
    if (cached !== undefined) return cached;
    const local = await this.store.getKeys(realmId);
    if (local === undefined) return undefined;
    const rotations = keyRotationsFromStore(this.certs, realmId).filter((r) => r.keyIndex <= local.keys.length);
    const keyring = await RealmKeyring.verified(realmId, local.keys.map((k) => SecretKey.fromBytes(k)), rotations);
    return { keyring, bundleKey: SecretKey.fromBytes(local.bundleKey) };
  }

  async #fromLocal(realmId: RealmId, current: number): Promise<RealmKeys | undefined> {
    const local = await this.store.getKeys(realmId);
    if (local === undefined || local.keys.length !== current) return undefined;
    // Re-verified against the canaries: the cache on disk is not trusted more than the server.
    const keyring = await RealmKeyring.verified(realmId, local.keys.map((k) => SecretKey.fromBytes(k)), keyRotationsFromStore(this.certs, realmId));
    const keys = { keyring, bundleKey: SecretKey.fromBytes(local.bundleKey) };
    this.#cache.set(realmId, keys);
    return keys;
  }

  async #fetch(realmId: RealmId, current: number): Promise<RealmKeys> {
    const rep = expectOk(await this.transport.send({ cmd: 'realm_get_keys_bundle', realmId, keyIndex: current }));
    const bundleKey = await openRealmKeysAccess({
      access: rep.keysBundleAccess,
      realmId,
      userId: this.device.userId,
      privateKey: this.device.userPrivateKey,
    });
    const opened = await openRealmKeysBundle({
      bundle: rep.keysBundle,
      bundleKey,
      realmId,
      trust: manifestTrustFromStore(this.certs),
      rotations: keyRotationsFromStore(this.certs, realmId),
    });
    // An older bundle served as the current one cannot pass: `openRealmKeysBundle` checks the
    // keys against every rotation the store knows (`manifest/keys-bundle-stale`), so this device
    // never writes with a key that removed members still hold.
    const keys = { keyring: opened.keyring, bundleKey };
    await this.install(realmId, keys);
    return keys;
  }
}
