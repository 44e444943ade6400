/**
 * "An edit wins over a blind delete" (DESIGN §8): a remove only deletes what the removing device
 * saw. Regression tests of the data loss the simulation found (a device removed an entry whose
 * newer version it never saw, and the other device's edit became reachable nowhere), end to end
 * and on the pure rules: delete not uploaded yet, delete already uploaded (tombstones), folders,
 * taken names, nested removals, knowing deletes, tombstone persistence and format.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RealmId, VlobId } from '../../src/codec/ids.js';
import type { EntryView, LocalEntry } from '../../src/client/local-entry.js';
import { decodeTombstone, encodeTombstone, localTombstoneDocument } from '../../src/client/local-format.js';
import { LocalStore } from '../../src/client/local-store.js';
import { applyRemote } from '../../src/client/merge-apply.js';
import { removeTombstones, tombstoneFor, type Tombstone, type TombstoneView } from '../../src/client/tombstones.js';
import { WorkspaceState } from '../../src/client/workspace-state.js';
import { getCryptoProvider, setCryptoProvider, type CryptoProvider } from '../../src/keys/hazmat.js';
import type { FileManifest, FolderManifest } from '../../src/manifests/index.js';
import { defaultIgnoreMatcher } from '../../src/merge/ignore.js';
import { MemoryStorage } from '../../src/storage/index.js';
import { nodeSyncProvider } from '../simulation/node-sync-provider.js';
import { Rng } from '../simulation/rng.js';
import { SimWorld, type SimDevice } from '../simulation/sim-world.js';
import { file, folder, ME, n, ROOT, synced } from './entry-fixtures.js';

const text = (s: string): Uint8Array => new TextEncoder().encode(s);
const str = (b: Uint8Array): string => new TextDecoder().decode(b);

async function files(d: SimDevice, folder = '/'): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const e of await d.ws.list(folder)) {
    const path = `${folder === '/' ? '' : folder}/${e.name}`;
    if (e.type === 'folder') Object.assign(out, await files(d, path));
    else out[path] = str(await d.ws.readFile(path));
  }
  return out;
}

describe('blind delete, end to end (found by test/simulation)', () => {
  let previous: CryptoProvider;
  let world: SimWorld;
  let alice: SimDevice;
  let bob: SimDevice;
  beforeAll(() => {
    previous = getCryptoProvider();
    setCryptoProvider(nodeSyncProvider);
  });
  afterAll(() => setCryptoProvider(previous));

  async function run(fn: () => Promise<void>): Promise<void> {
    world = await SimWorld.create(new Rng(1));
    alice = world.devices[0]!;
    bob = world.devices[2]!;
    try {
      await fn();
    } finally {
      await world.close();
    }
  }

  it('Bob edits a file and syncs; Alice, who never saw the edit, removes it: the edit survives', () =>
    run(async () => {
      await alice.ws.writeFile('/f.txt', text('base'));
      await alice.client.sync();
      await bob.client.sync();
      await bob.ws.writeFile('/f.txt', text('bob edit'));
      await bob.client.sync();
      await alice.ws.remove('/f.txt'); // Alice saw only "base"
      await alice.client.sync();
      await bob.client.sync();
      await alice.client.sync();
      expect(await files(bob)).toEqual({ '/f.txt': 'bob edit' });
      expect(await files(alice)).toEqual({ '/f.txt': 'bob edit' });
    }));

  it('Bob adds a file to a folder and syncs; Alice removes the folder she saw empty: the file survives', () =>
    run(async () => {
      await alice.ws.mkdir('/d');
      await alice.client.sync();
      await bob.client.sync();
      await bob.ws.writeFile('/d/new.txt', text('bob new'));
      await bob.client.sync();
      await alice.ws.remove('/d', { recursive: true }); // Alice never saw /d/new.txt
      await alice.client.sync();
      await bob.client.sync();
      await alice.client.sync();
      expect(await files(bob)).toEqual({ '/d/new.txt': 'bob new' });
      expect(await files(alice)).toEqual({ '/d/new.txt': 'bob new' });
    }));

  it('a blind remove then a new file of the same name: both stay, the restored one is renamed', () =>
    run(async () => {
      await alice.ws.writeFile('/f.txt', text('base'));
      await alice.client.sync();
      await bob.client.sync();
      await bob.ws.writeFile('/f.txt', text('bob edit'));
      await bob.client.sync();
      await alice.ws.remove('/f.txt');
      await alice.ws.writeFile('/f.txt', text('alice new'));
      const conflicts: string[] = [];
      alice.client.on('conflict', (e) => {
        if (e.kind === 'name') conflicts.push(`${e.from} -> ${e.to}`);
      });
      await alice.client.sync();
      await bob.client.sync();
      await alice.client.sync();
      const expected = { '/f.txt': 'alice new', '/f (name conflict 1).txt': 'bob edit' };
      expect(await files(alice)).toEqual(expected);
      expect(await files(bob)).toEqual(expected);
      expect(conflicts).toEqual(['f.txt -> f (name conflict 1).txt']);
    }));

  it('a remove by a device that saw the edit stays a remove (no resurrection)', () =>
    run(async () => {
      await alice.ws.writeFile('/f.txt', text('base'));
      await alice.client.sync();
      await bob.client.sync();
      await bob.ws.writeFile('/f.txt', text('bob edit'));
      await bob.client.sync();
      await alice.client.sync(); // Alice sees "bob edit"
      await alice.ws.remove('/f.txt');
      await alice.client.sync();
      await bob.client.sync();
      await alice.client.sync();
      expect(await files(alice)).toEqual({});
      expect(await files(bob)).toEqual({});
    }));

  it('an edit made offline while the remove is uploaded comes back on both devices', () =>
    run(async () => {
      await alice.ws.writeFile('/f.txt', text('base'));
      await alice.client.sync();
      await bob.client.sync();
      await bob.ws.writeFile('/f.txt', text('bob offline edit'));
      await alice.ws.remove('/f.txt');
      await alice.client.sync(); // the remove reaches the server first
      await bob.client.sync();
      await alice.client.sync();
      await bob.client.sync();
      expect(await files(alice)).toEqual({ '/f.txt': 'bob offline edit' });
      expect(await files(bob)).toEqual({ '/f.txt': 'bob offline edit' });
      expect(await alice.ws.hasPendingChanges()).toBe(false);
      expect(await bob.ws.hasPendingChanges()).toBe(false);
    }));

  it('the tombstone survives a restart of the removing device', () =>
    run(async () => {
      await alice.ws.mkdir('/d');
      await alice.client.sync();
      await bob.client.sync();
      await bob.ws.writeFile('/d/new.txt', text('bob new'));
      await bob.client.sync();
      await alice.ws.remove('/d', { recursive: true });
      await world.restartDevice(alice);
      await alice.client.sync();
      await bob.client.sync();
      expect(await files(alice)).toEqual({ '/d/new.txt': 'bob new' });
      expect(await files(bob)).toEqual({ '/d/new.txt': 'bob new' });
    }));
});

// ---- the pure rules -------------------------------------------------------------------------

const X = 'a1'.repeat(16) as VlobId;
const D = 'd1'.repeat(16) as VlobId;
const E = 'e1'.repeat(16) as VlobId;
const N = 'f2'.repeat(16) as VlobId;
const ignore = defaultIgnoreMatcher();

function remote(m: FileManifest | FolderManifest) {
  return { manifest: m, signed: new Uint8Array([m.version]), keyIndex: 1 };
}
function state(entries: LocalEntry[], tombstones: [VlobId, Tombstone][] = []): EntryView & TombstoneView {
  const map = new Map(entries.map((e) => [e.local.id, e]));
  const ts = new Map(tombstones);
  return { get: (id) => map.get(id), tombstone: (id) => ts.get(id) };
}
function applyTo(view: EntryView & TombstoneView, remotes: (FileManifest | FolderManifest)[]) {
  return applyRemote({ view, rootId: ROOT, remotes: remotes.map(remote), me: ME, newId: () => 'c0'.repeat(16) as VlobId, now: 9, ignore, tombstones: view });
}
const childrenOf = (e: LocalEntry | undefined) => (e?.local.type === 'folder' ? Object.fromEntries(e.local.children) : undefined);
const tomb = (parent: VlobId, name: string, seen: [VlobId, number][]): Tombstone => ({ parent, name: n(name), seen: new Map(seen) });

describe('missed deletes: the delete was already uploaded (tombstones)', () => {
  it('a newer version of a tombstoned file puts it back into its folder, which needs uploading', () => {
    // The root on the server (v2) is Alice's upload without X; Bob's edit X v2 arrives afterwards.
    const v = state([synced(folder(ROOT, ROOT, [], 2)), synced(file(X, ROOT, 4))], [[X, tomb(ROOT, 'f.txt', [[X, 1]])]]);
    const r = applyTo(v, [file(X, ROOT, 8, 2)]);
    expect(childrenOf(r.changes.get(ROOT))).toEqual({ 'f.txt': X });
    expect(r.changes.get(ROOT)?.needSync).toBe(true);
    expect(r.tombstones.get(X)).toBeNull(); // settled
    expect(r.conflicts).toEqual([]);
  });

  it('without the tombstone the same remote version changes nothing (the rule is what restores)', () => {
    const v = state([synced(folder(ROOT, ROOT, [], 2)), synced(file(X, ROOT, 4))]);
    const r = applyTo(v, [file(X, ROOT, 8, 2)]);
    expect(r.changes.has(ROOT)).toBe(false);
  });

  it('a version the deleting device had seen does not restore', () => {
    const v = state([synced(folder(ROOT, ROOT, [], 2)), synced(file(X, ROOT, 4, 2))], [[X, tomb(ROOT, 'f.txt', [[X, 3]])]]);
    const r = applyTo(v, [file(X, ROOT, 8, 3)]);
    expect(r.changes.has(ROOT)).toBe(false);
    expect(r.tombstones.size).toBe(0);
  });

  it('a version this device signed itself is no missed change (its answer was lost in a crash): no restore', () => {
    // Alice edited X, removed it, synced; the server accepted her upload of X v2 and she died
    // before recording it, so her tombstone says v1. On reopen X v2 arrives signed by her.
    const v = state([synced(folder(ROOT, ROOT, [], 2)), { ...synced(file(X, ROOT, 4)), needSync: true }], [[X, tomb(ROOT, 'f.txt', [[X, 1]])]]);
    const r = applyTo(v, [{ ...file(X, ROOT, 8, 2), author: ME }]);
    expect(r.changes.get(ROOT)).toBeUndefined();
    expect(r.conflicts).toEqual([]);
    // The same version signed by another device is an edit the delete never saw: restored.
    expect(childrenOf(applyTo(v, [file(X, ROOT, 8, 2)]).changes.get(ROOT))).toEqual({ 'f.txt': X });
  });

  it('a new child of a tombstoned folder brings the folder back (walking up the parent links)', () => {
    const v = state([synced(folder(ROOT, ROOT, [], 2)), synced(folder(D, ROOT))], [[D, tomb(ROOT, 'd', [[D, 1]])]]);
    const r = applyTo(v, [file(N, D, 5)]); // only the child reached us so far
    expect(childrenOf(r.changes.get(ROOT))).toEqual({ d: D });
    expect(r.tombstones.get(D)).toBeNull();
  });

  it('a changed sibling outside the removed subtree restores nothing', () => {
    const v = state([synced(folder(ROOT, ROOT, [['g', N]], 2)), synced(file(X, ROOT, 4)), synced(file(N, ROOT, 4))], [[X, tomb(ROOT, 'f.txt', [[X, 1]])]]);
    const r = applyTo(v, [file(N, ROOT, 9, 2)]);
    expect(r.changes.has(ROOT)).toBe(false);
    expect(r.tombstones.size).toBe(0);
  });

  it('a taken name gives the restored entry a name-conflict name, reported as a name conflict', () => {
    const v = state([synced(folder(ROOT, ROOT, [['f.txt', N]], 2)), synced(file(X, ROOT, 4)), synced(file(N, ROOT, 3))], [[X, tomb(ROOT, 'f.txt', [[X, 1]])]]);
    const r = applyTo(v, [file(X, ROOT, 8, 2)]);
    expect(childrenOf(r.changes.get(ROOT))).toEqual({ 'f.txt': N, 'f (name conflict 1).txt': X });
    expect(r.conflicts).toEqual([{ kind: 'name', vlobId: X, folderId: ROOT, from: 'f.txt', to: 'f (name conflict 1).txt' }]);
  });

  it('an entry already reachable again just forgets its tombstone', () => {
    const v = state([synced(folder(ROOT, ROOT, [['f.txt', X]], 3)), synced(file(X, ROOT, 4))], [[X, tomb(ROOT, 'f.txt', [[X, 1]])]]);
    const r = applyTo(v, [file(X, ROOT, 8, 2)]);
    expect(r.changes.has(ROOT)).toBe(false);
    expect(r.tombstones.get(X)).toBeNull();
  });

  it('nested removes: the former folder comes back first, then the entry into it', () => {
    // Alice removed X from D, then D from the root; Bob's edit of X reaches her.
    const v = state(
      [synced(folder(ROOT, ROOT, [], 3)), synced(folder(D, ROOT, [], 2)), synced(file(X, D, 4))],
      [
        [X, tomb(D, 'x.txt', [[X, 1]])],
        [D, tomb(ROOT, 'd', [[D, 2]])],
      ],
    );
    const r = applyTo(v, [file(X, D, 8, 2)]);
    expect(childrenOf(r.changes.get(ROOT))).toEqual({ d: D });
    expect(childrenOf(r.changes.get(D))).toEqual({ 'x.txt': X });
  });

  it('a former folder that stays gone: the entry goes to its nearest reachable ancestor', () => {
    // E (under D) was removed long ago and saw nothing new; X's tombstone points into it.
    const v = state(
      [synced(folder(ROOT, ROOT, [['d', D]], 2)), synced(folder(D, ROOT, [], 2)), synced(folder(E, D)), synced(file(X, E, 4))],
      [[X, tomb(E, 'x.txt', [[X, 1]])]],
    );
    const r = applyTo(v, [file(X, E, 8, 2)]);
    expect(childrenOf(r.changes.get(D))).toEqual({ 'x.txt': X });
    expect(r.changes.get(X)?.local.parent).toBe(D); // the manifest follows its new folder
    expect(r.changes.get(X)?.needSync).toBe(true);
    expect(r.changes.has(E)).toBe(false);
  });

  it('a file edited then removed here: no "recovered" copy of the discarded local content', () => {
    const local: LocalEntry = { ...synced(file(X, ROOT, 4)), local: file(X, ROOT, 6), needSync: true };
    const v = state([synced(folder(ROOT, ROOT, [], 2)), local], [[X, tomb(ROOT, 'f.txt', [[X, 1]])]]);
    const r = applyTo(v, [file(X, ROOT, 8, 2)]);
    expect(childrenOf(r.changes.get(ROOT))).toEqual({ 'f.txt': X });
    expect(r.changes.has('c0'.repeat(16) as VlobId)).toBe(false);
  });
});

describe('missed deletes: the delete is not uploaded yet', () => {
  it('without a tombstone (state of an older client), an unsynced removal is undone by a newer version', () => {
    const root: LocalEntry = { ...synced(folder(ROOT, ROOT, [['f.txt', X]])), local: folder(ROOT, ROOT, []), needSync: true };
    const v = state([root, synced(file(X, ROOT, 4))]);
    const r = applyTo(v, [file(X, ROOT, 8, 2)]);
    expect(childrenOf(r.changes.get(ROOT))).toEqual({ 'f.txt': X });
  });

  it('the folder arrives too: the merge restores the removed child', () => {
    const root: LocalEntry = { ...synced(folder(ROOT, ROOT, [['f.txt', X]])), local: folder(ROOT, ROOT, []), needSync: true };
    const v = state([root, synced(file(X, ROOT, 4))], [[X, tomb(ROOT, 'f.txt', [[X, 1]])]]);
    const r = applyTo(v, [folder(ROOT, ROOT, [['f.txt', X], ['g', N]], 2), file(N, ROOT, 1), file(X, ROOT, 8, 2)]);
    expect(childrenOf(r.changes.get(ROOT))).toEqual({ 'f.txt': X, g: N });
    expect(r.tombstones.get(X)).toBeNull();
  });
});

describe('tombstones', () => {
  it('record the verified version of every vlob of the removed subtree (never-uploaded ones left out)', () => {
    const fresh: LocalEntry = { local: file(N, D, 1, 0), needSync: true, base: null };
    const v = state([synced(folder(ROOT, ROOT, [['d', D]])), synced(folder(D, ROOT, [['x', X], ['n', N]], 3)), synced(file(X, D, 4, 2)), fresh]);
    expect(tombstoneFor(v, D, ROOT, n('d'))).toEqual({ parent: ROOT, name: 'd', seen: new Map([[D, 3], [X, 2]]) });
    expect([...removeTombstones(v, ROOT, [n('d'), n('x')], ignore)]).toEqual([[X, { parent: D, name: 'x', seen: new Map([[X, 2]]) }]]);
  });

  it('none for a scratch entry, which never left this device; one for a shared entry kept under an ignored name', () => {
    const scratch: LocalEntry = { local: file(X, ROOT, 4, 0), needSync: true, base: null };
    const v = state([{ ...synced(folder(ROOT, ROOT)), local: folder(ROOT, ROOT, [['a.tmp', X]]), needSync: true }, scratch]);
    expect(removeTombstones(v, ROOT, [n('a.tmp')], ignore).size).toBe(0);
    // Shared (this device holds a verified version): e.g. put back over a blind delete after a
    // pattern change hid it. Removing it is a shared delete, and its tombstone guards edits.
    const shared = state([{ ...synced(folder(ROOT, ROOT)), local: folder(ROOT, ROOT, [['a.tmp', X]]), needSync: true }, synced(file(X, ROOT, 4))]);
    expect([...removeTombstones(shared, ROOT, [n('a.tmp')], ignore)]).toEqual([[X, { parent: ROOT, name: 'a.tmp', seen: new Map([[X, 1]]) }]]);
  });

  it('round-trip through their at-rest format; malformed ones are refused', () => {
    const t = tomb(ROOT, 'dé', [[D, 3], [X, 1]]);
    expect(decodeTombstone(encodeTombstone(t))).toEqual(t);
    const twice = localTombstoneDocument.encode({ parent: ROOT, name: n('d'), seen: [{ id: X, version: 1 }, { id: X, version: 2 }] });
    expect(() => decodeTombstone(twice)).toThrow(expect.objectContaining({ code: 'codec/schema' }));
    expect(() => encodeTombstone({ parent: ROOT, name: n('d'), seen: new Map([[X, 0]]) })).toThrow(expect.objectContaining({ code: 'codec/schema' }));
    expect(() => decodeTombstone(new Uint8Array([0xa0]))).toThrow(expect.objectContaining({ name: 'CodecError' }));
  });

  it('persist with the workspace state and are forgotten in the same atomic batch', async () => {
    const storage = new MemoryStorage();
    const store = new LocalStore(storage);
    const realm = ROOT as string as RealmId;
    const ws = await WorkspaceState.load(store, realm, ME);
    await ws.commit(new Map(), [], new Map([[X, tomb(ROOT, 'f.txt', [[X, 1]])]]));
    const again = await WorkspaceState.load(store, realm, ME);
    expect(again.tombstone(X)).toEqual(tomb(ROOT, 'f.txt', [[X, 1]]));
    await again.commit(new Map(), [], new Map([[X, null]]));
    expect(again.tombstone(X)).toBeUndefined();
    expect((await WorkspaceState.load(store, realm, ME)).tombstone(X)).toBeUndefined();
  });
});
