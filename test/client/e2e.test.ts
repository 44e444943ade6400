/**
 * End-to-end scenarios over the in-process transport and over HTTP loopback: the same code
 * paths, the same assertions (set SEALSYNC_CLIENT_MODES=in-process to run one).
 */
import { describe, expect, it } from 'vitest';
import type { ConflictEvent } from '../../src/client/index.js';
import { WorkspaceError } from '../../src/client/index.js';
import { TransportError } from '../../src/errors.js';
import { ManifestError } from '../../src/errors.js';
import { decryptManifest, manifestTrustFromStore } from '../../src/manifests/index.js';
import { expectOk } from '../../src/transport/index.js';
import { closeAfterEach, fetchKeyring, MODES, str, text, World } from './world.js';
import { seededBytes } from '../support/prng.js';

describe.each(MODES)('client end to end (%s)', (mode) => {
  let world: World;
  const { track } = closeAfterEach(() => world);

  /** Alice (admin) with a workspace shared with Bob as `role`. */
  async function aliceAndBob(role: 'OWNER' | 'MANAGER' | 'CONTRIBUTOR' | 'READER' = 'CONTRIBUTOR') {
    world = await World.create(mode, { blocksize: 4096 });
    const alice = track(await world.open(await world.bootstrap()));
    await alice.syncCertificates();
    const bobDevice = await world.enrollUser(alice, 'bob@example.org', 'Bob');
    const bob = track(await world.open(bobDevice));
    await bob.syncCertificates();
    const ws = await alice.createWorkspace('Shared');
    await ws.share(bob.userId, role);
    await bob.sync();
    const wsBob = await bob.workspace(ws.id);
    return { alice, bob, ws, wsBob };
  }

  it('bootstrap → workspace → write → sync → read on a second device of the same user', async () => {
    world = await World.create(mode);
    const alice = track(await world.open(await world.bootstrap()));
    await alice.syncCertificates();
    const ws = await alice.createWorkspace('Projects');
    expect(await ws.name()).toBe('Projects');
    await ws.mkdir('/docs');
    await ws.writeFile('/docs/hello.txt', text('hello, world'));
    await ws.sync();

    const desktop = track(await world.open(await world.enrollDevice(alice, 'desktop')));
    await desktop.sync();
    expect(desktop.devices().map((d) => d.label).sort()).toEqual(["Alice's laptop", 'desktop']);
    const ws2 = await desktop.workspace(ws.id);
    expect(await ws2.name()).toBe('Projects');
    expect(str(await ws2.readFile('/docs/hello.txt'))).toBe('hello, world');
    expect((await ws2.list('/')).map((e) => e.name)).toEqual(['docs']);
  });

  it('invites a user by SAS, shares, and both read and write small and multi-block files', async () => {
    const { alice, bob, ws, wsBob } = await aliceAndBob();
    expect(bob.user(alice.userId)?.profile).toBe('ADMIN');
    expect(alice.user(bob.userId)?.humanHandle.email).toBe('bob@example.org');
    expect((await bob.workspaces()).map((w) => [w.name, w.role])).toEqual([['Shared', 'CONTRIBUTOR']]);

    const big = seededBytes(7, 4096 * 5 + 123); // 6 blocks
    await ws.writeFile('/big.bin', big);
    await ws.writeFile('/small.txt', text('small'));
    await ws.writeFile('/empty', new Uint8Array(0));
    await ws.sync();
    await wsBob.sync();
    expect(await wsBob.readFile('/big.bin')).toEqual(big);
    expect(str(await wsBob.readFile('/small.txt'))).toBe('small');
    expect((await wsBob.readFile('/empty')).length).toBe(0);
    expect((await wsBob.stat('/big.bin')).size).toBe(big.length);
    // Ranges across block boundaries, and past the end (clamped).
    expect(await wsBob.readFile('/big.bin', { offset: 4000, length: 5000 })).toEqual(big.subarray(4000, 9000));
    expect(await wsBob.readFile('/big.bin', { offset: big.length - 10, length: 100 })).toEqual(big.subarray(big.length - 10));
    // Stream read.
    const chunks: Uint8Array[] = [];
    const reader = (await wsBob.readFileStream('/big.bin', { offset: 100 })).getReader();
    for (let r = await reader.read(); !r.done; r = await reader.read()) chunks.push(r.value);
    expect(Buffer.concat(chunks)).toEqual(Buffer.from(big.subarray(100)));

    // Bob writes from a ReadableStream and an async iterable; Alice reads.
    const pieces = [big.subarray(0, 5000), big.subarray(5000, 9000)];
    await wsBob.writeFile('/from-stream.bin', new ReadableStream<Uint8Array>({ pull: (c) => { const p = pieces.shift(); if (p) c.enqueue(p); else c.close(); } }));
    await wsBob.writeFile('/from-iterable.txt', (async function* () {
      yield text('a');
      yield text('b');
    })());
    await wsBob.sync();
    await ws.sync();
    expect(await ws.readFile('/from-stream.bin')).toEqual(big.subarray(0, 9000));
    expect(str(await ws.readFile('/from-iterable.txt'))).toBe('ab');
  });

  it('offline edits of the same file on two devices → sync → conflict copy on both', async () => {
    const { alice, bob, ws, wsBob } = await aliceAndBob();
    await ws.writeFile('/notes.txt', text('base'));
    await ws.sync();
    await wsBob.sync();
    // Both offline: edit the same file.
    await ws.writeFile('/notes.txt', text('alice version'));
    await wsBob.writeFile('/notes.txt', text('bob version'));
    const conflicts: ConflictEvent[] = [];
    bob.on('conflict', (e) => conflicts.push(e));
    await ws.sync(); // Alice first: wins the original entry
    await wsBob.sync(); // Bob: conflict, his content goes to a conflict copy
    await ws.sync(); // Alice gets the copy
    expect(conflicts).toHaveLength(1);
    expect(conflicts[0]).toMatchObject({ kind: 'sync', copyName: 'notes (sync conflict 1).txt', folderPath: '/' });
    for (const w of [ws, wsBob]) {
      expect((await w.list('/')).map((e) => e.name)).toEqual(['notes (sync conflict 1).txt', 'notes.txt']);
      expect(str(await w.readFile('/notes.txt'))).toBe('alice version');
      expect(str(await w.readFile('/notes (sync conflict 1).txt'))).toBe('bob version');
      expect(await w.hasPendingChanges()).toBe(false);
    }
    expect(alice.certificates.getKeyIndex(ws.id)).toBe(1);
  });

  it('concurrent creations in one folder merge; rename, move and remove propagate', async () => {
    const { ws, wsBob } = await aliceAndBob();
    await ws.mkdir('/a');
    await ws.writeFile('/a/one.txt', text('1'));
    await ws.sync();
    await wsBob.sync();
    // Concurrent: Alice adds /a/two.txt, Bob adds /a/three.txt and /b.
    await ws.writeFile('/a/two.txt', text('2'));
    await wsBob.writeFile('/a/three.txt', text('3'));
    await wsBob.mkdir('/b/c', { parents: true });
    await ws.sync();
    await wsBob.sync();
    await ws.sync();
    for (const w of [ws, wsBob]) expect((await w.list('/a')).map((e) => e.name)).toEqual(['one.txt', 'three.txt', 'two.txt']);
    // Rename, move into a subfolder, remove.
    await ws.rename('/a/one.txt', '/a/uno.txt');
    await ws.move('/a/two.txt', '/b/c/two.txt');
    await ws.remove('/a/three.txt');
    await ws.sync();
    await wsBob.sync();
    expect((await wsBob.list('/a')).map((e) => e.name)).toEqual(['uno.txt']);
    expect(str(await wsBob.readFile('/b/c/two.txt'))).toBe('2');
    expect(await wsBob.exists('/a/three.txt')).toBe(false);
    // Folder moves too, and a non-empty folder needs recursive.
    await wsBob.move('/b', '/a/b');
    await expect(wsBob.remove('/a')).rejects.toMatchObject({ code: 'workspace/not-empty' });
    await wsBob.sync();
    await ws.sync();
    expect(str(await ws.readFile('/a/b/c/two.txt'))).toBe('2');
    await ws.remove('/a', { recursive: true });
    await ws.sync();
    await wsBob.sync();
    expect(await wsBob.list('/')).toEqual([]);
  });

  it('file-system refusals have typed codes', async () => {
    world = await World.create(mode);
    const alice = track(await world.open(await world.bootstrap()));
    const ws = await alice.createWorkspace('W');
    await ws.mkdir('/d');
    await ws.writeFile('/f', text('x'));
    const code = async (p: Promise<unknown>) => {
      const err = await p.then(() => null, (e: unknown) => e);
      expect(err).toBeInstanceOf(WorkspaceError);
      return (err as WorkspaceError).code;
    };
    expect(await code(ws.mkdir('/d'))).toBe('workspace/exists');
    expect(await code(ws.readFile('/nope'))).toBe('workspace/not-found');
    expect(await code(ws.writeFile('/f/x', text('')))).toBe('workspace/not-a-folder');
    expect(await code(ws.writeFile('/d', text('')))).toBe('workspace/is-a-folder');
    expect(await code(ws.readFile('/d'))).toBe('workspace/is-a-folder');
    expect(await code(ws.move('/d', '/d/inner'))).toBe('workspace/invalid-move');
    expect(await code(ws.rename('/f', '/d'))).toBe('workspace/exists');
    expect(await code(ws.remove('/'))).toBe('workspace/root');
    await expect(ws.mkdir('/a/../b')).rejects.toMatchObject({ code: 'entry-name/dot' });
  });

  it('a READER reads but cannot write', async () => {
    const { ws, wsBob } = await aliceAndBob('READER');
    await ws.writeFile('/r.txt', text('read me'));
    await ws.sync();
    await wsBob.sync();
    expect(str(await wsBob.readFile('/r.txt'))).toBe('read me');
    await expect(wsBob.writeFile('/w.txt', text('no'))).rejects.toMatchObject({ code: 'workspace/read-only' });
  });

  it('history lists every verified version and reads at time t', async () => {
    const { alice, bob, ws, wsBob } = await aliceAndBob();
    await ws.writeFile('/h.txt', text('v1'));
    await ws.sync();
    const t1 = world.clock.advance(1_000_000);
    await ws.writeFile('/h.txt', text('v2'));
    await ws.sync();
    const t2 = world.clock.advance(1_000_000);
    await wsBob.sync();
    await wsBob.writeFile('/h.txt', text('v3 by bob'));
    await wsBob.sync();
    const history = await ws.history('/h.txt');
    expect(history.map((h) => [h.version, h.size])).toEqual([[1, 2], [2, 2], [3, 9]]);
    expect(history[2]!.author).toBe(bob.device.deviceId);
    expect(history[0]!.author).toBe(alice.device.deviceId);
    expect(str(await ws.readFile('/h.txt', { at: t1 }))).toBe('v1');
    expect(str(await ws.readFile('/h.txt', { at: t2 }))).toBe('v2');
    expect(str(await wsBob.readFile('/h.txt'))).toBe('v3 by bob');
    await expect(ws.readFile('/h.txt', { at: 1 })).rejects.toMatchObject({ code: 'workspace/not-found' });
  });

  it('revoking a member: the OWNER unshares and rotates automatically; the revoked user cannot read new data', async () => {
    const { alice, bob, ws, wsBob } = await aliceAndBob();
    await ws.writeFile('/before.txt', text('old secret'));
    await ws.sync();
    await wsBob.sync();
    expect(str(await wsBob.readFile('/before.txt'))).toBe('old secret');
    // Everything Bob can hold: the realm's keys as of now.
    const bobKeys = await fetchKeyring(world, bob.device, bob.certificates, ws.id);
    const rotated: number[] = [];
    alice.on('auto-rotated', (e) => rotated.push(e.keyIndex));
    await alice.revokeUser(bob.userId);
    expect(rotated).toEqual([2]);
    expect(alice.certificates.getKeyIndex(ws.id)).toBe(2);
    expect(alice.certificates.getRealmRole(ws.id, bob.userId)).toBeNull();
    expect(alice.roles(ws.id).map((m) => m.userId)).toEqual([alice.userId]);
    await ws.writeFile('/after.txt', text('new secret'));
    await ws.sync();
    // The server refuses every request of the revoked device.
    const err = await bob.sync().then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(TransportError);
    expect((err as TransportError).code).toBe('transport/revoked');
    // Even handed the ciphertext, Bob's keys do not open data written after the rotation.
    const newId = (await ws.stat('/after.txt')).id;
    const item = expectOk(await world.transport(alice.device).send({ cmd: 'vlob_read_batch', realmId: ws.id, vlobIds: [newId] })).items[0]!;
    expect(item.keyIndex).toBe(2);
    const open = (keyIndex: number) =>
      decryptManifest({ blob: item.blob, realmId: ws.id, expected: { id: item.vlobId, version: item.version, author: item.author, timestamp: item.timestamp, keyIndex }, realmKeys: bobKeys, trust: manifestTrustFromStore(alice.certificates) });
    await expect(open(2)).rejects.toMatchObject({ code: 'manifest/unknown-key-index' });
    await expect(open(1)).rejects.toBeInstanceOf(ManifestError);
    // Still readable on Bob's device: what he had before (offline cache).
    expect(str(await wsBob.readFile('/before.txt'))).toBe('old secret');
    expect(await wsBob.exists('/after.txt')).toBe(false);
  });

  it('background sync with events: changes arrive without calling sync()', async () => {
    const { alice, bob, ws, wsBob } = await aliceAndBob();
    const synced: string[] = [];
    const progress: string[] = [];
    alice.on('synced', (r) => synced.push(r.realmId));
    alice.on('progress', (p) => progress.push(p.phase));
    const bg = alice.startBackgroundSync({ intervalMs: 10, push: false });
    expect(() => alice.startBackgroundSync()).toThrow();
    await wsBob.writeFile('/bg.txt', text('pushed by bob'));
    await bob.sync();
    // Wait (bounded) for a background round to bring the file in: no timing assertion, only an end state.
    for (let i = 0; i < 500 && !(await ws.exists('/bg.txt')); i++) await new Promise((r) => setTimeout(r, 10));
    await bg.stop();
    expect(str(await ws.readFile('/bg.txt'))).toBe('pushed by bob');
    expect(synced).toContain(ws.id);
    expect(progress).toContain('download');
    expect(bg.failures).toBe(0);
  });

  it('persists its state: a client reopened on the same storage works offline and resumes sync', async () => {
    world = await World.create(mode);
    const device = await world.bootstrap();
    const { MemoryStorage } = await import('../../src/storage/index.js');
    // The same medium across two "process runs": closing the client must not wipe it.
    const persistent = new (class extends MemoryStorage {
      override async close(): Promise<void> {}
    })();
    const a = await world.open(device, { storage: persistent });
    const ws = await a.createWorkspace('Keep');
    await ws.writeFile('/x.txt', text('persisted'));
    await a.close();
    const b = track(await world.open(device, { storage: persistent }));
    const ws2 = await b.workspace(ws.id);
    expect(str(await ws2.readFile('/x.txt'))).toBe('persisted');
    expect(await ws2.hasPendingChanges()).toBe(true);
    await ws2.sync();
    expect(await ws2.hasPendingChanges()).toBe(false);
    expect(b.certificates.getKeyIndex(ws.id)).toBe(1);
  });
});
