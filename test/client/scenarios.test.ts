/**
 * End-to-end scenarios (in-process server) for the sync rules not covered by e2e.test.ts:
 * scratch entries staying local, an edit surviving a remote delete of its folder, the
 * `require_greater_timestamp` and `bad_key_index` retries, progress events, automatic unshare and
 * rotation by an OWNER who is not the revoking admin, and no plaintext in the local storage.
 */
import { describe, expect, it } from 'vitest';
import { Client, type SyncProgress, type Workspace } from '../../src/client/index.js';
import { utf8Encode } from '../../src/bytes.js';
import { rootFolderId, type FolderManifest } from '../../src/manifests/index.js';
import { MemoryStorage, type StorageOp } from '../../src/storage/index.js';
import { expectOk, type AuthenticatedRequest } from '../../src/transport/index.js';
import { HostileTransport } from './hostile.js';
import { writesOf } from './upload-log.js';
import { closeAfterEach, fetchKeyring, latestVersion, str, text, World } from './world.js';
import { seededBytes } from '../support/prng.js';

describe('client scenarios (in-process)', () => {
  let world: World;
  const { track, clients } = closeAfterEach(() => world);

  /** Alice (admin, OWNER of a workspace shared with Bob as CONTRIBUTOR); Alice's requests are recorded. */
  async function aliceAndBob(options: { bobClock?: () => number; aliceIgnore?: readonly string[] } = {}) {
    world = await World.create('in-process', { blocksize: 4096 });
    let aliceWire!: HostileTransport;
    let bobWire!: HostileTransport;
    const alice = track(await world.open(await world.bootstrap(), { wrap: (t) => (aliceWire = new HostileTransport(t)), ...(options.aliceIgnore ? { ignore: options.aliceIgnore } : {}) }));
    await alice.syncCertificates();
    const bobDevice = await world.enrollUser(alice, 'bob@example.org', 'Bob');
    const bob = track(await world.open(bobDevice, { wrap: (t) => (bobWire = new HostileTransport(t)), ...(options.bobClock ? { clock: options.bobClock } : {}) }));
    await bob.syncCertificates();
    const ws = await alice.createWorkspace('Shared');
    await ws.share(bob.userId, 'CONTRIBUTOR');
    await bob.sync();
    return { alice, bob, ws, wsBob: await bob.workspace(ws.id), aliceWire, bobWire };
  }

  const names = async (w: Workspace, path = '/') => (await w.list(path)).map((e) => e.name);

  it('scratch entries (default patterns) stay local: never uploaded, listed and readable here, kept by merges', async () => {
    const { alice, ws, wsBob, aliceWire } = await aliceAndBob();
    await ws.writeFile('/doc.txt', text('shared'));
    await ws.writeFile('/~$doc.txt', text('lock'));
    await ws.writeFile('/a.tmp', seededBytes(1, 5000));
    await ws.writeFile('/.DS_Store', text('finder'));
    await ws.writeFile('/doc.txt~', text('backup'));
    await ws.mkdir('/build.tmp');
    await ws.writeFile('/build.tmp/out.bin', text('built'));
    const scratch = await Promise.all(['/~$doc.txt', '/a.tmp', '/.DS_Store', '/doc.txt~', '/build.tmp', '/build.tmp/out.bin'].map(async (p) => (await ws.stat(p)).id));
    aliceWire.seen.length = 0;
    await ws.sync();

    // Only doc.txt's block and manifest (and the root) went out.
    const sent = aliceWire.seen as AuthenticatedRequest[];
    const writes = sent.flatMap((r) => writesOf(r));
    expect(writes.filter((w) => w.cmd === 'block_create')).toHaveLength(1);
    const vlobs = writes.flatMap((w) => (w.cmd === 'vlob_create' || w.cmd === 'vlob_update' ? [w.id] : []));
    expect(vlobs.some((id) => (scratch as string[]).includes(id))).toBe(false);
    expect(vlobs).toHaveLength(2);
    const keyring = await fetchKeyring(world, alice.device, alice.certificates, ws.id);
    const root = await latestVersion(world, alice.device, alice.certificates, keyring, ws.id, rootFolderId(ws.id));
    expect([...(root.verified.manifest as FolderManifest).children.keys()]).toEqual(['doc.txt']);

    // Locally: listed, readable, marked local-only, nothing pending.
    expect(await names(ws)).toEqual(['.DS_Store', 'a.tmp', 'build.tmp', 'doc.txt', 'doc.txt~', '~$doc.txt']);
    expect(await ws.readFile('/a.tmp')).toEqual(seededBytes(1, 5000));
    expect(str(await ws.readFile('/build.tmp/out.bin'))).toBe('built');
    expect(await ws.stat('/build.tmp/out.bin')).toMatchObject({ localOnly: true, needSync: false });
    expect(await ws.stat('/doc.txt')).toMatchObject({ localOnly: false, needSync: false });
    expect(await ws.hasPendingChanges()).toBe(false);

    // Bob sees only the shared file; his changes to the root do not delete Alice's scratch entries,
    // whether Alice's root has unsynced changes (three-way merge) or not (remote taken).
    await wsBob.sync();
    expect(await names(wsBob)).toEqual(['doc.txt']);
    await wsBob.writeFile('/bob.txt', text('from bob'));
    await wsBob.sync();
    await ws.sync();
    expect(await names(ws)).toEqual(['.DS_Store', 'a.tmp', 'bob.txt', 'build.tmp', 'doc.txt', 'doc.txt~', '~$doc.txt']);
    await wsBob.remove('/bob.txt');
    await wsBob.sync();
    await ws.mkdir('/alice-dir');
    await ws.sync();
    expect(await names(ws)).toEqual(['.DS_Store', 'a.tmp', 'alice-dir', 'build.tmp', 'doc.txt', 'doc.txt~', '~$doc.txt']);
    expect(str(await ws.readFile('/~$doc.txt'))).toBe('lock');
    await wsBob.sync();
    expect(await names(wsBob)).toEqual(['alice-dir', 'doc.txt']);

    // Renamed to a shared name, a scratch file is uploaded with its content.
    await ws.rename('/a.tmp', '/a.bin');
    await ws.sync();
    await wsBob.sync();
    expect(await wsBob.readFile('/a.bin')).toEqual(seededBytes(1, 5000));
  });

  it('ignore patterns are configurable: [] syncs everything, custom ones apply, a bad one is refused at open', async () => {
    const { ws, wsBob } = await aliceAndBob({ aliceIgnore: ['*.bak'] });
    await ws.writeFile('/a.tmp', text('synced now'));
    await ws.writeFile('/b.bak', text('stays'));
    await ws.sync();
    await wsBob.sync();
    // Shared, but hidden from Bob, whose default patterns ignore `*.tmp` (ignore rule: hidden).
    expect(await names(wsBob)).toEqual([]);
    const alice = clients[0]!;
    for (const bad of [['a/b'], [''], ['x\u0000']]) {
      const err = await Client.open({ device: alice.device, transport: world.transport(alice.device), ignore: bad }).then(() => null, (e: unknown) => e);
      expect(err, JSON.stringify(bad)).toMatchObject({ code: 'merge/invalid-ignore-pattern' });
    }
    // With no patterns, every name syncs.
    const bob2 = track(await world.open(await world.enrollDevice(clients[1]!, 'bob 2'), { ignore: [] }));
    await bob2.sync();
    const ws2 = await bob2.workspace(ws.id);
    expect(await names(ws2)).toEqual(['a.tmp']);
    await ws2.writeFile('/c.tmp', text('plain file here'));
    await ws2.sync();
    await ws.sync();
    expect(await names(ws)).toEqual(['a.tmp', 'b.bak', 'c.tmp']);
    expect(await ws.stat('/c.tmp')).toMatchObject({ localOnly: false, needSync: false });
  });

  it('a file edited locally inside a folder removed remotely is kept, and the edit reaches the remover', async () => {
    const { ws, wsBob } = await aliceAndBob();
    await ws.mkdir('/a');
    await ws.writeFile('/a/f.txt', text('v1'));
    await ws.writeFile('/g.txt', text('g1'));
    await ws.sync();
    await wsBob.sync();
    // Bob edits offline; Alice removes the folder and the file.
    await wsBob.writeFile('/a/f.txt', text('bob edit'));
    await wsBob.writeFile('/g.txt', text('bob g'));
    await ws.remove('/a', { recursive: true });
    await ws.remove('/g.txt');
    await ws.sync();
    await wsBob.sync();
    expect(str(await wsBob.readFile('/a/f.txt'))).toBe('bob edit');
    expect(str(await wsBob.readFile('/g.txt'))).toBe('bob g');
    await ws.sync();
    expect(str(await ws.readFile('/a/f.txt'))).toBe('bob edit');
    expect(str(await ws.readFile('/g.txt'))).toBe('bob g');

    // Same with the root also changed on Bob's side (three-way merge instead of taking the remote).
    await wsBob.writeFile('/a/f.txt', text('bob edit 2'));
    await wsBob.mkdir('/new');
    await ws.remove('/a', { recursive: true });
    await ws.sync();
    await wsBob.sync();
    await ws.sync();
    for (const w of [ws, wsBob]) {
      expect(str(await w.readFile('/a/f.txt'))).toBe('bob edit 2');
      expect(await names(w)).toEqual(['a', 'g.txt', 'new']);
    }
    // A removal with no concurrent edit goes through.
    await ws.remove('/a', { recursive: true });
    await ws.sync();
    await wsBob.sync();
    expect(await names(wsBob)).toEqual(['g.txt', 'new']);
  });

  it('require_greater_timestamp → re-signed later; bad_key_index → keys refreshed, blocks re-encrypted', async () => {
    // Bob's clock runs a minute late (inside the server's ±5 min window, behind Alice's certificates).
    const lag = 60_000_000;
    const { ws, wsBob, bobWire } = await aliceAndBob({ bobClock: () => world.clock.clock() - lag });
    const replies: string[] = [];
    bobWire.tamper = (req, reply) => {
      for (const w of writesOf(req, reply)) replies.push(`${w.cmd}:${w.result}`);
      return reply;
    };
    // Manifests only: Bob creates a folder offline, then Alice rotates the key.
    await wsBob.mkdir('/bob-dir');
    expect(await ws.rotateKey()).toBe(2);
    await wsBob.sync();
    expect(replies).toEqual(['vlob_create:require_greater_timestamp', 'vlob_create:bad_key_index', 'vlob_create:ok', 'vlob_update:ok']);
    // A block written under key 2, uploaded after a rotation to key 3: re-encrypted under key 3.
    replies.length = 0;
    await wsBob.writeFile('/bob-dir/f.txt', text('written before the rotation'));
    expect(await ws.rotateKey()).toBe(3);
    await wsBob.sync();
    expect(replies.slice(0, 2)).toEqual(['block_create:bad_key_index', 'block_create:ok']);
    expect(replies.filter((r) => r.endsWith(':ok'))).toHaveLength(3); // block, file, /bob-dir
    expect(await wsBob.hasPendingChanges()).toBe(false);
    await ws.sync();
    expect(str(await ws.readFile('/bob-dir/f.txt'))).toBe('written before the rotation');
  });

  it('progress events count blocks, manifests and downloads up to their totals', async () => {
    const { alice, bob, ws, wsBob } = await aliceAndBob();
    const seen: SyncProgress[] = [];
    alice.on('progress', (p) => seen.push(p));
    await ws.mkdir('/d');
    for (let i = 0; i < 3; i++) await ws.writeFile(`/d/f${i}`, seededBytes(i, 5000)); // 2 blocks each
    await ws.sync();
    const last = (phase: SyncProgress['phase'], list = seen) => list.filter((p) => p.phase === phase).at(-1);
    expect(last('upload-blocks')).toMatchObject({ done: 6, total: 6, realmId: ws.id });
    expect(last('upload-manifests')).toMatchObject({ done: 5, total: 5 }); // 3 files, /d, root
    const doneCounts = seen.filter((p) => p.phase === 'upload-blocks').map((p) => p.done);
    expect(doneCounts).toEqual([1, 2, 3, 4, 5, 6]);
    const bobSeen: SyncProgress[] = [];
    bob.on('progress', (p) => bobSeen.push(p));
    await wsBob.sync();
    expect(bobSeen.filter((p) => p.phase === 'download')).toEqual([
      { realmId: ws.id, phase: 'download', done: 0, total: 5 },
      { realmId: ws.id, phase: 'download', done: 5, total: 5 },
    ]);
  });

  it('an OWNER who is not the revoking admin unshares the revoked member and rotates on its next sync', async () => {
    world = await World.create('in-process');
    const alice = track(await world.open(await world.bootstrap()));
    await alice.syncCertificates();
    const carol = track(await world.open(await world.enrollUser(alice, 'carol@example.org', 'Carol', 'STANDARD')));
    const bob = track(await world.open(await world.enrollUser(alice, 'bob@example.org', 'Bob')));
    await carol.syncCertificates();
    const ws = await carol.createWorkspace('Carol');
    await ws.share(bob.userId, 'CONTRIBUTOR');
    await bob.sync();
    expect(alice.realms()).toEqual([]);
    const rotated: { keyIndex: number; removed: readonly string[] }[] = [];
    carol.on('auto-rotated', (e) => rotated.push({ keyIndex: e.keyIndex, removed: e.removed }));
    await alice.revokeUser(bob.userId);
    expect(carol.certificates.getKeyIndex(ws.id)).toBe(1); // Carol has not heard yet
    await carol.sync();
    expect(rotated).toEqual([{ keyIndex: 2, removed: [bob.userId] }]);
    expect(carol.roles(ws.id).map((m) => m.userId)).toEqual([carol.userId]);
    await carol.sync();
    expect(rotated).toHaveLength(1); // done once
    await ws.writeFile('/after.txt', text('new'));
    await ws.sync();
    const item = expectOk(await world.transport(carol.device).send({ cmd: 'vlob_read_batch', realmId: ws.id, vlobIds: [(await ws.stat('/after.txt')).id] })).items[0]!;
    expect(item.keyIndex).toBe(2);
  });

  it('encrypted at rest: the local storage never holds a file name, folder name, workspace name or content in clear', async () => {
    world = await World.create('in-process');
    const written: Uint8Array[] = [];
    class Recording extends MemoryStorage {
      override async put(ns: string, key: string, value: Uint8Array): Promise<void> {
        written.push(utf8Encode(ns), utf8Encode(key), value);
        return super.put(ns, key, value);
      }
      override async batch(ops: readonly StorageOp[]): Promise<void> {
        for (const op of ops) written.push(utf8Encode(op.ns), utf8Encode(op.key), ...(op.op === 'put' ? [op.value] : []));
        return super.batch(ops);
      }
    }
    const device = await world.bootstrap();
    const alice = track(await world.open(device, { storage: new Recording() }));
    const desktop = track(await world.open(await world.enrollDevice(alice, 'desktop'), { storage: new Recording() }));
    const ws = await alice.createWorkspace('Workspace-Name-Marker');
    await ws.mkdir('/Folder-Name-Marker');
    await ws.writeFile('/Folder-Name-Marker/File-Name-Marker.txt', text('Content-Marker '.repeat(100)));
    await ws.sync();
    await desktop.sync();
    const wsD = await desktop.workspace(ws.id);
    expect(str(await wsD.readFile('/Folder-Name-Marker/File-Name-Marker.txt'))).toContain('Content-Marker');
    expect(await wsD.name()).toBe('Workspace-Name-Marker');
    expect(written.length).toBeGreaterThan(50);
    const haystack = Buffer.concat(written.map((b) => Buffer.from(b)));
    for (const marker of ['Workspace-Name-Marker', 'Folder-Name-Marker', 'File-Name-Marker', 'Content-Marker', 'alice@example.org', "Alice's laptop"]) {
      expect(haystack.includes(Buffer.from(marker)), marker).toBe(false);
    }
  });
});
