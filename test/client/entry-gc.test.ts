/**
 * Local garbage collection of entries (issue 18): entries the retention rule does not keep leave
 * the local store at the end of a sync, each leaving a compact mark (packed, bucketed, capped), so
 * the number of stored entries and the store's size stop growing under churn; the rule and the mark
 * bookkeeping as pure functions; the marks' at-rest format; reopening after a collection. The lies
 * a mark still refuses are in `lying-server-collected.test.ts`.
 */
import { describe, expect, it } from 'vitest';
import { newId, type RealmId, type VlobId } from '../../src/codec/ids.js';
import { collectEntries, garbageEntries, markChanges, MAX_COLLECTED_MARKS } from '../../src/client/entry-gc.js';
import { keptEntries } from '../../src/client/local-gc.js';
import { decodeCollected, encodeCollected, localCollectedDocument } from '../../src/client/local-format.js';
import { LocalStore } from '../../src/client/local-store.js';
import type { CollectedMark } from '../../src/client/verified.js';
import { WorkspaceState } from '../../src/client/workspace-state.js';
import { CodecError, StorageError } from '../../src/errors.js';
import { EncryptedStorage } from '../../src/storage/encrypted.js';
import { caught } from '../support/caught.js';
import { PersistentStorage } from './collected-cast.js';
import { file, folder, ME, ROOT, synced } from './entry-fixtures.js';
import { closeAfterEach, str, text, World } from './world.js';

const id = (k: number): VlobId => k.toString(16).padStart(32, '0') as VlobId;
const mark = (version: number, seq: number): CollectedMark => ({ version, timestamp: 1000 + version, digest: new Uint8Array(32).fill(version), seq });

describe('local garbage collection of entries', () => {
  let world: World;
  const { track } = closeAfterEach(() => world);

  it('churn (create, write, delete, sync): stored entries stop growing, marks grow by 72 bytes a file; reopen and history reads work', async () => {
    world = await World.create('in-process', { blocksize: 4096 });
    const device = await world.bootstrap();
    const storage = new PersistentStorage();
    const client = track(await world.open(device, { storage, tombstoneRetention: 0 }));
    const store = new LocalStore(new EncryptedStorage(storage, device.localStorageKey));
    await client.syncCertificates();
    const ws = await client.createWorkspace('Churn');
    const entries: number[] = [];
    const marks: number[] = [];
    const bytes: number[] = [];
    const cycles = 30;
    let removedAt = 0;
    for (let i = 0; i < cycles; i++) {
      await ws.writeFile(`/c${i}.txt`, text(`c${i} `.repeat(1500)));
      await ws.writeFile('/keep.txt', text(`keep ${i}`));
      await ws.sync();
      if (i === 1) removedAt = world.clock.clock();
      if (i > 0) await ws.remove(`/c${i - 1}.txt`);
      await ws.sync();
      entries.push((await store.loadEntries(ws.id)).size);
      marks.push((await store.loadCollected(ws.id)).size);
      bytes.push(await storage.bytes());
    }
    console.log(`entry gc churn: stored entries ${entries.join(' ')}; marks ${marks.join(' ')}; store bytes ${bytes.join(' ')}`);
    // Root, keep.txt, the newest c file and the one removed by this sync (its tombstone, settled, keeps it until the next).
    for (const n of entries.slice(2)) expect(n).toBeLessThanOrEqual(4);
    // Every removed file but the newest is a mark.
    expect(marks.at(-1)).toBe(cycles - 2);
    // Once the c files have their final size (c10 on), the store grows only by the marks: a
    // 72-byte mark, plus (while most of the 256 buckets are still empty) one sealed record and its
    // index entry per new bucket. A kept entry cost about 500 bytes a cycle.
    const perCycle = (bytes.at(-1)! - bytes[12]!) / (cycles - 13);
    console.log(`entry gc churn: ${perCycle.toFixed(0)} bytes a cycle after warm-up (a mark in a fresh bucket)`);
    expect(perCycle).toBeLessThan(250);
    // A reopened client on the same storage: the tree, no pending change, a collected file read at a past time through its folder.
    await client.close();
    const again = track(await world.open(device, { storage, tombstoneRetention: 0 }));
    const ws2 = await again.workspace(ws.id);
    expect(str(await ws2.readFile('/keep.txt'))).toBe(`keep ${cycles - 1}`);
    expect((await ws2.list('/')).map((e) => e.name).sort()).toEqual([`c${cycles - 1}.txt`, 'keep.txt']);
    expect(await ws2.hasPendingChanges()).toBe(false);
    expect(str(await ws2.readFile('/c0.txt', { at: removedAt }))).toBe('c0 '.repeat(1500));
    await ws2.sync();
    // That sync forgot the last tombstone: its file is a mark too.
    expect((await store.loadCollected(ws.id)).size).toBe(cycles - 1);
  });

  it('churn at the cap (the store alone): entries and bytes stop growing once the marks reach it; a reopen reads them back in order', async () => {
    const storage = new PersistentStorage();
    const store = new LocalStore(storage);
    const realm = newId<RealmId>();
    let ws = await WorkspaceState.load(store, realm, ME);
    const cap = 40;
    const bytes: number[] = [];
    for (let cycle = 0; cycle < 30; cycle++) {
      // Five files removed elsewhere: synced, unreachable from the root, no tombstone.
      const changes = new Map(Array.from({ length: 5 }, () => newId<VlobId>()).map((v) => [v, synced(file(v, ws.rootId, 10, 3))]));
      await ws.commit(changes);
      expect(await collectEntries(ws, keptEntries(ws, ws.rootId, ws.allTombstones()), cap)).toBe(5);
      expect([...ws.all()].length).toBe(1); // the root placeholder (never stored)
      expect(ws.collectedCount).toBe(Math.min(cap, 5 * (cycle + 1)));
      bytes.push(await storage.bytes());
    }
    console.log(`entry gc at a cap of ${cap}: store bytes ${bytes.join(' ')}`);
    expect((await store.loadEntries(realm)).size).toBe(0);
    // At the cap: 40 marks of 72 bytes in at most 40 buckets, whatever the number of cycles.
    for (const b of bytes.slice(8)) expect(b).toBeLessThanOrEqual(bytes[7]! + 40 * 80);
    expect(Math.max(...bytes.slice(8))).toBeLessThan(cap * 200);
    const before = [...ws.allCollected()];
    const next = ws.nextCollection();
    ws = await WorkspaceState.load(store, realm, ME);
    expect([...ws.allCollected()]).toEqual(before);
    expect(ws.nextCollection()).toBe(next);
    // The oldest went first: only the last eight collections' marks are left.
    expect(Math.min(...before.map(([, m]) => m.seq))).toBe(next - 8);
  });

  it('the retention rule: reachable, tombstoned and pending-with-a-base entries stay; the rest goes, marked when it had a base', async () => {
    const [a, b, c, d, e, f] = [id(1), id(2), id(3), id(4), id(5), id(6)];
    const pendingNew = { local: file(e, ROOT, 3), needSync: true, base: null };
    const pendingOld = { ...synced(file(f, ROOT, 3, 2)), needSync: true };
    const all = new Map([
      [ROOT, synced(folder(ROOT, ROOT, [['a', a]]))],
      [a, synced(folder(a, ROOT, [['b', b]]))],
      [b, synced(file(b, a, 1))],
      [c, synced(file(c, ROOT, 1))], // removed elsewhere
      [d, synced(file(d, ROOT, 1))], // under a tombstone
      [e, pendingNew], // scratch or created-and-removed: never uploaded
      [f, pendingOld], // edited, then removed
    ]);
    const kept = keptEntries({ get: (v) => all.get(v) }, ROOT, [[d, { parent: ROOT, name: 'd' as never, seen: new Map() }]]);
    expect(garbageEntries(all, kept, ROOT)).toEqual([c, e]);
    expect(garbageEntries(all, new Set(), ROOT)).toEqual([a, b, c, d, e]);
  });

  it('mark changes: added replace older marks, held vlobs lose theirs, past the cap the oldest go (then the newest collection in id order)', () => {
    const current: [VlobId, CollectedMark][] = [[id(1), mark(1, 1)], [id(2), mark(2, 1)], [id(3), mark(3, 2)], [id(4), mark(4, 3)]];
    const held = (v: VlobId) => v === id(2);
    const added = new Map([[id(4), mark(7, 4)], [id(5), mark(5, 4)], [id(6), mark(6, 4)]]);
    expect(markChanges(current, 4, added, held, 100)).toEqual(new Map<VlobId, CollectedMark | null>([[id(2), null], [id(4), mark(7, 4)], [id(5), mark(5, 4)], [id(6), mark(6, 4)]]));
    // 1, 3 kept + 4, 5, 6 added = 5; a cap of 3 drops 1 and 3.
    expect(markChanges(current, 4, added, held, 3)).toEqual(new Map<VlobId, CollectedMark | null>([[id(2), null], [id(4), mark(7, 4)], [id(5), mark(5, 4)], [id(6), mark(6, 4)], [id(1), null], [id(3), null]]));
    // A cap below the new collection itself drops its first ids too.
    expect(markChanges([], 0, added, () => false, 2).get(id(4))).toBe(null);
    expect(markChanges([], 0, new Map(), () => false, MAX_COLLECTED_MARKS).size).toBe(0);
  });

  it('marks at rest: 72 bytes each, round trip; a short record, a repeated id, version 0, a mark in another bucket are refused', async () => {
    const list: [VlobId, CollectedMark][] = [[id(1), mark(1, 9)], [id(2), { ...mark(2, 9), timestamp: 2 ** 52 + 3 }]];
    const bytes = encodeCollected(list);
    expect(decodeCollected(bytes)).toEqual(list);
    expect(encodeCollected([...list, [id(3), mark(3, 9)]]).length - bytes.length).toBe(72);
    const again = encodeCollected([list[0]!, list[0]!]);
    expect(() => decodeCollected(again)).toThrow(CodecError);
    expect(() => decodeCollected(encodeCollected([[id(1), mark(0, 1)]]))).toThrow(CodecError);
    expect(() => decodeCollected(localCollectedDocument.encode({ marks: new Uint8Array(71) }))).toThrow(CodecError);
    const storage = new PersistentStorage();
    const realm = newId<RealmId>();
    await storage.put(`g${realm}`, '01', encodeCollected([[`02${'0'.repeat(30)}` as VlobId, mark(1, 1)]]));
    expect(await caught(new LocalStore(storage).loadCollected(realm))).toBeInstanceOf(StorageError);
  });
});
