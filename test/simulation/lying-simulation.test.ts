/**
 * The deterministic simulation in lying-server mode (issue 12): see `lying-scenario.ts` for one
 * seed and its invariants, `liar.ts` for the lies. Each seed replays exactly.
 *
 *   SEALSYNC_LIE_SEEDS=10000 npx vitest run test/simulation/lying-simulation.test.ts   # seeds 1..10000 (default 200)
 *   SEALSYNC_LIE_SEED=123 npx vitest run test/simulation/lying-simulation.test.ts      # one seed, with its trace
 *   SEALSYNC_LIE_FROM=5001 SEALSYNC_LIE_SEEDS=5000 …                                   # seeds 5001..10000 (shards)
 */
import { describe, expect, it } from 'vitest';
import { LIE_KINDS } from './liar.js';
import { runLyingSeed, type LyingSeedResult } from './lying-scenario.js';
import { simulationSuite } from './setup.js';

const SETUP_SEED = 0x11e;
const single = process.env.SEALSYNC_LIE_SEED;
const count = Number(process.env.SEALSYNC_LIE_SEEDS ?? 200);
const from = Number(process.env.SEALSYNC_LIE_FROM ?? 1);
const seeds = single !== undefined ? [Number(single)] : Array.from({ length: count }, (_, i) => i + from);

const sim = simulationSuite(SETUP_SEED);
const results: LyingSeedResult[] = [];
const started = performance.now();

async function seedRun(seed: number): Promise<LyingSeedResult> {
  return sim.run(seed, (snapshot) => runLyingSeed(snapshot, seed));
}

describe('simulation: lying server (alone, and with a removed member)', () => {
  it('replays a seed exactly (same trace, same lies)', async () => {
    const a = await seedRun(seeds[0]!);
    const b = await seedRun(seeds[0]!);
    expect(b.trace).toEqual(a.trace);
    expect(b.lies).toEqual(a.lies);
  });

  for (const seed of seeds) {
    it(`seed ${seed}`, async () => {
      const r = await seedRun(seed);
      results.push(r);
      if (single !== undefined) console.log(`seed ${seed} (${r.removal}):\n  ${r.trace.join('\n  ')}`);
    });
  }

  if (single === undefined) {
    it('told every kind of lie, each ending in a typed error or without effect', () => {
      const byKind: Record<string, Record<string, number>> = {};
      for (const r of results) for (const l of r.lies) (byKind[l.kind] ??= {})[l.ended] = (byKind[l.kind]![l.ended] ?? 0) + 1;
      const removals: Record<string, number> = {};
      for (const r of results) removals[r.removal] = (removals[r.removal] ?? 0) + 1;
      const told = results.reduce((n, r) => n + r.lies.length, 0);
      const windowWrites = results.reduce((n, r) => n + r.windowWrites, 0);
      console.log(
        `lying simulation: ${results.length}/${seeds.length} seeds passed in ${((performance.now() - started) / 1000).toFixed(1)} s; ` +
          `removals ${JSON.stringify(removals)}; ${told} lies told: ${JSON.stringify(byKind)}; writes under a removed member's key before the rotation was verified: ${windowWrites}`,
      );
      if (results.length < 50) return; // too few seeds for the coverage claims
      for (const kind of LIE_KINDS) expect(Object.keys(byKind[kind] ?? {}).length, kind).toBeGreaterThan(0);
    });
  }
});
