/**
 * The "no entry lost between two moves" tree rule (`keepListed`, pure): an entry this device
 * moved from P to Q that each folder merge then dropped — P for the local move, Q for another
 * device's — goes back where its parent's verified version lists it; never for an entry this
 * device deleted, nor under a name this device ignores, nor where the shared data lists it
 * nowhere. From a 100,000-run counterexample of the convergence model, where both edits of the
 * file were lost.
 */
import { describe, expect, it } from 'vitest';
import type { VlobId } from '../../src/codec/ids.js';
import type { LocalEntry } from '../../src/client/local-entry.js';
import { keepListed } from '../../src/client/one-place.js';
import type { Changes } from '../../src/client/tree.js';
import type { FolderManifest } from '../../src/manifests/index.js';
import { compileIgnorePatterns } from '../../src/merge/index.js';
import { file, folder, ROOT, synced } from './entry-fixtures.js';

const Q = 'a1'.repeat(16) as VlobId;
const F = 'f1'.repeat(16) as VlobId;
const COPY = 'f2'.repeat(16) as VlobId;
const NO_PATTERNS = compileIgnorePatterns([]);

/** Before: f moved here from the root into Q. After the merge: the root (remote v3 lists f) and Q (remote v3 does not) both dropped it. */
function scene(rootRemote: [string, VlobId][] = [['archive', Q], ['f', F]]) {
  const before = new Map<VlobId, LocalEntry>([
    [ROOT, { ...synced(folder(ROOT, ROOT, [['archive', Q], ['f', F]], 2)), local: folder(ROOT, ROOT, [['archive', Q]], 2), needSync: true }],
    [Q, { ...synced(folder(Q, ROOT, [['f', F]], 2)), needSync: true }],
    [F, { ...synced(file(F, ROOT, 4, 1)), local: file(F, Q, 5, 1), needSync: true }],
  ]);
  const changes: Changes = new Map([
    [ROOT, { ...synced(folder(ROOT, ROOT, rootRemote, 3)), local: folder(ROOT, ROOT, [['archive', Q]], 3), needSync: true }],
    [Q, { ...synced(folder(Q, ROOT, [], 3)), local: folder(Q, ROOT, [['f (sync conflict 1)', COPY]], 3), needSync: true }],
    [F, synced(file(F, ROOT, 6, 2))],
  ]);
  const view = { get: (id: VlobId) => changes.get(id) ?? before.get(id) };
  return { before: { get: (id: VlobId) => before.get(id) }, changes, view };
}

const childrenOf = (changes: Changes, id: VlobId) => [...(changes.get(id)!.local as FolderManifest).children.keys()];

describe('keepListed: no entry lost between two moves', () => {
  it('puts an entry listed nowhere after the merge back where its parent\'s verified version lists it, and reports the move', () => {
    const { before, changes, view } = scene();
    const moved = keepListed(view, before, changes, NO_PATTERNS, 9, () => false);
    expect(childrenOf(changes, ROOT)).toEqual(['archive', 'f']);
    expect(moved).toEqual([{ id: F, from: Q, to: ROOT, name: 'f' }]);
    expect(changes.get(ROOT)!.needSync).toBe(true);
  });

  it('leaves it out when this device deleted it, when the name is ignored here, or when the shared data lists it nowhere', () => {
    for (const [label, s, deleted, ignore] of [
      ['deleted here', scene(), true, NO_PATTERNS],
      ['ignored name', scene([['archive', Q], ['f~', F]]), false, compileIgnorePatterns(['*~'])],
      ['listed nowhere remotely', scene([['archive', Q]]), false, NO_PATTERNS],
    ] as const) {
      const moved = keepListed(s.view, s.before, s.changes, ignore, 9, () => deleted);
      expect(moved, label).toEqual([]);
      expect(childrenOf(s.changes, ROOT), label).toEqual(['archive']);
    }
  });

  it('a name taken in the folder: back under a name-conflict name', () => {
    const { before, changes, view } = scene();
    const root = changes.get(ROOT)!;
    const other = 'f3'.repeat(16) as VlobId;
    changes.set(ROOT, { ...root, local: folder(ROOT, ROOT, [['archive', Q], ['f', other]], 3) });
    const moved = keepListed(view, before, changes, NO_PATTERNS, 9, () => false);
    expect(moved).toEqual([{ id: F, from: Q, to: ROOT, name: 'f (name conflict 1)' }]);
    expect(childrenOf(changes, ROOT)).toEqual(['archive', 'f', 'f (name conflict 1)']);
  });

  it('an entry still listed by a folder (moved, not lost) is left where it is', () => {
    const { before, changes, view } = scene();
    const q = changes.get(Q)!;
    changes.set(Q, { ...q, local: folder(Q, ROOT, [['f', F], ['f (sync conflict 1)', COPY]], 3) });
    expect(keepListed(view, before, changes, NO_PATTERNS, 9, () => false)).toEqual([]);
    expect(childrenOf(changes, ROOT)).toEqual(['archive']);
  });

  it("when its parent's verified version no longer lists it, a merged folder's verified version that does takes it", () => {
    // The other device removed it from the root (its own move kept it in Q meanwhile): Q's
    // newest version lists it, so it goes back there, its parent set to Q.
    const { before, changes, view } = scene([['archive', Q]]);
    changes.set(Q, { ...synced(folder(Q, ROOT, [['f', F]], 3)), local: folder(Q, ROOT, [['f (sync conflict 1)', COPY]], 3), needSync: true });
    const moved = keepListed(view, before, changes, NO_PATTERNS, 9, () => false);
    expect(moved).toEqual([{ id: F, from: Q, to: Q, name: 'f' }]);
    expect(childrenOf(changes, Q)).toEqual(['f', 'f (sync conflict 1)']);
    expect(changes.get(F)!.local.parent).toBe(Q);
  });
});
