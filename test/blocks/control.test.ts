/** Abort, bounded concurrency, backpressure and progress of encodeFile/decodeFile. */
import { describe, expect, it } from 'vitest';
import { decodeFile, decodeFileIterable, encodeFile } from '../../src/blocks/index.js';
import type { EncodedFile, UploadBlock } from '../../src/blocks/index.js';
import type { BlockId } from '../../src/codec/ids.js';
import { AbortError, StorageError } from '../../src/errors.js';
import { newRealm } from './fixtures.js';
import { BlockStore, sameBytes, settle, testBytes } from './helpers.js';

const BS = 4096;
const realm = newRealm();

/** An endless source of BS-sized pieces that counts how many were pulled. */
function endless() {
  const counter = { pulled: 0 };
  async function* gen(): AsyncGenerator<Uint8Array> {
    for (;;) {
      await Promise.resolve();
      counter.pulled++;
      yield testBytes(BS, counter.pulled);
    }
  }
  return { counter, source: gen() };
}

/** Upload/fetch that never finish on their own: they settle only when their signal aborts. */
function hanging() {
  const calls: AbortSignal[] = [];
  const hang = (signal: AbortSignal) =>
    new Promise<never>((_, reject) => {
      calls.push(signal);
      signal.addEventListener('abort', () => reject(new StorageError('storage/aborted', 'aborted')));
    });
  return { calls, hang };
}

const data = testBytes(12 * BS + 7, 77);
const stored = new BlockStore(0);
const file: EncodedFile = await encodeFile(data, { ...realm, blocksize: BS, upload: stored.upload });
const dopts = { ...realm, size: file.size, blocksize: BS };

describe('abort', () => {
  it('encode: stops reading and uploading at once, rejects with AbortError, aborts in-flight uploads', async () => {
    const ac = new AbortController();
    const { counter, source } = endless();
    const { calls, hang } = hanging();
    const upload = (_b: UploadBlock, signal: AbortSignal) => {
      if (calls.length === 2) setTimeout(() => ac.abort('user'), 0);
      return hang(signal);
    };
    const err = await encodeFile(source, { ...realm, blocksize: BS, concurrency: 4, upload, signal: ac.signal }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AbortError);
    expect(err).toMatchObject({ code: 'abort/aborted', cause: 'user' });
    const [uploadsAtAbort, pulledAtAbort] = [calls.length, counter.pulled];
    expect(calls.every((s) => s.aborted)).toBe(true);
    await settle(10);
    expect(calls.length - uploadsAtAbort).toBe(0);
    expect(counter.pulled - pulledAtAbort).toBe(0);
  });

  it('encode: rejects promptly even when an upload ignores its signal', async () => {
    const ac = new AbortController();
    let uploads = 0;
    const upload = () => {
      if (++uploads === 1) setTimeout(() => ac.abort(), 0);
      return new Promise<void>(() => undefined);
    };
    await expect(encodeFile(testBytes(8 * BS), { ...realm, blocksize: BS, upload, signal: ac.signal })).rejects.toBeInstanceOf(AbortError);
    const at = uploads;
    await settle(10);
    expect(uploads).toBe(at);
  });

  it('encode: cancels a ReadableStream source on abort, even while a read is pending', async () => {
    const ac = new AbortController();
    let cancelled = false;
    let pulls = 0;
    const stream = new ReadableStream<Uint8Array>(
      {
        // One block, then a source that never delivers again: only a cancel ends its pending read.
        pull: (c) => (++pulls === 1 ? c.enqueue(testBytes(BS)) : new Promise<void>(() => undefined)),
        cancel: () => {
          cancelled = true;
        },
      },
      { highWaterMark: 0 },
    );
    const upload = async () => {
      setTimeout(() => ac.abort(), 0);
    };
    await expect(encodeFile(stream, { ...realm, blocksize: BS, upload, signal: ac.signal })).rejects.toBeInstanceOf(AbortError);
    await settle();
    expect(cancelled).toBe(true);
  });

  it('encode/decode: an already aborted signal makes no call at all', async () => {
    const ac = new AbortController();
    ac.abort();
    const store = new BlockStore(0);
    await expect(encodeFile(data, { ...realm, blocksize: BS, upload: store.upload, signal: ac.signal })).rejects.toBeInstanceOf(AbortError);
    expect(() => decodeFile(file.blocks, store.fetch, { ...dopts, signal: ac.signal })).toThrow(AbortError);
    expect(store.uploads + store.fetches).toBe(0);
  });

  it('decode: a pending read rejects with AbortError, in-flight fetches are aborted, no fetch afterwards', async () => {
    const ac = new AbortController();
    const { calls, hang } = hanging();
    let fetches = 0;
    const fetch = (id: BlockId, signal: AbortSignal) => (++fetches <= 2 ? stored.fetch(id) : hang(signal));
    const it = decodeFileIterable(file.blocks, fetch, { ...dopts, concurrency: 3, signal: ac.signal });
    expect(sameBytes((await it.next()).value as Uint8Array, data.subarray(0, BS))).toBe('same');
    expect(sameBytes((await it.next()).value as Uint8Array, data.subarray(BS, 2 * BS))).toBe('same');
    const pending = it.next();
    setTimeout(() => ac.abort(), 0);
    await expect(pending).rejects.toBeInstanceOf(AbortError);
    const at = fetches;
    expect(calls.length).toBeGreaterThan(0);
    expect(calls.every((s) => s.aborted)).toBe(true);
    await settle(10);
    expect(fetches).toBe(at);
    expect(await it.next()).toEqual({ done: true, value: undefined });
  });

  it('decode: an abort while the reader holds a piece ends the stream with AbortError and no new fetch', async () => {
    const ac = new AbortController();
    const store = Object.assign(new BlockStore(0), { blocks: stored.blocks });
    const it = decodeFileIterable(file.blocks, store.fetch, { ...dopts, concurrency: 2, signal: ac.signal });
    await it.next();
    const at = store.fetches;
    ac.abort();
    await expect(it.next()).rejects.toBeInstanceOf(AbortError);
    await settle();
    expect(store.fetches).toBe(at);
  });

  it('decode: cancelling the ReadableStream or breaking out of the loop aborts the fetches in flight', async () => {
    for (const stop of ['cancel', 'break'] as const) {
      const { calls, hang } = hanging();
      let fetches = 0;
      const fetch = (id: BlockId, signal: AbortSignal) => (++fetches === 1 ? stored.fetch(id) : hang(signal));
      if (stop === 'cancel') {
        const reader = decodeFile(file.blocks, fetch, { ...dopts, concurrency: 3 }).getReader();
        await reader.read();
        await reader.cancel();
      } else {
        for await (const piece of decodeFileIterable(file.blocks, fetch, { ...dopts, concurrency: 3 })) {
          expect(piece.length).toBe(BS);
          break;
        }
      }
      await settle();
      expect(calls.length).toBeGreaterThan(0);
      expect(calls.every((s) => s.aborted)).toBe(true);
      const at = fetches;
      await settle();
      expect(fetches).toBe(at);
    }
  });

  it('encode: the first upload error fails the encode, aborts the others and stops uploading', async () => {
    const signals: AbortSignal[] = [];
    const { hang } = hanging();
    const upload = (_b: UploadBlock, signal: AbortSignal) => {
      signals.push(signal);
      if (signals.length === 3) return Promise.reject(new StorageError('storage/full', 'full'));
      return hang(signal);
    };
    const { source } = endless();
    await expect(encodeFile(source, { ...realm, blocksize: BS, upload })).rejects.toMatchObject({ code: 'storage/full' });
    const at = signals.length;
    expect(signals.every((s) => s.aborted)).toBe(true);
    await settle();
    expect(signals.length).toBe(at);
  });

  it('encode: a source error fails the encode as is', async () => {
    async function* broken(): AsyncGenerator<Uint8Array> {
      yield testBytes(BS + 5);
      throw new StorageError('storage/read', 'disk gone');
    }
    await expect(encodeFile(broken(), { ...realm, blocksize: BS, upload: new BlockStore(0).upload })).rejects.toMatchObject({ code: 'storage/read' });
  });
});

describe('concurrency and memory bounds', () => {
  it.each([1, 3])('encode keeps at most %i uploads in flight, and uses them all', async (c) => {
    const store = new BlockStore(2);
    await encodeFile(testBytes(12 * BS), { ...realm, blocksize: BS, concurrency: c, upload: store.upload });
    expect(store.uploads).toBe(12);
    expect(store.maxInflight).toBe(c);
  });

  it.each([1, 3])('decode keeps at most %i fetches in flight, and uses them all', async (c) => {
    const store = Object.assign(new BlockStore(2), { blocks: stored.blocks });
    const got = await new Response(decodeFile(file.blocks, store.fetch, { ...dopts, concurrency: c })).arrayBuffer();
    expect(sameBytes(new Uint8Array(got), data)).toBe('same');
    expect(store.maxInflight).toBe(c);
  });

  it('encode does not read ahead while the upload window is full (backpressure)', async () => {
    const gates: (() => void)[] = [];
    const upload = () => new Promise<void>((r) => gates.push(r));
    const { counter, source } = endless();
    const limited = (async function* () {
      for await (const p of source) {
        yield p;
        if (counter.pulled === 40) return;
      }
    })();
    const done = encodeFile(limited, { ...realm, blocksize: BS, concurrency: 3, upload });
    await settle(10);
    // 3 blocks in the window, at most one more pulled by the chunker before it is told to wait.
    expect(gates.length).toBe(3);
    expect(counter.pulled).toBeLessThanOrEqual(4);
    while (gates.length > 0 || counter.pulled < 40) {
      const before = counter.pulled;
      gates.shift()?.();
      await settle(2);
      expect(counter.pulled - before).toBeLessThanOrEqual(1);
      expect(gates.length).toBeLessThanOrEqual(3);
    }
    expect((await done).blocks.length).toBe(40);
  });

  it('decode fetches no more than `concurrency` blocks ahead of a slow reader', async () => {
    const store = Object.assign(new BlockStore(0), { blocks: stored.blocks });
    const it = decodeFileIterable(file.blocks, store.fetch, { ...dopts, concurrency: 3 });
    await settle();
    expect(store.fetches).toBe(0); // nothing before the first read
    await it.next();
    await settle(10);
    expect(store.fetches).toBe(3); // the piece held by the reader + 2 ahead
    await it.next();
    await settle(10);
    expect(store.fetches).toBe(4);
    await it.return(undefined);
  });
});

describe('progress', () => {
  it('encode reports uploaded bytes, monotonic, ending at the total', async () => {
    const seen: [number, number | undefined][] = [];
    const store = new BlockStore(1);
    await encodeFile(data, { ...realm, blocksize: BS, upload: store.upload, onProgress: (d, t) => seen.push([d, t]) });
    expect(seen.length).toBe(file.blocks.length);
    expect(seen.every(([d], i) => i === 0 || d > (seen[i - 1] as [number, number])[0])).toBe(true);
    expect(seen.at(-1)).toEqual([data.length, data.length]);
    const fromStream: [number, number | undefined][] = [];
    async function* src() {
      yield data;
    }
    await encodeFile(src(), { ...realm, blocksize: BS, upload: store.upload, onProgress: (d, t) => fromStream.push([d, t]) });
    expect(fromStream.at(-1)).toEqual([data.length, undefined]);
    const withHint: [number, number | undefined][] = [];
    await encodeFile(src(), { ...realm, blocksize: BS, upload: store.upload, totalSize: data.length, onProgress: (d, t) => withHint.push([d, t]) });
    expect(withHint.at(-1)).toEqual([data.length, data.length]);
  });

  it('decode reports delivered bytes of the range, ending at its length', async () => {
    const seen: [number, number][] = [];
    const range = { offset: 100, length: 5 * BS };
    for await (const _ of decodeFileIterable(file.blocks, stored.fetch, { ...dopts, ...range, onProgress: (d, t) => seen.push([d, t]) })) {
      // drain
    }
    expect(seen.length).toBe(6);
    expect(seen[0]).toEqual([BS - 100, range.length]);
    expect(seen.at(-1)).toEqual([range.length, range.length]);
  });

  it('a throwing progress callback fails the encode with its error', async () => {
    const boom = new StorageError('storage/boom', 'boom');
    const upload = new BlockStore(0).upload;
    await expect(encodeFile(data, { ...realm, blocksize: BS, upload, onProgress: () => {
      throw boom;
    } })).rejects.toBe(boom);
  });
});
