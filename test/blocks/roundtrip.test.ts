import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_BLOCKSIZE, decodeFile, decodeFileIterable, encodeFile, readAll } from '../../src/blocks/index.js';
import type { EncodedFile } from '../../src/blocks/index.js';
import { SecretKey } from '../../src/keys/index.js';
import { newRealm } from './fixtures.js';
import { BlockStore, RUNS, drain, sameBytes, iterate, randomSplit, readStream, testBytes } from './helpers.js';

const BS = 4096;
const realm = newRealm(2);

async function encode(data: Uint8Array | AsyncIterable<Uint8Array> | ReadableStream<Uint8Array>, blocksize: number, store = new BlockStore(0)) {
  const file = await encodeFile(data, { ...realm, blocksize, upload: store.upload });
  return { file, store };
}

function decodeOpts(file: EncodedFile, extra: { offset?: number; length?: number } = {}) {
  return { ...realm, size: file.size, blocksize: file.blocksize, ...extra };
}

describe('encode → decode', () => {
  it.each([
    [0, BS],
    [1, BS],
    [BS - 1, BS],
    [BS, BS],
    [BS + 1, BS],
    [3 * 1024 * 1024 + 123, 64 * 1024],
  ])('round-trips %i bytes with blocksize %i', async (n, bs) => {
    const data = testBytes(n, n);
    const { file, store } = await encode(data, bs);
    expect(file.size).toBe(n);
    expect(file.blocksize).toBe(bs);
    expect(file.blocks.length).toBe(Math.ceil(n / bs));
    expect(store.blocks.size).toBe(file.blocks.length);
    file.blocks.forEach((b, i) => {
      expect(b.offset).toBe(i * bs);
      expect(b.size).toBe(Math.min(bs, n - i * bs));
    });
    expect(sameBytes(await readAll(file.blocks, store.fetch, decodeOpts(file)), data)).toBe('same');
    expect(sameBytes(await readStream(decodeFile(file.blocks, store.fetch, decodeOpts(file))), data)).toBe('same');
    const { data: viaIterable, error } = await drain(decodeFileIterable(file.blocks, store.fetch, decodeOpts(file)));
    expect(error).toBeUndefined();
    expect(sameBytes(viaIterable, data)).toBe('same');
  });

  it('round-trips with the default 512 KiB block size', async () => {
    const data = testBytes(2 * DEFAULT_BLOCKSIZE + 5, 11);
    const store = new BlockStore(0);
    const file = await encodeFile(data, { ...realm, upload: store.upload });
    expect(file.blocksize).toBe(DEFAULT_BLOCKSIZE);
    expect(file.blocks.map((b) => b.size)).toEqual([DEFAULT_BLOCKSIZE, DEFAULT_BLOCKSIZE, 5]);
    expect(sameBytes(await readAll(file.blocks, store.fetch, { ...realm, size: file.size }), data)).toBe('same');
  });

  it('gives the same digests for 1-byte pieces, random splits, a ReadableStream and one buffer', async () => {
    const data = testBytes(3 * BS + 77, 5);
    const digests = (f: EncodedFile) => f.blocks.map((b) => [b.offset, b.size, Buffer.from(b.digest).toString('hex')]);
    const whole = digests((await encode(data, BS)).file);
    const ones = await encode(iterate(Array.from(data, (_, i) => data.subarray(i, i + 1))), BS);
    expect(digests(ones.file)).toEqual(whole);
    const pieces = randomSplit(data, 9, BS + 100);
    const split = await encode(iterate(pieces), BS);
    expect(digests(split.file)).toEqual(whole);
    const stream = new ReadableStream<Uint8Array>({
      start(c) {
        for (const p of pieces) c.enqueue(p);
        c.close();
      },
    });
    const viaStream = await encode(stream, BS);
    expect(digests(viaStream.file)).toEqual(whole);
    expect(sameBytes(await readAll(viaStream.file.blocks, viaStream.store.fetch, decodeOpts(viaStream.file)), data)).toBe('same');
  });

  it('round-trips random sizes split at random (fast-check)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 10 * BS }), fc.integer(), fc.integer({ min: 1, max: 4 }), async (n, seed, concurrency) => {
        const data = testBytes(n, seed);
        const store = new BlockStore(0);
        const file = await encodeFile(iterate(randomSplit(data, seed, 2 * BS)), { ...realm, blocksize: BS, concurrency, upload: store.upload });
        expect(sameBytes(await readAll(file.blocks, store.fetch, { ...decodeOpts(file), concurrency }), data)).toBe('same');
      }),
      { numRuns: RUNS },
    );
  });

  it('range reads return exactly the bytes asked for and fetch only the blocks they overlap (fast-check)', async () => {
    const data = testBytes(10 * BS + 333, 42);
    const { file, store } = await encode(data, BS);
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: data.length }), fc.integer({ min: 0, max: data.length + 10 }), async (offset, length) => {
        store.fetches = 0;
        const fetched = new Set<string>();
        const fetch = (id: Parameters<typeof store.fetch>[0]) => {
          fetched.add(id);
          return store.fetch(id);
        };
        const got = await readAll(file.blocks, fetch, decodeOpts(file, { offset, length }));
        const end = Math.min(offset + length, data.length);
        expect(sameBytes(got, data.subarray(offset, end))).toBe('same');
        const needed = file.blocks.filter((b) => offset < end && b.offset < end && b.offset + b.size > offset).map((b) => b.id);
        expect([...fetched].sort()).toEqual([...needed].sort());
        expect(store.fetches).toBe(needed.length);
      }),
      { numRuns: RUNS * 4 },
    );
  });

  it('takes the realm keys by index', async () => {
    const data = testBytes(BS + 1, 3);
    const { file, store } = await encode(data, BS);
    const keys = new Map([
      [1, SecretKey.generate()],
      [2, realm.realmKey],
    ]);
    expect(sameBytes(await readAll(file.blocks, store.fetch, { ...decodeOpts(file), realmKey: keys }), data)).toBe('same');
    expect(() => decodeFileIterable(file.blocks, store.fetch, { ...decodeOpts(file), realmKey: keys, keyIndex: 3 })).toThrow(
      expect.objectContaining({ code: 'blocks/unknown-key-index' }),
    );
    await expect(readAll(file.blocks, store.fetch, { ...decodeOpts(file), realmKey: keys, keyIndex: 1 })).rejects.toMatchObject({
      code: 'integrity/block-decrypt',
    });
  });

  it('refuses bad options before reading or fetching anything', async () => {
    const { file, store } = await encode(testBytes(BS, 1), BS);
    const noUpload = new BlockStore(0);
    for (const [opts, code] of [
      [{ blocksize: 4095 }, 'blocks/invalid-blocksize'],
      [{ concurrency: 0 }, 'blocks/invalid-concurrency'],
      [{ keyIndex: 0 }, 'blocks/invalid-key-index'],
    ] as const) {
      await expect(encodeFile(testBytes(10), { ...realm, upload: noUpload.upload, ...opts })).rejects.toMatchObject({ code });
    }
    await expect(encodeFile(testBytes(10), { ...realm, upload: 'x' as never })).rejects.toMatchObject({ code: 'blocks/invalid-upload' });
    await expect(encodeFile(testBytes(10), { ...realm, realmId: 'bad' as never, upload: noUpload.upload })).rejects.toMatchObject({
      code: 'codec/invalid-id',
    });
    expect(noUpload.uploads).toBe(0);
    for (const [opts, code] of [
      [{ offset: file.size + 1 }, 'blocks/invalid-range'],
      [{ concurrency: 65 }, 'blocks/invalid-concurrency'],
      [{ blocksize: 1000 }, 'blocks/invalid-blocksize'],
      [{ blocksize: BS - 0 + 4096, size: file.size + 1 }, 'integrity/block-list'],
    ] as const) {
      expect(() => decodeFile(file.blocks, store.fetch, { ...decodeOpts(file), ...opts })).toThrow(expect.objectContaining({ code }));
    }
    expect(() => decodeFile(file.blocks, 'x' as never, decodeOpts(file))).toThrow(expect.objectContaining({ code: 'blocks/invalid-fetch' }));
    expect(store.fetches).toBe(0);
  });

  it('refuses a block list whose blocks exceed the manifest blocksize', async () => {
    const { file, store } = await encode(testBytes(2 * 8192, 1), 8192);
    await expect(readAll(file.blocks, store.fetch, { ...decodeOpts(file), blocksize: 4096 })).rejects.toMatchObject({
      code: 'integrity/block-list',
    });
    expect(store.fetches).toBe(0);
  });
});
