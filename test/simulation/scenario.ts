/**
 * One seed of the simulation: random file operations on three devices, random sync timing under
 * network faults, then healing and the invariants (DESIGN §8–§9): every device converges to the
 * same tree, no written data is lost, names are valid and unique.
 * @module
 */
import { WorkspaceError } from '../../src/client/index.js';
import { SealsyncError } from '../../src/errors.js';
import { entryNameProblem } from '../../src/manifests/entry-name.js';
import { turns, type FaultRates } from './faulty-network.js';
import { Rng } from './rng.js';
import { SimWorld, type SimDevice, type Snapshot } from './sim-world.js';

const FILE_NAMES = ['a.txt', 'b.txt', 'c', 'notes.md'];
const FOLDER_NAMES = ['x', 'y', 'docs'];
/** Healing: rounds of "every device syncs" before giving up on quiescence. */
export const MAX_HEAL_ROUNDS = 8;

/** What one device sees: path → 'folder' or the file's content (latin1 string). */
export type Tree = Map<string, { type: 'folder' } | { type: 'file'; content: string }>;

export interface SeedResult {
  readonly seed: number;
  readonly trace: string[];
  readonly faults: Record<string, number>;
  /** Sync failures seen while the network was faulty, by error code. */
  readonly syncErrors: Record<string, number>;
  readonly healRounds: number;
  readonly conflictCopies: number;
  readonly files: number;
}

/** An invariant broken by a seed: the message carries the seed, the reproduction command and the trace. */
export class SimulationFailure extends Error {
  constructor(
    readonly seed: number,
    what: string,
    trace: readonly string[],
    reproduce = `SEALSYNC_SIM_SEED=${seed} npx vitest run test/simulation/simulation.test.ts`,
  ) {
    super(`simulation seed ${seed}: ${what}\nreproduce: ${reproduce}\ntrace:\n  ${trace.join('\n  ')}`);
    this.name = 'SimulationFailure';
  }
}

const latin1 = (b: Uint8Array): string => Buffer.from(b).toString('latin1');

/** The entries a device sees (no content): for choosing operations. */
async function entries(d: SimDevice): Promise<{ path: string; type: 'file' | 'folder' }[]> {
  const out: { path: string; type: 'file' | 'folder' }[] = [{ path: '/', type: 'folder' }];
  for (let i = 0; i < out.length; i++) {
    const e = out[i]!;
    if (e.type !== 'folder') continue;
    for (const child of await d.ws.list(e.path)) out.push({ path: `${e.path === '/' ? '' : e.path}/${child.name}`, type: child.type });
  }
  return out;
}

/**
 * The whole tree of a device with file contents, checking names on the way: every name valid, no
 * duplicate in a folder, and every child the folder manifest names present locally.
 */
export async function readTree(d: SimDevice, problems: string[]): Promise<Tree> {
  const tree: Tree = new Map([['/', { type: 'folder' }]]);
  const stack = ['/'];
  while (stack.length > 0) {
    const path = stack.pop()!;
    const listed = await d.ws.list(path);
    const stat = await d.ws.stat(path);
    if (stat.children !== listed.length) problems.push(`${d.name}: ${path} names ${stat.children} children, ${listed.length} present`);
    const names = new Set<string>();
    for (const e of listed) {
      const bad = entryNameProblem(e.name);
      if (bad !== null) problems.push(`${d.name}: invalid name ${JSON.stringify(e.name)} in ${path}: ${bad}`);
      if (names.has(e.name)) problems.push(`${d.name}: duplicate name ${e.name} in ${path}`);
      names.add(e.name);
      const child = `${path === '/' ? '' : path}/${e.name}`;
      if (e.type === 'folder') {
        tree.set(child, { type: 'folder' });
        stack.push(child);
      } else {
        tree.set(child, { type: 'file', content: latin1(await d.ws.readFile(child)) });
      }
    }
  }
  return tree;
}

export function describeTree(t: Tree): string {
  return [...t].sort(([a], [b]) => (a < b ? -1 : 1)).map(([p, e]) => (e.type === 'folder' ? `${p}/` : `${p} = ${e.content.slice(0, 24)}…(${e.content.length})`)).join('; ');
}

/** Contents under `path` as `d` sees them (what a remove or an overwrite there destroys knowingly). */
async function contentsUnder(d: SimDevice, path: string): Promise<string[]> {
  const all = await entries(d);
  const prefix = path === '/' ? '/' : `${path}/`;
  const out: string[] = [];
  for (const e of all) if (e.type === 'file' && (e.path === path || e.path.startsWith(prefix))) out.push(latin1(await d.ws.readFile(e.path)));
  return out;
}

function isUnder(path: string, folder: string): boolean {
  return path === folder || path.startsWith(`${folder}/`);
}

function dirOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i <= 0 ? '/' : path.slice(0, i);
}

function join(folder: string, name: string): string {
  return `${folder === '/' ? '' : folder}/${name}`;
}

export interface SeedOptions {
  readonly faults: FaultRates;
  /** Operations per seed (inclusive range). */
  readonly minOps: number;
  readonly maxOps: number;
}

/**
 * Runs seed `seed` from `snap`. Resolves with statistics; rejects with `SimulationFailure` when an
 * invariant breaks (or with the unexpected error, its message prefixed with the seed).
 */
export async function runSeed(snap: Snapshot, seed: number, options: SeedOptions): Promise<SeedResult> {
  const rng = new Rng(seed);
  const world = await SimWorld.fromSnapshot(snap, new Rng(seed ^ 0x5eed5eed));
  const trace: string[] = [];
  const syncErrors: Record<string, number> = {};
  const written = new Set<string>();
  const superseded = new Set<string>();
  const fail = (what: string): never => {
    throw new SimulationFailure(seed, what, trace);
  };
  try {
    const ops = rng.int(options.minOps, options.maxOps);
    for (let i = 0; i < ops; i++) {
      try {
        await step(i);
      } catch (err) {
        // `list` leaves out children whose manifest the device has not fetched yet, so a name can
        // be taken without being listed: the operation is refused, the run goes on (and the final
        // check catches a child that stays unfetched after healing).
        if (!(err instanceof WorkspaceError && err.code === 'workspace/exists')) throw err;
        trace.push(`#${i} refused: ${err.message} (not listed)`);
      }
    }
    async function step(i: number): Promise<void> {
      const d = rng.pick(world.devices);
      const view = await entries(d);
      const folders = view.filter((e) => e.type === 'folder').map((e) => e.path);
      const files = view.filter((e) => e.type === 'file').map((e) => e.path);
      const roll = rng.int(0, 99);
      if (roll < 32) {
        // write: overwrite a file this device sees, or create one
        let path: string;
        if (files.length > 0 && rng.chance(0.45)) {
          path = rng.pick(files);
        } else {
          path = join(rng.pick(folders), rng.pick(FILE_NAMES));
          if (folders.includes(path)) {
            trace.push(`#${i} ${d.name}: write ${path} skipped (a folder)`);
            return;
          }
        }
        if (files.includes(path)) for (const c of await contentsUnder(d, path)) superseded.add(c);
        const head = `[seed ${seed} op ${i} ${d.name}]`;
        const size = rng.chance(0.15) ? rng.int(4000, 10_000) : rng.int(0, 300);
        const content = head + 'abcdefghijklmnopqrstuvwxyz'.repeat(Math.ceil(size / 26)).slice(0, size);
        written.add(content);
        await d.ws.writeFile(path, Buffer.from(content, 'latin1'));
        trace.push(`#${i} ${d.name}: write ${path} (${content.length} B)`);
      } else if (roll < 40) {
        const path = join(rng.pick(folders), rng.pick(FOLDER_NAMES));
        if (view.some((e) => e.path === path)) {
          trace.push(`#${i} ${d.name}: mkdir ${path} skipped (exists)`);
          return;
        }
        await d.ws.mkdir(path);
        trace.push(`#${i} ${d.name}: mkdir ${path}`);
      } else if (roll < 52) {
        const movable = view.filter((e) => e.path !== '/');
        if (movable.length === 0) return;
        const src = rng.pick(movable);
        const targets = folders.filter((f) => !(src.type === 'folder' && isUnder(f, src.path)));
        const name = rng.chance(0.3) ? src.path.slice(src.path.lastIndexOf('/') + 1) : rng.pick(src.type === 'file' ? FILE_NAMES : FOLDER_NAMES);
        const to = join(rng.pick(targets), name);
        if (view.some((e) => e.path === to)) {
          trace.push(`#${i} ${d.name}: rename ${src.path} → ${to} skipped (exists)`);
          return;
        }
        await d.ws.rename(src.path, to);
        trace.push(`#${i} ${d.name}: ${dirOf(src.path) === dirOf(to) ? 'rename' : 'move'} ${src.path} → ${to}`);
      } else if (roll < 60) {
        const removable = view.filter((e) => e.path !== '/');
        if (removable.length === 0) return;
        const target = rng.pick(removable);
        for (const c of await contentsUnder(d, target.path)) superseded.add(c);
        await d.ws.remove(target.path, { recursive: true });
        trace.push(`#${i} ${d.name}: remove ${target.path}${target.type === 'folder' ? '/' : ''}`);
      } else if (roll < 90) {
        // Some devices sync at the same time over the faulty network.
        const who = world.devices.filter(() => rng.chance(0.6));
        if (who.length === 0) who.push(d);
        world.net.faults = options.faults;
        const outcomes = await Promise.allSettled(
          who.map(async (x, k) => {
            await turns(k * rng.int(0, 3));
            return x.client.sync();
          }),
        );
        world.net.faults = null;
        const summary: string[] = [];
        outcomes.forEach((o, k) => {
          const name = who[k]!.name;
          if (o.status === 'fulfilled') {
            summary.push(`${name} ok`);
            return;
          }
          const err = o.reason as unknown;
          if (!(err instanceof SealsyncError)) fail(`sync of ${name} failed with a non-sealsync error: ${String((err as Error)?.stack ?? err)}`);
          const e = err as SealsyncError;
          syncErrors[e.code] = (syncErrors[e.code] ?? 0) + 1;
          summary.push(`${name} ${e.code}`);
          // An honest server never goes backwards, whatever the network did: a RollbackError here is a false alarm.
          if (e.code.startsWith('rollback/')) fail(`${name} raised ${e.code} against an honest server: ${e.message}`);
        });
        trace.push(`#${i} sync ${summary.join(', ')}`);
      } else if (roll < 95) {
        await world.net.restart();
        trace.push(`#${i} server restart`);
      } else {
        await world.restartDevice(d);
        trace.push(`#${i} ${d.name}: restart`);
      }
    }

    // Heal: a perfect network; every device syncs in turn until a whole round changes nothing.
    world.net.faults = null;
    let healRounds = 0;
    for (let quiet = false; !quiet; ) {
      if (healRounds === MAX_HEAL_ROUNDS) fail(`no quiescence after ${MAX_HEAL_ROUNDS} healing rounds`);
      healRounds++;
      quiet = true;
      for (const d of world.devices) {
        let reports;
        try {
          reports = await d.client.sync();
        } catch (err) {
          fail(`${d.name}: sync failed on the healed network: ${String((err as Error)?.stack ?? err)}`);
        }
        if (reports!.some((r) => r.uploaded > 0 || r.downloaded > 0 || r.conflicts.length > 0)) quiet = false;
      }
    }
    trace.push(`healed in ${healRounds} rounds`);

    const problems: string[] = [];
    const trees: Tree[] = [];
    for (const d of world.devices) {
      if (await d.ws.hasPendingChanges()) problems.push(`${d.name} still has pending changes`);
      trees.push(await readTree(d, problems));
    }
    const [first, ...rest] = trees;
    rest.forEach((t, k) => {
      if (describeTree(t) !== describeTree(first!)) problems.push(`${world.devices[k + 1]!.name} diverges from ${world.devices[0]!.name}:\n    ${describeTree(first!)}\n    ${describeTree(t)}`);
    });
    const reachable = new Set([...first!.values()].flatMap((e) => (e.type === 'file' ? [e.content] : [])));
    for (const c of written) {
      if (!superseded.has(c) && !reachable.has(c)) problems.push(`lost data: ${c.slice(0, 40)}… (${c.length} B) is reachable nowhere`);
    }
    if (problems.length > 0) fail(`${problems.join('\n')}\nfinal tree: ${describeTree(first!)}`);
    const conflictCopies = [...first!.keys()].filter((p) => p.includes('(sync conflict')).length;
    return { seed, trace, faults: { ...world.net.counts }, syncErrors, healRounds, conflictCopies, files: reachable.size };
  } catch (err) {
    if (err instanceof SimulationFailure) throw err;
    throw new SimulationFailure(seed, `unexpected error: ${String((err as Error)?.stack ?? err)}`, trace);
  } finally {
    await world.close().catch(() => undefined);
  }
}
