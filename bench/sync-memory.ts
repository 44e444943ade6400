/**
 * Peak RSS while syncing large files (issue 14, `npm run bench:memory` and the `memory` module of
 * `npm run bench`): device A writes `SEALSYNC_BENCH_MEMORY_MB` MiB (default 1024) of 64 MiB files
 * from a stream and syncs them through an in-process server; device B syncs and reads each file as
 * a stream. Server and devices store on disk (`FsStorage` in a temporary directory), as a real
 * deployment does: an in-memory server would hold the whole gigabyte by design.
 *
 * Honest by construction: every piece is a fresh buffer, the SHA-256 of what A wrote must equal
 * the SHA-256 of what B read, RSS is sampled every 5 ms against a baseline taken after a warm-up
 * run (modules, JIT, crypto state). Goal: growth < 128 MiB. Prints one `GOAL {json}` line for
 * bench/run.ts. Run: `npx tsx --expose-gc bench/sync-memory.ts`.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FsStorage } from '../src/storage/fs.js';
import { twoDevices } from './sync.js';

const MiB = 1024 * 1024;
const TOTAL = Number(process.env.SEALSYNC_BENCH_MEMORY_MB ?? 1024) * MiB;
const FILE = Math.min(64 * MiB, TOTAL);
const PIECE = 100_000;
const pool = new Uint8Array(randomBytes(4 * MiB));

async function* generate(size: number, seed: number, hash: ReturnType<typeof createHash>): AsyncGenerator<Uint8Array> {
  let i = 0;
  for (let done = 0; done < size; done += PIECE, i++) {
    const n = Math.min(PIECE, size - done);
    const start = ((i + seed * 131) * 7919) % (pool.length - PIECE);
    const piece = new Uint8Array(n);
    piece.set(pool.subarray(start, start + n));
    piece[0] = (i + seed) & 0xff;
    hash.update(piece);
    yield piece;
  }
}

const gc = (globalThis as { gc?: () => void }).gc;
let peak = 0;
const sample = (): void => {
  peak = Math.max(peak, process.memoryUsage.rss());
};

/** A writes `total` bytes in files of `FILE`, syncs; B syncs and streams every file back. */
async function syncOnce(total: number): Promise<{ writePeak: number; readPeak: number; same: boolean; seconds: number }> {
  const dir = await mkdtemp(join(tmpdir(), 'sealsync-sync-mem-'));
  try {
    const storage = {
      server: await FsStorage.open(join(dir, 'server')),
      a: await FsStorage.open(join(dir, 'a')),
      b: await FsStorage.open(join(dir, 'b')),
    };
    const { a, b, close } = await twoDevices(storage);
    try {
      const ws = await a.createWorkspace('memory');
      const count = Math.max(1, Math.round(total / FILE));
      const inHash = createHash('sha256');
      gc?.();
      const base = process.memoryUsage.rss();
      peak = base;
      const timer = setInterval(sample, 5);
      const t0 = performance.now();
      for (let i = 0; i < count; i++) await ws.writeFile(`/f${i}.bin`, generate(FILE, i, inHash), { onProgress: sample });
      await ws.sync();
      const writePeak = peak - base;
      gc?.();
      const readBase = process.memoryUsage.rss();
      peak = readBase;
      await b.sync();
      const wsB = await b.workspace(ws.id);
      const outHash = createHash('sha256');
      for (let i = 0; i < count; i++) {
        const reader = (await wsB.readFileStream(`/f${i}.bin`)).getReader();
        for (let r = await reader.read(); !r.done; r = await reader.read()) {
          outHash.update(r.value);
          sample();
        }
      }
      clearInterval(timer);
      return { writePeak, readPeak: peak - readBase, same: inHash.digest('hex') === outHash.digest('hex'), seconds: (performance.now() - t0) / 1000 };
    } finally {
      await close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const mb = (n: number): string => (n / MiB).toFixed(1);
await syncOnce(16 * MiB); // warm-up: modules, JIT, crypto state, fs
const r = await syncOnce(TOTAL);
const growth = Math.max(r.writePeak, r.readPeak);
console.log(`sync memory — ${mb(TOTAL)} MiB in ${mb(FILE)} MiB files, disk storage, gc ${gc ? 'exposed' : 'not exposed'}, ${r.seconds.toFixed(1)} s`);
console.log(`A write + sync: peak RSS growth ${mb(r.writePeak)} MiB; B sync + stream read: ${mb(r.readPeak)} MiB`);
console.log(`round trip SHA-256 ${r.same ? 'matches' : 'DIFFERS'}; goal < 128 MiB: ${growth < 128 * MiB && r.same ? 'met' : 'NOT met'}`);
console.log(`GOAL ${JSON.stringify({ label: `peak RSS growth syncing ${mb(TOTAL)} MiB`, now: `${mb(growth)} MiB`, goal: '< 128 MiB growth', met: growth < 128 * MiB && r.same })}`);
if (!r.same) process.exitCode = 1;
