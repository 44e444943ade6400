/**
 * Page entry: the shared suites, run in Chromium. The Wycheproof and RFC vector suites run
 * through both providers (noble and the page's own WebCrypto); the storage contract runs on
 * IndexedDbStorage over the browser's real IndexedDB.
 */
import '../../keys/wycheproof.test.js';
import '../../keys/rfc-vectors.test.js';
import { StorageError } from '../../../src/errors.js';
import { SecretKey } from '../../../src/keys/index.js';
import { EncryptedStorage } from '../../../src/storage/encrypted.js';
import { IndexedDbStorage } from '../../../src/storage/indexeddb/index.js';
import { storageContract } from '../../storage/storage-contract.js';
import { runRegistered } from '../support/vitest-shim.js';

// The contract yields to the event loop with setImmediate (Node); a macrotask is the same here.
(globalThis as { setImmediate?: unknown }).setImmediate ??= (f: () => void) => setTimeout(f, 0);

let n = 0;
const names = new WeakMap<object, string>();
async function fresh(): Promise<IndexedDbStorage> {
  const name = `contract-${n++}`;
  const s = await IndexedDbStorage.open(name);
  names.set(s, name);
  return s;
}
storageContract('IndexedDbStorage (Chromium)', {
  make: fresh,
  async reopen(s) {
    await s.close();
    const again = await IndexedDbStorage.open(names.get(s)!);
    names.set(again, names.get(s)!);
    return again;
  },
});
storageContract('EncryptedStorage(IndexedDbStorage) (Chromium)', {
  make: async () => new EncryptedStorage(await fresh(), SecretKey.fromBytes(new Uint8Array(32).fill(3))),
});

/**
 * With the origin's quota lowered (by the test, through the DevTools protocol), a batch that
 * does not fit is refused with `storage/quota-exceeded` and leaves nothing behind.
 */
async function quotaExceeded(): Promise<{ code: string; keysAfter: string[]; valueAfter: number[] }> {
  const s = await IndexedDbStorage.open('quota');
  await s.put('ns', 'small', Uint8Array.of(1, 2, 3));
  const big = (i: number): Uint8Array => crypto.getRandomValues(new Uint8Array(60_000)).fill(i, 0, 1);
  let code = 'no error';
  try {
    await s.batch([
      { op: 'put', ns: 'ns', key: 'small', value: Uint8Array.of(9) },
      ...Array.from({ length: 20 }, (_, i) => ({ op: 'put' as const, ns: 'ns', key: `big-${i}`, value: big(i) })),
    ]);
  } catch (e) {
    code = e instanceof StorageError ? e.code : `not a StorageError: ${String(e)}`;
  }
  const keysAfter = await s.list('ns');
  const valueAfter = [...((await s.get('ns', 'small')) ?? [])];
  await s.close();
  return { code, keysAfter, valueAfter };
}

Object.assign(globalThis, { suites: { run: runRegistered, quotaExceeded } });
document.title = 'ready';
