/**
 * Tiny benchmark helpers. Benchmarks print our figure next to a native baseline measured in the
 * same run, as a ratio: absolute numbers on a shared machine mean little, ratios travel.
 */
import { performance } from 'node:perf_hooks';

export interface Measure {
  /** operations (or bytes) per second */
  rate: number;
  seconds: number;
}

/** Runs `fn` `iterations` times (after one warm-up call) and returns the rate in units/s. */
export async function measure(units: number, fn: () => unknown | Promise<unknown>, warmup = 1): Promise<Measure> {
  for (let i = 0; i < warmup; i++) await fn();
  const t0 = performance.now();
  await fn();
  const seconds = (performance.now() - t0) / 1000;
  return { rate: units / seconds, seconds };
}

export function fmtRate(rate: number, unit: string): string {
  if (unit === 'MB/s') return `${(rate / 1e6).toFixed(1)} MB/s`;
  return `${rate >= 100 ? rate.toFixed(0) : rate.toFixed(1)} ${unit}`;
}

/** One line: label, ours, baseline, ratio ours/baseline. */
export function report(label: string, ours: number, baseline: number, unit: string, baselineName = 'node:crypto'): void {
  const ratio = ours / baseline;
  console.log(
    `${label.padEnd(44)} ${fmtRate(ours, unit).padStart(14)}   ${baselineName} ${fmtRate(baseline, unit).padStart(14)}   ratio ${ratio.toFixed(2)}`,
  );
}

export function section(title: string): void {
  console.log(`\n## ${title}`);
}

/** One figure of the issue-14 goal table (printed by bench/run.ts after every module ran). */
export interface GoalFigure {
  readonly label: string;
  readonly now: string;
  readonly goal: string;
  readonly met: boolean;
}

/** Figures recorded by the modules of this run, in recording order. */
export const goalFigures: GoalFigure[] = [];

/** Records one goal figure (see `GoalFigure`). */
export function recordGoal(figure: GoalFigure): void {
  goalFigures.push(figure);
}

/** Prints the goal table of the figures recorded so far (nothing when none was). */
export function printGoals(): void {
  if (goalFigures.length === 0) return;
  section('issue 14 goals (ratios from this run; the machine is shared, re-run for a second opinion)');
  const w = Math.max(...goalFigures.map((f) => f.label.length));
  console.log(`${'figure'.padEnd(w)} | ${'now'.padEnd(34)} | ${'goal'.padEnd(26)} | met`);
  console.log(`${'-'.repeat(w)}-|-${'-'.repeat(34)}-|-${'-'.repeat(26)}-|----`);
  for (const f of goalFigures) console.log(`${f.label.padEnd(w)} | ${f.now.padEnd(34)} | ${f.goal.padEnd(26)} | ${f.met ? 'yes' : 'NO'}`);
}
