/**
 * Fixtures of the entry collection tests (issue 18): Alice (honest) and Bob (a lying transport,
 * state on a storage that outlives his client, tombstones forgotten at once) share a workspace;
 * Bob removes a file Alice wrote twice, and his next syncs collect its entry.
 */
import { expect } from 'vitest';
import type { Client, LocalDevice, Workspace } from '../../src/client/index.js';
import type { VlobId } from '../../src/codec/ids.js';
import { LocalStore } from '../../src/client/local-store.js';
import { EncryptedStorage } from '../../src/storage/encrypted.js';
import { MemoryStorage } from '../../src/storage/memory.js';
import type { StorageOp } from '../../src/storage/storage.js';
import { expectOk, type VlobItem } from '../../src/transport/index.js';
import { HostileTransport } from './hostile.js';
import { text, type World } from './world.js';

/** A `MemoryStorage` that survives its client's `close` (the next client reopens it) and tells its size. */
export class PersistentStorage extends MemoryStorage {
  readonly #namespaces = new Set<string>();

  override async close(): Promise<void> {}

  override async batch(ops: readonly StorageOp[]): Promise<void> {
    await super.batch(ops);
    for (const op of ops) this.#namespaces.add(op.ns);
  }

  override async put(ns: string, key: string, value: Uint8Array): Promise<void> {
    await super.put(ns, key, value);
    this.#namespaces.add(ns);
  }

  /** Stored bytes (values, as stored: encrypted), every namespace written so far. */
  async bytes(): Promise<number> {
    let n = 0;
    for (const ns of this.#namespaces) for (const key of await this.list(ns)) n += (await this.get(ns, key))!.length;
    return n;
  }
}

/** What `collectedCast` sets up. */
export interface CollectedCast {
  readonly alice: Client;
  readonly aliceDevice: LocalDevice;
  readonly bobDevice: LocalDevice;
  readonly storage: PersistentStorage;
  readonly ws: Workspace;
  readonly fileId: VlobId;
  /** Bob's local store, read directly. */
  readonly store: LocalStore;
  /** Bob's client (replaced by `reopenBob`), its workspace and its lying transport. */
  bob: Client;
  wsBob: Workspace;
  hostile: HostileTransport;
  /** Time after `/f.txt` v2 was written, before Bob removed it. */
  readonly beforeRemove: number;
}

/** Alice writes `/f.txt` twice ("v1", "v2"); Bob syncs, removes it, and syncs twice: its entry is collected. */
export async function collectedCast(world: World, track: (c: Client) => Client): Promise<CollectedCast> {
  const aliceDevice = await world.bootstrap();
  const alice = track(await world.open(aliceDevice));
  await alice.syncCertificates();
  const bobDevice = await world.enrollUser(alice, 'bob@example.org', 'Bob');
  const storage = new PersistentStorage();
  const cast = { alice, aliceDevice, bobDevice, storage, store: new LocalStore(new EncryptedStorage(storage, bobDevice.localStorageKey)) } as CollectedCast;
  await reopenBob(world, track, cast);
  await cast.bob.syncCertificates();
  const ws = await alice.createWorkspace('W');
  await ws.share(cast.bob.userId, 'CONTRIBUTOR');
  await cast.bob.sync();
  await ws.writeFile('/f.txt', text('v1'));
  await ws.sync();
  await ws.writeFile('/f.txt', text('v2'));
  await ws.sync();
  cast.wsBob = await cast.bob.workspace(ws.id);
  await cast.wsBob.sync();
  const fileId = (await cast.wsBob.stat('/f.txt')).id as VlobId;
  Object.assign(cast, { ws, fileId, beforeRemove: world.clock.clock() });
  await cast.wsBob.remove('/f.txt');
  await cast.wsBob.sync(); // uploads the delete, settles the tombstone
  expect((await cast.store.loadEntries(ws.id)).has(fileId)).toBe(true);
  await cast.wsBob.sync(); // forgets the tombstone, collects the entry
  expect((await cast.store.loadEntries(ws.id)).has(fileId)).toBe(false);
  expect((await cast.store.loadCollected(ws.id)).get(fileId)?.version).toBe(2);
  return cast;
}

/** Closes Bob's client (if open) and opens a new one on the same storage, through a new lying transport. */
export async function reopenBob(world: World, track: (c: Client) => Client, cast: CollectedCast): Promise<void> {
  const old = (cast as Partial<CollectedCast>).bob;
  if (old !== undefined) await old.close();
  cast.bob = track(await world.open(cast.bobDevice, { storage: cast.storage, tombstoneRetention: 0, wrap: (t) => (cast.hostile = new HostileTransport(t)) }));
  if ((cast as Partial<CollectedCast>).ws !== undefined) cast.wsBob = await cast.bob.workspace(cast.ws.id);
}

/** Bob's local state for "nothing applied" checks: entry ids, marks, checkpoint. */
export async function bobState(cast: CollectedCast): Promise<string> {
  const entries = [...(await cast.store.loadEntries(cast.ws.id)).keys()].sort();
  const marks = [...(await cast.store.loadCollected(cast.ws.id))].map(([id, m]) => `${id}@${m.version}`);
  return JSON.stringify({ entries, marks, state: await cast.store.getRealmState(cast.ws.id) });
}

/** Version `version` of `id` as the server stores it (unverified item). */
export async function storedVersion(world: World, cast: CollectedCast, id: VlobId, version: number): Promise<VlobItem> {
  const rep = expectOk(await world.transport(cast.aliceDevice).send({ cmd: 'vlob_read_versions', realmId: cast.ws.id, items: [{ vlobId: id, version }] }));
  return rep.items[0]!;
}
