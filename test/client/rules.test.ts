/**
 * Unit tests of the client's pure rules: paths, tree operations, rollback rules, merge
 * application, local formats, clock, emitter, background backoff.
 */
import { describe, expect, it, vi } from 'vitest';
import type { VlobId } from '../../src/codec/ids.js';
import { newId } from '../../src/codec/ids.js';
import { BackgroundSync, checkCheckpoint, checkCheckpointBacked, checkFullListing, checkSameVersion, checkVlobVersion, formatPath, newCertificates, parsePath, TypedEmitter } from '../../src/client/index.js';
import { strictlyIncreasing } from '../../src/client/clock.js';
import type { EntryView, LocalEntry } from '../../src/client/local-entry.js';
import { decodeLocalEntry, encodeLocalEntry } from '../../src/client/local-format.js';
import { applyRemote } from '../../src/client/merge-apply.js';
import { mkdirChanges, overlay, removeChanges, renameChanges, resolvePath, writeFileChanges, type Changes } from '../../src/client/tree.js';
import { RollbackError, TransportError } from '../../src/errors.js';
import type { FolderManifest } from '../../src/manifests/index.js';
import { file, folder, ME, n, ROOT, synced } from './entry-fixtures.js';

function view(entries: LocalEntry[]): EntryView & { map: Map<VlobId, LocalEntry> } {
  const map = new Map(entries.map((e) => [e.local.id, e]));
  return { map, get: (id) => map.get(id) };
}
function apply(v: { map: Map<VlobId, LocalEntry> }, changes: Changes): void {
  for (const [k, e] of changes) v.map.set(k, e);
}

describe('paths', () => {
  it('parses and normalises, refusing escapes', () => {
    expect(parsePath('/')).toEqual([]);
    expect(parsePath('')).toEqual([]);
    expect(parsePath('/a/b/')).toEqual(['a', 'b']);
    expect(parsePath('e\u0301')).toEqual(['\u00e9']);
    expect(formatPath(['a', 'b'])).toBe('/a/b');
    for (const [p, code] of [['/a//b', 'entry-name/empty'], ['/..', 'entry-name/dot'], ['/a/./b', 'entry-name/dot'], ['/a\u0000', 'entry-name/nul'], [`/${'x'.repeat(256)}`, 'entry-name/too-long']] as const) {
      expect(() => parsePath(p)).toThrow(expect.objectContaining({ code }));
    }
  });
});

describe('tree operations', () => {
  const A = 'a1'.repeat(16) as VlobId;
  const F = 'f1'.repeat(16) as VlobId;
  const base = () => view([synced(folder(ROOT, ROOT, [['a', A], ['f', F]])), synced(folder(A, ROOT)), synced(file(F, ROOT, 3))]);

  it('mkdir adds a version-0 folder and marks the parent', () => {
    const v = base();
    const id = newId<VlobId>();
    const ch = mkdirChanges(v, ROOT, [n('a'), n('b')], id, ME, 50);
    expect(ch.get(id)).toMatchObject({ needSync: true, base: null, local: { version: 0, parent: A, type: 'folder' } });
    expect((ch.get(A)!.local as FolderManifest).children.get(n('b'))).toBe(id);
    expect(ch.get(A)!.needSync).toBe(true);
    expect(() => mkdirChanges(v, ROOT, [n('a')], id, ME, 50)).toThrow(expect.objectContaining({ code: 'workspace/exists' }));
    expect(() => mkdirChanges(v, ROOT, [n('nope'), n('x')], id, ME, 50)).toThrow(expect.objectContaining({ code: 'workspace/not-found' }));
    expect(() => mkdirChanges(v, ROOT, [n('f'), n('x')], id, ME, 50)).toThrow(expect.objectContaining({ code: 'workspace/not-a-folder' }));
  });

  it('writeFile replaces content in place or creates the file', () => {
    const v = base();
    const content = { size: 9, blocksize: 4096, blocks: file(F, ROOT, 9).blocks };
    const upd = writeFileChanges(v, ROOT, [n('f')], content, newId(), ME, 60);
    expect(upd.id).toBe(F);
    expect(upd.changes.size).toBe(1);
    expect(upd.changes.get(F)!.local).toMatchObject({ size: 9, version: 1 });
    const created = writeFileChanges(v, ROOT, [n('a'), n('g')], content, 'de'.repeat(16) as VlobId, ME, 60);
    expect(created.changes.get('de'.repeat(16) as VlobId)!.local.version).toBe(0);
    expect(() => writeFileChanges(v, ROOT, [n('a')], content, newId(), ME, 60)).toThrow(expect.objectContaining({ code: 'workspace/is-a-folder' }));
  });

  it('rename within a folder, move across folders (child parent updated), cycle refused', () => {
    const v = base();
    const r1 = renameChanges(v, ROOT, [n('f')], [n('g')], 70);
    expect([...(r1.get(ROOT)!.local as FolderManifest).children.keys()]).toEqual(['a', 'g']);
    expect(r1.has(F)).toBe(false);
    const r2 = renameChanges(v, ROOT, [n('f')], [n('a'), n('f')], 70);
    expect(r2.get(F)!.local.parent).toBe(A);
    expect((r2.get(ROOT)!.local as FolderManifest).children.has(n('f'))).toBe(false);
    apply(v, r2);
    expect(resolvePath(v, ROOT, [n('a'), n('f')]).id).toBe(F);
    expect(() => renameChanges(v, ROOT, [n('a')], [n('a'), n('sub')], 70)).toThrow(expect.objectContaining({ code: 'workspace/invalid-move' }));
    expect(() => renameChanges(v, ROOT, [], [n('x')], 70)).toThrow(expect.objectContaining({ code: 'workspace/root' }));
  });

  it('rename onto an existing file needs overwrite', () => {
    const G = 'a2'.repeat(16) as VlobId;
    const v = view([synced(folder(ROOT, ROOT, [['f', F], ['g', G]])), synced(file(F, ROOT, 3)), synced(file(G, ROOT, 4))]);
    expect(() => renameChanges(v, ROOT, [n('f')], [n('g')], 1)).toThrow(expect.objectContaining({ code: 'workspace/exists' }));
    const ch = renameChanges(v, ROOT, [n('f')], [n('g')], 1, true);
    expect([...(ch.get(ROOT)!.local as FolderManifest).children]).toEqual([['g', F]]);
  });

  it('remove refuses the root and non-empty folders unless recursive', () => {
    const v = view([synced(folder(ROOT, ROOT, [['a', A]])), synced(folder(A, ROOT, [['f', F]])), synced(file(F, A, 3))]);
    expect(() => removeChanges(v, ROOT, [], 1)).toThrow(expect.objectContaining({ code: 'workspace/root' }));
    expect(() => removeChanges(v, ROOT, [n('a')], 1)).toThrow(expect.objectContaining({ code: 'workspace/not-empty' }));
    expect((removeChanges(v, ROOT, [n('a')], 1, true).get(ROOT)!.local as FolderManifest).children.size).toBe(0);
  });
});

describe('rollback rules', () => {
  it('checkpoints, versions and verified versions never go back', () => {
    expect(() => checkCheckpoint(5, 5)).not.toThrow();
    expect(() => checkCheckpoint(5, 4)).toThrow(RollbackError);
    expect(() => checkVlobVersion(ROOT, 3, 3)).not.toThrow();
    expect(() => checkVlobVersion(ROOT, 3, 2)).toThrow(expect.objectContaining({ code: 'rollback/vlob-version' }));
    expect(() => checkSameVersion(ROOT, 1, new Uint8Array([1]), new Uint8Array([1]))).not.toThrow();
    expect(() => checkSameVersion(ROOT, 1, new Uint8Array([1]), new Uint8Array([2]))).toThrow(expect.objectContaining({ code: 'rollback/fork' }));
  });

  it('a checkpoint must be backed by the changes it summarises', () => {
    const X = 'aa'.repeat(16) as VlobId;
    const Y = 'bb'.repeat(16) as VlobId;
    // Full listing: exactly the sum of the versions.
    expect(() => checkCheckpointBacked(0, 5, [{ vlobId: X, version: 3 }, { vlobId: Y, version: 2 }])).not.toThrow();
    expect(() => checkCheckpointBacked(0, 6, [{ vlobId: X, version: 3 }, { vlobId: Y, version: 2 }])).toThrow(expect.objectContaining({ code: 'rollback/checkpoint-unbacked' }));
    expect(() => checkCheckpointBacked(0, 0, [])).not.toThrow();
    // Incremental: at least one write per change, at most every version of each.
    expect(() => checkCheckpointBacked(10, 12, [{ vlobId: X, version: 3 }, { vlobId: Y, version: 2 }])).not.toThrow();
    expect(() => checkCheckpointBacked(10, 15, [{ vlobId: X, version: 3 }, { vlobId: Y, version: 2 }])).not.toThrow();
    expect(() => checkCheckpointBacked(10, 16, [{ vlobId: X, version: 3 }, { vlobId: Y, version: 2 }])).toThrow(RollbackError);
    expect(() => checkCheckpointBacked(10, 11, [{ vlobId: X, version: 3 }, { vlobId: Y, version: 2 }])).toThrow(RollbackError);
    expect(() => checkCheckpointBacked(10, 10, [])).not.toThrow();
    expect(() => checkCheckpointBacked(10, 11, [])).toThrow(RollbackError);
  });

  it('a full listing holds every verified vlob at that version or later', () => {
    const X = 'aa'.repeat(16) as VlobId;
    expect(() => checkFullListing(new Map([[X, 2]]), [{ vlobId: X, version: 2 }])).not.toThrow();
    expect(() => checkFullListing(new Map([[X, 2]]), [])).toThrow(expect.objectContaining({ code: 'rollback/checkpoint' }));
    expect(() => checkFullListing(new Map([[X, 2]]), [{ vlobId: X, version: 1 }])).toThrow(expect.objectContaining({ code: 'rollback/vlob-version' }));
  });

  it('certificate topics: new ones kept, known duplicates dropped, backwards or rewritten refused', () => {
    const a = new Uint8Array([1]);
    const b = new Uint8Array([2]);
    const known = { lastTimestamp: (t: string) => (t === 'common' ? 10 : null), has: (_t: string, ts: number, s: Uint8Array) => ts === 10 && s[0] === 1 };
    expect(newCertificates('realm', [{ signed: b, timestamp: 1 }], known)).toEqual([b]);
    expect(newCertificates('common', [{ signed: a, timestamp: 10 }, { signed: b, timestamp: 11 }], known)).toEqual([b]);
    expect(newCertificates('common', [], known)).toEqual([]);
    expect(() => newCertificates('common', [{ signed: a, timestamp: 9 }], known)).toThrow(expect.objectContaining({ code: 'rollback/certificate-topic' }));
    expect(() => newCertificates('common', [{ signed: b, timestamp: 10 }, { signed: b, timestamp: 12 }], known)).toThrow(expect.objectContaining({ code: 'rollback/certificate-fork' }));
  });
});

describe('applyRemote', () => {
  const F = 'f1'.repeat(16) as VlobId;
  it('takes the remote when nothing changed locally, skips what is not newer', () => {
    const v = view([synced(folder(ROOT, ROOT, [['f', F]])), synced(file(F, ROOT, 3))]);
    const remote = file(F, ROOT, 5, 2);
    const r = applyRemote({ view: v, rootId: ROOT, remotes: [{ manifest: remote, signed: new Uint8Array([2]), keyIndex: 1 }], me: ME, newId: () => newId(), now: 9 });
    expect(r.changes.get(F)).toMatchObject({ needSync: false, local: { size: 5, version: 2 } });
    const again = applyRemote({ view: v, rootId: ROOT, remotes: [{ manifest: file(F, ROOT, 5, 1), signed: new Uint8Array([1]), keyIndex: 1 }], me: ME, newId: () => newId(), now: 9 });
    expect(again.changes.size).toBe(0);
  });

  it('a content conflict keeps the remote and saves the local content as a sync-conflict copy', () => {
    const local = { ...synced(file(F, ROOT, 3)), local: file(F, ROOT, 7), needSync: true };
    const v = view([synced(folder(ROOT, ROOT, [['f.txt', F]])), local]);
    const copy = 'c0'.repeat(16) as VlobId;
    const r = applyRemote({ view: v, rootId: ROOT, remotes: [{ manifest: file(F, ROOT, 5, 2), signed: new Uint8Array([2]), keyIndex: 1 }], me: ME, newId: () => copy, now: 9 });
    expect(r.conflicts).toEqual([{ kind: 'sync', vlobId: F, copyId: copy, folderId: ROOT, copyName: 'f (sync conflict 1).txt' }]);
    expect(r.changes.get(copy)).toMatchObject({ needSync: true, base: null, local: { size: 7, version: 0, parent: ROOT } });
    expect(r.changes.get(F)).toMatchObject({ needSync: false, local: { size: 5 } });
    expect((r.changes.get(ROOT)!.local as FolderManifest).children.get(n('f (sync conflict 1).txt'))).toBe(copy);
  });

  it('a conflict on a file no folder lists any more keeps the data at the root', () => {
    const local = { ...synced(file(F, ROOT, 3)), local: file(F, ROOT, 7), needSync: true };
    const v = view([synced(folder(ROOT, ROOT)), local]);
    const copy = 'c1'.repeat(16) as VlobId;
    const r = applyRemote({ view: v, rootId: ROOT, remotes: [{ manifest: file(F, ROOT, 5, 2), signed: new Uint8Array([2]), keyIndex: 1 }], me: ME, newId: () => copy, now: 9 });
    expect((r.changes.get(ROOT)!.local as FolderManifest).children.get(n('recovered (sync conflict 1)'))).toBe(copy);
  });

  it('a folder removed remotely while it holds unsynced local changes is kept', () => {
    const A = 'a1'.repeat(16) as VlobId;
    const rootBase = folder(ROOT, ROOT, [['a', A]]);
    const v = view([synced(rootBase), synced(folder(A, ROOT, [['f', F]])), { ...synced(file(F, A, 1)), local: file(F, A, 2), needSync: true }]);
    const remoteRoot = { ...folder(ROOT, ROOT, [], 2) };
    const r = applyRemote({ view: overlay(v, new Map()), rootId: ROOT, remotes: [{ manifest: remoteRoot, signed: new Uint8Array([2]), keyIndex: 1 }], me: ME, newId: () => newId(), now: 9 });
    expect((r.changes.get(ROOT)!.local as FolderManifest).children.get(n('a'))).toBe(A);
    expect(r.changes.get(ROOT)!.needSync).toBe(true);
  });
});

describe('local formats, clock, emitter', () => {
  it('local entries round-trip (version 0, no base; file with base)', () => {
    const F = 'f1'.repeat(16) as VlobId;
    const e1: LocalEntry = { local: { ...folder(ROOT, ROOT, [['x', F]]), version: 0, prev: null }, needSync: true, base: null };
    expect(decodeLocalEntry(encodeLocalEntry(e1))).toEqual(e1);
  });

  it('the clock never repeats and can be pushed past a bound', () => {
    const c = strictlyIncreasing(() => 100, 1000);
    expect([c(), c(), c()]).toEqual([100, 101, 102]);
    c.bump(500);
    expect(c()).toBe(501);
  });

  it('a clock hint beyond the tolerance → transport/clock-hint-too-far, clock unchanged', () => {
    let wall = 100;
    const c = strictlyIncreasing(() => wall, 1000);
    expect(c()).toBe(100);
    expect(() => c.bump(100 + 1000)).toThrow(expect.objectContaining({ code: 'transport/clock-hint-too-far' }));
    expect(() => c.bump(Number.MAX_SAFE_INTEGER + 2)).toThrow(expect.objectContaining({ code: 'transport/clock-hint-too-far' }));
    expect(c()).toBe(101);
    // Bounded against the wall clock, not the last bump: hints cannot ratchet the clock away.
    c.bump(1000);
    expect(() => c.bump(1100)).toThrow(TransportError);
    wall = 600;
    c.bump(1500);
    expect(c()).toBe(1501);
  });

  it('the emitter isolates throwing listeners', () => {
    const e = new TypedEmitter<{ x: number }>();
    const got: number[] = [];
    e.on('x', () => {
      throw new Error('app bug');
    });
    const off = e.on('x', (v) => got.push(v));
    e.once('x', (v) => got.push(v * 10));
    e.emit('x', 1);
    off();
    e.emit('x', 2);
    expect(got).toEqual([1, 10]);
  });

  it('background sync backs off exponentially on failures and resets on success', async () => {
    vi.useFakeTimers();
    try {
      let calls = 0;
      const results = [false, false, false, true];
      const errors: unknown[] = [];
      const bg = new BackgroundSync(
        async () => {
          const ok = results[calls++] ?? true;
          if (!ok) throw new Error('offline');
        },
        (e) => errors.push(e),
        { intervalMs: 100, maxBackoffMs: 500 },
      );
      await vi.advanceTimersByTimeAsync(0);
      expect(bg.nextDelayMs).toBe(200);
      await vi.advanceTimersByTimeAsync(200);
      expect(bg.nextDelayMs).toBe(400);
      await vi.advanceTimersByTimeAsync(400);
      expect(bg.nextDelayMs).toBe(500);
      await vi.advanceTimersByTimeAsync(500);
      expect(bg.failures).toBe(0);
      expect(bg.nextDelayMs).toBe(100);
      expect(errors).toHaveLength(3);
      await bg.stop();
      const before = calls;
      await vi.advanceTimersByTimeAsync(10_000);
      expect(calls).toBe(before);
    } finally {
      vi.useRealTimers();
    }
  });
});
