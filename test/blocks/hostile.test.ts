/**
 * Hostile storage: the server answers fetches with whatever it likes. Every attack must end in a
 * typed IntegrityError, and what was yielded before it must be exactly the correct prefix.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeFile, decodeFileIterable, encodeFile } from '../../src/blocks/index.js';
import type { DecodeFileOptions, EncodedFile } from '../../src/blocks/index.js';
import type { BlockId } from '../../src/codec/ids.js';
import { IntegrityError, StorageError } from '../../src/errors.js';
import type { BlockRef } from '../../src/manifests/types.js';
import { newRealm } from './fixtures.js';
import { BlockStore, RUNS, drain, sameBytes, testBytes } from './helpers.js';

const BS = 4096;
const realm = newRealm();
const data = testBytes(5 * BS + 1000, 123);
const otherData = testBytes(5 * BS + 1000, 456);

async function stored(content: Uint8Array): Promise<{ file: EncodedFile; store: BlockStore }> {
  const store = new BlockStore(0);
  const file = await encodeFile(content, { ...realm, blocksize: BS, upload: store.upload });
  return { file, store };
}
const good = await stored(data);
const other = await stored(otherData);
const ct = (f: { file: EncodedFile; store: BlockStore }, i: number) => f.store.blocks.get((f.file.blocks[i] as BlockRef).id) as Uint8Array;
const idOf = (i: number) => (good.file.blocks[i] as BlockRef).id;

/** Storage that serves the good blocks except where `tamper` answers otherwise. */
function fetchWith(tamper: Map<BlockId, Uint8Array | undefined>) {
  return async (id: BlockId) => {
    await Promise.resolve();
    return tamper.has(id) ? tamper.get(id) : good.store.blocks.get(id);
  };
}

function opts(extra: Partial<DecodeFileOptions> = {}): DecodeFileOptions {
  return { ...realm, size: good.file.size, blocksize: BS, ...extra };
}

async function expectAttack(tamper: Map<BlockId, Uint8Array | undefined>, badBlock: number, code: string, concurrency = 4, blocks: readonly BlockRef[] = good.file.blocks) {
  const { data: got, error } = await drain(decodeFileIterable(blocks, fetchWith(tamper), opts({ concurrency })));
  expect(error).toBeInstanceOf(IntegrityError);
  expect(error).toMatchObject({ code });
  expect(sameBytes(got, data.subarray(0, badBlock * BS))).toBe('same');
}

describe('hostile storage', () => {
  it.each([1, 2, 4])('a block substituted by another valid block of the same file → integrity/block-decrypt (concurrency %i)', async (c) => {
    await expectAttack(new Map([[idOf(2), ct(good, 3)]]), 2, 'integrity/block-decrypt', c);
  });

  it('a block substituted by the block at the same position of another file → integrity/block-decrypt', async () => {
    await expectAttack(new Map([[idOf(1), ct(other, 1)]]), 1, 'integrity/block-decrypt');
  });

  it('a block of another realm stored under the same id → integrity/block-decrypt', async () => {
    // Same realm key but another realm id: only the AAD tells them apart.
    const elsewhere = new BlockStore(0);
    const otherRealm = { ...realm, realmId: newRealm().realmId };
    await encodeFile(data.subarray(0, BS), { ...otherRealm, blocksize: BS, upload: elsewhere.upload });
    const [foreign] = [...elsewhere.blocks.values()];
    await expectAttack(new Map([[idOf(0), foreign]]), 0, 'integrity/block-decrypt');
  });

  it('two blocks swapped → integrity/block-decrypt at the first of them', async () => {
    await expectAttack(
      new Map([
        [idOf(1), ct(good, 3)],
        [idOf(3), ct(good, 1)],
      ]),
      1,
      'integrity/block-decrypt',
    );
  });

  it('a truncated block → integrity/block-size', async () => {
    await expectAttack(new Map([[idOf(3), ct(good, 3).subarray(0, BS)]]), 3, 'integrity/block-size');
  });

  it('the short last block substituted for a full one → integrity/block-size', async () => {
    await expectAttack(new Map([[idOf(0), ct(good, 5)]]), 0, 'integrity/block-size');
  });

  it('one flipped bit anywhere in a block (nonce, ciphertext or tag) → integrity/block-decrypt (fast-check)', async () => {
    const blob = ct(good, 2);
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: blob.length * 8 - 1 }), async (bit) => {
        const flipped = blob.slice();
        flipped[bit >> 3] = (flipped[bit >> 3] as number) ^ (1 << (bit & 7));
        await expectAttack(new Map([[idOf(2), flipped]]), 2, 'integrity/block-decrypt');
      }),
      { numRuns: RUNS },
    );
  });

  it('a missing block → integrity/block-missing', async () => {
    await expectAttack(new Map([[idOf(4), undefined]]), 4, 'integrity/block-missing');
  });

  it('a manifest digest that does not match → integrity/block-digest', async () => {
    const blocks = good.file.blocks.map((b, i) => (i === 2 ? { ...b, digest: new Uint8Array(32) } : b));
    await expectAttack(new Map(), 2, 'integrity/block-digest', 4, blocks);
  });

  it('a manifest that lies about the last block size → integrity/block-size, nothing of it yielded', async () => {
    const last = good.file.blocks[5] as BlockRef;
    const blocks = [...good.file.blocks.slice(0, 5), { ...last, size: last.size - 1 }];
    const { data: got, error } = await drain(decodeFileIterable(blocks, fetchWith(new Map()), opts({ size: good.file.size - 1 })));
    expect(error).toMatchObject({ code: 'integrity/block-size' });
    expect(sameBytes(got, data.subarray(0, 5 * BS))).toBe('same');
  });

  it('errors are delivered in order even when a later block fails first', async () => {
    // Block 4 is missing and answered at once; block 1 is corrupt but answered later.
    const corrupt = ct(good, 1).slice();
    corrupt[40] = (corrupt[40] as number) ^ 1;
    const fetch = async (id: BlockId) => {
      if (id === idOf(4)) return undefined;
      await new Promise((r) => setTimeout(r, 5));
      return id === idOf(1) ? corrupt : good.store.blocks.get(id);
    };
    const { data: got, error } = await drain(decodeFileIterable(good.file.blocks, fetch, opts({ concurrency: 6 })));
    expect(error).toMatchObject({ code: 'integrity/block-decrypt' });
    expect(sameBytes(got, data.subarray(0, BS))).toBe('same');
  });

  it('a range read yields exactly the range prefix before the bad block', async () => {
    const tamper = new Map([[idOf(3), ct(good, 4)]]);
    const { data: got, error } = await drain(decodeFileIterable(good.file.blocks, fetchWith(tamper), opts({ offset: BS + 100, length: 3 * BS })));
    expect(error).toMatchObject({ code: 'integrity/block-decrypt' });
    expect(sameBytes(got, data.subarray(BS + 100, 3 * BS))).toBe('same');
  });

  it('the ReadableStream errors with the same typed error after the correct prefix', async () => {
    const reader = decodeFile(good.file.blocks, fetchWith(new Map([[idOf(2), ct(good, 0)]])), opts()).getReader();
    const pieces: Uint8Array[] = [];
    const error = await (async () => {
      for (;;) {
        const r = await reader.read();
        if (r.done) return undefined;
        pieces.push(r.value);
      }
    })().catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'integrity/block-decrypt' });
    expect(sameBytes(Buffer.concat(pieces), data.subarray(0, 2 * BS))).toBe('same');
  });

  it('a fetch error is passed through as is, after the correct prefix', async () => {
    const fetch = async (id: BlockId) => {
      if (id === idOf(3)) throw new StorageError('storage/unavailable', 'down');
      return good.store.blocks.get(id);
    };
    const { data: got, error } = await drain(decodeFileIterable(good.file.blocks, fetch, opts()));
    expect(error).toMatchObject({ code: 'storage/unavailable' });
    expect(sameBytes(got, data.subarray(0, 3 * BS))).toBe('same');
  });
});
