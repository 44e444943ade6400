/**
 * Deterministic simulation of three devices sharing a workspace over a faulty network (issue 8,
 * DESIGN §8–§9). Each seed: 10–20 random operations (write/overwrite, mkdir, rename/move, remove
 * on a random device; concurrent syncs of a random subset of devices under dropped requests,
 * replies lost after the server applied the request, duplicated and replayed requests, delays that
 * reorder concurrent requests, server restarts from storage; device restarts), then healing and
 * the invariants: convergence, no lost data, valid unique names.
 *
 *   SEALSYNC_SIM_SEEDS=10000 npx vitest run test/simulation   # seeds 1..10000 (default 200)
 *   SEALSYNC_SIM_SEED=123 npx vitest run test/simulation      # one seed, with its trace
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_FAULTS, type FaultKind } from './faulty-network.js';
import { runSeed, type SeedResult, type SeedOptions } from './scenario.js';
import { simulationSuite } from './setup.js';

const SETUP_SEED = 0x5ea1;
const OPTIONS: SeedOptions = { faults: DEFAULT_FAULTS, minOps: 10, maxOps: 20 };
const single = process.env.SEALSYNC_SIM_SEED;
const count = Number(process.env.SEALSYNC_SIM_SEEDS ?? 200);
const seeds = single !== undefined ? [Number(single)] : Array.from({ length: count }, (_, i) => i + 1);

const sim = simulationSuite(SETUP_SEED);
const results: SeedResult[] = [];
const started = performance.now();

/** Runs one seed with its own deterministic randomness. */
async function seedRun(seed: number): Promise<SeedResult> {
  return sim.run(seed, (snapshot) => runSeed(snapshot, seed, OPTIONS));
}

describe('simulation: 3 devices, random operations, faulty network', () => {
  it('replays a seed exactly (same trace, same faults)', async () => {
    const a = await seedRun(seeds[0]!);
    const b = await seedRun(seeds[0]!);
    expect(b.trace).toEqual(a.trace);
    expect(b.faults).toEqual(a.faults);
  });

  for (const seed of seeds) {
    it(`seed ${seed}`, async () => {
      // A failure throws SimulationFailure: seed, reproduction command and trace in its message.
      const r = await seedRun(seed);
      results.push(r);
      if (single !== undefined) console.log(`seed ${seed}:\n  ${r.trace.join('\n  ')}\nfaults ${JSON.stringify(r.faults)}`);
    });
  }

  if (single === undefined) {
    it('injected every kind of fault and exercised conflicts', () => {
      const faults: Record<string, number> = {};
      const errors: Record<string, number> = {};
      for (const r of results) {
        for (const [k, v] of Object.entries(r.faults)) faults[k] = (faults[k] ?? 0) + v;
        for (const [k, v] of Object.entries(r.syncErrors)) errors[k] = (errors[k] ?? 0) + v;
      }
      const copies = results.reduce((n, r) => n + r.conflictCopies, 0);
      console.log(
        `simulation: ${results.length}/${seeds.length} seeds passed in ${((performance.now() - started) / 1000).toFixed(1)} s; ` +
          `faults ${JSON.stringify(faults)}; sync errors while faulty ${JSON.stringify(errors)}; conflict copies ${copies}`,
      );
      if (results.length < 50) return; // too few seeds for the coverage claims
      for (const kind of Object.keys(DEFAULT_FAULTS) as FaultKind[]) expect(faults[kind], kind).toBeGreaterThan(0);
      expect(copies).toBeGreaterThan(0);
    });
  }
});
