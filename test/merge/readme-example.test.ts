/** The README's "property-testing your use of mergeFolder" example, kept compiling and passing. */
import * as fc from 'fast-check';
import { expect, it } from 'vitest';
import type { VlobId } from '../../src/codec/ids.js';
import { mergeFolder } from '../../src/merge/index.js';
import { folderMergeInputArbitrary, runConvergenceModel, scenarioArbitrary, type FolderMergeInput } from '../../src/testing/index.js';

// The app's rule: a child with unsaved edits (here: "pinned") never disappears through a merge.
// (This app syncs every name: with ignore patterns, a child renamed remotely to an ignored name is
// hidden locally, by design.)
function appMerge({ base, local, remote, me }: FolderMergeInput, pinned: ReadonlySet<VlobId>) {
  return mergeFolder(base, local, remote, me, { ignore: [], hasUnseenChanges: (id) => pinned.has(id) });
}

it('README example: pinned children survive any merge', () => {
  fc.assert(
    fc.property(folderMergeInputArbitrary(), fc.nat(3), (input, k) => {
      const pinned = new Set([...input.local.children.values()].slice(0, k));
      const kept = new Set(appMerge(input, pinned).manifest.children.values());
      for (const id of pinned) expect(kept.has(id)).toBe(true);
    }),
    { numRuns: 300, seed: 7 },
  );
});

it('README example: the convergence model with the app’s ignore patterns', () => {
  fc.assert(
    fc.property(scenarioArbitrary({ maxDevices: 3, maxOps: 30 }), (scenario) => {
      runConvergenceModel(scenario, { ignore: ['*.partial', '.DS_Store'] }); // throws on a broken invariant
    }),
    { numRuns: 100, seed: 7 },
  );
});
