/**
 * The ignored-name ("confined" in Parsec) cases of Parsec's folder merge tests, run as data
 * against `mergeFolder` (issue 18). Parsec keeps confined ids in two sets beside the children;
 * sealsync derives them from base and remote (`shared-view.ts`), so each case states only base,
 * local working copy and remote, under the pattern `*.tmp`. Where the outcomes differ the case
 * says why. Ids: 1–4 ordinary children, 8–9 confined.
 */
import { describe, expect, it } from 'vitest';
import type { FolderManifest } from '../../src/manifests/types.js';
import { mergeFolder, type FolderMergeResult } from '../../src/merge/index.js';
import { folder, ME, names } from './helpers.js';

interface Case {
  /** Parsec's name of the case. */
  parsec: string;
  base: FolderManifest;
  local: FolderManifest;
  remote: FolderManifest;
  kind: FolderMergeResult['kind'];
  /** The working copy after the merge (what this device shows). */
  shown: Record<string, number>;
  upload: Record<string, number> | null;
}

const cases: Case[] = [
  // no_remote_change
  { parsec: 'same_version', base: folder(2, {}), local: folder(2, {}), remote: folder(2, {}), kind: 'keep-local', shown: {}, upload: null },
  { parsec: 'older_version', base: folder(2, {}), local: folder(2, {}), remote: folder(1, { 'child.txt': 1 }), kind: 'keep-local', shown: {}, upload: null },
  { parsec: 'same_version_with_local_confinement', base: folder(2, {}), local: folder(2, { 'child.tmp': 8 }), remote: folder(2, {}), kind: 'keep-local', shown: { 'child.tmp': 8 }, upload: null },
  { parsec: 'same_version_with_remote_confinement', base: folder(2, { 'child.tmp': 8 }), local: folder(2, {}), remote: folder(2, { 'child.tmp': 8 }), kind: 'keep-local', shown: {}, upload: null },
  // no_remote_change_but_local_uses_outdated_prevent_sync_pattern: Parsec reports "no change";
  // here the working copy holds no pattern state, so an entry that no longer matches is simply a
  // local child (uploaded), and one that now matches is hidden (kept from the base).
  { parsec: 'local_entry_matching_outdated_pattern (differs: shared now)', base: folder(2, {}), local: folder(2, { 'child.tmp~': 3 }), remote: folder(2, {}), kind: 'keep-local', shown: { 'child.tmp~': 3 }, upload: { 'child.tmp~': 3 } },
  { parsec: 'remote_entry_matching_new_pattern', base: folder(2, { 'child.tmp': 8 }), local: folder(2, { 'child.tmp': 8 }), remote: folder(2, { 'child.tmp': 8 }), kind: 'keep-local', shown: { 'child.tmp': 8 }, upload: null },
  { parsec: 'local_entry_matching_new_pattern', base: folder(2, {}), local: folder(2, { 'child.tmp': 8 }), remote: folder(2, {}), kind: 'keep-local', shown: { 'child.tmp': 8 }, upload: null },
  // remote_only_change
  { parsec: 'only_updated_field_modified', base: folder(1, {}), local: folder(1, {}), remote: folder(2, {}), kind: 'take-remote', shown: {}, upload: null },
  { parsec: 'new_entry_added', base: folder(1, {}), local: folder(1, {}), remote: folder(2, { 'child.txt': 1 }), kind: 'take-remote', shown: { 'child.txt': 1 }, upload: null },
  { parsec: 'new_entry_added_overwriting_existing_entry', base: folder(1, { 'child.txt': 1 }), local: folder(1, { 'child.txt': 1 }), remote: folder(2, { 'child.txt': 2 }), kind: 'take-remote', shown: { 'child.txt': 2 }, upload: null },
  { parsec: 'entry_renamed', base: folder(1, { 'child.txt': 1 }), local: folder(1, { 'child.txt': 1 }), remote: folder(2, { 'child-renamed.txt': 1 }), kind: 'take-remote', shown: { 'child-renamed.txt': 1 }, upload: null },
  { parsec: 'entry_renamed_overwriting_existing_entry', base: folder(1, { 'child.txt': 1, 'child2.txt': 2 }), local: folder(1, { 'child.txt': 1, 'child2.txt': 2 }), remote: folder(2, { 'child.txt': 2 }), kind: 'take-remote', shown: { 'child.txt': 2 }, upload: null },
  { parsec: 'entry_removed', base: folder(1, { 'child.txt': 1 }), local: folder(1, { 'child.txt': 1 }), remote: folder(2, {}), kind: 'take-remote', shown: {}, upload: null },
  { parsec: 'existing_confined_entry_then_new_non_confined_entry_added', base: folder(1, { 'confined.tmp': 9 }), local: folder(1, {}), remote: folder(2, { 'confined.tmp': 9, 'child.txt': 1 }), kind: 'take-remote', shown: { 'child.txt': 1 }, upload: null },
  { parsec: 'confined_entry_renamed_so_no_longer_confined', base: folder(1, { 'confined.tmp': 9 }), local: folder(1, {}), remote: folder(2, { 'confined-renamed.txt': 9 }), kind: 'take-remote', shown: { 'confined-renamed.txt': 9 }, upload: null },
  { parsec: 'confined_entry_renamed_but_still_confined', base: folder(1, { 'confined.tmp': 9 }), local: folder(1, {}), remote: folder(2, { 'confined-renamed.tmp': 9 }), kind: 'take-remote', shown: {}, upload: null },
  { parsec: 'confined_entry_removed', base: folder(1, { 'confined.tmp': 9 }), local: folder(1, {}), remote: folder(2, {}), kind: 'take-remote', shown: {}, upload: null },
  { parsec: 'new_confined_entry_added', base: folder(1, {}), local: folder(1, {}), remote: folder(2, { 'confined.tmp': 9 }), kind: 'take-remote', shown: {}, upload: null },
  { parsec: 'non_confined_entry_renamed_into_confined', base: folder(1, { 'child.txt': 1 }), local: folder(1, { 'child.txt': 1 }), remote: folder(2, { 'child.tmp': 1 }), kind: 'take-remote', shown: {}, upload: null },
  // local and remote changes with confinement
  { parsec: 'local confined entry kept while the remote adds', base: folder(1, {}), local: folder(1, { 'local.tmp': 8, 'a.txt': 2 }), remote: folder(2, { 'child.txt': 1 }), kind: 'merged', shown: { 'a.txt': 2, 'child.txt': 1, 'local.tmp': 8 }, upload: { 'a.txt': 2, 'child.txt': 1 } },
  { parsec: 'remote confined entry kept in the upload while the local adds', base: folder(1, { 'confined.tmp': 9 }), local: folder(1, { 'a.txt': 2 }), remote: folder(2, { 'confined.tmp': 9, 'child.txt': 1 }), kind: 'merged', shown: { 'a.txt': 2, 'child.txt': 1 }, upload: { 'a.txt': 2, 'child.txt': 1, 'confined.tmp': 9 } },
  { parsec: 'local and remote confined entries with the same name (never shown twice)', base: folder(1, {}), local: folder(1, { 'x.tmp': 8, 'a.txt': 2 }), remote: folder(2, { 'x.tmp': 9 }), kind: 'merged', shown: { 'a.txt': 2, 'x.tmp': 8 }, upload: { 'a.txt': 2, 'x.tmp': 9 } },
  { parsec: 'remote renames a confined entry onto a local name: the local child moves aside', base: folder(1, { 'c.tmp': 9 }), local: folder(1, { 'c.txt': 2 }), remote: folder(2, { 'c.txt': 9 }), kind: 'merged', shown: { 'c (name conflict 1).txt': 2, 'c.txt': 9 }, upload: { 'c (name conflict 1).txt': 2, 'c.txt': 9 } },
];

describe('Parsec confinement cases against mergeFolder (pattern *.tmp)', () => {
  it.each(cases)('$parsec', (c) => {
    const r = mergeFolder(c.base, c.local, c.remote, ME, { ignore: ['*.tmp'] });
    expect(r.kind).toBe(c.kind);
    expect(names(r.manifest)).toEqual(c.shown);
    expect(r.upload === null ? null : names(r.upload)).toEqual(c.upload);
    // Never an id twice, never a local confined id (8) uploaded.
    const ids = [...r.manifest.children.values()];
    expect(new Set(ids).size).toBe(ids.length);
    if (r.upload !== null) expect([...r.upload.children.values()].map((x) => parseInt(x, 16))).not.toContain(8);
  });
});
