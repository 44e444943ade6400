/**
 * The multi-device convergence model: a model server (versioned vlobs, `version == current + 1`
 * or a version conflict) and N offline devices that edit their local tree and sync in any order
 * through `mergeFile` / `mergeFolder`. It is the executable statement of what the merge rules promises:
 * after everyone syncs, all devices hold the same tree, nothing written is lost unless a device
 * that had seen it deleted or overwrote it, every name is valid, ignored entries never leave their
 * device, and syncing again changes nothing.
 *
 * Plain TypeScript, no fast-check: drive it with `scenarioArbitrary()` or with your own generator.
 * The sync logic here is a small reference of what a sync engine must feed the merge functions
 * (dirty tracking, the `hasUnseenChanges` oracle, local tombstones of deletes, conflict copies).
 * @module
 */
import type { BlockId, DeviceId, VlobId } from '../codec/ids.js';
import { SealsyncError } from '../errors.js';
import { entryNameProblem, type EntryName } from '../manifests/entry-name.js';
import type { FileManifest, FolderManifest, Manifest } from '../manifests/types.js';
import { addConflictCopy } from '../merge/conflict-copy.js';
import { conflictName } from '../merge/conflict-name.js';
import { compileIgnorePatterns, DEFAULT_IGNORE_PATTERNS, type IgnoreMatcher } from '../merge/ignore.js';
import { mergeFile } from '../merge/merge-file.js';
import { mergeFolder } from '../merge/merge-folder.js';

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
  /** Moves a file into another folder (folders are not moved: see the README on folder moves). */
  | { readonly op: 'move'; readonly device: number; readonly target: number; readonly parent: number }
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
  /** Ignore patterns used by every device (default `DEFAULT_IGNORE_PATTERNS`). */
  readonly ignore?: readonly string[];
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

const ROOT = '00000000000000000000000000000001' as VlobId;
const MAX_DEPTH = 64;

function hexId<T extends string>(prefix: number, n: number): T {
  return (prefix.toString(16).padStart(2, '0') + n.toString(16).padStart(30, '0')) as T;
}

function byName<T>(a: readonly [string, T], b: readonly [string, T]): number {
  return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0;
}

function contentKey(f: FileManifest): string {
  return f.blocks.map((b) => b.id).join('+');
}

/** Every vlob under `id` (itself included) following `lookup`'s folder children. */
function subtree(id: VlobId, lookup: (id: VlobId) => Manifest | undefined): VlobId[] {
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

class ModelServer {
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

interface Tombstone {
  readonly parent: VlobId;
  readonly name: EntryName;
  /** Version of every vlob of the deleted subtree as the deleting device had it. */
  readonly seen: ReadonlyMap<VlobId, number>;
}

interface Located {
  readonly parent: VlobId;
  readonly name: EntryName;
  readonly id: VlobId;
  readonly path: string;
}

class ModelDevice {
  readonly base = new Map<VlobId, Manifest>();
  readonly local = new Map<VlobId, Manifest>();
  readonly dirty = new Set<VlobId>();
  readonly tombstones = new Map<VlobId, Tombstone>();
  /** Ignored files this device created and still expects to find where it left them. */
  readonly ignoredFiles = new Map<VlobId, VlobId>();
  private counter = 0;

  constructor(
    readonly index: number,
    readonly id: DeviceId,
    private readonly world: ModelWorld,
  ) {
    const root: FolderManifest = { type: 'folder', id: ROOT, parent: ROOT, version: 0, created: 0, updated: 0, author: id, timestamp: 0, prev: null, children: new Map() };
    this.local.set(ROOT, root);
    this.dirty.add(ROOT);
  }

  nextId<T extends string>(): T {
    return hexId<T>(this.index + 1, ++this.counter);
  }

  folder(id: VlobId): FolderManifest | undefined {
    const m = this.local.get(id);
    return m?.type === 'folder' ? m : undefined;
  }

  /** Entries reachable from the root in path order (depth first, names sorted); files may appear twice. */
  walk(includeIgnored = true): Located[] {
    const out: Located[] = [];
    const visit = (folderId: VlobId, path: string, depth: number) => {
      const f = this.folder(folderId);
      if (!f || depth > MAX_DEPTH) return;
      for (const [name, id] of [...f.children].sort(byName)) {
        if (!includeIgnored && this.world.ignore.matches(name)) continue;
        const p = `${path}/${name}`;
        out.push({ parent: folderId, name, id, path: p });
        if (this.local.get(id)?.type === 'folder') visit(id, p, depth + 1);
      }
    };
    visit(ROOT, '', 0);
    return out;
  }

  folders(): VlobId[] {
    return [ROOT, ...this.walk().filter((e) => this.local.get(e.id)?.type === 'folder').map((e) => e.id)];
  }

  subtree(id: VlobId, lookup: (id: VlobId) => Manifest | undefined): VlobId[] {
    return subtree(id, lookup);
  }

  setChildren(folderId: VlobId, children: Map<EntryName, VlobId>): void {
    const f = this.folder(folderId)!;
    this.local.set(folderId, { ...f, children: new Map([...children].sort(byName)) });
    this.dirty.add(folderId);
  }

  isReachable(id: VlobId): boolean {
    return id === ROOT || this.walk().some((e) => e.id === id);
  }

  // ---- local edits ------------------------------------------------------------------------

  apply(op: ModelOp): void {
    const w = this.world;
    switch (op.op) {
      case 'mkdir':
      case 'create': {
        const folders = this.folders();
        const parentId = folders[op.parent % folders.length]!;
        const parent = this.folder(parentId)!;
        const name = op.name as EntryName;
        if (entryNameProblem(name) !== null || parent.children.has(name)) return;
        if (op.op === 'mkdir' && w.ignore.matches(name)) return; // folders are never scratch files
        const id = this.nextId<VlobId>();
        const common = { id, parent: parentId, version: 0, created: w.tick(), updated: w.now, author: this.id, timestamp: w.now, prev: null };
        const m: Manifest = op.op === 'mkdir' ? { type: 'folder', ...common, children: new Map() } : { type: 'file', ...common, size: 0, blocksize: 4, blocks: [] };
        this.local.set(id, m);
        this.dirty.add(id);
        this.setChildren(parentId, new Map(parent.children).set(name, id));
        if (w.ignore.matches(name)) this.ignoredFiles.set(id, parentId);
        return;
      }
      case 'write': {
        const files = this.walk().filter((e) => this.local.get(e.id)?.type === 'file');
        const e = files[op.target % Math.max(1, files.length)];
        if (!e) return;
        const f = this.local.get(e.id) as FileManifest;
        const block = this.nextId<BlockId>();
        const digest = new Uint8Array(32);
        digest.set([this.index, this.counter & 0xff, (this.counter >> 8) & 0xff]);
        const next: FileManifest = { ...f, size: 4, blocks: [{ id: block, offset: 0, size: 4, digest }], updated: w.tick() };
        this.local.set(e.id, next);
        this.dirty.add(e.id);
        if (!w.ignore.matches(e.name)) {
          w.superseded.add(contentKey(f)); // this device saw the old content when it overwrote it
          w.written.add(contentKey(next));
        }
        return;
      }
      case 'rename': {
        const entries = this.walk();
        const e = entries[op.target % Math.max(1, entries.length)];
        if (!e) return;
        const name = op.name as EntryName;
        const parent = this.folder(e.parent)!;
        if (entryNameProblem(name) !== null || parent.children.has(name)) return;
        // Renaming a synced entry to a scratch name would be a delete in disguise: the model keeps
        // deletes explicit so that "no lost data" stays checkable.
        if (w.ignore.matches(name) && !w.ignore.matches(e.name)) return;
        if (!w.ignore.matches(name)) this.ignoredFiles.delete(e.id);
        const children = new Map(parent.children);
        children.delete(e.name);
        this.setChildren(e.parent, children.set(name, e.id));
        return;
      }
      case 'move': {
        const files = this.walk().filter((e) => this.local.get(e.id)?.type === 'file');
        const e = files[op.target % Math.max(1, files.length)];
        if (!e) return;
        const folders = this.folders();
        const destId = folders[op.parent % folders.length]!;
        const dest = this.folder(destId)!;
        if (destId === e.parent || dest.children.has(e.name)) return;
        const src = new Map(this.folder(e.parent)!.children);
        src.delete(e.name);
        this.setChildren(e.parent, src);
        this.setChildren(destId, new Map(dest.children).set(e.name, e.id));
        const f = this.local.get(e.id) as FileManifest;
        this.local.set(e.id, { ...f, parent: destId });
        this.dirty.add(e.id);
        if (this.ignoredFiles.has(e.id)) this.ignoredFiles.set(e.id, destId);
        return;
      }
      case 'delete': {
        const entries = this.walk();
        const e = entries[op.target % Math.max(1, entries.length)];
        if (!e) return;
        const children = new Map(this.folder(e.parent)!.children);
        children.delete(e.name);
        this.setChildren(e.parent, children);
        this.ignoredFiles.delete(e.id);
        if (w.ignore.matches(e.name)) return;
        const seen = new Map<VlobId, number>();
        for (const v of this.subtree(e.id, (id) => this.local.get(id))) {
          const m = this.local.get(v);
          if (!m) continue;
          seen.set(v, m.version);
          // A causally-aware delete: this device saw this content, so it may go.
          if (m.type === 'file') w.superseded.add(contentKey(m));
        }
        this.tombstones.set(e.id, { parent: e.parent, name: e.name, seen });
        return;
      }
      case 'pull':
        this.pull();
        return;
      case 'push':
      case 'push-lost-ack':
        this.push(op.op === 'push-lost-ack');
        return;
    }
  }

  // ---- sync -------------------------------------------------------------------------------

  /** Fetches every vlob's newest version and merges it: files first, then folders, by id. */
  pull(): void {
    const w = this.world;
    const snapshot = w.server.snapshot();
    const files = [...snapshot.values()].filter((m) => m.type === 'file');
    const folders = [...snapshot.values()].filter((m) => m.type === 'folder');
    for (const remote of files as FileManifest[]) {
      const local = this.local.get(remote.id) as FileManifest | undefined;
      const base = (this.base.get(remote.id) as FileManifest | undefined) ?? null;
      if (!local) {
        this.local.set(remote.id, remote);
        this.base.set(remote.id, remote);
        continue;
      }
      const r = mergeFile(base, local, remote, this.id);
      if (r.kind === 'keep-local') continue;
      w.stats.merges++;
      if (r.kind === 'rebase') w.stats.rebases++;
      this.local.set(remote.id, r.manifest);
      this.base.set(remote.id, remote);
      if (r.needsUpload) this.dirty.add(remote.id);
      else this.dirty.delete(remote.id);
      if (r.kind === 'conflict') this.saveConflictCopy(remote.id, r.localContent);
    }
    for (const remote of folders as FolderManifest[]) {
      const local = this.local.get(remote.id) as FolderManifest | undefined;
      const base = (this.base.get(remote.id) as FolderManifest | undefined) ?? null;
      if (!local) {
        this.local.set(remote.id, remote);
        this.base.set(remote.id, remote);
        continue;
      }
      const r = mergeFolder(base, local, remote, this.id, {
        ignore: w.ignore,
        hasUnseenChanges: (id, removedBy) => (removedBy === 'remote' ? this.hasDirtyUnder(id) : this.missedByDelete(id, snapshot)),
      });
      if (r.kind === 'keep-local') continue;
      w.stats.merges++;
      if (r.kind === 'rebase') w.stats.rebases++;
      if (r.kind === 'merged') {
        w.stats.nameConflicts += r.renamed.length;
        w.stats.restored += r.restored.length;
        for (const id of r.restored) this.tombstones.delete(id);
      }
      this.local.set(remote.id, r.manifest);
      this.base.set(remote.id, remote);
      if (r.needsUpload) this.dirty.add(remote.id);
      else this.dirty.delete(remote.id);
    }
    this.resurrectMissedDeletes(snapshot);
  }

  private hasDirtyUnder(id: VlobId): boolean {
    return this.subtree(id, (v) => this.local.get(v)).some((v) => this.dirty.has(v));
  }

  /** True if a vlob under `id` has a remote version this device had not seen when it deleted `id`. */
  private missedByDelete(id: VlobId, snapshot: ReadonlyMap<VlobId, Manifest>): boolean {
    const t = this.tombstones.get(id);
    if (!t) return false;
    const under = new Set([...t.seen.keys(), ...this.subtree(id, (v) => snapshot.get(v) ?? this.local.get(v))]);
    for (const v of under) {
      const remote = snapshot.get(v);
      if (remote && remote.version > (t.seen.get(v) ?? 0)) return true;
    }
    return false;
  }

  /**
   * A delete already uploaded may have raced with a write it never saw (the write landed after
   * this device last pulled). The deleting device is the only one that knows what it saw, so it
   * puts the entry back, into the nearest folder of the old path that still exists.
   */
  private resurrectMissedDeletes(snapshot: ReadonlyMap<VlobId, Manifest>): void {
    for (const id of [...this.tombstones.keys()].sort()) {
      const t = this.tombstones.get(id)!;
      if (!this.missedByDelete(id, snapshot)) continue;
      this.tombstones.delete(id);
      if (this.isReachable(id)) continue;
      let target: VlobId = t.parent;
      for (let i = 0; i < MAX_DEPTH && !(this.folder(target) && this.isReachable(target)); i++) {
        const up = this.local.get(target)?.parent;
        target = up === undefined || up === target ? ROOT : up;
      }
      if (!this.isReachable(target)) target = ROOT;
      const folder = this.folder(target)!;
      const taken = (n: string) => folder.children.has(n as EntryName) || this.world.ignore.matches(n);
      const name = taken(t.name) ? conflictName(t.name, 'name', taken) : t.name;
      this.setChildren(target, new Map(folder.children).set(name, id));
      this.world.stats.resurrected++;
    }
  }

  /** The local side of a file conflict becomes a new file beside the original. */
  private saveConflictCopy(originalId: VlobId, localContent: FileManifest): void {
    const holder = this.walk().find((e) => e.id === originalId);
    // Not in the local tree: this device deleted it, i.e. it saw and discarded that content.
    if (!holder) return;
    const copyId = this.nextId<VlobId>();
    this.local.set(copyId, { ...localContent, id: copyId, parent: holder.parent, version: 0, prev: null, author: this.id });
    this.dirty.add(copyId);
    const { manifest } = addConflictCopy(this.folder(holder.parent)!, originalId, copyId, this.world.ignore);
    this.local.set(holder.parent, manifest);
    this.dirty.add(holder.parent);
    this.world.stats.syncConflicts++;
  }

  /**
   * Uploads dirty vlobs reachable through non-ignored names, children before their folder.
   * Returns how many were uploaded and how many shareable changes are still pending.
   */
  push(lostAck: boolean): { uploaded: number; pending: number } {
    const w = this.world;
    const order: VlobId[] = [];
    const seen = new Set<VlobId>();
    const visit = (id: VlobId, depth: number) => {
      if (seen.has(id) || depth > MAX_DEPTH) return;
      seen.add(id);
      const m = this.local.get(id);
      if (m?.type === 'folder') {
        for (const [name, c] of [...m.children].sort(byName)) if (!w.ignore.matches(name)) visit(c, depth + 1);
      }
      order.push(id);
    };
    visit(ROOT, 0);
    let uploaded = 0;
    for (const id of order) {
      if (!this.dirty.has(id)) continue;
      const m = this.local.get(id)!;
      const base = this.base.get(id);
      let out: Manifest = { ...m, version: m.version + 1, author: this.id, timestamp: w.tick() };
      if (m.type === 'folder') {
        const baseChildren = base?.type === 'folder' ? base.children : new Map<EntryName, VlobId>();
        const entries: [EntryName, VlobId][] = [];
        for (const [n, c] of m.children) if (!w.ignore.matches(n)) entries.push([n, c]);
        for (const [n, c] of baseChildren) if (w.ignore.matches(n) && m.children.get(n) !== c) entries.push([n, c]);
        const children = new Map(entries.sort(byName));
        if (base && children.size === baseChildren.size && [...children].every(([n, c]) => baseChildren.get(n) === c) && base.parent === m.parent) {
          this.dirty.delete(id); // only scratch entries changed: nothing to share
          continue;
        }
        // Never publish a folder naming a child the server does not have.
        if ([...children.values()].some((c) => w.server.latest(c) === undefined)) continue;
        out = { ...out, children } as FolderManifest;
      }
      if (!w.server.upload(out)) {
        w.stats.versionConflicts++;
        continue;
      }
      uploaded++;
      w.stats.uploads++;
      if (lostAck) continue;
      this.base.set(id, out);
      this.local.set(id, { ...m, version: out.version, author: out.author, timestamp: out.timestamp });
      this.dirty.delete(id);
    }
    return { uploaded, pending: order.filter((id) => this.dirty.has(id)).length };
  }
}

class ModelWorld {
  readonly server = new ModelServer();
  readonly devices: ModelDevice[] = [];
  readonly written = new Set<string>();
  readonly superseded = new Set<string>();
  readonly stats: ModelStats = { uploads: 0, versionConflicts: 0, syncConflicts: 0, nameConflicts: 0, restored: 0, resurrected: 0, rebases: 0, merges: 0 };
  now = 1;
  readonly ignore: IgnoreMatcher;

  constructor(devices: number, options: ModelOptions) {
    this.ignore = compileIgnorePatterns(options.ignore ?? DEFAULT_IGNORE_PATTERNS);
    for (let i = 0; i < devices; i++) this.devices.push(new ModelDevice(i, hexId<DeviceId>(0xd0 + i, 1), this));
  }

  tick(): number {
    return ++this.now;
  }
}

function fail(invariant: string, message: string): never {
  throw new ModelInvariantError(`testing/${invariant}`, message);
}

/** The tree reachable from the root through `lookup`, as sorted `path\tD` / `path\tF:content` lines. */
function treeLines(lookup: (id: VlobId) => Manifest | undefined, ignore: IgnoreMatcher, includeIgnored: boolean): string[] {
  const lines: string[] = [];
  const visit = (id: VlobId, path: string, depth: number) => {
    const f = lookup(id);
    if (f?.type !== 'folder' || depth > MAX_DEPTH) return;
    for (const [name, c] of f.children) {
      if (!includeIgnored && ignore.matches(name)) continue;
      const m = lookup(c);
      const p = `${path}/${name}`;
      if (m === undefined) lines.push(`${p}\t?${c}`);
      else if (m.type === 'folder') {
        lines.push(`${p}\tD`);
        visit(c, p, depth + 1);
      } else lines.push(`${p}\tF:${contentKey(m)}`);
    }
  };
  visit(ROOT, '', 0);
  return lines.sort();
}

/**
 * Runs `scenario`, then lets every device pull and push in turn until nothing changes, and checks
 * the invariants. Returns the converged tree; throws `ModelInvariantError` with the broken
 * invariant: `testing/not-quiescent`, `testing/not-converged`, `testing/lost-data`,
 * `testing/invalid-name`, `testing/dangling-child`, `testing/ignored-uploaded`,
 * `testing/ignored-deleted`, `testing/not-idempotent`.
 */
export function runConvergenceModel(scenario: ModelScenario, options: ModelOptions = {}): ModelOutcome {
  const devices = Math.max(1, Math.floor(scenario.devices));
  const w = new ModelWorld(devices, options);
  for (const op of scenario.ops) w.devices[((op.device % devices) + devices) % devices]!.apply(op);

  // Everyone syncs, starting with a scenario-dependent device so the final order varies too.
  const start = scenario.ops.length % devices;
  let quiet = false;
  for (let round = 0; round < (options.maxFinalRounds ?? 12) && !quiet; round++) {
    quiet = true;
    for (let k = 0; k < devices; k++) {
      const d = w.devices[(start + k) % devices]!;
      d.pull();
      const { uploaded, pending } = d.push(false);
      if (uploaded > 0 || pending > 0) quiet = false;
    }
  }
  if (!quiet) fail('not-quiescent', 'devices still had changes to upload after the final sync rounds');

  const snapshot = w.server.snapshot();
  const serverTree = treeLines((id) => snapshot.get(id), w.ignore, true);
  for (const line of serverTree) {
    const [path, kind] = line.split('\t') as [string, string];
    if (kind.startsWith('?')) fail('dangling-child', `server folder names a vlob it does not have: ${path}`);
    const name = path.slice(path.lastIndexOf('/') + 1);
    if (w.ignore.matches(name)) fail('ignored-uploaded', `an ignored entry reached the server: ${path}`);
  }
  for (const m of snapshot.values()) {
    if (m.type !== 'folder') continue;
    for (const name of m.children.keys()) {
      const problem = entryNameProblem(name);
      if (problem !== null) fail('invalid-name', `${JSON.stringify(name)}: ${problem}`);
    }
  }
  for (const d of w.devices) {
    const tree = treeLines((id) => d.local.get(id), w.ignore, false);
    if (tree.join('\n') !== serverTree.join('\n')) {
      fail('not-converged', `device ${d.index} differs from the server:\n${tree.join('\n')}\n--- server ---\n${serverTree.join('\n')}`);
    }
    for (const [file, folder] of d.ignoredFiles) {
      const f = d.folder(folder);
      if (f && d.isReachable(folder) && ![...f.children.values()].includes(file)) {
        fail('ignored-deleted', `device ${d.index} lost its ignored file ${file}`);
      }
    }
  }
  const reachable = new Set(serverTree.map((l) => l.split('\t')[1]!).filter((k) => k.startsWith('F:')).map((k) => k.slice(2)));
  for (const c of [...w.written].sort()) {
    if (!w.superseded.has(c) && !reachable.has(c)) fail('lost-data', `content ${c} was written, never knowingly deleted or overwritten, and is gone`);
  }

  // Idempotence: merging the server state again into any device changes nothing. (Orphaned
  // vlobs, e.g. a folder edited then deleted, may keep local edits nobody will ever upload.)
  const live = subtree(ROOT, (id) => snapshot.get(id));
  for (const d of w.devices) {
    for (const id of live) {
      const remote = snapshot.get(id)!;
      const local = d.local.get(id);
      if (!local) fail('not-idempotent', `device ${d.index} never received ${id}`);
      const base = d.base.get(id) ?? null;
      const r =
        remote.type === 'file'
          ? mergeFile(base as FileManifest | null, local as FileManifest, remote, d.id)
          : mergeFolder(base as FolderManifest | null, local as FolderManifest, remote, d.id, { ignore: w.ignore });
      if (r.needsUpload || (r.kind !== 'keep-local' && r.kind !== 'take-remote')) {
        fail('not-idempotent', `device ${d.index}: merging ${id} again gave ${r.kind}, needsUpload ${r.needsUpload}`);
      }
    }
  }

  const fingerprint = [...snapshot].map(([id, m]) => `${id}@${m.version}:${m.type === 'folder' ? [...m.children].map(([n, c]) => `${n}=${c}`).join(',') : contentKey(m)}`).join('\n');
  return { tree: serverTree, fingerprint, stats: { ...w.stats } };
}
