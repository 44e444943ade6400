/** Properties of the pure mergeFolder on random three-way inputs (hostile names included). */
import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { VlobId } from '../../src/codec/ids.js';
import { isEntryName } from '../../src/manifests/entry-name.js';
import type { FolderManifest } from '../../src/manifests/types.js';
import { mergeFolder } from '../../src/merge/index.js';
import { folderMergeInputArbitrary } from '../../src/testing/index.js';

const SEED = process.env.SEALSYNC_SEED === undefined ? 424242 : Number(process.env.SEALSYNC_SEED);
const RUNS = Math.max(300, Math.floor(Number(process.env.SEALSYNC_MERGE_RUNS ?? 1000) / 2));

function shuffled(f: FolderManifest, seed: number): FolderManifest {
  const e = [...f.children];
  for (let i = e.length - 1; i > 0; i--) {
    seed = (seed * 1103515245 + 12345) >>> 0;
    const j = seed % (i + 1);
    [e[i], e[j]] = [e[j]!, e[i]!];
  }
  return { ...f, children: new Map(e) };
}

const ids = (f: FolderManifest | null) => new Set<VlobId>(f ? f.children.values() : []);

describe('mergeFolder properties', () => {
  it(`is deterministic, keeps names valid and unique, and never drops an added or renamed child (${RUNS} runs, seed ${SEED})`, () => {
    fc.assert(
      fc.property(folderMergeInputArbitrary(), fc.nat(), ({ base, local, remote, me }, s) => {
        const r = mergeFolder(base, local, remote, me, { ignore: [] });
        const again = mergeFolder(base && shuffled(base, s), shuffled(local, s + 1), shuffled(remote, s + 2), me, { ignore: [] });
        expect([...again.manifest.children]).toEqual([...r.manifest.children]);
        expect(again.needsUpload).toBe(r.needsUpload);

        const out = [...r.manifest.children];
        for (const [n] of out) expect(isEntryName(n)).toBe(true);
        expect(new Set(out.map(([, c]) => c)).size).toBe(out.length); // each child once
        if (r.kind !== 'merged') return;
        const b = ids(base);
        const kept = ids(r.manifest);
        for (const side of [local, remote]) {
          for (const [n, c] of side.children) {
            const inBase = base?.children.get(n) === c;
            if (!inBase) expect(kept.has(c), `child ${c} added/renamed as ${JSON.stringify(n)} was dropped`).toBe(true);
          }
        }
        for (const c of kept) expect(b.has(c) || ids(local).has(c) || ids(remote).has(c)).toBe(true);
        // Merging the result again against the same remote changes nothing.
        const second = mergeFolder(remote, r.manifest, remote, me, { ignore: [] });
        expect(second.kind).toBe('keep-local');
        expect([...second.manifest.children]).toEqual(out);
      }),
      { numRuns: RUNS, seed: SEED },
    );
  });
});
