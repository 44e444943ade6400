/**
 * Blocks are encrypted once on the writer and decrypted once on the reader (issue 14): the
 * realm-encrypted block is the local copy, not sealed again with the local key. Counts, not
 * timings. A local copy altered at rest is refused by the block checks and its bytes not returned.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { getCryptoProvider } from '../../src/keys/hazmat.js';
import { MemoryStorage } from '../../src/storage/index.js';
import type { StorageOp } from '../../src/storage/storage.js';
import { closeAfterEach, World } from './world.js';

const BS = 4096;
let world: World | undefined;
const { track } = closeAfterEach(() => world);
afterEach(() => {
  world = undefined;
  vi.restoreAllMocks();
});

/** Provider calls on block-sized data (at least `n` bytes: a block, or a block wrapped in anything), while `fn` runs. */
async function calls(method: 'aesGcmSeal' | 'aesGcmDecrypt', n: number, fn: () => Promise<unknown>): Promise<number> {
  const spy = vi.spyOn(getCryptoProvider(), method);
  try {
    await fn();
    return spy.mock.calls.filter((c) => (c[2] as Uint8Array).length >= n).length;
  } finally {
    spy.mockRestore();
  }
}

describe('blocks encrypted once', () => {
  it('writer: one encryption per block (write + sync); reader: one decryption per block read', async () => {
    world = await World.create('in-process', { blocksize: BS });
    const alice = track(await world.open(await world.bootstrap()));
    await alice.syncCertificates();
    const bob = track(await world.open(await world.enrollDevice(alice, 'second')));
    const ws = await alice.createWorkspace('W');
    const content = new Uint8Array(3 * BS).map((_, i) => i * 7);
    // 3 full blocks: one seal each (the realm encryption), none when storing them locally, none
    // (and no local unsealing) when uploading them.
    expect(await calls('aesGcmSeal', BS, () => ws.writeFile('/f.bin', content))).toBe(3);
    let sealsInSync = 0;
    expect(await calls('aesGcmDecrypt', BS, async () => (sealsInSync = await calls('aesGcmSeal', BS, () => ws.sync())))).toBe(0);
    expect(sealsInSync).toBe(0);
    await bob.sync();
    const wsB = await bob.workspace(ws.id);
    // B fetches, verifies and keeps each block: one AES-GCM open per block, nothing sealed.
    let got: Uint8Array | undefined;
    let sealsInRead = 0;
    expect(await calls('aesGcmDecrypt', BS, async () => (sealsInRead = await calls('aesGcmSeal', BS, async () => (got = await wsB.readFile('/f.bin')))))).toBe(3);
    expect(sealsInRead).toBe(0);
    expect(got).toEqual(content);
    // A later read uses the local copy: again one open per block (the checks run on every read).
    expect(await calls('aesGcmDecrypt', BS, () => wsB.readFile('/f.bin'))).toBe(3);
  });

  it('a local block altered at rest is refused (integrity/block-decrypt), no byte of it returned', async () => {
    world = await World.create('in-process', { blocksize: BS });
    const storage = new MemoryStorage();
    const blocks: { ns: string; key: string; length: number }[] = [];
    const orig = storage.batch.bind(storage);
    storage.batch = async (ops: readonly StorageOp[]) => {
      for (const op of ops) if (op.op === 'put' && op.value.length > BS) blocks.push({ ns: op.ns, key: op.key, length: op.value.length });
      return orig(ops);
    };
    const alice = track(await world.open(await world.bootstrap(), { storage }));
    await alice.syncCertificates();
    const ws = await alice.createWorkspace('W');
    await ws.writeFile('/f.bin', new Uint8Array(BS).fill(1));
    expect(blocks).toHaveLength(1);
    const at = blocks[0]!;
    const stored = (await storage.get(at.ns, at.key))!;
    const flipped = stored.slice();
    flipped[flipped.length - 1]! ^= 1;
    await storage.put(at.ns, at.key, flipped);
    await expect(ws.readFile('/f.bin')).rejects.toMatchObject({ code: 'integrity/block-decrypt' });
  });
});
