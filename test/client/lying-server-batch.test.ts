/**
 * Hostile server, batched uploads: the per-item results of `vlob_write_batch` and
 * `block_create_batch` are unsigned hints. A reply that does not answer exactly the items sent
 * (a result missing or extra, two swapped, an "ok" for an item never sent) is refused with
 * `transport/batch-mismatch` and nothing of it is applied: no version recorded, nothing marked
 * uploaded, no manifest sent after a refused block reply. Honest per-item refusals in a batch
 * (a version conflict beside accepted items) keep the accepted ones.
 */
import { describe, expect, it } from 'vitest';
import { sendBlockBatch, sendVlobBatch, splitBatches } from '../../src/client/upload-batch.js';
import type { BlockId, RealmId, VlobId } from '../../src/codec/ids.js';
import { MAX_BATCH_BYTES, MAX_WRITE_BATCH_ITEMS, type AuthenticatedRequest, type Transport } from '../../src/transport/index.js';
import { caught } from '../support/caught.js';
import { aliceAndHostileBob, type HostileCast } from './hostile.js';
import { closeAfterEach, str, text, World } from './world.js';

type Results = { items: { vlobId?: string; blockId?: string; result: unknown }[] };

const FILES = ['/a.txt', '/b.txt', '/c.txt', '/d.txt'];

describe('lying server: batched uploads', () => {
  let world: World;
  const { track } = closeAfterEach(() => world);

  /** Bob (hostile transport) writes four new files, not synced yet. */
  async function setup(): Promise<HostileCast> {
    world = await World.create('in-process', { blocksize: 4096 });
    const cast = await aliceAndHostileBob(world, track);
    for (const f of FILES) await cast.wsBob.writeFile(f, text(`bob ${f}`));
    return cast;
  }

  const sent = (seen: readonly AuthenticatedRequest[], cmd: string, from = 0): number => seen.slice(from).filter((r) => r.cmd === cmd).length;

  /** Bob's sync with `rewrite` applied to the first reply of `cmd` is refused; nothing of it recorded; an honest sync then converges. */
  async function refusedThenHealed(cast: HostileCast, cmd: 'vlob_write_batch' | 'block_create_batch', rewrite: (rep: Results) => Results): Promise<void> {
    const { hostile, wsBob, ws } = cast;
    const versions = async () => Promise.all(FILES.map(async (f) => (await wsBob.stat(f)).version));
    const before = await versions();
    let told = false;
    hostile.tamper = (req, rep) => {
      if (req.cmd !== cmd || told || rep.status !== 'ok') return rep;
      told = true;
      return rewrite(rep as Results);
    };
    const n = hostile.seen.length;
    expect((await caught(wsBob.sync())).code).toBe('transport/batch-mismatch');
    expect(told).toBe(true);
    expect(await versions()).toEqual(before);
    expect(await wsBob.hasPendingChanges()).toBe(true);
    // A refused block reply stops the upload before any manifest is sent.
    if (cmd === 'block_create_batch') expect(sent(hostile.seen, 'vlob_write_batch', n)).toBe(0);
    hostile.tamper = null;
    await wsBob.sync();
    expect(await wsBob.hasPendingChanges()).toBe(false);
    await ws.sync();
    for (const f of FILES) expect(str(await ws.readFile(f))).toBe(`bob ${f}`);
  }

  it('vlob_write_batch: a result missing → transport/batch-mismatch, nothing recorded', async () => {
    await refusedThenHealed(await setup(), 'vlob_write_batch', (rep) => ({ ...rep, items: rep.items.slice(1) }));
  });

  it('vlob_write_batch: an extra "ok" for an item never sent → refused, nothing recorded', async () => {
    await refusedThenHealed(await setup(), 'vlob_write_batch', (rep) => ({ ...rep, items: [...rep.items, { vlobId: '0'.repeat(32), result: { status: 'ok' } }] }));
  });

  it('vlob_write_batch: "ok" under the id of an item never sent (same count) → refused, nothing recorded', async () => {
    await refusedThenHealed(await setup(), 'vlob_write_batch', (rep) => ({ ...rep, items: rep.items.map((it, i) => (i === 0 ? { ...it, vlobId: 'f'.repeat(32) } : it)) }));
  });

  it('vlob_write_batch: two results swapped → refused, nothing recorded', async () => {
    await refusedThenHealed(await setup(), 'vlob_write_batch', (rep) => {
      const items = [...rep.items];
      [items[0], items[1]] = [items[1]!, items[0]!];
      return { ...rep, items };
    });
  });

  it('block_create_batch: a result missing → refused, no block marked uploaded, no manifest sent', async () => {
    await refusedThenHealed(await setup(), 'block_create_batch', (rep) => ({ ...rep, items: rep.items.slice(0, -1) }));
  });

  it('block_create_batch: results swapped → refused', async () => {
    await refusedThenHealed(await setup(), 'block_create_batch', (rep) => ({ ...rep, items: [...rep.items].reverse() }));
  });

  it('one sync sends one batch per kind for a few files (no single writes); a conflicting item beside accepted ones keeps them', async () => {
    const cast = await setup();
    const { hostile, wsBob, ws, bob } = cast;
    const n = hostile.seen.length;
    await wsBob.sync();
    expect(sent(hostile.seen, 'block_create_batch', n)).toBe(1);
    // The four files, then the root folder naming them (a later group).
    expect(sent(hostile.seen, 'vlob_write_batch', n)).toBe(2);
    expect(sent(hostile.seen, 'vlob_create', n) + sent(hostile.seen, 'vlob_update', n) + sent(hostile.seen, 'block_create', n)).toBe(0);
    // Alice edits /b.txt; Bob edits all four without syncing first: /b.txt conflicts, the rest pass.
    await ws.sync();
    await ws.writeFile('/b.txt', text('alice b'));
    await ws.sync();
    for (const f of FILES) await wsBob.writeFile(f, text(`bob 2 ${f}`));
    let results: string[] = [];
    let hidden = false;
    hostile.tamper = (req, rep) => {
      // Bob's first poll sees nothing new (a stale but honest-looking answer): his upload races Alice's edit.
      if (req.cmd === 'vlob_poll_changes' && !hidden && rep.status === 'ok') {
        hidden = true;
        return { ...rep, currentCheckpoint: req.lastCheckpoint, changes: [] };
      }
      if (req.cmd === 'vlob_write_batch' && results.length === 0 && rep.status === 'ok') results = (rep as Results).items.map((i) => (i.result as { code?: string }).code ?? 'ok');
      return rep;
    };
    await wsBob.sync();
    expect(results.sort()).toEqual(['bad_version', 'ok', 'ok', 'ok']);
    hostile.tamper = null;
    await wsBob.sync();
    await ws.sync();
    for (const f of ['/a.txt', '/c.txt', '/d.txt']) expect(str(await ws.readFile(f))).toBe(`bob 2 ${f}`);
    // Alice's edit and Bob's both survive (one of them as a conflict copy).
    const names = (await ws.list('/')).map((e) => e.name);
    const contents = await Promise.all(names.filter((n) => n.startsWith('b')).map(async (n) => str(await ws.readFile(`/${n}`))));
    expect(contents.sort()).toEqual(['alice b', 'bob 2 /b.txt'].sort());
    void bob;
  });

  it('splitBatches bounds count and bytes, keeps order, sends an oversized item alone', () => {
    const sizes = [3, 3, 3, 10, 1, 1, 1, 1, 1];
    const out = splitBatches(sizes, (n) => n, 4, 6);
    expect(out).toEqual([[3, 3], [3], [10], [1, 1, 1, 1], [1]]);
    expect(out.flat()).toEqual(sizes);
  });

  it('the client refuses to send a batch past the protocol bounds (transport/too-large), nothing sent', async () => {
    const sends: unknown[] = [];
    const t = { send: async (req: unknown) => void sends.push(req) } as unknown as Transport;
    const realm = 'a'.repeat(32) as RealmId;
    const vlob = (i: number) => ({ vlobId: i.toString(16).padStart(32, '0') as VlobId, keyIndex: 1, timestamp: 1, version: 1, blob: new Uint8Array(1) });
    const many = Array.from({ length: MAX_WRITE_BATCH_ITEMS + 1 }, (_, i) => vlob(i));
    expect((await caught(sendVlobBatch(t, realm, many))).code).toBe('transport/too-large');
    const half = MAX_BATCH_BYTES / 2 + 1;
    const big = [1, 2].map((i) => ({ blockId: i.toString(16).padStart(32, '0') as BlockId, keyIndex: 1, block: new Uint8Array(half) }));
    expect((await caught(sendBlockBatch(t, realm, big))).code).toBe('transport/too-large');
    expect(sends).toEqual([]);
  });
});
