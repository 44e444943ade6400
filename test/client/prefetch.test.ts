/**
 * `Workspace.prefetch` (offline availability): the blocks of the files under a path are fetched
 * in `block_read_batch` requests, each checked as a read checks it, then stored; later reads need
 * no server. A lying server's block is refused and never stored.
 */
import { describe, expect, it } from 'vitest';
import { aliceAndHostileBob, type HostileCast } from './hostile.js';
import { closeAfterEach, str, text, World } from './world.js';

const FILES = Array.from({ length: 40 }, (_, i) => `/d${i % 3}/f${i}.txt`);
/** Four blocks of 4 KiB each (plus a shorter last one): a multi-block file. */
const BIG = new Uint8Array(4 * 4096 + 100).map((_, i) => (i * 31) & 0xff);

type BatchRep = { status: string; items: { blockId: string; result: { status: string; block?: Uint8Array; keyIndex?: number } }[] };

describe('prefetch (offline availability)', () => {
  let world: World;
  const { track } = closeAfterEach(() => world);

  /** Alice writes 40 one-block files in three folders and one five-block file; Bob syncs the manifests. */
  async function setup(): Promise<HostileCast> {
    world = await World.create('in-process', { blocksize: 4096 });
    const cast = await aliceAndHostileBob(world, track);
    for (const d of ['/d0', '/d1', '/d2']) await cast.ws.mkdir(d);
    for (const f of FILES) await cast.ws.writeFile(f, text(`content of ${f}`));
    await cast.ws.writeFile('/d1/big.bin', BIG);
    await cast.ws.sync();
    await cast.wsBob.sync();
    return cast;
  }

  const reads = (cast: HostileCast, from: number) => cast.hostile.seen.slice(from).flatMap((r) => (r.cmd === 'block_read' || r.cmd === 'block_read_batch' ? [r.cmd] : []));
  /** Every later request fails: the device is offline. */
  const goOffline = (cast: HostileCast) => (cast.hostile.intercept = () => ({ status: 'error', code: 'unavailable', message: 'offline' }));

  it('fetches every missing block in batches, and reads then need no server; a second prefetch fetches nothing', async () => {
    const cast = await setup();
    const n = cast.hostile.seen.length;
    const progress: number[] = [];
    const report = await cast.wsBob.prefetch('/', { onProgress: (done, total) => progress.push(total - done) });
    expect(report).toEqual({ files: 41, blocks: 45, bytes: expect.any(Number), skipped: 0 });
    expect(report.bytes).toBe(BIG.length + FILES.reduce((s, f) => s + `content of ${f}`.length, 0));
    expect(progress.at(-1)).toBe(0);
    // The first block alone (the fetcher was idle), the 44 others in one batch.
    expect(reads(cast, n)).toEqual(['block_read', 'block_read_batch']);
    goOffline(cast);
    for (const f of FILES) expect(str(await cast.wsBob.readFile(f))).toBe(`content of ${f}`);
    expect(await cast.wsBob.readFile('/d1/big.bin')).toEqual(BIG);
    const m = cast.hostile.seen.length;
    expect(await cast.wsBob.prefetch()).toEqual({ files: 41, blocks: 0, bytes: 0, skipped: 0 });
    expect(reads(cast, m)).toEqual([]);
  });

  it('a path fetches only what is under it (a folder or one file)', async () => {
    const cast = await setup();
    const inD2 = FILES.filter((f) => f.startsWith('/d2/'));
    expect(await cast.wsBob.prefetch('/d2')).toMatchObject({ files: inD2.length, blocks: inD2.length });
    expect(await cast.wsBob.prefetch('/d1/big.bin')).toMatchObject({ files: 1, blocks: 5, bytes: BIG.length });
    goOffline(cast);
    for (const f of inD2) expect(str(await cast.wsBob.readFile(f))).toBe(`content of ${f}`);
    expect(await cast.wsBob.readFile('/d1/big.bin')).toEqual(BIG);
    await expect(cast.wsBob.readFile('/d0/f0.txt')).rejects.toMatchObject({ code: 'transport/unavailable' });
    await expect(cast.wsBob.prefetch('/nope')).rejects.toMatchObject({ code: 'workspace/not-found' });
  });

  it('a lying server swapping block contents in the batch: refused by the integrity checks, and no swapped block is stored', async () => {
    const cast = await setup();
    cast.hostile.tamper = (req, rep) => {
      if (req.cmd !== 'block_read_batch') return rep;
      const items = (rep as BatchRep).items;
      return { ...rep, items: items.map((it, i) => ({ ...it, result: items[(i + 1) % items.length]!.result })) };
    };
    await expect(cast.wsBob.prefetch()).rejects.toMatchObject({ code: expect.stringMatching(/^integrity\//) });
    // Honest again: every block the lie touched is fetched again (none was stored), and reads match.
    cast.hostile.tamper = null;
    const report = await cast.wsBob.prefetch();
    expect(report.blocks).toBe(44);
    goOffline(cast);
    for (const f of FILES) expect(str(await cast.wsBob.readFile(f))).toBe(`content of ${f}`);
    expect(await cast.wsBob.readFile('/d1/big.bin')).toEqual(BIG);
  });

  it('a batch reply that does not answer the blocks asked → transport/batch-mismatch, nothing of it stored', async () => {
    const cast = await setup();
    cast.hostile.tamper = (req, rep) => (req.cmd === 'block_read_batch' ? { ...rep, items: (rep as BatchRep).items.slice(1) } : rep);
    await expect(cast.wsBob.prefetch()).rejects.toMatchObject({ code: 'transport/batch-mismatch' });
    cast.hostile.tamper = null;
    expect((await cast.wsBob.prefetch()).blocks).toBe(44);
  });

  it('an aborted signal: nothing is fetched, abort/aborted with the reason as cause; aborted midway, what was stored stays', async () => {
    const cast = await setup();
    const n = cast.hostile.seen.length;
    const ac = new AbortController();
    ac.abort(new Error('user cancelled'));
    await expect(cast.wsBob.prefetch('/', { signal: ac.signal })).rejects.toMatchObject({ code: 'abort/aborted', cause: ac.signal.reason });
    expect(reads(cast, n)).toEqual([]);
    // Aborted once the first block landed: the launched fetches finish, nothing more is asked.
    const mid = new AbortController();
    await expect(cast.wsBob.prefetch('/d1/big.bin', { signal: mid.signal, onProgress: () => mid.abort() })).rejects.toMatchObject({ code: 'abort/aborted' });
    const rest = await cast.wsBob.prefetch();
    expect(rest.blocks).toBeLessThan(45);
    expect(rest.blocks).toBeGreaterThanOrEqual(40);
  });
});
