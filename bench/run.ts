/**
 * `npm run bench [name...]`: runs every benchmark module in bench/ (or only the named ones).
 * Each module exports `run(): Promise<void>` and prints its own lines through bench/util.ts; the
 * figures of issue 14's goals are collected and printed as one table at the end.
 * `memory` runs bench/sync-memory.ts in a child process (peak RSS needs a process of its own);
 * `scale` (the 100,000-files row) runs only when named or with `SEALSYNC_BENCH_SCALE=1`.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { printGoals, recordGoal, section, type GoalFigure } from './util.js';

/** Runs bench/sync-memory.ts with --expose-gc and records its GOAL line. */
async function memory(): Promise<void> {
  section('memory: peak RSS while syncing large files (child process, disk storage)');
  const script = fileURLToPath(new URL('./sync-memory.ts', import.meta.url));
  const r = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', script], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  for (const line of r.stdout.split('\n')) {
    if (line.startsWith('GOAL ')) recordGoal(JSON.parse(line.slice(5)) as GoalFigure);
    else if (line.length > 0) console.log(line);
  }
  if (r.status !== 0) console.error(`bench: sync-memory exited with ${String(r.status)}`);
}

const modules: Record<string, () => Promise<{ run: () => Promise<void> }>> = {
  primitives: () => import('./primitives.js'),
  codec: () => import('./codec.js'),
  certificates: () => import('./certificates.js'),
  manifests: () => import('./manifests.js'),
  blocks: () => import('./blocks.js'),
  merge: () => import('./merge.js'),
  storage: () => import('./storage.js'),
  server: () => import('./server.js'),
  sync: () => import('./sync.js'),
  memory: async () => ({ run: memory }),
  scale: () => import('./scale.js'),
};

const only = process.argv.slice(2);
const names = only.length > 0 ? only : Object.keys(modules).filter((n) => n !== 'scale' || process.env.SEALSYNC_BENCH_SCALE === '1');
console.log(`sealsync benchmarks — node ${process.version}, ${new Date().toISOString()}`);
for (const name of names) {
  const load = modules[name];
  if (!load) {
    console.error(`unknown benchmark ${name}; known: ${Object.keys(modules).join(', ')}`);
    process.exit(2);
  }
  await (await load()).run();
}
printGoals();
