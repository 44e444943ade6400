/**
 * mergeFolder on folders of 10k, 100k and 1M children with 1% of the children changed on each
 * side (renames, additions, removals). Goal: 100k < 150 ms, linear growth. The baseline, measured
 * in the same run on the same folder, is the least any merge must do: copy the children into a
 * new Map and sort them by name.
 */
import { performance } from 'node:perf_hooks';
import type { DeviceId, VlobId } from '../src/codec/ids.js';
import type { EntryName } from '../src/manifests/entry-name.js';
import type { FolderManifest } from '../src/manifests/types.js';
import { mergeFolder } from '../src/merge/index.js';
import { report, section } from './util.js';

const ME = 'd1000000000000000000000000000001' as DeviceId;
const OTHER = 'd2000000000000000000000000000002' as DeviceId;

function idOf(i: number): VlobId {
  return i.toString(16).padStart(32, '0') as VlobId;
}

function folder(version: number, author: DeviceId, entries: Iterable<readonly [EntryName, VlobId]>): FolderManifest {
  const id = 'f'.repeat(32) as VlobId;
  return { type: 'folder', id, parent: id, version, created: 1, updated: version, author, timestamp: version, prev: null, children: new Map(entries) };
}

/** Applies `n / 100` edits (a third renames, additions, removals) picked by a seeded generator. */
function edit(base: ReadonlyMap<EntryName, VlobId>, names: EntryName[], seed: number, tag: string, nextId: number): Map<EntryName, VlobId> {
  const m = new Map(base);
  let s = seed;
  const rnd = () => ((s = (s * 1103515245 + 12345) >>> 0), s);
  const k = Math.max(3, Math.floor(names.length / 100));
  for (let i = 0; i < k; i++) {
    const victim = names[rnd() % names.length]!;
    const id = m.get(victim);
    if (i % 3 === 0 && id !== undefined) (m.delete(victim), m.set(`${victim}-${tag}-renamed` as EntryName, id));
    else if (i % 3 === 1) m.set(`new-${tag}-${i}.txt` as EntryName, idOf(nextId + i));
    else m.delete(victim);
  }
  return m;
}

/** Median of `reps` timed calls, after three warm-up calls when `warm` (skipped for the 1M size: already hot). */
function time(fn: () => unknown, reps: number, warm = true): number {
  if (warm) for (let i = 0; i < 3; i++) fn();
  const t: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    fn();
    t.push(performance.now() - t0);
  }
  return t.sort((a, b) => a - b)[Math.floor(t.length / 2)]!;
}

function sorted(f: FolderManifest): FolderManifest {
  return { ...f, children: new Map([...f.children].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))) };
}

export async function run(): Promise<void> {
  section('merge: mergeFolder, 1% of children changed on each side');
  const sizes = [10_000, 100_000, 1_000_000];
  let prev: { n: number; ms: number; canon: number; base: number } | undefined;
  for (const n of sizes) {
    // Names in a shuffled order (a folder filled over time, or decoded in CBOR key order).
    const names: EntryName[] = [];
    for (let i = 0; i < n; i++) names.push(`document-${((i * 2654435761) >>> 0).toString(36)}-${i}.txt` as EntryName);
    const base = folder(1, OTHER, names.map((nm, i) => [nm, idOf(i + 1)] as const));
    const local = folder(1, ME, edit(base.children, names, 1, 'l', n + 10));
    const remote = folder(2, OTHER, edit(base.children, names, 2, 'r', 2 * n + 10));
    const big = n >= 1_000_000;
    const reps = big ? 1 : 5;
    const ms = time(() => mergeFolder(base, local, remote, ME), reps, !big);
    const baselineMs = time(() => [...new Map(remote.children)].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)), reps, !big);
    // Inputs already in name order, as produced by a previous mergeFolder: no sort needed.
    const [sb, sl, sr] = [sorted(base), sorted(local), sorted(remote)];
    const canonMs = time(() => mergeFolder(sb, sl, sr, ME), reps, !big);
    const r = mergeFolder(base, local, remote, ME);
    report(`mergeFolder ${n.toLocaleString('en')} children (shuffled maps)`, n / (ms / 1000), n / (baselineMs / 1000), 'children/s', 'Map copy+sort');
    const growth = prev
      ? `; growth ×${(ms / prev.ms).toFixed(1)} (name-ordered ×${(canonMs / prev.canon).toFixed(1)}, baseline ×${(baselineMs / prev.base).toFixed(1)}) for ×${n / prev.n} size`
      : '';
    console.log(
      `  ${ms.toFixed(1)} ms shuffled, ${canonMs.toFixed(1)} ms name-ordered, baseline ${baselineMs.toFixed(1)} ms; ${r.kind}, ${r.needsUpload ? 'upload' : 'no upload'}${growth}`,
    );
    prev = { n, ms, canon: canonMs, base: baselineMs };
  }
}
