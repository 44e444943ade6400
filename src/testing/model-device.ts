/**
 * The devices and world of the convergence model (`runConvergenceModel`): local edits, pull (merge) and push
 * (upload) as a sync engine must do them, with the client's tree rules (each entry in one place,
 * no cycle) and the ignore rule (ignored names stay on the device).
 * @module
 */
import type { BlockId, DeviceId, VlobId } from '../codec/ids.js';
import type { LocalEntry } from '../client/local-entry.js';
import { entryNameProblem, type EntryName } from '../manifests/entry-name.js';
import type { FileManifest, FolderManifest, Manifest } from '../manifests/types.js';
import { placementName } from '../merge/conflict-name.js';
import { compileIgnorePatterns, DEFAULT_IGNORE_PATTERNS, type IgnoreMatcher } from '../merge/ignore.js';
import { mergeFile } from '../merge/merge-file.js';
import { mergeFolder } from '../merge/merge-folder.js';
import { sharedChildren, workingChildren } from '../merge/shared-view.js';
import { listedElsewhereIn, sharedTree } from '../client/local-only.js';
import { saveConflictCopy } from './model-conflict-copy.js';
import { applyTreeRules, changePatterns, declassify, forkIntoScratch, pruneTombstones } from './model-rules.js';
import { byName, contentKey, emptyStats, hexId, MAX_DEPTH, ModelServer, PATTERN_SETS, ROOT, subtree, type Located, type ModelOp, type ModelOptions, type ModelStats, type Tombstone } from './model-types.js';

const NO_BYTES = new Uint8Array(0);

export class ModelDevice {
  readonly base = new Map<VlobId, Manifest>();
  readonly local = new Map<VlobId, Manifest>();
  readonly dirty = new Set<VlobId>();
  readonly tombstones = new Map<VlobId, Tombstone>();
  /** Ignored files this device created and still expects to find where it left them. */
  readonly ignoredFiles = new Map<VlobId, VlobId>();
  /** This device's ignore patterns (they may change: `patterns` operations). */
  ignore: IgnoreMatcher;
  private counter = 0;

  constructor(
    readonly index: number,
    readonly id: DeviceId,
    readonly world: ModelWorld,
  ) {
    const root: FolderManifest = { type: 'folder', id: ROOT, parent: ROOT, version: 0, created: 0, updated: 0, author: id, timestamp: 0, prev: null, children: new Map() };
    this.local.set(ROOT, root);
    this.dirty.add(ROOT);
    this.ignore = world.patternsOf(index);
  }

  /** This device holds a verified version of `id`: shared data, whatever its name here (`IsShared`). */
  readonly isShared = (id: VlobId): boolean => this.base.has(id);

  /** This device's entry `id` as the client sees it (for the client's tree rules). */
  entry(id: VlobId): LocalEntry | undefined {
    const local = this.local.get(id);
    if (local === undefined) return undefined;
    const base = this.base.get(id);
    return { local, needSync: this.dirty.has(id), base: base === undefined ? null : { manifest: base, signed: NO_BYTES, keyIndex: 0 } };
  }

  /** Each entry of this device's shared tree, with whether it is hidden here (the client's `sharedTree`). */
  hiddenFolders(): Map<VlobId, boolean> {
    return sharedTree({ get: (id) => this.entry(id) }, ROOT, this.ignore);
  }

  /** True when a name of `path` (`/a/b`) is ignored by this device. */
  ignoredPath(path: string): boolean {
    return path.split('/').some((n) => n !== '' && this.ignore.matches(n));
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
        if (!includeIgnored && this.ignore.matches(name)) continue;
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
        if (op.op === 'mkdir' && this.ignore.matches(name)) return; // folders are never scratch files
        const id = this.nextId<VlobId>();
        const common = { id, parent: parentId, version: 0, created: w.tick(), updated: w.now, author: this.id, timestamp: w.now, prev: null };
        const m: Manifest = op.op === 'mkdir' ? { type: 'folder', ...common, children: new Map() } : { type: 'file', ...common, size: 0, blocksize: 4, blocks: [] };
        this.local.set(id, m);
        this.dirty.add(id);
        this.setChildren(parentId, new Map(parent.children).set(name, id));
        if (this.ignore.matches(name)) this.ignoredFiles.set(id, parentId);
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
        // Scratch: written under a name this device ignores, into an entry never shared. Whatever
        // reached the server is shared, or will be once the device learns so (a lost answer): it
        // then holds a verified version (`isShared`) and its pending edits follow the entry, a
        // documented corner. (A file never shared under a hidden folder stays scratch, even
        // when the folder turns out shared: nothing never shared goes out from a hidden path.)
        if (this.ignoredPath(e.path) && !w.server.vlobs.has(e.id)) w.scratch.add(contentKey(next));
        else if (this.ignoredPath(e.path)) w.superseded.add(contentKey(f));
        else {
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
        if (this.ignore.matches(name) && !this.ignoredPath(e.path)) {
          // Into a scratch name: a delete to the others, a fresh copy here (the client's rule).
          if (this.local.get(e.id)?.type === 'file') forkIntoScratch(this, e, name);
          return;
        }
        const children = new Map(parent.children);
        children.delete(e.name);
        this.setChildren(e.parent, children.set(name, e.id));
        // Out of an ignored path into a shown one (a scratch file, or a folder a pattern change
        // hid): what it holds is shown again and goes out with it, by the user's choice. Renamed
        // inside a folder that stays ignored, it stays scratch.
        const shownNow = !this.ignoredPath(`${e.path.slice(0, e.path.length - e.name.length)}${name}`);
        if (this.ignoredPath(e.path) && shownNow) {
          this.ignoredFiles.delete(e.id);
          const under = new Set(this.subtree(e.id, (id) => this.local.get(id)));
          for (const x of this.walk()) {
            if (!under.has(x.id) || this.ignoredPath(x.path)) continue;
            this.ignoredFiles.delete(x.id);
            declassify(w, this.local.get(x.id));
            // As the client: each folder shown again is uploaded again (a new shared view).
            if (this.local.get(x.id)?.type === 'folder') this.dirty.add(x.id);
          }
        }
        return;
      }
      case 'move': {
        const entries = this.walk();
        const e = entries[op.target % Math.max(1, entries.length)];
        if (!e) return;
        const folders = this.folders();
        const destId = folders[op.parent % folders.length]!;
        const dest = this.folder(destId)!;
        if (destId === e.parent || dest.children.has(e.name)) return;
        // Never into itself; scratch crossings go through `rename` (fork), not here.
        if (this.subtree(e.id, (id) => this.local.get(id)).includes(destId)) return;
        const destPath = this.walk().find((x) => x.id === destId)?.path ?? '';
        if (this.ignoredPath(e.path) || this.ignoredPath(destPath)) return;
        const src = new Map(this.folder(e.parent)!.children);
        src.delete(e.name);
        this.setChildren(e.parent, src);
        this.setChildren(destId, new Map(dest.children).set(e.name, e.id));
        const f = this.local.get(e.id)!;
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
        const seen = new Map<VlobId, number>();
        for (const v of this.subtree(e.id, (id) => this.local.get(id))) {
          const m = this.local.get(v);
          if (!m) continue;
          seen.set(v, m.version);
          // A causally-aware delete: this device saw this content, so it may go — also when it
          // was written under a shown name that a pattern change hid since (the user deletes it).
          if (m.type === 'file') w.superseded.add(contentKey(m));
        }
        // As the client's `removeChanges`: what was never shared under it goes for good.
        this.dropNeverShared(e.id);
        // Scratch goes without a trace; a shared entry kept under a name ignored here (`isShared`)
        // is a shared delete, as in the client.
        if (this.ignoredPath(e.path) && !this.isShared(e.id)) return;
        this.tombstones.set(e.id, { parent: e.parent, name: e.name, seen });
        return;
      }
      case 'patterns':
        changePatterns(this, compileIgnorePatterns(PATTERN_SETS[((op.set % PATTERN_SETS.length) + PATTERN_SETS.length) % PATTERN_SETS.length]!));
        return;
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
    w.pulls[this.index]!++;
    const before = new Map(this.local);
    const snapshot = w.server.snapshot();
    const files = [...snapshot.values()].filter((m) => m.type === 'file');
    // Folders this device hides, before this pull (as the client's `applyRemote`).
    const hiddenHere = this.hiddenFolders();
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
      if (r.kind === 'conflict') saveConflictCopy(this, remote.id, r.localContent, remote.parent, hiddenHere);
    }
    for (const remote of folders as FolderManifest[]) {
      const local = this.local.get(remote.id) as FolderManifest | undefined;
      const base = (this.base.get(remote.id) as FolderManifest | undefined) ?? null;
      if (!local) {
        // Hidden children (names this device ignores) stay out of the working copy.
        this.local.set(remote.id, { ...remote, children: workingChildren(remote.children, [], this.ignore) });
        this.base.set(remote.id, remote);
        continue;
      }
      const r = mergeFolder(base, local, remote, this.id, {
        ignore: this.ignore,
        // As the client's `applyRemote`: what this pull delivers a verified version of is shared
        // too, whatever order the folders merge in.
        isShared: (id) => this.isShared(id) || snapshot.has(id),
        hidden: hiddenHere.get(remote.id) === true,
        hasUnseenChanges: (id, removedBy) => (removedBy === 'remote' ? this.hasDirtyUnder(id) : this.missedByDelete(id, snapshot)),
      });
      if (r.kind === 'keep-local') continue;
      w.stats.merges++;
      if (r.kind === 'rebase') w.stats.rebases++;
      if (r.kind === 'merged') {
        w.stats.nameConflicts += r.renamed.length;
        w.stats.restored += r.restored.length;
        for (const id of r.restored) {
          if (!this.tombstones.delete(id)) continue;
          this.dropNeverShared(id);
        }
      }
      this.local.set(remote.id, r.manifest);
      this.base.set(remote.id, remote);
      if (r.needsUpload) this.dirty.add(remote.id);
      else this.dirty.delete(remote.id);
    }
    applyTreeRules(this, before);
    this.resurrectMissedDeletes(snapshot);
    pruneTombstones(this);
  }

  /**
   * True when `id` or an entry under it has changes to share. Scratch entries (names this device
   * ignores) do not count, as in the client (`hasLocalChanges`): they never leave the device, so a
   * remote delete or move of their folder missed nothing shared (and a scratch file is dirty for
   * ever: counting it would put a remotely moved folder back on every pull).
   */
  private hasDirtyUnder(id: VlobId): boolean {
    const stack = [id];
    const seen = new Set<VlobId>();
    while (stack.length > 0) {
      const cur = stack.pop()!;
      if (seen.has(cur)) continue;
      seen.add(cur);
      if (this.dirty.has(cur)) return true;
      const m = this.local.get(cur);
      if (m?.type === 'folder') for (const [n, c] of m.children) if (!this.ignore.matches(n)) stack.push(c);
    }
    return false;
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
      // Listed by the shared tree (a hidden child included: another device moved it under a name
      // this device ignores), it is not lost: put back, it would be listed twice.
      if (this.isReachable(id) || this.hiddenFolders().has(id)) continue;
      let target: VlobId = t.parent;
      for (let i = 0; i < MAX_DEPTH && !(this.folder(target) && this.isReachable(target)); i++) {
        const up = this.local.get(target)?.parent;
        target = up === undefined || up === target ? ROOT : up;
      }
      if (!this.isReachable(target)) target = ROOT;
      const folder = this.folder(target)!;
      const inFolder = (n: string) => folder.children.has(n as EntryName);
      const ignored = (n: string) => this.ignore.matches(n);
      const name = inFolder(t.name) || ignored(t.name) ? placementName(t.name, 'name', inFolder, ignored) : t.name;
      this.setChildren(target, new Map(folder.children).set(name, id));
      this.dropNeverShared(id);
      this.world.stats.resurrected++;
    }
  }

  /** As the client's `dropNeverShared`: put back over this device's delete, what it never shared under `id` stays deleted. */
  private dropNeverShared(id: VlobId): void {
    for (const v of this.subtree(id, (x) => this.local.get(x))) {
      const f = this.folder(v);
      if (f === undefined) continue;
      const holdsShared = (c: VlobId) => this.subtree(c, (x) => this.local.get(x)).some((x) => this.base.has(x));
      const kept = [...f.children].filter(([, c]) => holdsShared(c));
      if (kept.length === f.children.size) continue;
      for (const [, c] of f.children) if (!holdsShared(c)) this.ignoredFiles.delete(c);
      this.setChildren(v, new Map(kept));
    }
  }

  /**
   * Uploads dirty vlobs reachable through non-ignored names, children before their folder.
   * Returns how many were uploaded and how many shareable changes are still pending.
   */
  push(lostAck: boolean): { uploaded: number; pending: number } {
    const w = this.world;
    const order: VlobId[] = [];
    const seen = new Set<VlobId>();
    const hiddenHere = new Map<VlobId, boolean>();
    const visit = (id: VlobId, depth: number, hidden: boolean) => {
      if (seen.has(id) || depth > MAX_DEPTH) return;
      seen.add(id);
      hiddenHere.set(id, hidden);
      const m = this.local.get(id);
      if (m?.type === 'folder') {
        const b = this.base.get(id);
        for (const [n, c] of sharedChildren(m.children, b?.type === 'folder' ? b.children : null, this.ignore, this.isShared, hidden)) visit(c, depth + 1, hidden || this.ignore.matches(n));
      }
      order.push(id);
    };
    visit(ROOT, 0, false);
    let uploaded = 0;
    for (const id of order) {
      const m = this.local.get(id)!;
      // As the client: a clean folder is uploaded too when its shared view no longer matches its
      // verified version (shown again with never-shared children).
      if (!this.dirty.has(id) && (m.type !== 'folder' || !this.base.has(id))) continue;
      const base = this.base.get(id);
      let out: Manifest = { ...m, version: m.version + 1, author: this.id, timestamp: w.tick() };
      if (m.type === 'folder') {
        const baseChildren = base?.type === 'folder' ? base.children : new Map<EntryName, VlobId>();
        const children = sharedChildren(m.children, base?.type === 'folder' ? base.children : null, this.ignore, this.isShared, hiddenHere.get(id) === true);
        // As the client's `uploadContent`: a hidden base child this device moved elsewhere while shown.
        const elsewhere = listedElsewhereIn({ get: (x) => this.entry(x) });
        for (const [n, c] of children) if (this.ignore.matches(n) && !m.children.has(n) && baseChildren.get(n) === c && elsewhere(c, id)) children.delete(n);
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

export class ModelWorld {
  readonly server = new ModelServer();
  readonly devices: ModelDevice[] = [];
  readonly written = new Set<string>();
  readonly superseded = new Set<string>();
  /** Content written into a scratch path (by the device that ignores it): must never reach the server. */
  readonly scratch = new Set<string>();
  /** Pulls per device (the tombstone pruning rule). */
  readonly pulls: number[];
  readonly stats: ModelStats = emptyStats();
  now = 1;

  constructor(
    devices: number,
    private readonly options: ModelOptions,
  ) {
    this.pulls = new Array<number>(devices).fill(0);
    for (let i = 0; i < devices; i++) this.devices.push(new ModelDevice(i, hexId<DeviceId>(0xd0 + i, 1), this));
  }

  /** Device `index`'s starting patterns. */
  patternsOf(index: number): IgnoreMatcher {
    return compileIgnorePatterns(this.options.devicePatterns?.[index] ?? this.options.ignore ?? DEFAULT_IGNORE_PATTERNS);
  }

  tick(): number {
    return ++this.now;
  }
}
