/**
 * What every simulation suite shares: the synchronous node crypto provider for the whole suite
 * (restored afterwards), one world snapshot made under a fixed setup seed, and each seed run with
 * its own seeded randomness, so that a seed replays exactly.
 */
import { afterAll, beforeAll } from 'vitest';
import { getCryptoProvider, setCryptoProvider, type CryptoProvider } from '../../src/keys/hazmat.js';
import { nodeSyncProvider } from './node-sync-provider.js';
import { installSeededRandom, Rng } from './rng.js';
import { SimWorld, type Snapshot } from './sim-world.js';

/** Registers the hooks (at the top of a test file, or inside `describe`); `run` is for its tests. */
export function simulationSuite(setupSeed: number): { run<T>(seed: number, body: (snapshot: Snapshot) => Promise<T>): Promise<T> } {
  let snapshot: Snapshot | undefined;
  let previous: CryptoProvider;
  beforeAll(async () => {
    previous = getCryptoProvider();
    setCryptoProvider(nodeSyncProvider);
    const restore = installSeededRandom(setupSeed);
    try {
      const world = await SimWorld.create(new Rng(setupSeed));
      snapshot = await world.snapshot();
      await world.close();
    } finally {
      restore();
    }
  });
  afterAll(() => setCryptoProvider(previous));
  return {
    async run(seed, body) {
      if (snapshot === undefined) throw new Error('simulationSuite: run() outside the suite');
      const restore = installSeededRandom(seed);
      try {
        return await body(snapshot);
      } finally {
        restore();
      }
    },
  };
}
