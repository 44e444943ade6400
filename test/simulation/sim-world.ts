/**
 * The simulated world of one seed: a reference server on a fake clock behind `SimNetwork`, and
 * three devices sharing one workspace — Alice's laptop (organisation admin, workspace OWNER),
 * Alice's desktop (second device of the same user, enrolled by SAS) and Bob (another user invited
 * by SAS, CONTRIBUTOR). Everything runs with the noble crypto provider and seeded randomness, so
 * the whole world is a pure function of the seed.
 * @module
 */
import type { RealmId } from '../../src/codec/ids.js';
import type { Clock, Timestamp } from '../../src/codec/timestamps.js';
import { bootstrapDevice, claimInvitation, Client, type LocalDevice, type Workspace } from '../../src/client/index.js';
import { MemoryStorage, type StorageOp } from '../../src/storage/index.js';
import { InProcessAnonymousTransport, InProcessTransport } from '../../src/transport/index.js';
import { FaultyTransport, SimNetwork } from './faulty-network.js';
import type { Rng } from './rng.js';
import { humans } from '../support/humans.js';

export const SIM_T0: Timestamp = 1_700_000_000_000_000;

/**
 * A memory storage that survives `close()` (the disk of a device or server across restarts) and
 * can be copied (every seed starts from a copy of the same enrolled world).
 */
export class Disk extends MemoryStorage {
  readonly #namespaces = new Set<string>();

  override async put(ns: string, key: string, value: Uint8Array): Promise<void> {
    await super.put(ns, key, value);
    this.#namespaces.add(ns);
  }

  override async batch(ops: readonly StorageOp[]): Promise<void> {
    await super.batch(ops);
    for (const op of ops) this.#namespaces.add(op.ns);
  }

  override async close(): Promise<void> {}

  /** An independent copy of everything stored. */
  async copy(): Promise<Disk> {
    const out = new Disk();
    for (const ns of [...this.#namespaces].sort()) {
      const ops: StorageOp[] = [];
      for (const key of await this.list(ns)) ops.push({ op: 'put', ns, key, value: (await this.get(ns, key))! });
      await out.batch(ops);
    }
    return out;
  }
}

/** The simulation clock: every reading advances it by 1 ms (shared by the server and devices). */
export class SimClock {
  constructor(public now: Timestamp = SIM_T0) {}
  readonly read: Clock = () => (this.now += 1000);
}

/** A world frozen after enrolment: disks, devices and the time, copied to start each seed. */
export interface Snapshot {
  readonly serverDisk: Disk;
  readonly devices: readonly { name: string; device: LocalDevice; disk: Disk }[];
  readonly realmId: RealmId;
  readonly now: Timestamp;
}

/** One simulated device. */
export interface SimDevice {
  readonly name: string;
  readonly device: LocalDevice;
  readonly disk: Disk;
  client: Client;
  ws: Workspace;
}

/** Client settings of the simulation: the smallest block size, so that files of a few KiB span several blocks. */
export const SIM_BLOCKSIZE = 4096;

export class SimWorld {
  private constructor(
    readonly net: SimNetwork,
    readonly clock: SimClock,
    readonly realmId: RealmId,
    readonly devices: SimDevice[],
  ) {}

  /** Builds the world (faults off); `rng` drives the network's decisions later. */
  static async create(rng: Rng): Promise<SimWorld> {
    const simClock = new SimClock();
    const clock = simClock.read;
    const net = await SimNetwork.open(new Disk(), clock, rng);
    const { organizationId, bootstrapToken } = await net.server.createOrganization();
    const anonymous = new InProcessAnonymousTransport(net, organizationId);
    const devices: SimDevice[] = [];
    const open = async (name: string, device: LocalDevice): Promise<Client> => {
      const disk = new Disk();
      const client = await openClient(net, clock, device, disk, name);
      devices.push({ name, device, disk, client, ws: undefined as unknown as Workspace });
      return client;
    };
    const enroll = async (greeterClient: Client, kind: 'user' | 'device', label: string): Promise<LocalDevice> => {
      const invitation = kind === 'user' ? await greeterClient.inviteUser('bob@example.org') : await greeterClient.inviteDevice();
      const ui = humans();
      const [, device] = await Promise.all([
        invitation.greet(ui.greeter),
        claimInvitation(invitation.link, anonymous, { ui: ui.claimer, deviceLabel: label, ...(kind === 'user' ? { humanHandle: { email: 'bob@example.org', label: 'Bob' } } : {}) }),
      ]);
      return device;
    };

    const laptop = await open(
      'alice-laptop',
      await bootstrapDevice({ transport: anonymous, organizationId, bootstrapToken, humanHandle: { email: 'alice@example.org', label: 'Alice' }, deviceLabel: 'laptop', clock }),
    );
    await laptop.syncCertificates();
    await open('alice-desktop', await enroll(laptop, 'device', 'desktop'));
    const bob = await open('bob', await enroll(laptop, 'user', 'bob-laptop'));
    await bob.syncCertificates();
    const ws = await laptop.createWorkspace('Shared');
    await ws.share(bob.userId, 'CONTRIBUTOR');
    for (const d of devices) {
      await d.client.sync();
      d.ws = await d.client.workspace(ws.id);
    }
    return new SimWorld(net, simClock, ws.id, devices);
  }

  /** Freezes this world (call when idle): copies of every disk, the devices and the time. */
  async snapshot(): Promise<Snapshot> {
    return {
      serverDisk: await (this.net.storage as Disk).copy(),
      devices: await Promise.all(this.devices.map(async (d) => ({ name: d.name, device: d.device, disk: await d.disk.copy() }))),
      realmId: this.realmId,
      now: this.clock.now,
    };
  }

  /** A new world started from copies of `snap` (a server restart and device restarts, in effect). */
  static async fromSnapshot(snap: Snapshot, rng: Rng): Promise<SimWorld> {
    const clock = new SimClock(snap.now);
    const net = await SimNetwork.open(await snap.serverDisk.copy(), clock.read, rng);
    const devices: SimDevice[] = [];
    for (const d of snap.devices) {
      const disk = await d.disk.copy();
      const client = await openClient(net, clock.read, d.device, disk, d.name);
      devices.push({ name: d.name, device: d.device, disk, client, ws: await client.workspace(snap.realmId) });
    }
    return new SimWorld(net, clock, snap.realmId, devices);
  }

  /** Closes a device's client and reopens it from its disk (a device restart). */
  async restartDevice(d: SimDevice): Promise<void> {
    await d.client.close();
    d.client = await openClient(this.net, this.clock.read, d.device, d.disk, d.name);
    d.ws = await d.client.workspace(this.realmId);
  }

  async close(): Promise<void> {
    for (const d of this.devices) await d.client.close();
    await this.net.server.close();
  }
}

function openClient(net: SimNetwork, clock: Clock, device: LocalDevice, disk: Disk, name: string): Promise<Client> {
  const credentials = { organizationId: device.organizationId, deviceId: device.deviceId, signingKey: device.signingKey };
  return Client.open({
    device,
    transport: new FaultyTransport(new InProcessTransport(net, credentials, { clock }), net, name),
    storage: disk,
    clock,
    blocksize: SIM_BLOCKSIZE,
    concurrency: 2,
  });
}
