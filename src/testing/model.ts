/**
 * The multi-device convergence model: a model server (versioned vlobs, `version == current + 1`
 * or a version conflict) and N offline devices that edit their local tree and sync in any order
 * through `mergeFile` / `mergeFolder`. It is the executable statement of what the merge rules promises:
 * after everyone syncs, all devices hold the same tree, nothing written is lost unless a device
 * that had seen it deleted or overwrote it, every name is valid, ignored entries never leave their
 * device, and syncing again changes nothing. Devices may ignore different names and change their
 * patterns over time, move folders concurrently (the client's one-place and no-cycle rules apply),
 * and forget delete tombstones once every other device has pulled after the delete.
 *
 * Plain TypeScript, no fast-check: drive it with `scenarioArbitrary()` or with your own generator.
 * The sync logic here is a small reference of what a sync engine must feed the merge functions
 * (dirty tracking, the `hasUnseenChanges` oracle, local tombstones of deletes, conflict copies).
 * @module
 */
import type { VlobId } from '../codec/ids.js';
import { entryNameProblem } from '../manifests/entry-name.js';
import type { FileManifest, FolderManifest, Manifest } from '../manifests/types.js';
import { compileIgnorePatterns, type IgnoreMatcher } from '../merge/ignore.js';
import { mergeFile } from '../merge/merge-file.js';
import { mergeFolder } from '../merge/merge-folder.js';
import { ModelWorld, type ModelDevice } from './model-device.js';
import { contentKey, MAX_DEPTH, ModelInvariantError, ROOT, subtree, type ModelOptions, type ModelOutcome, type ModelScenario } from './model-types.js';

export { ModelInvariantError, PATTERN_SETS, type ModelOp, type ModelOptions, type ModelOutcome, type ModelScenario, type ModelStats } from './model-types.js';

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


const NOTHING = compileIgnorePatterns([]);

/** True when `id` is reachable in the server tree through names device `d` does not ignore. */
function shownTo(d: ModelDevice, id: VlobId, snapshot: ReadonlyMap<VlobId, Manifest>): boolean {
  const stack: VlobId[] = [ROOT];
  const seen = new Set<VlobId>();
  while (stack.length > 0) {
    const cur = stack.pop()!;
    if (cur === id) return true;
    if (seen.has(cur)) continue;
    seen.add(cur);
    const m = snapshot.get(cur);
    if (m?.type === 'folder') for (const [n, c] of m.children) if (!d.ignore.matches(n)) stack.push(c);
  }
  return false;
}

/** Each vlob in one place: no id listed twice in the tree reachable from the root. */
function onePlace(what: string, lookup: (id: VlobId) => Manifest | undefined): void {
  const seen = new Set<VlobId>([ROOT]);
  const stack: VlobId[] = [ROOT];
  while (stack.length > 0) {
    const m = lookup(stack.pop()!);
    if (m?.type !== 'folder') continue;
    for (const [n, c] of m.children) {
      if (seen.has(c)) fail('not-one-place', `${what}: vlob ${c} (${n}) is listed twice or closes a cycle`);
      seen.add(c);
      stack.push(c);
    }
  }
}

/**
 * Runs `scenario`, then lets every device pull and push in turn until nothing changes, and checks
 * the invariants. Returns the converged tree; throws `ModelInvariantError` with the broken
 * invariant: `testing/not-quiescent`, `testing/not-converged`, `testing/lost-data`,
 * `testing/invalid-name`, `testing/dangling-child`, `testing/ignored-uploaded`,
 * `testing/ignored-deleted`, `testing/not-one-place`, `testing/not-idempotent`.
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
  const serverTree = treeLines((id) => snapshot.get(id), NOTHING, true);
  for (const line of serverTree) {
    const [path, kind] = line.split('\t') as [string, string];
    if (kind.startsWith('?')) fail('dangling-child', `server folder names a vlob it does not have: ${path}`);
  }
  // No content written into a scratch path ever reached the server, in any version.
  for (const versions of w.server.vlobs.values()) {
    for (const m of versions) if (m.type === 'file' && w.scratch.has(contentKey(m))) fail('ignored-uploaded', `scratch content ${contentKey(m)} reached the server (vlob ${m.id} v${m.version})`);
  }
  onePlace('server', (id) => snapshot.get(id));
  for (const m of snapshot.values()) {
    if (m.type !== 'folder') continue;
    for (const name of m.children.keys()) {
      const problem = entryNameProblem(name);
      if (problem !== null) fail('invalid-name', `${JSON.stringify(name)}: ${problem}`);
    }
  }
  for (const d of w.devices) {
    // Each device shows the shared tree minus the names it ignores (its own scratch aside).
    const tree = treeLines((id) => d.local.get(id), d.ignore, false);
    const shown = treeLines((id) => snapshot.get(id), d.ignore, false);
    if (tree.join('\n') !== shown.join('\n')) {
      fail('not-converged', `device ${d.index} differs from the server:\n${tree.join('\n')}\n--- server (as device ${d.index} shows it) ---\n${shown.join('\n')}`);
    }
    onePlace(`device ${d.index}`, (id) => d.local.get(id));
    for (const [file, folder] of d.ignoredFiles) {
      const f = d.folder(folder);
      if (f && d.isReachable(folder) && ![...f.children.values()].includes(file)) {
        fail('ignored-deleted', `device ${d.index} lost its ignored file ${file}`);
      }
    }
  }
  const reachable = new Set(serverTree.map((l) => l.split('\t')[1]!).filter((k) => k.startsWith('F:')).map((k) => k.slice(2)));
  // Kept, not lost: a file never shared that its device holds in a folder hidden there (another
  // device moved the folder under a name this one ignores before its new file went out). Nothing
  // never shared leaves a hidden path; the file goes out once the device's patterns show it.
  const stranded = new Set<string>();
  for (const d of w.devices) {
    const hidden = d.hiddenFolders();
    for (const [id, m] of d.local) if (m.type === 'file' && !w.server.vlobs.has(id) && hidden.get(m.parent) === true) stranded.add(contentKey(m));
  }
  for (const c of [...w.written].sort()) {
    if (!w.superseded.has(c) && !reachable.has(c) && !stranded.has(c)) fail('lost-data', `content ${c} was written, never knowingly deleted or overwritten, and is gone`);
  }

  // Idempotence: merging the server state again into any device changes nothing. (Orphaned
  // vlobs, e.g. a folder edited then deleted, may keep local edits nobody will ever upload.)
  const live = subtree(ROOT, (id) => snapshot.get(id));
  for (const d of w.devices) {
    const hiddenHere = d.hiddenFolders();
    for (const id of live) {
      const remote = snapshot.get(id)!;
      // Under a name this device ignores: hidden here (pending edits of it wait, never uploaded).
      if (!shownTo(d, id, snapshot)) continue;
      const local = d.local.get(id);
      if (!local) fail('not-idempotent', `device ${d.index} never received ${id}`);
      const base = d.base.get(id) ?? null;
      const r =
        remote.type === 'file'
          ? mergeFile(base as FileManifest | null, local as FileManifest, remote, d.id)
          : mergeFolder(base as FolderManifest | null, local as FolderManifest, remote, d.id, { ignore: d.ignore, isShared: d.isShared, hidden: hiddenHere.get(id) === true });
      if (r.needsUpload || (r.kind !== 'keep-local' && r.kind !== 'take-remote')) {
        fail('not-idempotent', `device ${d.index}: merging ${id} again gave ${r.kind}, needsUpload ${r.needsUpload}`);
      }
    }
  }

  const fingerprint = [...snapshot].map(([id, m]) => `${id}@${m.version}:${m.type === 'folder' ? [...m.children].map(([n, c]) => `${n}=${c}`).join(',') : contentKey(m)}`).join('\n');
  return { tree: serverTree, fingerprint, stats: { ...w.stats } };
}
