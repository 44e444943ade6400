/**
 * Hostile server against collected entries (issue 18): once Bob's device removed the entry of a
 * file it deleted, the compact mark it kept (version, signed timestamp, digest) still refuses every
 * lie it refused with the entry — an older version announced or served, a listing without it, the
 * same version with other bytes, a newer version that does not chain from the verified one, an
 * older version for a history read — with the same `RollbackError` codes and nothing applied;
 * after a reopen from storage too. Honest answers bring the entry back with its content.
 */
import { describe, expect, it } from 'vitest';
import { rootFolderId } from '../../src/manifests/types.js';
import type { EntryName } from '../../src/manifests/entry-name.js';
import { expectOk } from '../../src/transport/index.js';
import { caught } from '../support/caught.js';
import { bobState, collectedCast, reopenBob, storedVersion, type CollectedCast } from './collected-cast.js';
import { closeAfterEach, fetchKeyring, forgeNext, latestVersion, str, text, World } from './world.js';

describe('lying server: collected entries', () => {
  let world: World;
  const { track } = closeAfterEach(() => world);

  async function setup(): Promise<CollectedCast> {
    world = await World.create('in-process', { blocksize: 4096 });
    return collectedCast(world, track);
  }

  /** Alice signs a next version of the root that names `/f.txt` again (same vlob, same version): a member putting it back. */
  async function relist(cast: CollectedCast): Promise<void> {
    const keyring = await fetchKeyring(world, cast.aliceDevice, cast.alice.certificates, cast.ws.id);
    const root = rootFolderId(cast.ws.id);
    const { verified } = await latestVersion(world, cast.aliceDevice, cast.alice.certificates, keyring, cast.ws.id, root);
    const m = verified.manifest;
    if (m.type !== 'folder') throw new Error('root is a folder');
    const children = new Map(m.children).set('f.txt' as EntryName, cast.fileId);
    const item = await forgeNext({ author: cast.aliceDevice, keyring, realmId: cast.ws.id, base: verified, timestamp: world.clock.clock(), patch: { children } });
    expectOk(await world.transport(cast.aliceDevice).send({ cmd: 'vlob_update', realmId: cast.ws.id, vlobId: root, keyIndex: item.keyIndex, timestamp: item.timestamp, version: item.version, blob: item.blob }));
  }

  /** Bob's sync fails with `code`, and nothing of it is applied (entries, marks, checkpoint; `/f.txt` still gone). */
  async function refused(cast: CollectedCast, code: string): Promise<void> {
    const before = await bobState(cast);
    expect((await caught(cast.wsBob.sync())).code).toBe(code);
    expect(await bobState(cast)).toBe(before);
    expect(await cast.wsBob.exists('/f.txt')).toBe(false);
  }

  it('after a reopen: an older version of a collected vlob announced by a poll → rollback/vlob-version, nothing applied', async () => {
    const cast = await setup();
    await reopenBob(world, track, cast);
    cast.hostile.tamper = (req, rep) => {
      if (req.cmd !== 'vlob_poll_changes' || rep.status !== 'ok') return rep;
      return { ...rep, currentCheckpoint: rep.currentCheckpoint + 1, changes: [...rep.changes, { vlobId: cast.fileId, version: 1 }] };
    };
    await refused(cast, 'rollback/vlob-version');
    cast.hostile.tamper = null;
    await cast.wsBob.sync();
    expect(await cast.wsBob.exists('/f.txt')).toBe(false);
  });

  it('a full listing without a collected vlob → rollback/checkpoint; with it at an older version → rollback/vlob-version', async () => {
    const cast = await setup();
    for (const [code, rewrite] of [
      ['rollback/checkpoint', (cs: { vlobId: string; version: number }[]) => cs.filter((c) => c.vlobId !== cast.fileId)],
      ['rollback/vlob-version', (cs: { vlobId: string; version: number }[]) => cs.map((c) => (c.vlobId === cast.fileId ? { ...c, version: 1 } : c))],
    ] as const) {
      cast.hostile.tamper = (req, rep) => {
        if (req.cmd !== 'vlob_poll_changes' || rep.status !== 'ok') return rep;
        // A checkpoint below the stored one forces a full listing, with counts that add up.
        const changes = rewrite(rep.changes);
        return { ...rep, changes, currentCheckpoint: changes.reduce((a, c) => a + c.version, 0) };
      };
      await refused(cast, code);
    }
  });

  it('a member names a collected file again: served older, forked or not at all → refused, nothing applied; honest → it comes back with its content', async () => {
    const cast = await setup();
    await relist(cast);
    const v1 = await storedVersion(world, cast, cast.fileId, 1);
    const keyring = await fetchKeyring(world, cast.aliceDevice, cast.alice.certificates, cast.ws.id);
    const { verified } = await latestVersion(world, cast.aliceDevice, cast.alice.certificates, keyring, cast.ws.id, cast.fileId);
    // Another version 2, validly signed by a member: the one Bob verified was not this one.
    const other = await forgeNext({ author: cast.aliceDevice, keyring, realmId: cast.ws.id, base: verified, version: 2, prev: verified.manifest.prev!, timestamp: verified.manifest.timestamp + 1 });
    for (const [code, items] of [
      ['rollback/vlob-version', [v1]],
      ['rollback/fork', [other]],
      ['rollback/missing-version', []],
    ] as const) {
      cast.hostile.tamper = (req, rep) => (req.cmd === 'vlob_read_batch' && req.vlobIds.includes(cast.fileId) ? { status: 'ok', items } : rep);
      await refused(cast, code);
    }
    cast.hostile.tamper = null;
    const before = cast.hostile.seen.length;
    await cast.wsBob.sync();
    expect(str(await cast.wsBob.readFile('/f.txt'))).toBe('v2');
    expect((await cast.wsBob.stat('/f.txt')).version).toBe(2);
    // Fetched as a child the root names again (floor: the mark's version), in its own round.
    expect(cast.hostile.seen.slice(before).some((r) => r.cmd === 'vlob_read_batch' && r.vlobIds.length === 1 && r.vlobIds[0] === cast.fileId)).toBe(true);
    expect((await cast.store.loadEntries(cast.ws.id)).has(cast.fileId)).toBe(true);
    expect((await cast.store.loadCollected(cast.ws.id)).has(cast.fileId)).toBe(false);
  });

  it('another device restores a missed delete (newer version): it comes back; a version not chained to the verified one → rollback/fork', async () => {
    const cast = await setup();
    // Alice edited the file before she pulled Bob's delete: her edit wins, the file comes back as v3.
    await cast.ws.writeFile('/f.txt', text('v3 by Alice'));
    await cast.ws.sync();
    expect(str(await cast.ws.readFile('/f.txt'))).toBe('v3 by Alice');
    const v3 = await storedVersion(world, cast, cast.fileId, 3);
    const keyring = await fetchKeyring(world, cast.aliceDevice, cast.alice.certificates, cast.ws.id);
    const { verified } = await latestVersion(world, cast.aliceDevice, cast.alice.certificates, keyring, cast.ws.id, cast.fileId);
    // Version 3 signed by a member, but linked to nothing Bob verified.
    const unchained = await forgeNext({ author: cast.aliceDevice, keyring, realmId: cast.ws.id, base: verified, version: 3, prev: new Uint8Array(32), timestamp: v3.timestamp });
    cast.hostile.tamper = (req, rep) => {
      if (req.cmd !== 'vlob_read_batch' || rep.status !== 'ok') return rep;
      return { ...rep, items: rep.items.map((it: { vlobId: string }) => (it.vlobId === cast.fileId ? unchained : it)) };
    };
    await refused(cast, 'rollback/fork');
    // The version Bob verified, served with other bytes (another v2 signed by a member) when it is read again to chain from.
    const v2 = await storedVersion(world, cast, cast.fileId, 2);
    const other = await forgeNext({ author: cast.aliceDevice, keyring, realmId: cast.ws.id, base: verified, version: 2, prev: new Uint8Array(32), timestamp: v2.timestamp });
    cast.hostile.tamper = (req, rep) => (req.cmd === 'vlob_read_versions' ? { status: 'ok', items: [other] } : rep);
    await refused(cast, 'rollback/fork');
    cast.hostile.tamper = null;
    await cast.wsBob.sync();
    expect(str(await cast.wsBob.readFile('/f.txt'))).toBe('v3 by Alice');
    expect((await cast.wsBob.stat('/f.txt')).version).toBe(3);
  });

  it('history reads of a collected file through its folder: the past content reads; an older version for that time → rollback/older-than-verified', async () => {
    const cast = await setup();
    const at = cast.beforeRemove;
    expect(str(await cast.wsBob.readFile('/f.txt', { at }))).toBe('v2');
    expect((await cast.wsBob.history('/')).length).toBeGreaterThanOrEqual(3);
    const v1 = await storedVersion(world, cast, cast.fileId, 1);
    cast.hostile.tamper = (req, rep) => (req.cmd === 'vlob_read_batch' && req.at !== undefined && req.vlobIds.includes(cast.fileId) ? { status: 'ok', items: [v1] } : rep);
    expect((await caught(cast.wsBob.readFile('/f.txt', { at }))).code).toBe('rollback/older-than-verified');
    cast.hostile.tamper = null;
    await cast.wsBob.restore('/f.txt', at);
    expect(str(await cast.wsBob.readFile('/f.txt'))).toBe('v2');
  });
});
