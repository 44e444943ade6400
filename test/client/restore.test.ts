/**
 * Restore from history: a file or a folder tree put back as it was at time t, as new versions on
 * top (the history itself unchanged), merged like any other write; every refusal leaves the
 * working copies untouched.
 */
import { describe, expect, it } from 'vitest';
import type { Client, Workspace } from '../../src/client/index.js';
import { RollbackError } from '../../src/errors.js';
import type { FolderManifest } from '../../src/manifests/index.js';
import { expectOk } from '../../src/transport/index.js';
import { aliceAndHostileBob, type HostileCast } from './hostile.js';
import { closeAfterEach, fetchKeyring, forgeNext, latestVersion, str, text, World } from './world.js';
import { caught } from '../support/caught.js';


/** Every path of the working copy with its content (files) or `/` (folders). */
async function snapshot(ws: Workspace, path = '/'): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const e of await ws.list(path)) {
    const p = `${path === '/' ? '' : path}/${e.name}`;
    if (e.type === 'folder') Object.assign(out, { [p]: '/' }, await snapshot(ws, p));
    else out[p] = str(await ws.readFile(p));
  }
  return out;
}

describe('restore from history (in-process)', () => {
  let world: World;
  const { track } = closeAfterEach(() => world);

  async function setup(): Promise<HostileCast> {
    world = await World.create('in-process', { blocksize: 4096 });
    return aliceAndHostileBob(world, track);
  }


  it('a file comes back as a new version on top; older versions stay as they were', async () => {
    const { ws, wsBob } = await setup();
    await ws.writeFile('/f.txt', text('first draft, several blocks '.repeat(400)));
    await ws.sync();
    const t = world.clock.advance(1_000_000);
    await ws.writeFile('/f.txt', text('overwritten by mistake'));
    await ws.sync();
    const report = await ws.restore('/f.txt', t);
    expect(report).toEqual({ files: 1, folders: 0 });
    expect((await ws.stat('/f.txt')).needSync).toBe(true);
    expect(str(await ws.readFile('/f.txt'))).toBe('first draft, several blocks '.repeat(400));
    await ws.sync();
    const history = await ws.history('/f.txt');
    expect(history.map((h) => h.version)).toEqual([1, 2, 3]);
    expect(str(await ws.readFile('/f.txt', { at: history[1]!.timestamp }))).toBe('overwritten by mistake');
    await wsBob.sync();
    expect(str(await wsBob.readFile('/f.txt'))).toBe('first draft, several blocks '.repeat(400));
  });

  it('a folder tree comes back: changed files restored, removed ones recreated, newer ones kept; to another place too', async () => {
    const { ws, wsBob } = await setup();
    await ws.mkdir('/docs/sub', { parents: true });
    await ws.writeFile('/docs/a.txt', text('a@t'));
    await ws.writeFile('/docs/sub/b.txt', text('b@t'));
    await ws.sync();
    const t = world.clock.advance(1_000_000);
    await ws.writeFile('/docs/a.txt', text('a later'));
    await ws.remove('/docs/sub', { recursive: true });
    await ws.writeFile('/docs/c.txt', text('c, created after t'));
    await ws.sync();
    expect(await ws.restore('/docs', t)).toEqual({ files: 2, folders: 1 });
    await ws.sync();
    await wsBob.sync();
    const expected = { '/docs': '/', '/docs/a.txt': 'a@t', '/docs/c.txt': 'c, created after t', '/docs/sub': '/', '/docs/sub/b.txt': 'b@t' };
    expect(await snapshot(ws)).toEqual(expected);
    expect(await snapshot(wsBob)).toEqual(expected);
    // A copy elsewhere, the current tree untouched.
    await ws.restore('/docs', t, { to: '/docs-at-t' });
    expect(await snapshot(ws, '/docs-at-t')).toEqual({ '/docs-at-t/a.txt': 'a@t', '/docs-at-t/sub': '/', '/docs-at-t/sub/b.txt': 'b@t' });
    expect(str(await ws.readFile('/docs/c.txt'))).toBe('c, created after t');
  });

  it('a restore racing a concurrent edit merges like any write: a conflict copy, nothing lost', async () => {
    const { ws, wsBob } = await setup();
    await ws.writeFile('/f.txt', text('old'));
    await ws.sync();
    const t = world.clock.advance(1_000_000);
    await ws.writeFile('/f.txt', text('middle'));
    await ws.sync();
    await wsBob.sync();
    await ws.restore('/f.txt', t); // offline
    await wsBob.writeFile('/f.txt', text('bob edit'));
    await wsBob.sync();
    await ws.sync();
    await wsBob.sync();
    const mine = await snapshot(ws);
    expect(await snapshot(wsBob)).toEqual(mine);
    expect(Object.values(mine).sort()).toEqual(['bob edit', 'old']);
    expect(Object.keys(mine).some((p) => p.includes('sync conflict'))).toBe(true);
  });

  it('refusals leave the working copy unchanged: nothing then, type changed, not a writer, too large', async () => {
    const { alice, ws } = await setup();
    const t0 = world.clock.advance(1);
    await ws.writeFile('/f.txt', text('v1'));
    await ws.mkdir('/d');
    await ws.writeFile('/d/x.txt', text('x'));
    await ws.sync();
    const t = world.clock.advance(1_000_000);
    await ws.remove('/f.txt');
    await ws.mkdir('/f.txt');
    await ws.remove('/d', { recursive: true });
    await ws.writeFile('/d', text('a file now'));
    await ws.sync();
    const before = await snapshot(ws);

    expect((await caught(ws.restore('/f.txt', t0))).code).toBe('workspace/not-found');
    expect((await caught(ws.restore('/nothing', t))).code).toBe('workspace/not-found');
    expect((await caught(ws.restore('/f.txt', t))).code).toBe('workspace/is-a-folder');
    expect((await caught(ws.restore('/d', t))).code).toBe('workspace/not-a-folder');
    expect((await caught(ws.restore('/', t, { limits: { maxEntries: 2, maxDepth: 64 } }))).code).toBe('workspace/too-large');
    expect((await caught(ws.restore('/', t, { limits: { maxEntries: 100, maxDepth: 0 } }))).code).toBe('workspace/too-large');
    expect(await snapshot(ws)).toEqual(before);
    expect(await ws.hasPendingChanges()).toBe(false);

    const carolDevice = await world.enrollUser(alice, 'carol@example.org', 'Carol');
    const carol = track(await world.open(carolDevice));
    await carol.syncCertificates();
    await ws.share(carol.userId, 'READER');
    await carol.sync();
    const wsCarol = await carol.workspace(ws.id);
    expect((await caught(wsCarol.restore('/f.txt', t))).code).toBe('workspace/read-only');
    expect(await wsCarol.hasPendingChanges()).toBe(false);
  });

  it('a server hiding the newest version, or a member-signed folder that contains itself, is refused; nothing applied', async () => {
    const { alice, ws, wsBob, hostile } = await setup();
    await ws.mkdir('/d');
    await ws.writeFile('/d/f.txt', text('v1'));
    await ws.sync();
    const t = world.clock.advance(1_000_000);
    await ws.writeFile('/d/f.txt', text('v2'));
    await ws.sync();
    await wsBob.sync();
    const before = await snapshot(wsBob);

    // Rollback: the latest read serves version 1 of a file Bob verified at version 2.
    const fileId = (await wsBob.stat('/d/f.txt')).id;
    hostile.tamper = async (req, rep, inner) =>
      req.cmd === 'vlob_read_batch' && req.vlobIds.includes(fileId) ? inner.send({ cmd: 'vlob_read_versions', realmId: req.realmId, items: [{ vlobId: fileId, version: 1 }] }) : rep;
    const err = await caught(wsBob.restore('/d', t));
    expect(err).toBeInstanceOf(RollbackError);
    expect(err.code).toBe('rollback/vlob-version');
    hostile.tamper = null;
    expect(await snapshot(wsBob)).toEqual(before);

    // A member (Alice, holding the keys) signs a version of /d that names /d inside itself.
    const folderId = (await ws.stat('/d')).id;
    const keyring = await fetchKeyring(world, alice.device, alice.certificates, ws.id);
    const base = await latestVersion(world, alice.device, alice.certificates, keyring, ws.id, folderId);
    const children = new Map((base.verified.manifest as FolderManifest).children).set('loop' as never, folderId);
    const timestamp = world.clock.advance(1000);
    const forged = await forgeNext({ author: alice.device, keyring, realmId: ws.id, base: base.verified, timestamp, patch: { children } as never });
    expectOk(await world.transport(alice.device).send({ cmd: 'vlob_update', realmId: ws.id, vlobId: folderId, version: forged.version, keyIndex: forged.keyIndex, timestamp, blob: forged.blob }));
    expect((await caught(wsBob.restore('/d', world.clock.advance(1000)))).code).toBe('workspace/cycle');
    expect(await snapshot(wsBob)).toEqual(before);
  });
});
