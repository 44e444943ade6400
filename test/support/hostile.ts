/**
 * Shared pieces of the hostile-input suites (DESIGN §3: "nothing malformed may throw anything but
 * a sealsync error"): the one acceptable-failure check, and the fast-check settings every suite
 * reads from the same environment variables.
 * @module
 */
import { SealsyncError } from '../../src/errors.js';

/** Fails (rethrows wrapped, cause attached) unless `err` is a `SealsyncError` subclass. */
function requireSealsyncError(err: unknown): void {
  if (!(err instanceof SealsyncError)) {
    throw new Error(`escaped as a non-sealsync error: ${(err as Error)?.constructor?.name}: ${(err as Error)?.message}`, { cause: err });
  }
}

/** Runs `f`; a throw (or rejection) must be a sealsync error. Resolves normally either way. */
export async function onlySealsyncErrors(f: () => unknown): Promise<void> {
  try {
    await f();
  } catch (err) {
    requireSealsyncError(err);
  }
}

/** Synchronous `onlySealsyncErrors`, for fast-check's synchronous properties. */
export function onlySealsyncErrorsSync(f: () => unknown): void {
  try {
    f();
  } catch (err) {
    requireSealsyncError(err);
  }
}

/**
 * fast-check settings of a suite: seed `SEALSYNC_FUZZ_SEED` (else the suite's fixed default;
 * fast-check prints it with the counterexample on failure) and runs `SEALSYNC_FUZZ_RUNS` (else
 * the suite's default). `params(n)` overrides the run count of one property.
 */
export function fuzzSettings(defaultSeed: number, defaultRuns: number): { seed: number; runs: number; params: (numRuns?: number) => { seed: number; numRuns: number } } {
  const seed = Number(process.env.SEALSYNC_FUZZ_SEED ?? defaultSeed);
  const runs = Number(process.env.SEALSYNC_FUZZ_RUNS ?? defaultRuns);
  return { seed, runs, params: (numRuns = runs) => ({ seed, numRuns }) };
}
