/**
 * Coalesced block reads (`fetchBlock`): files read concurrently fetch their blocks in
 * `block_read_batch` requests (a lone read still goes as `block_read`), each block checked as
 * before. A batch reply that does not answer the blocks asked is `transport/batch-mismatch` and
 * nothing of it is cached; a swapped block is refused by the integrity checks; a block past the
 * reply's budget is asked again on its own.
 */
import { describe, expect, it } from 'vitest';
import { aliceAndHostileBob, type HostileCast } from './hostile.js';
import { closeAfterEach, str, text, World } from './world.js';

const FILES = ['/a.txt', '/b.txt', '/c.txt', '/d.txt', '/e.txt'];

type BatchRep = { status: string; items: { blockId: string; result: { status: string; block?: Uint8Array; keyIndex?: number } }[] };

describe('coalesced block reads', () => {
  let world: World;
  const { track } = closeAfterEach(() => world);

  /** Alice writes five one-block files; Bob (hostile transport) syncs their manifests. */
  async function setup(): Promise<HostileCast> {
    world = await World.create('in-process', { blocksize: 4096 });
    const cast = await aliceAndHostileBob(world, track);
    for (const f of FILES) await cast.ws.writeFile(f, text(`content of ${f}`));
    await cast.ws.sync();
    await cast.wsBob.sync();
    return cast;
  }

  const readAll = (cast: HostileCast) => Promise.all(FILES.map(async (f) => str(await cast.wsBob.readFile(f))));
  const cmds = (cast: HostileCast, from: number) => cast.hostile.seen.slice(from).flatMap((r) => (r.cmd === 'block_read' || r.cmd === 'block_read_batch' ? [r.cmd] : []));

  it('concurrent reads: the first block alone, the others in one batch; all checked and cached; a sequential read sends block_read', async () => {
    const cast = await setup();
    const n = cast.hostile.seen.length;
    expect(await readAll(cast)).toEqual(FILES.map((f) => `content of ${f}`));
    expect(cmds(cast, n)).toEqual(['block_read', 'block_read_batch']);
    // Cached: read again, nothing fetched.
    const m = cast.hostile.seen.length;
    expect(await readAll(cast)).toEqual(FILES.map((f) => `content of ${f}`));
    expect(cmds(cast, m)).toEqual([]);
    await cast.ws.writeFile('/f.txt', text('one more'));
    await cast.ws.sync();
    await cast.wsBob.sync();
    const k = cast.hostile.seen.length;
    expect(str(await cast.wsBob.readFile('/f.txt'))).toBe('one more');
    expect(cmds(cast, k)).toEqual(['block_read']);
  });

  it('a batch reply with two results swapped → transport/batch-mismatch, nothing cached; the honest retry reads', async () => {
    const cast = await setup();
    cast.hostile.tamper = (req, rep) => {
      if (req.cmd !== 'block_read_batch') return rep;
      const items = [...(rep as BatchRep).items];
      [items[0], items[1]] = [items[1]!, items[0]!];
      return { ...rep, items };
    };
    const results = await Promise.allSettled(FILES.map((f) => cast.wsBob.readFile(f)));
    const codes = results.map((r) => (r.status === 'rejected' ? (r.reason as { code: string }).code : 'ok'));
    expect(codes[0]).toBe('ok');
    expect(codes.slice(1)).toEqual(FILES.slice(1).map(() => 'transport/batch-mismatch'));
    cast.hostile.tamper = null;
    const n = cast.hostile.seen.length;
    for (const f of FILES.slice(1)) expect(str(await cast.wsBob.readFile(f))).toBe(`content of ${f}`);
    // Nothing of the refused reply was cached: each block is fetched now.
    expect(cmds(cast, n)).toEqual(FILES.slice(1).map(() => 'block_read'));
  });

  it('a batch reply with an "ok" for a block never asked → refused', async () => {
    const cast = await setup();
    cast.hostile.tamper = (req, rep) => {
      if (req.cmd !== 'block_read_batch') return rep;
      const items = (rep as BatchRep).items.map((it, i) => (i === 0 ? { ...it, blockId: 'e'.repeat(32) } : it));
      return { ...rep, items };
    };
    const results = await Promise.allSettled(FILES.map((f) => cast.wsBob.readFile(f)));
    expect(results.filter((r) => r.status === 'rejected').map((r) => (r as PromiseRejectedResult).reason.code)).toEqual(FILES.slice(1).map(() => 'transport/batch-mismatch'));
  });

  it("a block of another file under an asked id (ids right, bytes swapped) → the integrity checks refuse it", async () => {
    const cast = await setup();
    cast.hostile.tamper = (req, rep) => {
      if (req.cmd !== 'block_read_batch') return rep;
      const items = (rep as BatchRep).items;
      return { ...rep, items: items.map((it, i) => ({ ...it, result: items[(i + 1) % items.length]!.result })) };
    };
    const results = await Promise.allSettled(FILES.map((f) => cast.wsBob.readFile(f)));
    const codes = results.slice(1).map((r) => (r.status === 'rejected' ? (r.reason as { code: string }).code : 'ok'));
    expect(codes.every((c) => c.startsWith('integrity/'))).toBe(true);
    cast.hostile.tamper = null;
    for (const f of FILES) expect(str(await cast.wsBob.readFile(f))).toBe(`content of ${f}`);
  });

  it('a block answered too_large in a batch is asked again on its own', async () => {
    const cast = await setup();
    let told = false;
    cast.hostile.tamper = (req, rep) => {
      if (req.cmd !== 'block_read_batch' || told) return rep;
      told = true;
      const items = (rep as BatchRep).items;
      return { ...rep, items: items.map((it, i) => (i === items.length - 1 ? { ...it, result: { status: 'error', code: 'too_large', message: 'later' } } : it)) };
    };
    const n = cast.hostile.seen.length;
    expect(await readAll(cast)).toEqual(FILES.map((f) => `content of ${f}`));
    expect(cmds(cast, n)).toEqual(['block_read', 'block_read_batch', 'block_read']);
  });

  it('a refusal of the whole batch is each block\'s refusal (not_allowed after an unshare)', async () => {
    const cast = await setup();
    cast.hostile.intercept = (req) => (req.cmd === 'block_read_batch' ? { status: 'error', code: 'not_allowed', message: 'no' } : undefined);
    const results = await Promise.allSettled(FILES.map((f) => cast.wsBob.readFile(f)));
    expect(results.slice(1).map((r) => (r as PromiseRejectedResult).reason?.code)).toEqual(FILES.slice(1).map(() => 'transport/not_allowed'));
  });
});
