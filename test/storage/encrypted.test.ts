import { describe, expect, it } from 'vitest';
import { toHex, utf8Encode } from '../../src/bytes.js';
import { ArgumentError, CryptoError, StorageError } from '../../src/errors.js';
import { SecretKey } from '../../src/keys/index.js';
import { getCryptoProvider, setCryptoProvider } from '../../src/keys/hazmat.js';
import { EncryptedStorage } from '../../src/storage/encrypted.js';
import { MemoryStorage } from '../../src/storage/memory.js';
import type { StorageOp } from '../../src/storage/storage.js';
import { expectStorageError, storageContract } from './storage-contract.js';

const fixedKey = (): SecretKey => SecretKey.fromBytes(Uint8Array.from({ length: 32 }, (_, i) => i + 1));

storageContract('EncryptedStorage(MemoryStorage)', {
  make: async () => new EncryptedStorage(new MemoryStorage(), fixedKey()),
});

// Every cache evicts on every call: correctness must not depend on what is remembered.
storageContract('EncryptedStorage(MemoryStorage), one-entry caches', {
  make: async () => new EncryptedStorage(new MemoryStorage(), fixedKey(), { cacheEntries: 1 }),
});

/** Every inner (namespace, key, value) triple. */
async function dump(inner: MemoryStorage, namespaces: string[]): Promise<{ ns: string; key: string; value: Uint8Array }[]> {
  const out = [];
  for (const ns of namespaces) for (const key of await inner.list(ns)) out.push({ ns, key, value: (await inner.get(ns, key))! });
  return out;
}

/** The inner namespaces actually used: found by probing with the wrapper's own writes. */
async function setup(): Promise<{ inner: MemoryStorage; enc: EncryptedStorage; innerNs: string[] }> {
  const inner = new MemoryStorage();
  const enc = new EncryptedStorage(inner, fixedKey());
  const seen = new Set<string>();
  const origBatch = inner.batch.bind(inner);
  inner.batch = async (ops) => {
    for (const op of ops) seen.add(op.ns);
    return origBatch(ops);
  };
  await enc.put('secrets', 'alice-diary.txt', utf8Encode('the launch code is 0000 0000'));
  await enc.put('secrets', 'bob-notes', utf8Encode('another secret note for bob'));
  await enc.put('other', 'alice-diary.txt', utf8Encode('same key, other namespace'));
  return { inner, enc, innerNs: [...seen] };
}

const contains = (hay: Uint8Array, needle: Uint8Array): boolean => toHex(hay).includes(toHex(needle));

describe('EncryptedStorage at rest', () => {
  it('stores no plaintext value, key name or namespace name', async () => {
    const { inner, innerNs } = await setup();
    expect(innerNs.length).toBe(4); // data + index for each of the two namespaces
    const items = await dump(inner, innerNs);
    expect(items.length).toBe(6);
    for (const needle of ['launch code', 'secret note', 'alice', 'bob', 'diary', 'secrets', 'other', 'same key']) {
      for (const it of items) {
        expect(contains(it.value, utf8Encode(needle)), needle).toBe(false);
        expect(it.key.includes(needle) || it.ns.includes(needle)).toBe(false);
      }
    }
    for (const it of items) {
      expect(it.key).toMatch(/^[0-9a-f]{64}$/);
      expect(it.ns).toMatch(/^[di][0-9a-f]{40}$/);
    }
  });

  it('the same key name in two namespaces gives unrelated inner names', async () => {
    const { inner, innerNs } = await setup();
    const keys = (await dump(inner, innerNs)).map((i) => i.key);
    expect(new Set(keys).size).toBe(3); // each inner key appears in a data and an index namespace
  });

  it('a different local key cannot read (and sees nothing in its own namespaces)', async () => {
    const { inner } = await setup();
    const other = new EncryptedStorage(inner, SecretKey.fromBytes(new Uint8Array(32).fill(9)));
    expect(await other.get('secrets', 'alice-diary.txt')).toBeUndefined();
    expect(await other.list('secrets')).toEqual([]);
  });

  it('swapping two stored values is detected as storage/corrupt', async () => {
    const { inner, enc, innerNs } = await setup();
    const data = (await dump(inner, innerNs)).filter((i) => i.ns.startsWith('d'));
    const a = data.find((i) => data.filter((j) => j.ns === i.ns).length === 2)!;
    const b = data.find((i) => i.ns === a.ns && i.key !== a.key)!;
    await inner.put(a.ns, a.key, b.value);
    await inner.put(b.ns, b.key, a.value);
    await expectStorageError(enc.get('secrets', 'alice-diary.txt'), 'storage/corrupt');
    await expectStorageError(enc.get('secrets', 'bob-notes'), 'storage/corrupt');
  });

  it('moving a value to the same key in another namespace is detected', async () => {
    const { inner, enc, innerNs } = await setup();
    const before = await enc.get('other', 'alice-diary.txt');
    expect(before).toBeDefined();
    const items = (await dump(inner, innerNs)).filter((i) => i.ns.startsWith('d'));
    const nsOfOther = items.find((i) => items.filter((j) => j.ns === i.ns).length === 1)!;
    const fromSecrets = items.find((i) => i.ns !== nsOfOther.ns)!;
    await inner.put(nsOfOther.ns, nsOfOther.key, fromSecrets.value);
    const err = await enc.get('other', 'alice-diary.txt').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StorageError);
    expect((err as StorageError).code).toBe('storage/corrupt');
    expect((err as StorageError).cause).toBeInstanceOf(CryptoError);
  });

  it('any flipped bit of a value is detected', async () => {
    const { inner, enc, innerNs } = await setup();
    const items = (await dump(inner, innerNs)).filter((i) => i.ns.startsWith('d'));
    for (const it of items) {
      for (const pos of [0, 12, it.value.length - 1]) {
        const bad = it.value.slice();
        bad[pos] = bad[pos]! ^ 1;
        await inner.put(it.ns, it.key, bad);
        let failed = 0;
        for (const [ns, key] of [['secrets', 'alice-diary.txt'], ['secrets', 'bob-notes'], ['other', 'alice-diary.txt']] as const) {
          failed += await enc.get(ns, key).then(() => 0, (e: StorageError) => (e.code === 'storage/corrupt' ? 1 : 100));
        }
        expect(failed).toBe(1);
        await inner.put(it.ns, it.key, it.value);
      }
    }
  });

  it('tampered or swapped index entries make list fail with storage/corrupt', async () => {
    const { inner, enc, innerNs } = await setup();
    const index = (await dump(inner, innerNs)).filter((i) => i.ns.startsWith('i'));
    const [a, b] = index.filter((i) => index.filter((j) => j.ns === i.ns).length === 2);
    await inner.put(a!.ns, a!.key, b!.value);
    await expectStorageError(enc.list('secrets'), 'storage/corrupt');
    await inner.put(a!.ns, a!.key, a!.value);
    expect(await enc.list('secrets')).toEqual(['alice-diary.txt', 'bob-notes']);
    await inner.put(a!.ns, 'not-a-mac', a!.value);
    await expectStorageError(enc.list('secrets'), 'storage/corrupt');
  });

  it('the same plaintext stored twice gives different ciphertexts (random nonces)', async () => {
    const inner = new MemoryStorage();
    const enc = new EncryptedStorage(inner, fixedKey());
    const written: string[] = [];
    const orig = inner.batch.bind(inner);
    inner.batch = async (ops) => {
      for (const op of ops) if (op.op === 'put') written.push(toHex(op.value));
      return orig(ops);
    };
    await enc.put('ns', 'k', utf8Encode('same'));
    await enc.put('ns', 'k', utf8Encode('same'));
    // value + index entry, then the value only (the index entry holds the unchanged name); a
    // second instance knows nothing and rewrites the index entry too.
    await new EncryptedStorage(inner, fixedKey()).put('ns', 'k', utf8Encode('same'));
    expect(written.length).toBe(5);
    expect(new Set(written).size).toBe(5);
  });

  it('list is isolated from a concurrent delete (inner list and reads happen under one lock)', async () => {
    const inner = new MemoryStorage();
    const enc = new EncryptedStorage(inner, fixedKey());
    await enc.put('ns', 'k', utf8Encode('v'));
    let open!: () => void;
    const gate = new Promise<void>((r) => (open = r));
    const origList = inner.list.bind(inner);
    inner.list = async (ns, prefix) => {
      const out = await origList(ns, prefix);
      await gate; // the inner listing is slow: a delete arrives meanwhile
      return out;
    };
    const listing = enc.list('ns');
    const deleting = enc.delete('ns', 'k');
    await new Promise((r) => setTimeout(r, 20));
    open();
    expect(await listing).toEqual(['k']);
    expect(await deleting).toBe(true);
    expect(await enc.list('ns')).toEqual([]);
  });

  it('refuses a local key that is not a SecretKey, and a cache size that is not a positive integer', () => {
    expect(() => new EncryptedStorage(new MemoryStorage(), new Uint8Array(32) as unknown as SecretKey)).toThrow(ArgumentError);
    for (const cacheEntries of [0, -1, 1.5, Number.NaN]) {
      expect(() => new EncryptedStorage(new MemoryStorage(), fixedKey(), { cacheEntries })).toThrow(ArgumentError);
    }
  });
});

/** A MemoryStorage that records the inner ops of each batch and can be told to fail the next one. */
class SpyStorage extends MemoryStorage {
  readonly batches: StorageOp[][] = [];
  failNext = false;

  override async batch(ops: readonly StorageOp[]): Promise<void> {
    if (this.failNext) {
      this.failNext = false;
      throw new StorageError('storage/io', 'injected failure');
    }
    this.batches.push([...ops]);
    return super.batch(ops);
  }

  /** How many index-entry puts (inner namespace `i…`) the last batch held. */
  lastIndexPuts(): number {
    return this.batches.at(-1)!.filter((op) => op.op === 'put' && op.ns.startsWith('i')).length;
  }
}

describe('EncryptedStorage caches never claim an index entry that is not there', () => {
  it('an overwrite rewrites only the value; after a delete, a put writes the index entry again', async () => {
    const inner = new SpyStorage();
    const enc = new EncryptedStorage(inner, fixedKey());
    await enc.put('ns', 'k', utf8Encode('v1'));
    expect(inner.lastIndexPuts()).toBe(1);
    await enc.put('ns', 'k', utf8Encode('v2'));
    expect(inner.lastIndexPuts()).toBe(0);
    expect(await enc.delete('ns', 'k')).toBe(true);
    await enc.put('ns', 'k', utf8Encode('v3'));
    expect(inner.lastIndexPuts()).toBe(1);
    expect(await enc.list('ns')).toEqual(['k']);
    expect(await enc.get('ns', 'k')).toEqual(utf8Encode('v3'));
  });

  it('a delete inside a batch makes a later put of the same batch write the index entry', async () => {
    const inner = new SpyStorage();
    const enc = new EncryptedStorage(inner, fixedKey());
    await enc.put('ns', 'k', utf8Encode('v1'));
    await enc.batch([
      { op: 'delete', ns: 'ns', key: 'k' },
      { op: 'put', ns: 'ns', key: 'k', value: utf8Encode('v2') },
    ]);
    expect(inner.lastIndexPuts()).toBe(1);
    expect(await enc.list('ns')).toEqual(['k']);
    await enc.batch([
      { op: 'put', ns: 'ns', key: 'k', value: utf8Encode('v3') },
      { op: 'delete', ns: 'ns', key: 'k' },
    ]);
    expect(await enc.list('ns')).toEqual([]);
    await enc.put('ns', 'k', utf8Encode('v4'));
    expect(inner.lastIndexPuts()).toBe(1); // the batch above ended with the entry deleted
    expect(await enc.list('ns')).toEqual(['k']);
  });

  it('a failed inner batch does not mark its index entry as written', async () => {
    const inner = new SpyStorage();
    const enc = new EncryptedStorage(inner, fixedKey());
    inner.failNext = true;
    await expectStorageError(enc.put('ns', 'k', utf8Encode('v1')), 'storage/io');
    await enc.put('ns', 'k', utf8Encode('v2'));
    expect(inner.lastIndexPuts()).toBe(1);
    expect(await enc.list('ns')).toEqual(['k']);
  });

  it('an authenticated index entry copied into another namespace still fails there', async () => {
    const inner = new SpyStorage();
    const enc = new EncryptedStorage(inner, fixedKey());
    await enc.put('ns1', 'k', utf8Encode('v'));
    const [, entry] = inner.batches.at(-1)!;
    await enc.put('ns2', 'other', utf8Encode('w'));
    const [, ns2Entry] = inner.batches.at(-1)!;
    expect(await enc.list('ns1')).toEqual(['k']); // entry is now remembered as authenticated
    await inner.put(ns2Entry!.ns, entry!.key, (entry as { value: Uint8Array }).value);
    await expectStorageError(enc.list('ns2'), 'storage/corrupt');
  });

  it('overlapping unawaited writes of one key apply in call order, however long each encryption takes', async () => {
    // A provider that makes big plaintexts slow to encrypt: without call-order queueing, a
    // later small write would land first and then be overwritten by the earlier big one.
    const real = getCryptoProvider();
    setCryptoProvider({
      ...real,
      aesGcmEncrypt: async (key, nonce, pt, aad) => {
        if (pt.length > 100) await new Promise((r) => setTimeout(r, 5));
        return real.aesGcmEncrypt(key, nonce, pt, aad);
      },
    });
    try {
      const enc = new EncryptedStorage(new MemoryStorage(), fixedKey());
      const big = new Uint8Array(1000).fill(1);
      for (let round = 0; round < 4; round++) {
        const key = `k${round}`;
        const writes: Promise<unknown>[] = [];
        if (round % 2 === 1) writes.push(enc.put('ns', key, utf8Encode('first')), enc.delete('ns', key));
        writes.push(enc.put('ns', key, big), enc.put('ns', key, utf8Encode('last')));
        await Promise.all(writes);
        const got = await enc.get('ns', key);
        expect(got?.length, `round ${round}`).toBe(4); // not the big value, nor absent
        expect(got).toEqual(utf8Encode('last'));
      }
    } finally {
      setCryptoProvider(real);
    }
  });
});
