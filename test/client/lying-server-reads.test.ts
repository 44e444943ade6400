/**
 * Hostile server, reads: back-dated versions, unsigned checkpoints. A transport between a real
 * reading client and a real `SealsyncServer` rewrites its answers; each lie ends in a typed error
 * and nothing of it is applied (the working copy and the stored checkpoint stay as they were), or
 * it has no lasting effect.
 */
import { describe, expect, it } from 'vitest';
import type { VlobId } from '../../src/codec/ids.js';
import { expectOk, type AuthenticatedRequest } from '../../src/transport/index.js';
import { caught } from '../support/caught.js';
import { aliceAndHostileBob, type HostileCast } from './hostile.js';
import { closeAfterEach, fetchKeyring, forgeNext, latestVersion, str, text, World } from './world.js';

/** The `lastCheckpoint` of every poll sent from `from` on: what the client had stored then. */
function polled(seen: readonly AuthenticatedRequest[], from = 0): number[] {
  return seen.slice(from).flatMap((r) => (r.cmd === 'vlob_poll_changes' ? [r.lastCheckpoint] : []));
}

describe('lying server: reads', () => {
  let world: World;
  const { track } = closeAfterEach(() => world);

  /** Alice (honest) writes /f.txt; Bob reads through a lying transport. */
  async function setup(): Promise<HostileCast> {
    world = await World.create('in-process', { blocksize: 4096 });
    const cast = await aliceAndHostileBob(world, track);
    await cast.ws.writeFile('/f.txt', text('v1'));
    await cast.ws.sync();
    await cast.bob.sync();
    return cast;
  }

  it('a next version dated before the one it follows (back-dated) → manifest/timestamp-not-increasing, nothing applied', async () => {
    const { alice, aliceDevice, hostile, ws, wsBob } = await setup();
    const id = (await ws.stat('/f.txt')).id;
    const keyring = await fetchKeyring(world, aliceDevice, alice.certificates, ws.id);
    const { verified } = await latestVersion(world, aliceDevice, alice.certificates, keyring, ws.id, id);
    // Validly signed by a member and chained to v1, but dated before it.
    const forged = await forgeNext({ author: aliceDevice, keyring, realmId: ws.id, base: verified, timestamp: verified.manifest.timestamp - 1 });
    hostile.tamper = (req, rep) => {
      if (req.cmd === 'vlob_poll_changes') return { ...rep, currentCheckpoint: rep.currentCheckpoint + 1, changes: [{ vlobId: id, version: 2 }] };
      if (req.cmd === 'vlob_read_batch') return { status: 'ok', items: [forged] };
      return rep;
    };
    const n = hostile.seen.length;
    expect((await caught(wsBob.sync())).code).toBe('manifest/timestamp-not-increasing');
    expect((await wsBob.stat('/f.txt')).version).toBe(1);
    const [stored] = polled(hostile.seen, n);
    hostile.tamper = null;
    const m = hostile.seen.length;
    await wsBob.sync();
    // The lie's checkpoint was not stored: the next poll starts where the lying one did.
    expect(polled(hostile.seen, m)).toEqual([stored]);
    expect(str(await wsBob.readFile('/f.txt'))).toBe('v1');
  });

  it('the server refuses a version dated at or before the previous one (require_greater_timestamp)', async () => {
    const { alice, aliceDevice, ws } = await setup();
    const id = (await ws.stat('/f.txt')).id;
    const keyring = await fetchKeyring(world, aliceDevice, alice.certificates, ws.id);
    const { verified } = await latestVersion(world, aliceDevice, alice.certificates, keyring, ws.id, id);
    const item = await forgeNext({ author: aliceDevice, keyring, realmId: ws.id, base: verified, timestamp: verified.manifest.timestamp });
    const rep = await world.transport(aliceDevice).send({ cmd: 'vlob_update', realmId: ws.id, vlobId: id as VlobId, keyIndex: item.keyIndex, timestamp: item.timestamp, version: 2, blob: item.blob });
    expect(rep).toMatchObject({ status: 'error', code: 'require_greater_timestamp', strictlyGreaterThan: verified.manifest.timestamp });
    const latest = expectOk(await world.transport(aliceDevice).send({ cmd: 'vlob_read_batch', realmId: ws.id, vlobIds: [id] }));
    expect(latest.items[0]!.version).toBe(1);
  });

  it('a writer whose clock lags behind the version it edits signs after it (honest skew still syncs)', async () => {
    const { bob, ws, wsBob } = await setup();
    await bob.close();
    const lagging = track(await world.open(bob.device, { clock: () => world.clock.clock() - 120_000_000 }));
    await lagging.sync();
    const w = await lagging.workspace(ws.id);
    await w.writeFile('/f.txt', text('v2 from a slow clock'));
    await w.sync();
    await ws.sync();
    expect(str(await ws.readFile('/f.txt'))).toBe('v2 from a slow clock');
    void wsBob;
  });

  it('a full listing that lacks a verified vlob → rollback/checkpoint, nothing applied', async () => {
    const { hostile, ws, wsBob } = await setup();
    const id = (await ws.stat('/f.txt')).id;
    // A checkpoint below the stored one, then a full listing without /f.txt (counts consistent).
    hostile.tamper = (req, rep) => {
      if (req.cmd !== 'vlob_poll_changes' || rep.status !== 'ok') return rep;
      const changes = rep.changes.filter((c: { vlobId: string }) => c.vlobId !== id);
      return { ...rep, changes, currentCheckpoint: changes.reduce((a: number, c: { version: number }) => a + c.version, 0) };
    };
    expect((await caught(wsBob.sync())).code).toBe('rollback/checkpoint');
    expect(str(await wsBob.readFile('/f.txt'))).toBe('v1');
    hostile.tamper = null;
    await wsBob.sync();
  });

  it('a checkpoint inflated beyond what its changes back → rollback/checkpoint-unbacked, not stored', async () => {
    const { hostile, ws, wsBob } = await setup();
    await ws.writeFile('/f.txt', text('v2'));
    await ws.sync();
    const n = hostile.seen.length;
    hostile.tamper = (req, rep) => (req.cmd === 'vlob_poll_changes' ? { ...rep, currentCheckpoint: rep.currentCheckpoint + 1_000_000 } : rep);
    expect((await caught(wsBob.sync())).code).toBe('rollback/checkpoint-unbacked');
    expect(str(await wsBob.readFile('/f.txt'))).toBe('v1');
    const [stored] = polled(hostile.seen, n);
    // Changes announced without the writes a checkpoint must count.
    hostile.tamper = (req, rep) => (req.cmd === 'vlob_poll_changes' ? { ...rep, currentCheckpoint: req.lastCheckpoint } : rep);
    expect((await caught(wsBob.sync())).code).toBe('rollback/checkpoint-unbacked');
    expect(str(await wsBob.readFile('/f.txt'))).toBe('v1');
    hostile.tamper = null;
    const m = hostile.seen.length;
    await wsBob.sync();
    expect(polled(hostile.seen, m)).toEqual([stored]);
    expect(str(await wsBob.readFile('/f.txt'))).toBe('v2');
  });

  it('a checkpoint inflated within bounds and stored has no lasting effect: the next lower honest one is checked by a full listing', async () => {
    const { hostile, ws, wsBob } = await setup();
    await ws.writeFile('/f.txt', text('v2'));
    await ws.sync();
    await ws.writeFile('/f.txt', text('v3'));
    await ws.sync();
    // The most the served versions can back: every version of every changed vlob counted as new.
    hostile.tamper = (req, rep) => {
      if (req.cmd !== 'vlob_poll_changes' || rep.status !== 'ok') return rep;
      const sum = rep.changes.reduce((a: number, c: { version: number }) => a + c.version, 0);
      return { ...rep, currentCheckpoint: req.lastCheckpoint + sum };
    };
    await wsBob.sync();
    hostile.tamper = null;
    let n = hostile.seen.length;
    await wsBob.sync();
    // The honest count is below the stored one: checked by listing the realm in full once.
    const [inflated, full] = polled(hostile.seen, n);
    expect(full).toBe(0);
    await ws.writeFile('/g.txt', text('after'));
    await ws.sync();
    n = hostile.seen.length;
    await wsBob.sync();
    // From then on, incremental again, from the honest count.
    const [next] = polled(hostile.seen, n);
    expect(next).toBeGreaterThan(0);
    expect(next).toBeLessThan(inflated!);
    expect(str(await wsBob.readFile('/g.txt'))).toBe('after');
    expect(str(await wsBob.readFile('/f.txt'))).toBe('v3');
  });

  it('a read at time t answered with a version older than one verified for t → rollback/older-than-verified', async () => {
    const { hostile, ws, wsBob } = await setup();
    world.clock.advance(1_000_000);
    await ws.writeFile('/f.txt', text('v2'));
    await ws.sync();
    world.clock.advance(1_000_000);
    await ws.writeFile('/f.txt', text('v3'));
    await ws.sync();
    await wsBob.sync();
    const id = (await wsBob.stat('/f.txt')).id;
    const [h1, h2, h3] = await wsBob.history('/f.txt');
    const serveVersion = (version: number) => {
      hostile.tamper = async (req, rep, inner) =>
        req.cmd === 'vlob_read_batch' && req.at !== undefined && req.vlobIds.includes(id)
          ? { status: 'ok', items: expectOk(await inner.send({ cmd: 'vlob_read_versions', realmId: ws.id, items: [{ vlobId: id, version }] })).items }
          : rep;
    };
    // After v3 (the version this device verified): v1 is not what was current.
    serveVersion(1);
    expect((await caught(wsBob.readFile('/f.txt', { at: h3!.timestamp + 1 }))).code).toBe('rollback/older-than-verified');
    // Between v2 and v3: v1 is refused because v2, fetched and chained, is dated before t.
    expect((await caught(wsBob.readFile('/f.txt', { at: h2!.timestamp + 1 }))).code).toBe('rollback/older-than-verified');
    // "It did not exist then", after its first version.
    hostile.tamper = (req, rep) => (req.cmd === 'vlob_read_batch' && req.at !== undefined && req.vlobIds.includes(id) ? { status: 'ok', items: [] } : rep);
    // (Just before v2: the root folder listing the file is dated after v1, before v2.)
    expect((await caught(wsBob.readFile('/f.txt', { at: h2!.timestamp - 1 }))).code).toBe('rollback/older-than-verified');
    // Nothing of the lies applied; the honest answers for the same times.
    expect((await wsBob.stat('/f.txt')).version).toBe(3);
    hostile.tamper = null;
    expect(str(await wsBob.readFile('/f.txt', { at: h3!.timestamp + 1 }))).toBe('v3');
    expect(str(await wsBob.readFile('/f.txt', { at: h2!.timestamp + 1 }))).toBe('v2');
    expect(str(await wsBob.readFile('/f.txt', { at: h2!.timestamp - 1 }))).toBe('v1');
    expect((await caught(wsBob.readFile('/f.txt', { at: h1!.timestamp - 1 }))).code).toBe('workspace/not-found');
  });
});
