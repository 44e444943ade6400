/**
 * IndexedDbStorage on fake-indexeddb (an in-memory IndexedDB in Node). This run is in addition
 * to the real-browser run of the same contract in Chromium (test/browser/), never instead of it.
 */
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { ArgumentError, StorageError } from '../../src/errors.js';
import { SecretKey } from '../../src/keys/index.js';
import { EncryptedStorage } from '../../src/storage/encrypted.js';
import { IndexedDbStorage, idbErrorCode, requestPersistentStorage, storageEstimate } from '../../src/storage/indexeddb/index.js';
import { DeviceFileStore } from '../../src/storage/device-store.js';
import { MemoryStorage } from '../../src/storage/memory.js';
import { fixedDevice } from './device-file-fixture.js';
import { expectStorageError, storageContract } from './storage-contract.js';

let n = 0;
const factory = new IDBFactory();
const options = { indexedDB: factory, IDBKeyRange };
const names = new WeakMap<object, string>();
async function fresh(): Promise<IndexedDbStorage> {
  const name = `contract-${n++}`;
  const s = await IndexedDbStorage.open(name, options);
  names.set(s, name);
  return s;
}

storageContract('IndexedDbStorage (fake-indexeddb)', {
  make: fresh,
  async reopen(s) {
    await s.close();
    const name = names.get(s)!;
    const again = await IndexedDbStorage.open(name, options);
    names.set(again, name);
    return again;
  },
});

storageContract('EncryptedStorage(IndexedDbStorage) (fake-indexeddb)', {
  make: async () => new EncryptedStorage(await fresh(), SecretKey.fromBytes(new Uint8Array(32).fill(3))),
});

describe('IndexedDbStorage specifics', () => {
  it('without IndexedDB: storage/unsupported; a bad name: ArgumentError', async () => {
    await expectStorageError(IndexedDbStorage.open('x', { indexedDB: undefined, IDBKeyRange }), 'storage/unsupported');
    await expect(IndexedDbStorage.open('', options)).rejects.toBeInstanceOf(ArgumentError);
  });

  it('another connection deleting the database makes this one step aside (then storage/closed)', async () => {
    const s = await IndexedDbStorage.open('step-aside', options);
    await s.put('ns', 'k', Uint8Array.of(1));
    await IndexedDbStorage.deleteDatabase('step-aside', options);
    await expectStorageError(s.get('ns', 'k'), 'storage/closed');
    const again = await IndexedDbStorage.open('step-aside', options);
    expect(await again.get('ns', 'k')).toBeUndefined();
    await again.close();
  });

  it('a connection that never closes blocks deletion: storage/upgrade-blocked; the deletion stays queued', async () => {
    const s = await IndexedDbStorage.open('blocked', options);
    await s.put('ns', 'k', Uint8Array.of(7));
    // A raw connection of an "older tab" that ignores versionchange.
    const raw = await new Promise<IDBDatabase>((resolve, reject) => {
      const r = factory.open('blocked');
      r.onsuccess = () => resolve(r.result);
      r.onerror = () => reject(r.error);
    });
    await expectStorageError(IndexedDbStorage.deleteDatabase('blocked', options), 'storage/upgrade-blocked');
    await expectStorageError(s.get('ns', 'k'), 'storage/closed'); // ours stepped aside
    raw.close();
    // IndexedDB cannot cancel a queued deletion: it runs once `raw` closes, before this open.
    const again = await IndexedDbStorage.open('blocked', options);
    expect(await again.list('ns')).toEqual([]);
    await again.close();
  });

  it('maps IndexedDB failure names to stable codes', () => {
    expect(idbErrorCode(new DOMException('full', 'QuotaExceededError'))).toBe('storage/quota-exceeded');
    expect(idbErrorCode(new DOMException('newer', 'VersionError'))).toBe('storage/newer-schema');
    expect(idbErrorCode(new DOMException('x', 'DataCloneError'))).toBe('storage/corrupt');
    expect(idbErrorCode(new DOMException('x', 'UnknownError'))).toBe('storage/io');
    expect(idbErrorCode(null)).toBe('storage/io');
  });

  it('a database at a newer schema version is refused with storage/newer-schema', async () => {
    await new Promise<void>((resolve, reject) => {
      const r = factory.open('newer', 99);
      r.onsuccess = () => {
        r.result.close();
        resolve();
      };
      r.onerror = () => reject(r.error);
    });
    await expectStorageError(IndexedDbStorage.open('newer', options), 'storage/newer-schema');
  });

  it('a stored value that is not bytes is storage/corrupt', async () => {
    const s = await IndexedDbStorage.open('corrupt', options);
    await s.close();
    await new Promise<void>((resolve, reject) => {
      const r = factory.open('corrupt');
      r.onsuccess = () => {
        const tx = r.result.transaction('items', 'readwrite');
        tx.objectStore('items').put('not bytes', ['ns', 'k']);
        tx.oncomplete = () => {
          r.result.close();
          resolve();
        };
      };
      r.onerror = () => reject(r.error);
    });
    const again = await IndexedDbStorage.open('corrupt', options);
    await expectStorageError(again.get('ns', 'k'), 'storage/corrupt');
    await again.close();
  });

  it('requestPersistentStorage and storageEstimate report what the platform says', async () => {
    expect(await requestPersistentStorage(undefined)).toBe('unsupported');
    expect(await requestPersistentStorage({ storage: { persisted: async () => true, persist: async () => false } })).toBe('persisted');
    expect(await requestPersistentStorage({ storage: { persisted: async () => false, persist: async () => true } })).toBe('persisted');
    expect(await requestPersistentStorage({ storage: { persisted: async () => false, persist: async () => false } })).toBe('not-granted');
    expect(await requestPersistentStorage({ storage: { persist: async () => Promise.reject(new Error('no')) } })).toBe('not-granted');
    expect(await storageEstimate({ storage: { estimate: async () => ({ usage: 5, quota: 10 }) } })).toEqual({ usage: 5, quota: 10 });
    expect(await storageEstimate({})).toBeUndefined();
  });
});

describe('DeviceFileStore', () => {
  const weak = { argon2: { memoryKiB: 64, iterations: 1 }, allowWeak: true } as const;

  it('keeps password-protected device files in slots of any Storage (IndexedDB here)', async () => {
    const s = await fresh();
    const store = new DeviceFileStore(s);
    const device = fixedDevice();
    expect(await store.load('alice', 'pw')).toBeUndefined();
    await store.save('alice', device, 'pw', weak);
    expect(await store.list()).toEqual(['alice']);
    const back = (await store.load('alice', 'pw', { allowWeak: true }))!;
    expect(back.deviceId).toBe(device.deviceId);
    expect(back.signingKey.verifyKey.toBytes()).toEqual(device.signingKey.verifyKey.toBytes());
    expect(await store.export('alice')).toBeInstanceOf(Uint8Array);
    await expectStorageError(store.load('alice', 'wrong', { allowWeak: true }), 'storage/wrong-password');
    expect(await store.remove('alice')).toBe(true);
    expect(await store.load('alice', 'pw')).toBeUndefined();
    await s.close();
  });

  it('refuses bad slots, namespaces and passwords before touching the storage', async () => {
    const m = new MemoryStorage();
    expect(() => new DeviceFileStore(m, '../x')).toThrow(StorageError);
    const store = new DeviceFileStore(m);
    await expectStorageError(store.save('', fixedDevice(), 'pw', weak), 'storage/invalid-key');
    await expect(store.load('a', '')).rejects.toBeInstanceOf(ArgumentError);
    await expect(store.save('a', fixedDevice(), '', weak)).rejects.toBeInstanceOf(ArgumentError);
    expect(await m.list('device-files')).toEqual([]);
  });
});
