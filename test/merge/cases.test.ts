/**
 * The merge rules of DESIGN §8 as a table of named cases: each case states base, local, remote and
 * the expected outcome, so a rule change shows up as a named failing case.
 */
import { describe, expect, it } from 'vitest';
import { utf8Encode } from '../../src/bytes.js';
import type { VlobId } from '../../src/codec/ids.js';
import { ArgumentError } from '../../src/errors.js';
import { isEntryName } from '../../src/manifests/entry-name.js';
import type { FolderManifest } from '../../src/manifests/types.js';
import { addConflictCopy, mergeFile, mergeFolder, type FolderMergeResult, type MergeFolderOptions, type RemovedBy } from '../../src/merge/index.js';
import { file, folder, id, ME, names, OTHER, PARENT } from './helpers.js';

interface FolderCase {
  name: string;
  base: FolderManifest | null;
  local: FolderManifest;
  remote: FolderManifest;
  options?: MergeFolderOptions;
  kind: FolderMergeResult['kind'];
  children: Record<string, number>;
  /** Children of the upload, or null when nothing is to be uploaded. */
  upload: Record<string, number> | null;
  renamed?: number;
  restored?: number[];
}

const unseenFor = (ids: number[], side: RemovedBy) => ({ hasUnseenChanges: (c: VlobId, by: RemovedBy) => by === side && ids.includes(parseInt(c, 16)) });
const LONG = 'é'.repeat(125) + '.txt'; // 254 bytes
const CAFE = 'Café.txt'; // NFC

const folderCases: FolderCase[] = [
  { name: 'remote not newer than base → keep local (local rename is kept and uploaded)', base: folder(3, { a: 1 }), local: folder(3, { b: 1 }, { author: ME }), remote: folder(3, { a: 1 }), kind: 'keep-local', children: { b: 1 }, upload: { b: 1 } },
  { name: 'remote older than base (rollback is the sync layer’s job) → keep local', base: folder(5, { a: 1 }), local: folder(5, { a: 1, c: 3 }), remote: folder(4, {}), kind: 'keep-local', children: { a: 1, c: 3 }, upload: { a: 1, c: 3 } },
  { name: 'remote not newer, no local change → keep local, nothing to upload', base: folder(2, { a: 1 }), local: folder(2, { a: 1 }), remote: folder(2, { a: 1 }), kind: 'keep-local', children: { a: 1 }, upload: null },
  { name: 'no local change → take remote (child added remotely)', base: folder(1, { a: 1 }), local: folder(1, { a: 1 }), remote: folder(2, { a: 1, b: 2 }), kind: 'take-remote', children: { a: 1, b: 2 }, upload: null },
  { name: 'no local change → take remote (child removed remotely)', base: folder(1, { a: 1, b: 2 }), local: folder(1, { a: 1, b: 2 }), remote: folder(2, { a: 1 }), kind: 'take-remote', children: { a: 1 }, upload: null },
  { name: 'never synced and empty locally → take remote', base: null, local: folder(0, {}, { author: ME }), remote: folder(4, { a: 1 }), kind: 'take-remote', children: { a: 1 }, upload: null },
  { name: 'remote written by this device (lost answer) → rebase, later local edits kept', base: folder(1, { a: 1 }), local: folder(1, { a: 1, b: 2, c: 3 }), remote: folder(2, { a: 1, b: 2 }, { author: ME }), kind: 'rebase', children: { a: 1, b: 2, c: 3 }, upload: { a: 1, b: 2, c: 3 } },
  { name: 'remote written by this device equal to local → rebase, nothing to upload', base: folder(1, { a: 1 }), local: folder(1, { b: 1 }), remote: folder(2, { b: 1 }, { author: ME }), kind: 'rebase', children: { b: 1 }, upload: null },
  { name: 'removed on both → gone', base: folder(1, { a: 1, b: 2 }), local: folder(1, { b: 2, c: 3 }), remote: folder(2, { b: 2 }), kind: 'merged', children: { b: 2, c: 3 }, upload: { b: 2, c: 3 } },
  { name: 'removed remotely, renamed locally → the rename survives', base: folder(1, { a: 1 }), local: folder(1, { z: 1 }), remote: folder(2, {}), kind: 'merged', children: { z: 1 }, upload: { z: 1 } },
  { name: 'removed locally, renamed remotely → the rename survives', base: folder(1, { a: 1, k: 9 }), local: folder(1, { k: 9, n: 5 }), remote: folder(2, { z: 1, k: 9 }), kind: 'merged', children: { k: 9, n: 5, z: 1 }, upload: { k: 9, n: 5, z: 1 } },
  { name: 'removed remotely vs unchanged locally → removed', base: folder(1, { a: 1, b: 2 }), local: folder(1, { a: 1, b: 2, c: 3 }), remote: folder(2, { b: 2 }), kind: 'merged', children: { b: 2, c: 3 }, upload: { b: 2, c: 3 } },
  { name: 'removed locally vs unchanged remotely → removed', base: folder(1, { a: 1, b: 2 }), local: folder(1, { b: 2 }), remote: folder(2, { a: 1, b: 2, c: 3 }), kind: 'merged', children: { b: 2, c: 3 }, upload: { b: 2, c: 3 } },
  { name: 'removed remotely but local unsynced changes inside → restored (edit beats blind delete)', base: folder(1, { a: 1, b: 2 }), local: folder(1, { a: 1, b: 2 }), remote: folder(2, { b: 2 }), options: unseenFor([1], 'remote'), kind: 'merged', children: { a: 1, b: 2 }, upload: { a: 1, b: 2 }, restored: [1] },
  { name: 'removed locally but changed remotely since → restored', base: folder(1, { a: 1, b: 2 }), local: folder(1, { b: 2 }), remote: folder(2, { a: 1, b: 2, c: 3 }), options: unseenFor([1], 'local'), kind: 'merged', children: { a: 1, b: 2, c: 3 }, upload: null, restored: [1] },
  { name: 'move into a folder removed remotely → that folder is restored (oracle sees the moved file)', base: folder(1, { docs: 1, 'x.txt': 2 }), local: folder(1, { docs: 1 }), remote: folder(2, { 'x.txt': 2 }), options: unseenFor([1], 'remote'), kind: 'merged', children: { docs: 1 }, upload: { docs: 1 }, restored: [1] },
  { name: 'move into a folder removed remotely, no oracle → plain rules remove it (the sync engine must pass one)', base: folder(1, { docs: 1, 'x.txt': 2 }), local: folder(1, { docs: 1 }), remote: folder(2, { 'x.txt': 2 }), kind: 'merged', children: {}, upload: {} },
  { name: 'renamed locally only → local name', base: folder(1, { a: 1, b: 2 }), local: folder(1, { x: 1, b: 2 }), remote: folder(2, { a: 1, b: 2, c: 3 }), kind: 'merged', children: { b: 2, c: 3, x: 1 }, upload: { b: 2, c: 3, x: 1 } },
  { name: 'renamed remotely only → remote name', base: folder(1, { a: 1, b: 2 }), local: folder(1, { a: 1, b: 2, c: 3 }), remote: folder(2, { y: 1, b: 2 }), kind: 'merged', children: { b: 2, c: 3, y: 1 }, upload: { b: 2, c: 3, y: 1 } },
  { name: 'renamed differently on both → remote wins', base: folder(1, { a: 1 }), local: folder(1, { l: 1 }), remote: folder(2, { r: 1 }), kind: 'merged', children: { r: 1 }, upload: null },
  { name: 'renamed identically on both → that name, nothing to upload', base: folder(1, { a: 1 }), local: folder(1, { same: 1 }), remote: folder(2, { same: 1 }), kind: 'merged', children: { same: 1 }, upload: null },
  { name: 'added on both under one name → local renamed (name conflict 1)', base: folder(1, {}), local: folder(1, { 'x.txt': 1 }), remote: folder(2, { 'x.txt': 2 }), kind: 'merged', children: { 'x (name conflict 1).txt': 1, 'x.txt': 2 }, upload: { 'x (name conflict 1).txt': 1, 'x.txt': 2 }, renamed: 1 },
  { name: 'name conflict 1 already taken → name conflict 2', base: folder(1, { 'x (name conflict 1).txt': 7 }), local: folder(1, { 'x (name conflict 1).txt': 7, 'x.txt': 1 }), remote: folder(2, { 'x (name conflict 1).txt': 7, 'x.txt': 2 }), kind: 'merged', children: { 'x (name conflict 1).txt': 7, 'x (name conflict 2).txt': 1, 'x.txt': 2 }, upload: { 'x (name conflict 1).txt': 7, 'x (name conflict 2).txt': 1, 'x.txt': 2 }, renamed: 1 },
  { name: 'added on both with the same id and name (same move on both) → one entry', base: folder(1, {}), local: folder(1, { m: 4 }), remote: folder(2, { m: 4 }), kind: 'merged', children: { m: 4 }, upload: null },
  { name: 'added on both with the same id, different names → remote name', base: folder(1, {}), local: folder(1, { l: 4 }), remote: folder(2, { r: 4 }), kind: 'merged', children: { r: 4 }, upload: null },
  { name: 'local rename onto a name just taken remotely → local renamed', base: folder(1, { a: 1 }), local: folder(1, { b: 1 }), remote: folder(2, { a: 1, b: 2 }), kind: 'merged', children: { b: 2, 'b (name conflict 1)': 1 }, upload: { b: 2, 'b (name conflict 1)': 1 }, renamed: 1 },
  { name: 'two children swap names locally → swap kept, no conflict', base: folder(1, { a: 1, b: 2 }), local: folder(1, { a: 2, b: 1 }), remote: folder(2, { a: 1, b: 2, c: 3 }), kind: 'merged', children: { a: 2, b: 1, c: 3 }, upload: { a: 2, b: 1, c: 3 } },
  { name: 'two children swap names remotely → swap taken', base: folder(1, { a: 1, b: 2 }), local: folder(1, { a: 1, b: 2, c: 3 }), remote: folder(2, { a: 2, b: 1 }), kind: 'merged', children: { a: 2, b: 1, c: 3 }, upload: { a: 2, b: 1, c: 3 } },
  { name: 'swap locally while remote renames one of them → remote name wins for it', base: folder(1, { a: 1, b: 2 }), local: folder(1, { a: 2, b: 1 }), remote: folder(2, { c: 1, b: 2 }), kind: 'merged', children: { a: 2, c: 1 }, upload: { a: 2, c: 1 } },
  { name: 'swap locally, remote adds a child under one swapped name → local loser renamed', base: folder(1, { a: 1, b: 2 }), local: folder(1, { a: 2, c: 1 }), remote: folder(2, { a: 1, b: 2, c: 5 }), kind: 'merged', children: { a: 2, c: 5, 'c (name conflict 1)': 1 }, upload: { a: 2, c: 5, 'c (name conflict 1)': 1 }, renamed: 1 },
  { name: 'root created locally before the remote was seen → remote children kept, local added', base: null, local: folder(0, { mine: 1 }, { author: ME }), remote: folder(1, { theirs: 2 }), kind: 'merged', children: { mine: 1, theirs: 2 }, upload: { mine: 1, theirs: 2 } },
  { name: 'root created on both with one name twice → local renamed', base: null, local: folder(0, { docs: 1 }, { author: ME }), remote: folder(1, { docs: 2 }), kind: 'merged', children: { docs: 2, 'docs (name conflict 1)': 1 }, upload: { docs: 2, 'docs (name conflict 1)': 1 }, renamed: 1 },
  { name: 'ignored local entry stays local and is not uploaded', base: folder(1, { a: 1 }), local: folder(1, { a: 1, 'x.tmp': 8, b: 2 }), remote: folder(2, { a: 1, c: 3 }), kind: 'merged', children: { a: 1, b: 2, c: 3, 'x.tmp': 8 }, upload: { a: 1, b: 2, c: 3 } },
  { name: 'ignored local entry survives take-remote', base: folder(1, { a: 1 }), local: folder(1, { a: 1, '~$doc.docx': 8, '.DS_Store': 9 }), remote: folder(2, {}), kind: 'take-remote', children: { '.DS_Store': 9, '~$doc.docx': 8 }, upload: null },
  { name: 'remote ignored entry (other device’s patterns) is kept in the upload, not shown locally', base: folder(1, {}), local: folder(1, { a: 1 }), remote: folder(2, { 'old~': 6 }), kind: 'merged', children: { a: 1 }, upload: { a: 1, 'old~': 6 } },
  { name: 'remote removing a name that is ignored here but was shared (in the base) removes it here too: no stale copy', base: folder(1, { 'y.tmp': 6, a: 1 }), local: folder(1, { 'y.tmp': 6, a: 1, b: 2 }), remote: folder(2, { a: 1 }), kind: 'merged', children: { a: 1, b: 2 }, upload: { a: 1, b: 2 } },
  { name: 'remote removing other entries does not remove a scratch file (never shared)', base: folder(1, { c: 7, a: 1 }), local: folder(1, { 'y.tmp': 6, c: 7, a: 1, b: 2 }), remote: folder(2, { a: 1 }), kind: 'merged', children: { a: 1, b: 2, 'y.tmp': 6 }, upload: { a: 1, b: 2 } },
  { name: 'remote renaming a hidden entry (ignored here) out of the ignored name shows it here', base: folder(1, { 'r.tmp': 6 }), local: folder(1, { 'r.tmp': 9 }), remote: folder(2, { 'r.txt': 6 }), kind: 'take-remote', children: { 'r.tmp': 9, 'r.txt': 6 }, upload: null },
  { name: 'hidden entries stay in an upload untouched while local scratch with the same name stays local', base: folder(1, { '.DS_Store': 6 }), local: folder(1, { '.DS_Store': 9, a: 1 }), remote: folder(2, { '.DS_Store': 6, b: 2 }), kind: 'merged', children: { '.DS_Store': 9, a: 1, b: 2 }, upload: { '.DS_Store': 6, a: 1, b: 2 } },
  { name: 'custom ignore patterns replace the defaults', base: folder(1, {}), local: folder(1, { 'k.bak': 1, 'x.tmp': 2 }), remote: folder(2, { a: 3 }), options: { ignore: ['*.bak'] }, kind: 'merged', children: { a: 3, 'k.bak': 1, 'x.tmp': 2 }, upload: { a: 3, 'x.tmp': 2 } },
  { name: 'empty ignore list → .DS_Store syncs like any name', base: folder(1, {}), local: folder(1, { '.DS_Store': 1 }), remote: folder(2, { a: 3 }), options: { ignore: [] }, kind: 'merged', children: { '.DS_Store': 1, a: 3 }, upload: { '.DS_Store': 1, a: 3 } },
  { name: 'name at the 255-byte limit colliding → conflict name shortened to fit', base: folder(1, {}), local: folder(1, { [LONG]: 1 }), remote: folder(2, { [LONG]: 2 }), kind: 'merged', children: { [LONG]: 2, ['é'.repeat(116) + ' (name conflict 1).txt']: 1 }, upload: { [LONG]: 2, ['é'.repeat(116) + ' (name conflict 1).txt']: 1 }, renamed: 1 },
  { name: 'Unicode names (NFC, RTL, emoji) colliding → valid conflict name', base: folder(1, {}), local: folder(1, { [CAFE]: 1, 'שלום.מסמך': 3, '👨‍👩‍👧': 5 }), remote: folder(2, { [CAFE]: 2, 'שלום.מסמך': 4 }), kind: 'merged', children: { [CAFE]: 2, 'Café (name conflict 1).txt': 1, 'שלום.מסמך': 4, 'שלום (name conflict 1).מסמך': 3, '👨‍👩‍👧': 5 }, upload: { [CAFE]: 2, 'Café (name conflict 1).txt': 1, 'שלום.מסמך': 4, 'שלום (name conflict 1).מסמך': 3, '👨‍👩‍👧': 5 }, renamed: 2 },
  { name: 'prototype-looking names are plain keys', base: folder(1, {}), local: folder(1, { __proto__: 1, constructor: 2 } as Record<string, number>), remote: folder(2, { constructor: 3 }), kind: 'merged', children: { constructor: 3, 'constructor (name conflict 1)': 2 }, upload: { constructor: 3, 'constructor (name conflict 1)': 2 }, renamed: 1 },
  { name: 'remote newer, same child set, local unchanged children but moved folder → merged, upload for the move', base: folder(1, { a: 1 }), local: folder(1, { a: 1 }, { parent: 'e1000000000000000000000000000000' as VlobId }), remote: folder(2, { a: 1, b: 2 }), kind: 'merged', children: { a: 1, b: 2 }, upload: { a: 1, b: 2 } },
  { name: 'placeholder (no base) vs a remote version signed by this device → full merge, remote children kept (no "remote is mine" shortcut)', base: null, local: folder(0, { mine: 1 }, { author: ME }), remote: folder(1, { theirs: 2 }, { author: ME }), kind: 'merged', children: { mine: 1, theirs: 2 }, upload: { mine: 1, theirs: 2 } },
  { name: 'empty placeholder vs a remote version signed by this device → take remote', base: null, local: folder(0, {}, { author: ME }), remote: folder(3, { theirs: 2 }, { author: ME }), kind: 'take-remote', children: { theirs: 2 }, upload: null },
  { name: 'folder moved on both sides → the remote parent wins, nothing to upload', base: folder(1, { a: 1 }), local: folder(1, { a: 1 }, { parent: 'e1000000000000000000000000000000' as VlobId }), remote: folder(2, { a: 1 }, { parent: 'e2000000000000000000000000000000' as VlobId }), kind: 'merged', children: { a: 1 }, upload: null },
];

describe('mergeFolder rules', () => {
  it.each(folderCases)('$name', (c) => {
    const r = mergeFolder(c.base, c.local, c.remote, ME, c.options);
    expect(r.kind).toBe(c.kind);
    expect(names(r.manifest)).toEqual(c.children);
    expect(r.upload === null ? null : names(r.upload)).toEqual(c.upload);
    expect(r.needsUpload).toBe(c.upload !== null);
    if (r.kind === 'merged') {
      expect(r.renamed.length).toBe(c.renamed ?? 0);
      expect(r.restored.map((x) => parseInt(x, 16))).toEqual(c.restored ?? []);
    }
    for (const n of r.manifest.children.keys()) expect(isEntryName(n)).toBe(true);
    // Merging the same inputs given in the reverse insertion order gives the same result.
    const rev = (f: FolderManifest | null) => (f === null ? null : { ...f, children: new Map([...f.children].reverse()) });
    const again = mergeFolder(rev(c.base), rev(c.local)!, rev(c.remote)!, ME, c.options);
    expect([...again.manifest.children]).toEqual([...r.manifest.children]);
    expect(again.upload === null ? null : [...again.upload.children]).toEqual(r.upload === null ? null : [...r.upload.children]);
  });

  it(`has at least 40 named cases (${folderCases.length} folder + file cases below)`, () => {
    expect(folderCases.length).toBeGreaterThanOrEqual(40);
  });

  it('asks the oracle with the side that removed the child', () => {
    const calls: string[] = [];
    const hasUnseenChanges = (c: VlobId, by: RemovedBy) => (calls.push(`${parseInt(c, 16)}:${by}`), false);
    mergeFolder(folder(1, { a: 1, b: 2, c: 3 }), folder(1, { a: 1, c: 3, n: 4 }), folder(2, { b: 2, c: 3 }), ME, { hasUnseenChanges });
    expect(calls.sort()).toEqual(['1:remote', '2:local']);
  });

  it('merged output is sorted by name and carries the remote version metadata', () => {
    const r = mergeFolder(folder(1, { b: 2 }), folder(1, { b: 2, z: 9, a: 1 }), folder(3, { b: 2, m: 5 }), ME);
    expect([...r.manifest.children.keys()]).toEqual(['a', 'b', 'm', 'z']);
    expect(r.manifest.version).toBe(3);
    expect(r.manifest.author).toBe(OTHER);
  });

  it('the merged result merged again against the same remote changes nothing', () => {
    for (const c of folderCases) {
      const r = mergeFolder(c.base, c.local, c.remote, ME, c.options);
      if (r.kind === 'keep-local') continue;
      const again = mergeFolder(c.remote, r.manifest, c.remote, ME, c.options);
      expect(again.kind).toBe('keep-local');
      expect(again.manifest).toEqual(r.manifest);
      expect(again.needsUpload).toBe(r.needsUpload);
    }
  });

  it('rejects manifests of different vlobs or types', () => {
    const other = { ...folder(2, {}), id: id(99) };
    expect(() => mergeFolder(folder(1, {}), folder(1, {}), other, ME)).toThrow(expect.objectContaining({ code: 'merge/id-mismatch' }));
    expect(() => mergeFolder(null, folder(1, {}), { ...file(2, 'a'), id: folder(1, {}).id } as never, ME)).toThrow(expect.objectContaining({ code: 'merge/type-mismatch' }));
    expect(() => mergeFolder(folder(1, {}), folder(1, {}), folder(2, {}), ME, { ignore: [''] })).toThrow(ArgumentError);
  });
});

describe('mergeFile rules', () => {
  const moved = 'e1000000000000000000000000000000' as VlobId;
  const cases = [
    { name: 'remote not newer than base, local edited → keep local, upload', base: file(2, 'A'), local: file(2, 'B', { author: ME }), remote: file(2, 'A'), kind: 'keep-local', content: 'B', up: true },
    { name: 'remote not newer than base, unchanged → keep local, nothing to upload', base: file(2, 'A'), local: file(2, 'A'), remote: file(1, 'Z'), kind: 'keep-local', content: 'A', up: false },
    { name: 'no local change → take remote', base: file(1, 'A'), local: file(1, 'A'), remote: file(2, 'B'), kind: 'take-remote', content: 'B', up: false },
    { name: 'remote by this device, local edited further → rebase', base: file(1, 'A'), local: file(1, 'C'), remote: file(2, 'B', { author: ME }), kind: 'rebase', content: 'C', up: true },
    { name: 'remote by this device equal to local → rebase, nothing to upload', base: file(1, 'A'), local: file(1, 'B'), remote: file(2, 'B', { author: ME }), kind: 'rebase', content: 'B', up: false },
    { name: 'never synced, remote by this device (lost answer to v1) → rebase', base: null, local: file(0, 'A'), remote: file(1, 'A', { author: ME }), kind: 'rebase', content: 'A', up: false },
    { name: 'only local content changed, remote metadata changed → merged, local content', base: file(1, 'A'), local: file(1, 'B'), remote: file(2, 'A', { parent: moved }), kind: 'merged', content: 'B', up: true },
    { name: 'local move, remote content change → merged: remote content at local place', base: file(1, 'A'), local: file(1, 'A', { parent: moved }), remote: file(2, 'B'), kind: 'merged', content: 'B', up: true },
    { name: 'moved on both sides → the remote parent wins, nothing to upload', base: file(1, 'A'), local: file(1, 'A', { parent: moved }), remote: file(2, 'A', { parent: 'e2000000000000000000000000000000' as VlobId }), kind: 'merged', content: 'A', up: false },
    { name: 'moved on both sides, content edited here → remote parent, local content uploaded', base: file(1, 'A'), local: file(1, 'B', { parent: moved }), remote: file(2, 'A', { parent: 'e2000000000000000000000000000000' as VlobId }), kind: 'merged', content: 'B', up: true },
    { name: 'same change on both sides → merged, nothing to upload', base: file(1, 'A'), local: file(1, 'B'), remote: file(2, 'B'), kind: 'merged', content: 'B', up: false },
    { name: 'content changed on both → conflict, remote wins the entry', base: file(1, 'A'), local: file(1, 'B'), remote: file(2, 'C'), kind: 'conflict', content: 'C', up: false },
    { name: 'never synced on this side, different remote content → conflict', base: null, local: file(0, 'B'), remote: file(1, 'C'), kind: 'conflict', content: 'C', up: false },
  ] as const;
  it.each(cases)('$name', (c) => {
    const r = mergeFile(c.base, c.local, c.remote, ME);
    expect(r.kind).toBe(c.kind);
    expect(r.manifest.size).toBe(1);
    expect(r.manifest.blocks[0]?.digest[0]).toBe(c.content.charCodeAt(0));
    expect(r.needsUpload).toBe(c.up);
    if (r.kind !== 'keep-local') expect(r.manifest.version).toBe(c.remote.version);
    if (r.kind === 'conflict') {
      expect(r.manifest).toBe(c.remote);
      expect(r.localContent).toBe(c.local);
    }
  });

  it('moved on both: the remote parent is the result', () => {
    const r = mergeFile(file(1, 'A'), file(1, 'A', { parent: id(5) }), file(2, 'A', { parent: id(6) }), ME);
    expect(r.manifest.parent).toBe(id(6));
  });

  it('merged keeps the local move', () => {
    const r = mergeFile(file(1, 'A'), file(1, 'A', { parent: id(5) }), file(2, 'B'), ME);
    expect(r.manifest.parent).toBe(id(5));
    const t = mergeFile(file(1, 'A'), file(1, 'B'), file(2, 'A', { parent: id(6) }), ME);
    expect(t.manifest.parent).toBe(id(6));
  });

  it('rejects versions of different files or of a folder', () => {
    expect(() => mergeFile(file(1, 'A'), file(1, 'A'), { ...file(2, 'A'), id: id(3) }, ME)).toThrow(expect.objectContaining({ code: 'merge/id-mismatch' }));
    expect(() => mergeFile(null, file(1, 'A'), { ...folder(1, {}), id: file(1, 'A').id } as never, ME)).toThrow(expect.objectContaining({ code: 'merge/type-mismatch' }));
  });
});

describe('addConflictCopy', () => {
  it('puts the local copy beside the original as "stem (sync conflict N).ext"', () => {
    const f = folder(3, { 'report.tar.gz': 1, 'report (sync conflict 1).tar.gz': 2 });
    const { manifest, name } = addConflictCopy(f, id(1), id(7));
    expect(name).toBe('report (sync conflict 2).tar.gz');
    expect(names(manifest)).toEqual({ 'report.tar.gz': 1, 'report (sync conflict 1).tar.gz': 2, 'report (sync conflict 2).tar.gz': 7 });
    expect(f.children.size).toBe(2); // input untouched
  });

  it('keeps the copy within 255 bytes', () => {
    const long = 'x'.repeat(251) + '.txt';
    const { name } = addConflictCopy(folder(1, { [long]: 1 }), id(1), id(2));
    expect(utf8Encode(name).length).toBeLessThanOrEqual(255);
    expect(name.endsWith(' (sync conflict 1).txt')).toBe(true);
  });

  it('refuses a file that is not in the folder, or a copy id already there', () => {
    expect(() => addConflictCopy(folder(1, { a: 1 }), id(9), id(7))).toThrow(expect.objectContaining({ code: 'merge/not-a-child' }));
    expect(() => addConflictCopy(folder(1, { a: 1, b: 7 }), id(1), id(7))).toThrow(expect.objectContaining({ code: 'merge/duplicate-id' }));
  });

  it('is used for a real conflict result with the parent folder', () => {
    const r = mergeFile(file(1, 'A', { parent: PARENT }), file(1, 'B'), file(2, 'C'), ME);
    expect(r.kind).toBe('conflict');
  });
});
