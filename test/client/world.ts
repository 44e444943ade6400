/**
 * Test world for the client: a reference server on a shared advancing fake clock, reachable in
 * process or over HTTP loopback (same tests for both), devices, clients and SAS enrolment with
 * scripted humans. Optional wrapping of a client's transport (hostile server tests).
 */
import { createServer, type Server } from 'node:http';
import { afterEach } from 'vitest';
import type { AddressInfo } from 'node:net';
import type { OrganizationId, RealmId, VlobId } from '../../src/codec/ids.js';
import type { Clock, Timestamp } from '../../src/codec/timestamps.js';
import { bootstrapDevice, claimInvitation, Client, type ClientOptions, type LocalDevice } from '../../src/client/index.js';
import { createHttpHandler, SealsyncServer, type SealsyncServerOptions } from '../../src/server/index.js';
import { MemoryStorage } from '../../src/storage/index.js';
import {
  expectOk,
  HttpAnonymousTransport,
  HttpTransport,
  InProcessAnonymousTransport,
  InProcessTransport,
  type AnonymousTransport,
  type Transport,
  type VlobItem,
} from '../../src/transport/index.js';
import type { CertificateStore } from '../../src/certificates/index.js';
import { sha256 } from '../../src/keys/index.js';
import {
  decryptManifest,
  encryptManifest,
  keyRotationsFromStore,
  manifestTrustFromStore,
  openRealmKeysAccess,
  openRealmKeysBundle,
  type Manifest,
  type RealmKeyring,
  type VerifiedManifest,
} from '../../src/manifests/index.js';
import { humans } from '../support/humans.js';

export type Mode = 'in-process' | 'http';

/** Modes the two-mode suites run in: `SEALSYNC_CLIENT_MODES` (comma-separated, e.g. `in-process`) or both. */
export const MODES: readonly Mode[] = (process.env.SEALSYNC_CLIENT_MODES?.split(',') as Mode[] | undefined) ?? ['in-process', 'http'];

/**
 * Registers an `afterEach` that closes every client tracked during the test, then the world
 * `currentWorld()` returns (if any). `track` registers a client and returns it; `clients` lists
 * the tracked clients in order.
 */
export function closeAfterEach(currentWorld: () => World | undefined): { track: (c: Client) => Client; clients: Client[] } {
  const clients: Client[] = [];
  afterEach(async () => {
    for (const c of clients.splice(0)) await c.close();
    await currentWorld()?.close();
  });
  return { track: (c) => (clients.push(c), c), clients };
}

export const T0: Timestamp = 1_700_000_000_000_000;

/** A clock shared by the server and every device: each reading advances it by `step` µs. */
export class WorldClock {
  now: Timestamp = T0;
  constructor(readonly step = 1000) {}
  readonly clock: Clock = () => (this.now += this.step);
  /** Jumps forward (e.g. between "before" and "after" of a history test). */
  advance(us: number): Timestamp {
    this.now += us;
    return this.now;
  }
}

export const text = (s: string): Uint8Array => new TextEncoder().encode(s);
export const str = (b: Uint8Array): string => new TextDecoder().decode(b);

export interface WorldOptions {
  readonly server?: SealsyncServerOptions;
  /** Client block size (small, so that multi-block files stay small). */
  readonly blocksize?: number;
}

export class World {
  private constructor(
    readonly mode: Mode,
    readonly server: SealsyncServer,
    readonly clock: WorldClock,
    readonly organizationId: OrganizationId,
    readonly bootstrapToken: Uint8Array,
    readonly url: string | null,
    private readonly http: Server | null,
    readonly options: WorldOptions,
  ) {}

  static async create(mode: Mode, options: WorldOptions = {}): Promise<World> {
    const clock = new WorldClock();
    const server = await SealsyncServer.open({ clock: clock.clock, storage: new MemoryStorage(), ...options.server });
    const { organizationId, bootstrapToken } = await server.createOrganization();
    let http: Server | null = null;
    let url: string | null = null;
    if (mode === 'http') {
      http = createServer(createHttpHandler(server));
      await new Promise<void>((resolve) => http!.listen(0, '127.0.0.1', resolve));
      url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
    }
    return new World(mode, server, clock, organizationId, bootstrapToken, url, http, options);
  }

  /** The device's authenticated transport (signing with `clock`, default the world clock). */
  transport(device: LocalDevice, clock: Clock = this.clock.clock): Transport {
    const credentials = { organizationId: device.organizationId, deviceId: device.deviceId, signingKey: device.signingKey };
    return this.url === null ? new InProcessTransport(this.server, credentials, { clock }) : new HttpTransport({ url: this.url, credentials, clock });
  }

  anonymous(): AnonymousTransport {
    return this.url === null ? new InProcessAnonymousTransport(this.server, this.organizationId) : new HttpAnonymousTransport({ url: this.url, organizationId: this.organizationId });
  }

  /** Opens a client for `device`; `wrap` may replace its transport (hostile server). */
  async open(device: LocalDevice, options: Partial<ClientOptions> & { wrap?: (t: Transport) => Transport } = {}): Promise<Client> {
    const { wrap, ...rest } = options;
    const base = this.transport(device);
    return Client.open({
      device,
      transport: wrap ? wrap(base) : base,
      clock: this.clock.clock,
      ...(this.options.blocksize !== undefined ? { blocksize: this.options.blocksize } : {}),
      ...rest,
    });
  }

  /** Bootstraps the organisation; returns the admin's device. */
  bootstrap(email = 'alice@example.org', label = 'Alice'): Promise<LocalDevice> {
    return bootstrapDevice({
      transport: this.anonymous(),
      organizationId: this.organizationId,
      bootstrapToken: this.bootstrapToken,
      humanHandle: { email, label },
      deviceLabel: `${label}'s laptop`,
      clock: this.clock.clock,
    });
  }

  /** `admin` invites `email` and the invitee claims: returns the new user's device. */
  async enrollUser(admin: Client, email: string, label: string, profile?: 'ADMIN' | 'STANDARD' | 'OUTSIDER'): Promise<LocalDevice> {
    const invitation = await admin.inviteUser(email, profile ? { profile } : {});
    const ui = humans();
    const [, device] = await Promise.all([
      invitation.greet(ui.greeter),
      claimInvitation(invitation.link, this.anonymous(), { ui: ui.claimer, deviceLabel: `${label}'s laptop`, humanHandle: { email, label } }),
    ]);
    return device;
  }

  /** `client` invites a new device of its own user, which claims it. */
  async enrollDevice(client: Client, label: string): Promise<LocalDevice> {
    const invitation = await client.inviteDevice();
    const ui = humans();
    const [, device] = await Promise.all([
      invitation.greet(ui.greeter),
      claimInvitation(invitation.link, this.anonymous(), { ui: ui.claimer, deviceLabel: label }),
    ]);
    return device;
  }

  async close(): Promise<void> {
    await this.server.close();
    if (this.http) {
      this.http.closeAllConnections();
      await new Promise<void>((resolve) => this.http!.close(() => resolve()));
    }
  }
}

// ---- helpers for hostile-server tests: what a colluding member holding keys could forge ----------

/** The realm's keyring as `device` (a member) gets it from the server. */
export async function fetchKeyring(world: World, device: LocalDevice, certs: CertificateStore, realmId: RealmId): Promise<RealmKeyring> {
  const rep = expectOk(await world.transport(device).send({ cmd: 'realm_get_keys_bundle', realmId, keyIndex: certs.getKeyIndex(realmId) }));
  const bundleKey = await openRealmKeysAccess({ access: rep.keysBundleAccess, realmId, userId: device.userId, privateKey: device.userPrivateKey });
  const opened = await openRealmKeysBundle({ bundle: rep.keysBundle, bundleKey, realmId, trust: manifestTrustFromStore(certs), rotations: keyRotationsFromStore(certs, realmId) });
  return opened.keyring;
}

/** The latest version of a vlob as the server has it, verified. */
export async function latestVersion(world: World, device: LocalDevice, certs: CertificateStore, keyring: RealmKeyring, realmId: RealmId, vlobId: VlobId): Promise<{ item: VlobItem; verified: VerifiedManifest }> {
  const rep = expectOk(await world.transport(device).send({ cmd: 'vlob_read_batch', realmId, vlobIds: [vlobId] }));
  const item = rep.items[0]!;
  const verified = await decryptManifest({ blob: item.blob, realmId, expected: { id: item.vlobId, version: item.version, author: item.author, timestamp: item.timestamp, keyIndex: item.keyIndex }, realmKeys: keyring, trust: manifestTrustFromStore(certs) });
  return { item, verified };
}

/** Signs and encrypts the next version of `base` as `author` (a member's device), with optional overrides. */
export async function forgeNext(args: {
  author: LocalDevice;
  keyring: RealmKeyring;
  realmId: RealmId;
  base: VerifiedManifest;
  timestamp: Timestamp;
  prev?: Uint8Array;
  version?: number;
  patch?: Partial<Manifest>;
}): Promise<VlobItem> {
  const { author, keyring, realmId, base, timestamp } = args;
  const version = args.version ?? base.manifest.version + 1;
  const manifest = { ...base.manifest, version, prev: args.prev ?? (await sha256(base.signed)), author: author.deviceId, timestamp, ...args.patch } as Manifest;
  const enc = await encryptManifest({ manifest, realmId, keyring, signingKey: author.signingKey });
  return { vlobId: manifest.id, version, keyIndex: enc.keyIndex, author: author.deviceId, timestamp, blob: enc.blob };
}
