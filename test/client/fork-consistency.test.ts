/**
 * Fork consistency (SUNDR's guarantee, issue 12): a server that shows two devices different
 * histories is caught the first time either sees anything the other wrote after the split. The
 * server is forked for real: a second `SealsyncServer` opened over a copy of the first one's
 * storage; some devices talk to one, some to the other, then the server lets one side's writes
 * through to the other. Every crossing ends in a typed error with nothing applied.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Client, LocalDevice, Workspace } from '../../src/client/index.js';
import { SealsyncServer } from '../../src/server/index.js';
import { expectOk, InProcessTransport, type Transport } from '../../src/transport/index.js';
import { caught } from '../support/caught.js';
import { Disk } from '../simulation/sim-world.js';
import { announceVersion, expectSyncRefused, HostileTransport } from './hostile.js';
import { closeAfterEach, str, text, World } from './world.js';

describe('fork consistency: two devices shown different histories detect it at the first crossing', () => {
  let world: World;
  let disk: Disk;
  let other: SealsyncServer | null = null;
  const { track } = closeAfterEach(() => world);
  afterEach(async () => {
    await other?.close();
    other = null;
  });

  interface Side {
    readonly client: Client;
    readonly device: LocalDevice;
    readonly hostile: HostileTransport;
    ws: Workspace;
  }

  async function side(device: LocalDevice): Promise<Side> {
    let hostile!: HostileTransport;
    const client = track(await world.open(device, { wrap: (t) => (hostile = new HostileTransport(t)) }));
    await client.syncCertificates();
    return { client, device, hostile, ws: undefined as unknown as Workspace };
  }

  /** Laptop and desktop (Alice, OWNER), Bob (CONTRIBUTOR), Carol (no role); /f.txt v1 seen by all. */
  async function setup(): Promise<{ laptop: Side; desktop: Side; bob: Side; carolId: string }> {
    disk = new Disk();
    world = await World.create('in-process', { blocksize: 4096, server: { storage: disk } });
    const laptop = await side(await world.bootstrap());
    const desktop = await side(await world.enrollDevice(laptop.client, 'desktop'));
    const bob = await side(await world.enrollUser(laptop.client, 'bob@example.org', 'Bob'));
    const carol = await world.enrollUser(laptop.client, 'carol@example.org', 'Carol');
    laptop.ws = await laptop.client.createWorkspace('W');
    await laptop.ws.share(bob.client.userId, 'CONTRIBUTOR');
    await laptop.ws.writeFile('/f.txt', text('v1'));
    await laptop.ws.sync();
    for (const s of [desktop, bob]) {
      await s.client.sync();
      s.ws = await s.client.workspace(laptop.ws.id);
    }
    return { laptop, desktop, bob, carolId: carol.userId };
  }

  /** Splits the server: from now on `sides` talk to a copy of it (the other fork). Returns their transports there. */
  async function fork(...sides: Side[]): Promise<Map<Side, Transport>> {
    other = await SealsyncServer.open({ storage: await disk.copy(), clock: world.clock.clock });
    const out = new Map<Side, Transport>();
    for (const s of sides) {
      const t = new InProcessTransport(other, { organizationId: s.device.organizationId, deviceId: s.device.deviceId, signingKey: s.device.signingKey }, { clock: world.clock.clock });
      s.hostile.intercept = (req) => t.send(req);
      out.set(s, t);
    }
    return out;
  }

  /** The version of /f.txt as the other fork has it (what the server slips to this side). */
  async function latestOn(t: Transport, s: Side) {
    const id = (await s.ws.stat('/f.txt')).id;
    return expectOk(await t.send({ cmd: 'vlob_read_batch', realmId: s.ws.id, vlobIds: [id] })).items[0]!;
  }

  it('common topic forked: the first version written on the other side → manifest/heads-fork; the next certificate → certificate/chain-prev-mismatch; nothing applied', async () => {
    const { laptop, desktop, bob, carolId } = await setup();
    const forked = await fork(desktop);
    // Each side appends a different certificate at the same common position.
    await laptop.client.changeProfile(carolId as never, 'OUTSIDER');
    await desktop.client.revokeUser(carolId as never);
    await desktop.ws.writeFile('/f.txt', text('v2 on the other fork'));
    await desktop.ws.sync();
    // The server lets the desktop's version through to the laptop.
    announceVersion(laptop.hostile, await latestOn(forked.get(desktop)!, desktop));
    const common = laptop.client.certificates.topicHead('common');
    await expectSyncRefused(laptop.hostile, laptop.ws, 'manifest/heads-fork', '/f.txt', 'v1', 1);
    expect(laptop.client.certificates.topicHead('common')).toEqual(common);
    // And the other way round: the desktop, shown the laptop's history, sees its next certificate.
    await laptop.client.changeProfile(bob.client.userId, 'OUTSIDER');
    desktop.hostile.intercept = null;
    const head = desktop.client.certificates.topicHead('common');
    expect((await caught(desktop.client.syncCertificates())).code).toBe('certificate/chain-prev-mismatch');
    expect(desktop.client.certificates.topicHead('common')).toEqual(head);
    expect(desktop.client.user(carolId as never)?.revokedOn).not.toBeNull();
    expect(str(await desktop.ws.readFile('/f.txt'))).toBe('v2 on the other fork');
  });

  it("realm topic forked: another user's version from the other side → manifest/heads-fork, nothing applied", async () => {
    const { laptop, desktop, bob, carolId } = await setup();
    const forked = await fork(desktop, bob);
    // The same realm position holds a READER share here and a CONTRIBUTOR share there.
    await laptop.ws.share(carolId as never, 'READER');
    await desktop.ws.share(carolId as never, 'CONTRIBUTOR');
    await bob.client.sync(); // Bob verifies the realm as the other fork shows it
    await bob.ws.writeFile('/f.txt', text('v2 by Bob on the other fork'));
    await bob.ws.sync();
    announceVersion(laptop.hostile, await latestOn(forked.get(bob)!, bob));
    const realm = laptop.client.certificates.topicHead(laptop.ws.id);
    await expectSyncRefused(laptop.hostile, laptop.ws, 'manifest/heads-fork', '/f.txt', 'v1', 1);
    expect(laptop.client.certificates.topicHead(laptop.ws.id)).toEqual(realm);
    expect(laptop.client.certificates.getRealmRole(laptop.ws.id, carolId as never)).toBe('READER');
  });

  it('without a fork, the same crossing is an ordinary sync (no false alarm)', async () => {
    const { laptop, desktop, carolId } = await setup();
    await laptop.client.changeProfile(carolId as never, 'OUTSIDER');
    await desktop.ws.writeFile('/f.txt', text('v2'));
    await desktop.ws.sync();
    await laptop.ws.sync();
    expect(str(await laptop.ws.readFile('/f.txt'))).toBe('v2');
  });
});
