/**
 * Scaling in one workspace (issue 14): for each size (`SEALSYNC_BENCH_SCALE_FILES`, default
 * 1000,10000,100000), device A writes that many 1 KiB files (100 per folder) and syncs; device B
 * syncs, lists every folder and opens 100 files. Each phase's time is printed with its growth per
 * ×10 files: linear growth is ×10 for sync and list, and a flat time per open. Behind a flag
 * (`SEALSYNC_BENCH_SCALE=1` or `npm run bench scale`): the 100,000-file run takes a while.
 */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { twoDevices } from './sync.js';
import { recordGoal, section } from './util.js';

const SIZES = (process.env.SEALSYNC_BENCH_SCALE_FILES ?? '1000,10000,100000').split(',').map(Number);
const PER_FOLDER = 100;
const OPENS = 100;

interface Phases {
  write: number;
  syncA: number;
  syncB: number;
  list: number;
  /** Seconds per open. */
  open: number;
}

async function time(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return (performance.now() - t0) / 1000;
}

async function once(n: number): Promise<Phases> {
  const { a, b, close } = await twoDevices();
  try {
    const ws = await a.createWorkspace('scale');
    const folders = Math.ceil(n / PER_FOLDER);
    for (let d = 0; d < folders; d++) await ws.mkdir(`/d${d}`);
    const content = new Uint8Array(randomBytes(1024));
    const write = await time(async () => {
      for (let i = 0; i < n; i++) await ws.writeFile(`/d${Math.floor(i / PER_FOLDER)}/f${i}`, content);
    });
    const syncA = await time(() => ws.sync());
    const syncB = await time(() => b.sync());
    const wsB = await b.workspace(ws.id);
    let listed = 0;
    const list = await time(async () => {
      for (let d = 0; d < folders; d++) listed += (await wsB.list(`/d${d}`)).length;
    });
    if (listed !== n) throw new Error(`bench: listed ${listed} of ${n} files`);
    const step = Math.max(1, Math.floor(n / OPENS));
    const opens = Math.min(OPENS, n);
    const open = (await time(async () => {
      for (let k = 0; k < opens; k++) {
        const i = k * step;
        if ((await wsB.readFile(`/d${Math.floor(i / PER_FOLDER)}/f${i}`)).length !== 1024) throw new Error('bench: short read');
      }
    })) / opens;
    return { write, syncA, syncB, list, open };
  } finally {
    await close();
  }
}

export async function run(): Promise<void> {
  section(`scale: files in one workspace (${SIZES.join(', ')}), 1 KiB each, ${PER_FOLDER} per folder; growth per ×10 files`);
  let prev: Phases | undefined;
  let worst = 0;
  let worstOpen = 0;
  for (const n of SIZES) {
    const p = await once(n);
    const g = (k: keyof Phases): string => (prev ? ` (×${(p[k] / prev[k]).toFixed(1)})` : '');
    console.log(
      `${String(n).padStart(7)} files: write ${p.write.toFixed(1)} s${g('write')}, A sync ${p.syncA.toFixed(1)} s${g('syncA')}, B sync ${p.syncB.toFixed(1)} s${g('syncB')}, list ${p.list.toFixed(2)} s${g('list')}, open ${(p.open * 1000).toFixed(1)} ms/file${g('open')}`,
    );
    if (prev) {
      worst = Math.max(worst, ...(['write', 'syncA', 'syncB', 'list'] as const).map((k) => p[k] / prev![k]));
      worstOpen = Math.max(worstOpen, p.open / prev.open);
    }
    prev = p;
  }
  if (SIZES.length > 1) {
    recordGoal({
      label: `${SIZES.join('/')} files: sync, list, open`,
      now: `worst ×${worst.toFixed(1)} per ×10; open ×${worstOpen.toFixed(1)}`,
      goal: 'linear (≤ ×15 per ×10; open ≤ ×3)',
      met: worst <= 15 && worstOpen <= 3,
    });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
