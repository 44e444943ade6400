/**
 * Hostile server colluding with a removed member, manifests (issue 12, attack 5): the member signs
 * a next version dated just before its revocation or downgrade, chained to a newest version that
 * is itself dated before it, and the server slips it to a reader that had already verified the
 * removal before its last poll. `manifest/appeared-after-removal`, nothing applied (working copy
 * and stored checkpoint unchanged). A version honestly stored before the removal but fetched
 * after it, and a device reading the realm for the first time, are still accepted.
 */
import { describe, expect, it } from 'vitest';
import type { Client, LocalDevice, Workspace } from '../../src/client/index.js';
import type { VlobId } from '../../src/codec/ids.js';
import type { VlobItem } from '../../src/transport/index.js';
import { announceVersion, expectSyncRefused, HostileTransport } from './hostile.js';
import { closeAfterEach, fetchKeyring, forgeNext, latestVersion, str, text, World } from './world.js';

describe('lying server + removed member: back-dated manifests', () => {
  let world: World;
  const { track } = closeAfterEach(() => world);

  interface Cast {
    alice: Client;
    aliceDevice: LocalDevice;
    bob: Client;
    bobDevice: LocalDevice;
    hostile: HostileTransport;
    ws: Workspace;
    id: VlobId;
  }

  /** Alice (OWNER, her transport lies) and Bob (CONTRIBUTOR, colluding); /f.txt v1 by Alice. */
  async function setup(): Promise<Cast> {
    world = await World.create('in-process', { blocksize: 4096 });
    const aliceDevice = await world.bootstrap();
    let hostile!: HostileTransport;
    const alice = track(await world.open(aliceDevice, { wrap: (t) => (hostile = new HostileTransport(t)) }));
    await alice.syncCertificates();
    const bobDevice = await world.enrollUser(alice, 'bob@example.org', 'Bob');
    const bob = track(await world.open(bobDevice));
    await bob.syncCertificates();
    const ws = await alice.createWorkspace('W');
    await ws.share(bob.userId, 'CONTRIBUTOR');
    await ws.writeFile('/f.txt', text('v1'));
    await ws.sync();
    await bob.sync();
    return { alice, aliceDevice, bob, bobDevice, hostile, ws, id: (await ws.stat('/f.txt')).id };
  }

  /** Bob's next version of /f.txt dated `timestamp`, signed with his device key and a key he holds. */
  async function forgeByBob(c: Cast, timestamp: number, keyring: Awaited<ReturnType<typeof fetchKeyring>>): Promise<VlobItem> {
    const { verified } = await latestVersion(world, c.aliceDevice, c.alice.certificates, keyring, c.ws.id, c.id);
    return forgeNext({ author: c.bobDevice, keyring, realmId: c.ws.id, base: verified, timestamp, patch: { size: 0, blocks: [] } });
  }

  async function expectRefusedAndNothingApplied(c: Cast, forged: VlobItem): Promise<void> {
    announceVersion(c.hostile, forged);
    const before = c.alice.certificates.topicHead(c.ws.id);
    await expectSyncRefused(c.hostile, c.ws, 'manifest/appeared-after-removal', '/f.txt', 'v1', 1);
    expect(c.alice.certificates.topicHead(c.ws.id)).toEqual(before);
  }

  it('a downgraded writer back-dates a version before its downgrade → manifest/appeared-after-removal, nothing applied', async () => {
    const c = await setup();
    const keyring = await fetchKeyring(world, c.bobDevice, c.bob.certificates, c.ws.id);
    world.clock.advance(1_000_000);
    await c.ws.share(c.bob.userId, 'READER');
    const downgradedAt = c.alice.certificates.lastTimestamp(c.ws.id)!;
    await c.ws.sync(); // a complete poll after the downgrade was verified: the mark
    const forged = await forgeByBob(c, downgradedAt - 1, keyring);
    await expectRefusedAndNothingApplied(c, forged);
  });

  it('a revoked writer back-dates a version before its revocation → manifest/appeared-after-removal, nothing applied', async () => {
    const c = await setup();
    const keyring = await fetchKeyring(world, c.bobDevice, c.bob.certificates, c.ws.id);
    world.clock.advance(1_000_000);
    const rotated = new Promise((resolve) => c.alice.on('auto-rotated', resolve));
    await c.alice.revokeUser(c.bob.userId);
    await rotated;
    const revokedOn = c.alice.user(c.bob.userId)!.revokedOn!;
    await c.ws.sync();
    const forged = await forgeByBob(c, revokedOn - 1, keyring);
    await expectRefusedAndNothingApplied(c, forged);
  });

  it('a version honestly stored before the downgrade, fetched only after it, is accepted (no false alarm)', async () => {
    const c = await setup();
    const wsBob = await c.bob.workspace(c.ws.id);
    world.clock.advance(1_000_000);
    await wsBob.writeFile('/f.txt', text('v2 by Bob, before the downgrade'));
    await wsBob.sync();
    // Alice verifies the downgrade (she signs it) before she polls the realm again.
    await c.ws.share(c.bob.userId, 'READER');
    await c.ws.sync();
    expect(str(await c.ws.readFile('/f.txt'))).toBe('v2 by Bob, before the downgrade');
  });

  it('a device reading the realm for the first time accepts versions by a since revoked writer', async () => {
    const c = await setup();
    const wsBob = await c.bob.workspace(c.ws.id);
    world.clock.advance(1_000_000);
    await wsBob.writeFile('/f.txt', text('v2 by Bob'));
    await wsBob.sync();
    await c.ws.sync();
    await c.alice.revokeUser(c.bob.userId);
    const desktop = track(await world.open(await world.enrollDevice(c.alice, 'desktop')));
    await desktop.sync();
    const w = await desktop.workspace(c.ws.id);
    expect(str(await w.readFile('/f.txt'))).toBe('v2 by Bob');
  });
});
