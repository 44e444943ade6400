/**
 * Workspace archiving and deletion (Parsec RFC 1028): an archived workspace is read only for
 * everyone (client and server), a deletion is planned at least the organisation's minimum period
 * ahead and can be cancelled before its date; from the date on the server serves nothing of the
 * realm, accepts no certificate bringing it back, and its purge removes every vlob, block and keys
 * bundle. Each refusal leaves the state unchanged.
 */
import { describe, expect, it } from 'vitest';
import type { Client, Workspace } from '../../src/client/index.js';
import { signCertificate } from '../../src/certificates/index.js';
import { newId, type BlockId, type VlobId } from '../../src/codec/ids.js';
import { rootFolderId } from '../../src/manifests/index.js';
import { SealsyncServer } from '../../src/server/index.js';
import { MemoryStorage } from '../../src/storage/index.js';
import { InProcessTransport, isErrorReply, type AuthenticatedRequest, type Transport } from '../../src/transport/index.js';
import { closeAfterEach, str, text, World } from './world.js';
import { caught } from '../support/caught.js';

const MIN_PERIOD = 3_600_000_000; // 1 hour, µs


async function code(t: Transport, req: AuthenticatedRequest): Promise<string> {
  const rep = await t.send(req);
  return isErrorReply(rep) ? rep.code : 'ok';
}

describe('workspace archiving and deletion (in-process)', () => {
  let world: World;
  const { track } = closeAfterEach(() => world);
  let storage: MemoryStorage;

  async function setup(): Promise<{ alice: Client; bob: Client; ws: Workspace; wsBob: Workspace; other: Workspace }> {
    storage = new MemoryStorage();
    world = await World.create('in-process', { blocksize: 4096, server: { minimumArchivingPeriod: MIN_PERIOD, storage } });
    const alice = track(await world.open(await world.bootstrap()));
    await alice.syncCertificates();
    const bob = track(await world.open(await world.enrollUser(alice, 'bob@example.org', 'Bob')));
    await bob.syncCertificates();
    const ws = await alice.createWorkspace('Project');
    await ws.share(bob.userId, 'CONTRIBUTOR');
    await ws.writeFile('/f.txt', text('kept'));
    await ws.sync();
    const other = await alice.createWorkspace('Other');
    await other.writeFile('/o.txt', text('other'));
    await other.sync();
    await bob.sync();
    return { alice, bob, ws, wsBob: await bob.workspace(ws.id), other };
  }

  it('archived: read only for every role, on the client and on the server; available again restores writing', async () => {
    const { alice, bob, ws, wsBob } = await setup();
    await ws.setArchiving({ status: 'archived' });
    await bob.syncCertificates();
    expect(ws.archiving).toEqual({ status: 'archived' });
    expect(wsBob.archiving).toEqual({ status: 'archived' });
    expect((await alice.workspaces()).find((w) => w.id === ws.id)?.archiving).toEqual({ status: 'archived' });

    // Client side: refused before anything is written.
    expect((await caught(wsBob.writeFile('/new.txt', text('x')))).code).toBe('workspace/archived');
    expect((await caught(ws.mkdir('/d'))).code).toBe('workspace/archived');
    expect((await caught(ws.restore('/f.txt', world.clock.now))).code).toBe('workspace/archived');
    expect(await wsBob.hasPendingChanges()).toBe(false);
    // Server side, whatever a client sends: realm_archived, even for the OWNER.
    const t = world.transport(alice.device);
    const vlobId = newId<VlobId>();
    expect(await code(t, { cmd: 'vlob_create', realmId: ws.id, vlobId, keyIndex: 1, timestamp: world.clock.now, blob: new Uint8Array(40) })).toBe('realm_archived');
    expect(await code(t, { cmd: 'vlob_update', realmId: ws.id, vlobId: (await ws.stat('/f.txt')).id, keyIndex: 1, timestamp: world.clock.now, version: 2, blob: new Uint8Array(40) })).toBe('realm_archived');
    expect(await code(t, { cmd: 'block_create', realmId: ws.id, blockId: newId<BlockId>(), keyIndex: 1, block: new Uint8Array(40) })).toBe('realm_archived');
    // Reads go on; roles are kept.
    await wsBob.sync();
    expect(str(await wsBob.readFile('/f.txt'))).toBe('kept');
    expect(wsBob.role).toBe('CONTRIBUTOR');

    // Only an OWNER changes the state: Bob's client refuses, and so does the server.
    expect((await caught(wsBob.setArchiving({ status: 'available' }))).code).toBe('workspace/not-owner');
    const forged = await signCertificate(bob.device.signingKey, { type: 'realm_archiving', author: bob.device.deviceId, timestamp: world.clock.clock(), realmId: ws.id, configuration: { status: 'available' } }, bob.certificates.nextLink(ws.id));
    expect(await code(world.transport(bob.device), { cmd: 'realm_update_archiving', archivingCertificate: forged })).toBe('invalid_certificate');
    await ws.sync();
    expect(ws.archiving).toEqual({ status: 'archived' });

    await ws.setArchiving({ status: 'available' });
    await bob.syncCertificates();
    await wsBob.writeFile('/new.txt', text('written again'));
    await wsBob.sync();
    await ws.sync();
    expect(str(await ws.readFile('/new.txt'))).toBe('written again');
  });

  it('deletion: minimum period enforced, cancel before the date, final after it, purge removes the data', async () => {
    const { alice, bob, ws, wsBob, other } = await setup();
    // Too soon for the organisation: refused, nothing changed.
    const tooSoon = world.clock.now + MIN_PERIOD / 2;
    expect((await caught(ws.setArchiving({ status: 'deletion_planned', deletionDate: tooSoon }))).code).toBe('transport/archiving_period_too_short');
    expect((await caught(ws.setArchiving({ status: 'deletion_planned', deletionDate: world.clock.now - 1 }))).code).toBe('argument/invalid');
    await ws.sync();
    expect(ws.archiving).toEqual({ status: 'available' });

    // Planned, then cancelled before the date.
    let date = world.clock.now + 2 * MIN_PERIOD;
    await ws.setArchiving({ status: 'deletion_planned', deletionDate: date });
    await bob.syncCertificates();
    expect(wsBob.archiving).toEqual({ status: 'deletion_planned', deletionDate: date });
    expect((await caught(wsBob.writeFile('/x.txt', text('x')))).code).toBe('workspace/archived');
    await ws.setArchiving({ status: 'available' });
    await bob.syncCertificates();
    world.clock.advance(3 * MIN_PERIOD);
    expect(wsBob.archiving).toEqual({ status: 'available' });
    await wsBob.writeFile('/x.txt', text('still here'));
    await wsBob.sync();

    // Planned again, and the date passes.
    date = world.clock.now + MIN_PERIOD + 1_000_000;
    await ws.setArchiving({ status: 'deletion_planned', deletionDate: date });
    await bob.syncCertificates();
    const blockIds = (await storage.list(`${world.organizationId}-blocks`)).length;
    expect(blockIds).toBeGreaterThan(0);
    world.clock.advance(2 * MIN_PERIOD);
    expect(wsBob.archiving).toEqual({ status: 'deleted', deletionDate: date });
    expect((await alice.workspaces()).find((w) => w.id === ws.id)?.archiving.status).toBe('deleted');
    expect((await caught(wsBob.sync())).code).toBe('workspace/deleted');
    await bob.sync(); // the client-wide sync skips it
    const t = world.transport(alice.device);
    expect(await code(t, { cmd: 'vlob_read_batch', realmId: ws.id, vlobIds: [rootFolderId(ws.id)] })).toBe('realm_deleted');
    expect(await code(t, { cmd: 'vlob_poll_changes', realmId: ws.id, lastCheckpoint: 0 })).toBe('realm_deleted');
    expect(await code(t, { cmd: 'realm_get_keys_bundle', realmId: ws.id, keyIndex: 1 })).toBe('realm_deleted');
    // No way back once the date has passed.
    const undelete = await signCertificate(alice.device.signingKey, { type: 'realm_archiving', author: alice.device.deviceId, timestamp: world.clock.clock(), realmId: ws.id, configuration: { status: 'available' } }, alice.certificates.nextLink(ws.id));
    expect(await code(t, { cmd: 'realm_update_archiving', archivingCertificate: undelete })).toBe('realm_deleted');
    expect((await caught(ws.setArchiving({ status: 'available' }))).code).toBe('workspace/deleted');

    // The purge removes every vlob, block and keys bundle of the realm, and only of it.
    const vlobsBefore = (await storage.list(`${world.organizationId}-vlobs`)).length;
    expect(await world.server.purgeDeletedRealms()).toEqual([ws.id]);
    expect(await world.server.purgeDeletedRealms()).toEqual([]);
    expect((await storage.list(`${world.organizationId}-keys`)).some((k) => k.startsWith(ws.id))).toBe(false);
    expect((await storage.list(`${world.organizationId}-keys`)).some((k) => k.startsWith(other.id))).toBe(true);
    expect((await storage.list(`${world.organizationId}-vlobs`)).length).toBe(vlobsBefore - 5); // root v1-v3, f.txt, x.txt
    expect((await storage.list(`${world.organizationId}-blocks`)).length).toBe(1); // other's o.txt
    await other.sync();
    expect(str(await other.readFile('/o.txt'))).toBe('other');

    // A restarted server from the same storage still refuses the realm and still serves the other.
    const reopened = await SealsyncServer.open({ storage, clock: world.clock.clock });
    try {
      const t2 = new InProcessTransport(reopened, alice.device, { clock: world.clock.clock });
      expect(await code(t2, { cmd: 'vlob_read_batch', realmId: ws.id, vlobIds: [rootFolderId(ws.id)] })).toBe('realm_deleted');
      expect(await code(t2, { cmd: 'vlob_read_batch', realmId: other.id, vlobIds: [rootFolderId(other.id)] })).toBe('ok');
    } finally {
      await reopened.close();
    }
  });
});
