/**
 * Concurrent moves (issue 18), end to end in process: a file moved to two folders ends in exactly
 * one (the first uploaded move wins, the other device is told by a `moved` conflict), folders
 * moved into each other never form a cycle (the move merged last is undone, nothing is lost), and
 * an entry moved on both sides takes the remote parent with nothing to upload.
 */
import { describe, expect, it } from 'vitest';
import type { ConflictEvent, Workspace } from '../../src/client/index.js';
import { aliceAndHostileBob } from './hostile.js';
import { closeAfterEach, str, text, World } from './world.js';

async function tree(w: Workspace, dir = '/'): Promise<string[]> {
  const out: string[] = [];
  for (const e of await w.list(dir)) {
    const p = `${dir === '/' ? '' : dir}/${e.name}`;
    out.push(e.type === 'folder' ? `${p}/` : `${p}=${str(await w.readFile(p))}`);
    if (e.type === 'folder') out.push(...(await tree(w, p)));
  }
  return out;
}

describe('concurrent moves', () => {
  let world: World;
  const { track } = closeAfterEach(() => world);

  async function twoDevices() {
    world = await World.create('in-process', { blocksize: 4096 });
    const alice = track(await world.open(await world.bootstrap()));
    await alice.syncCertificates();
    const bob = track(await world.open(await world.enrollDevice(alice, 'second laptop')));
    await bob.syncCertificates();
    const ws = await alice.createWorkspace('Moves');
    await ws.mkdir('/a');
    await ws.mkdir('/b');
    await ws.mkdir('/c');
    await ws.writeFile('/f.txt', text('content'));
    await ws.sync();
    await bob.sync();
    const wsBob = await bob.workspace(ws.id);
    const bobConflicts: ConflictEvent[] = [];
    bob.on('conflict', (e) => bobConflicts.push(e));
    return { ws, wsBob, bobConflicts, alice, bob };
  }

  it('a file moved to two folders ends in exactly one; the later mover is told', async () => {
    const { ws, wsBob, bobConflicts } = await twoDevices();
    await ws.rename('/f.txt', '/a/f.txt');
    await wsBob.rename('/f.txt', '/b/f.txt');
    await ws.sync();
    await wsBob.sync();
    await ws.sync();
    const expected = ['/a/', '/a/f.txt=content', '/b/', '/c/'];
    expect(await tree(wsBob)).toEqual(expected);
    expect(await tree(ws)).toEqual(expected);
    expect(bobConflicts).toEqual([expect.objectContaining({ kind: 'moved', name: 'f.txt', folderPath: '/b', toPath: '/a' })]);
    expect(await wsBob.hasPendingChanges()).toBe(false);
  });

  it('folders moved into each other: no cycle, nothing lost, both devices agree', async () => {
    const { ws, wsBob, bobConflicts } = await twoDevices();
    await ws.writeFile('/a/in-a.txt', text('A'));
    await ws.writeFile('/b/in-b.txt', text('B'));
    await ws.sync();
    await wsBob.sync();
    await ws.rename('/a', '/b/a'); // Alice: a into b
    await wsBob.rename('/b', '/a/b'); // Bob: b into a
    await ws.sync();
    await wsBob.sync();
    await ws.sync();
    // Alice's move (uploaded first) stands; Bob's, merged last, is undone.
    const expected = ['/b/', '/b/a/', '/b/a/in-a.txt=A', '/b/in-b.txt=B', '/c/', '/f.txt=content'];
    expect(await tree(wsBob)).toEqual(expected);
    expect(await tree(ws)).toEqual(expected);
    expect(bobConflicts).toEqual([expect.objectContaining({ kind: 'moved', name: 'b', toPath: '/' })]);
  });

  it('moved on both sides (file): the remote folder wins and the merge uploads no version of the file', async () => {
    const { ws, wsBob } = await twoDevices();
    const fileId = (await ws.stat('/f.txt')).id;
    await ws.rename('/f.txt', '/a/f.txt');
    await ws.sync();
    await wsBob.rename('/f.txt', '/c/f.txt');
    const before = (await wsBob.stat('/c/f.txt')).version;
    await wsBob.sync();
    const after = await ws.sync().then(() => wsBob.stat('/a/f.txt'));
    expect(after.id).toBe(fileId);
    // Alice's version of the move is the one kept: Bob wrote no new version of the file.
    expect(after.version).toBe(before + 1);
    expect((await ws.stat('/a/f.txt')).version).toBe(after.version);
    expect(await wsBob.exists('/c/f.txt')).toBe(false);
  });

  it('a file moved here into a folder another device deleted meanwhile, edited on both sides: nothing is lost, both devices agree (100,000-run model)', async () => {
    // Bob moves f.txt into archive and edits it; between his poll and his upload Alice edits
    // f.txt and deletes archive. Bob's upload of archive (listing f.txt) lands, his f.txt and
    // root are refused; Alice's merge then keeps f.txt in the root and takes it out of archive,
    // and Bob's merge took it out of the root (his move) and out of archive (hers): listed
    // nowhere, both edits lost, until the no-entry-lost rule put it back where the root lists it.
    world = await World.create('in-process', { blocksize: 4096 });
    const cast = await aliceAndHostileBob(world, track);
    const { ws, wsBob, alice, bob, hostile } = cast;
    await ws.writeFile('/f.txt', text('v1'));
    await ws.mkdir('/archive');
    await ws.sync();
    await wsBob.sync();
    await wsBob.rename('/f.txt', '/archive/f.txt');
    await wsBob.writeFile('/archive/f.txt', text('bob edit'));
    let raced = false;
    hostile.tamper = async (req, reply) => {
      if (req.cmd === 'vlob_poll_changes' && !raced) {
        raced = true;
        await ws.writeFile('/f.txt', text('alice edit'));
        await ws.remove('/archive', { recursive: true });
        await ws.sync();
      }
      return reply;
    };
    for (let i = 0; i < 3; i++) {
      await bob.sync();
      await alice.sync();
    }
    expect(raced).toBe(true);
    const all = await tree(ws);
    expect(await tree(wsBob)).toEqual(all);
    const contents = all.filter((l) => l.includes('=')).map((l) => l.split('=')[1]).sort();
    expect(contents).toEqual(['alice edit', 'bob edit']);
    expect(await ws.hasPendingChanges()).toBe(false);
    expect(await wsBob.hasPendingChanges()).toBe(false);
  });
});
