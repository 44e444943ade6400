/**
 * Local garbage collection (issue 18): blocks no kept entry references leave the local store after
 * a sync, the store stops growing under churn, history reads still work (blocks fetched again from
 * the server), and blocks a missed delete may need back stay.
 */
import { describe, expect, it } from 'vitest';
import type { VlobId } from '../../src/codec/ids.js';
import { garbageBlocks, keptEntries } from '../../src/client/local-gc.js';
import type { LocalEntry } from '../../src/client/local-entry.js';
import type { Tombstone } from '../../src/client/tombstones.js';
import { MemoryStorage } from '../../src/storage/memory.js';
import { EncryptedStorage } from '../../src/storage/encrypted.js';
import { LocalStore } from '../../src/client/local-store.js';
import { closeAfterEach, str, text, World } from './world.js';

describe('local garbage collection', () => {
  let world: World;
  const { track } = closeAfterEach(() => world);

  it('churn: overwritten and removed files leave the store; the block count stays bounded; history reads still work', async () => {
    world = await World.create('in-process', { blocksize: 4096 });
    const device = await world.bootstrap();
    const raw = new MemoryStorage();
    const client = track(await world.open(device, { storage: raw, tombstoneRetention: 0 }));
    const store = new LocalStore(new EncryptedStorage(raw, device.localStorageKey));
    await client.syncCertificates();
    const ws = await client.createWorkspace('Churn');
    const counts: number[] = [];
    const tombs: number[] = [];
    const t0 = world.clock.clock();
    await ws.writeFile('/a.txt', text('first version '.repeat(900)));
    await ws.sync();
    const after = world.clock.clock();
    for (let i = 0; i < 12; i++) {
      await ws.writeFile('/a.txt', text(`a${i} `.repeat(3600)));
      await ws.writeFile(`/c${i % 3}.txt`, text(`c${i} `.repeat(2800)));
      if (await ws.exists(`/c${(i + 1) % 3}.txt`)) await ws.remove(`/c${(i + 1) % 3}.txt`);
      await ws.sync();
      counts.push((await store.storedBlocks(ws.id)).length);
      tombs.push((await store.loadTombstones(ws.id)).size);
    }
    console.log(`local gc churn: stored blocks per cycle ${counts.join(' ')}; tombstones ${tombs.join(' ')}`);
    // Each delete is settled by the sync that uploads it and forgotten by the next one.
    for (const t of tombs) expect(t).toBeLessThanOrEqual(1);
    // Live content: a.txt (4 blocks), two c files (3 blocks each), and the c file removed by the
    // last sync, whose tombstone (settled, not yet forgotten) keeps its blocks: 13 at most.
    for (const c of counts) expect(c).toBeLessThanOrEqual(13);
    expect(str(await ws.readFile('/a.txt', { at: after }))).toBe('first version '.repeat(900));
    expect(t0).toBeLessThan(after);
  });

  it('the retention rule: reachable (working or base children) and tombstoned entries keep their blocks', () => {
    const id = (n: number) => n.toString(16).padStart(32, '0') as VlobId;
    const file = (n: number, blocks: string[]): LocalEntry['local'] => ({ type: 'file', id: id(n), parent: id(1), version: 1, created: 0, updated: 0, author: 'd' as never, timestamp: 0, prev: null, size: 0, blocksize: 4, blocks: blocks.map((b) => ({ id: b as never, offset: 0, size: 1, digest: new Uint8Array(32) })) });
    const folder = (n: number, children: Record<string, number>): LocalEntry['local'] => ({ type: 'folder', id: id(n), parent: id(1), version: 1, created: 0, updated: 0, author: 'd' as never, timestamp: 0, prev: null, children: new Map(Object.entries(children).map(([k, v]) => [k as never, id(v)])) });
    const base = (m: LocalEntry['local']) => ({ manifest: m, signed: new Uint8Array(0), keyIndex: 1 });
    const entries = new Map<VlobId, LocalEntry>([
      // Root: working copy lists 2; its base also lists 3 (hidden here, or removed locally and not synced yet).
      [id(1), { local: folder(1, { a: 2 }), needSync: true, base: base(folder(1, { a: 2, h: 3 })) }],
      [id(2), { local: file(2, ['b-new']), needSync: true, base: base(file(2, ['b-old'])) }],
      [id(3), { local: file(3, ['b-hidden']), needSync: false, base: base(file(3, ['b-hidden'])) }],
      [id(4), { local: file(4, ['b-removed']), needSync: false, base: base(file(4, ['b-removed'])) }],
      [id(5), { local: file(5, ['b-tomb']), needSync: true, base: base(file(5, ['b-tomb-base'])) }],
    ]);
    const view = { get: (v: VlobId) => entries.get(v) };
    const tombstones: [VlobId, Tombstone][] = [[id(5), { parent: id(1), name: 'e' as never, seen: new Map([[id(5), 1]]) }]];
    const kept = keptEntries(view, id(1), tombstones);
    expect([...kept].sort()).toEqual([id(1), id(2), id(3), id(5)]);
    const stored = ['b-new', 'b-old', 'b-hidden', 'b-removed', 'b-tomb', 'b-tomb-base', 'b-orphan', 'b-pending'];
    expect(garbageBlocks(view, kept, stored, new Set(['b-pending']))).toEqual(['b-orphan', 'b-removed']);
  });
});
