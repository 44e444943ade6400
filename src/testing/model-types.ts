/**
 * Types and small shared pieces of the convergence model (`runConvergenceModel`): operations, options,
 * counters, the model server.
 * @module
 */
import type { DeviceId, VlobId } from '../codec/ids.js';
import { SealsyncError } from '../errors.js';
import type { EntryName } from '../manifests/entry-name.js';
import type { FileManifest, Manifest } from '../manifests/types.js';
import { DEFAULT_IGNORE_PATTERNS } from '../merge/ignore.js';

/**
 * One step of a scenario. `device` is taken modulo the number of devices; `parent` / `target`
 * pick, modulo their count, among the folders / entries of that device's local tree in path order
 * (so any number is valid, which keeps shrinking effective). Edits that make no sense at that
 * point (name taken, nothing to pick) are skipped.
 */
export type ModelOp =
  | { readonly op: 'mkdir'; readonly device: number; readonly parent: number; readonly name: string }
  | { readonly op: 'create'; readonly device: number; readonly parent: number; readonly name: string }
  | { readonly op: 'write'; readonly device: number; readonly target: number }
  | { readonly op: 'rename'; readonly device: number; readonly target: number; readonly name: string }
  /** Moves a file or a folder into another folder (never into itself). */
  | { readonly op: 'move'; readonly device: number; readonly target: number; readonly parent: number }
  /** The device reopens with other ignore patterns: `set` picks (modulo) among `PATTERN_SETS`. */
  | { readonly op: 'patterns'; readonly device: number; readonly set: number }
  | { readonly op: 'delete'; readonly device: number; readonly target: number }
  /** Fetches every vlob's newest version and merges it. */
  | { readonly op: 'pull'; readonly device: number }
  /** Uploads every changed vlob, children first; a version conflict leaves it for the next pull. */
  | { readonly op: 'push'; readonly device: number }
  /** A push whose answers are lost: the server stores the versions, the device does not learn it. */
  | { readonly op: 'push-lost-ack'; readonly device: number };

/** A multi-device scenario for the convergence model: `devices` devices and the operations they run, in order. */
export interface ModelScenario {
  readonly devices: number;
  readonly ops: readonly ModelOp[];
}

/** Options of {@link runConvergenceModel}. */
export interface ModelOptions {
  /** Ignore patterns every device starts with (default `DEFAULT_IGNORE_PATTERNS`). */
  readonly ignore?: readonly string[];
  /** Per-device starting patterns (index = device), overriding `ignore`. */
  readonly devicePatterns?: readonly (readonly string[])[];
  /** Rounds of "everyone pulls then pushes" allowed before the model must be quiescent (default 12). */
  readonly maxFinalRounds?: number;
}

/** Counters showing which merge rules a run exercised. */
export interface ModelStats {
  uploads: number;
  versionConflicts: number;
  syncConflicts: number;
  nameConflicts: number;
  restored: number;
  resurrected: number;
  rebases: number;
  merges: number;
  /** Pattern changes applied (`patterns` operations). */
  repatterned: number;
  /** Tombstones forgotten once every other device had pulled after the delete was on the server. */
  pruned: number;
  /** Entries a concurrent move left in two folders, or moves that closed a cycle, undone. */
  movedAway: number;
}

/** What {@link runConvergenceModel} converged to, and which merge rules it exercised. */
export interface ModelOutcome {
  /** The converged tree, one `path<TAB>D` or `path<TAB>F:<content>` line per entry, sorted. */
  readonly tree: readonly string[];
  /** The whole server state, for determinism checks (same scenario ⇒ same fingerprint). */
  readonly fingerprint: string;
  readonly stats: ModelStats;
}

/** An invariant of the model was broken; `code` is `testing/<invariant>`. */
export class ModelInvariantError extends SealsyncError {}

export const ROOT = '00000000000000000000000000000001' as VlobId;
export const MAX_DEPTH = 64;

export function hexId<T extends string>(prefix: number, n: number): T {
  return (prefix.toString(16).padStart(2, '0') + n.toString(16).padStart(30, '0')) as T;
}

export function byName<T>(a: readonly [string, T], b: readonly [string, T]): number {
  return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0;
}

export function contentKey(f: FileManifest): string {
  return f.blocks.map((b) => b.id).join('+');
}

/** Every vlob under `id` (itself included) following `lookup`'s folder children. */
export function subtree(id: VlobId, lookup: (id: VlobId) => Manifest | undefined): VlobId[] {
  const out: VlobId[] = [];
  const seen = new Set<VlobId>();
  const visit = (v: VlobId) => {
    if (seen.has(v)) return;
    seen.add(v);
    out.push(v);
    const m = lookup(v);
    if (m?.type === 'folder') for (const c of m.children.values()) visit(c);
  };
  visit(id);
  return out;
}

/** The pattern sets a `patterns` operation switches between (each with names of `COMMON_NAMES`). */
export const PATTERN_SETS: readonly (readonly string[])[] = Object.freeze([
  DEFAULT_IGNORE_PATTERNS,
  ['*.tmp'],
  [],
  ['*.txt', '.DS_Store'],
  ['*~', '~$*', '*.md'],
]);

/** The counters of a fresh run. */
export function emptyStats(): ModelStats {
  return { uploads: 0, versionConflicts: 0, syncConflicts: 0, nameConflicts: 0, restored: 0, resurrected: 0, rebases: 0, merges: 0, repatterned: 0, pruned: 0, movedAway: 0 };
}

export class ModelServer {
  readonly vlobs = new Map<VlobId, Manifest[]>();

  latest(id: VlobId): Manifest | undefined {
    const v = this.vlobs.get(id);
    return v?.[v.length - 1];
  }

  /** Optimistic concurrency, as the reference server: only `current + 1` is accepted. */
  upload(m: Manifest): boolean {
    const versions = this.vlobs.get(m.id) ?? [];
    if (m.version !== versions.length + 1) return false;
    versions.push(m);
    this.vlobs.set(m.id, versions);
    return true;
  }

  snapshot(): Map<VlobId, Manifest> {
    const out = new Map<VlobId, Manifest>();
    for (const id of [...this.vlobs.keys()].sort()) out.set(id, this.latest(id)!);
    return out;
  }
}

export interface Tombstone {
  readonly parent: VlobId;
  readonly name: EntryName;
  /** Version of every vlob of the deleted subtree as the deleting device had it. */
  readonly seen: ReadonlyMap<VlobId, number>;
  /** Every device's pull count when this device first saw the delete on the server (then: settled). */
  readonly settledAt?: readonly number[];
}

export interface Located {
  readonly parent: VlobId;
  readonly name: EntryName;
  readonly id: VlobId;
  readonly path: string;
}

