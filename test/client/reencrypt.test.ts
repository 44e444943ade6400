/**
 * Full workspace re-encryption (Parsec F10 `WS_REENCRYPT`): after it, every manifest version and
 * block the server holds is under the new key, nothing opens with the retired one, readers read
 * old and new as before (also while it runs), a stopped run resumes, and only an OWNER may do it.
 */
import { describe, expect, it } from 'vitest';
import type { RealmId } from '../../src/codec/ids.js';
import { blockAad, blockKey } from '../../src/blocks/block-crypto.js';
import type { Client, Workspace } from '../../src/client/index.js';
import { CryptoError } from '../../src/errors.js';
import type { SecretKey } from '../../src/keys/index.js';
import { vlobAad, vlobKey } from '../../src/manifests/vlob-crypto.js';
import { blockRecord, vlobRecord } from '../../src/server/records.js';
import { MemoryStorage } from '../../src/storage/index.js';
import { isErrorReply, type AuthenticatedRequest } from '../../src/transport/index.js';
import { caught } from '../support/caught.js';
import { closeAfterEach, fetchKeyring, str, text, World } from './world.js';

const BIG = 3 * 4096 + 100; // four blocks of 4 KiB

describe('full workspace re-encryption', () => {
  let world: World;
  const { track } = closeAfterEach(() => world);
  let storage: MemoryStorage;

  async function cast(): Promise<{ alice: Client; bob: Client; carol: Client; ws: Workspace; wsCarol: Workspace; before: number }> {
    storage = new MemoryStorage();
    world = await World.create('in-process', { blocksize: 4096, server: { storage } });
    const alice = track(await world.open(await world.bootstrap()));
    await alice.syncCertificates();
    const bob = track(await world.open(await world.enrollUser(alice, 'bob@example.org', 'Bob')));
    const carol = track(await world.open(await world.enrollUser(alice, 'carol@example.org', 'Carol')));
    const ws = await alice.createWorkspace('Compromised');
    await ws.share(bob.userId, 'CONTRIBUTOR');
    await ws.share(carol.userId, 'READER');
    await ws.mkdir('/docs');
    await ws.writeFile('/docs/big.bin', new Uint8Array(BIG).fill(7));
    await ws.writeFile('/plan.md', text('first plan'));
    await ws.sync();
    const before = world.clock.clock();
    await ws.writeFile('/plan.md', text('second plan'));
    await ws.sync();
    await bob.sync();
    const wsBob = await bob.workspace(ws.id);
    await wsBob.writeFile('/docs/bob.txt', text('from Bob'));
    await wsBob.sync();
    await carol.sync();
    const wsCarol = await carol.workspace(ws.id);
    await wsCarol.sync();
    return { alice, bob, carol, ws, wsCarol, before };
  }

  /** Every vlob version and block of the realm as the server stores them. */
  async function stored(realmId: RealmId): Promise<{ vlobs: ReturnType<typeof vlobRecord.decode>[]; blocks: ReturnType<typeof blockRecord.decode>[] }> {
    const read = async <T extends { realmId: RealmId }>(ns: string, decode: (b: Uint8Array) => T): Promise<T[]> => {
      const out: T[] = [];
      for (const key of await storage.list(`${world.organizationId}-${ns}`)) {
        const rec = decode((await storage.get(`${world.organizationId}-${ns}`, key))!);
        if (rec.realmId === realmId) out.push(rec);
      }
      return out;
    };
    return { vlobs: await read('vlobs', (b) => vlobRecord.decode(b)), blocks: await read('blocks', (b) => blockRecord.decode(b)) };
  }

  /** True when `key` (stolen at index `index`) opens nothing the server holds for the realm. */
  async function opensNothing(realmId: RealmId, key: SecretKey, index: number): Promise<boolean> {
    const { vlobs, blocks } = await stored(realmId);
    const fails = async (f: () => Promise<unknown>): Promise<boolean> => f().then(() => false, (e: unknown) => e instanceof CryptoError);
    for (const v of vlobs) {
      for (const k of [index, v.keyIndex]) if (!(await fails(async () => (await vlobKey(key, v.vlobId)).decrypt(v.blob, vlobAad(realmId, v.vlobId, k, v.version))))) return false;
    }
    for (const b of blocks) {
      for (const k of [index, b.keyIndex]) if (!(await fails(async () => (await blockKey(key, b.blockId)).decrypt(b.block, blockAad(realmId, b.blockId, k))))) return false;
    }
    return vlobs.length > 0 && blocks.length > 0;
  }

  it('every version and block moves to the new key; the retired key opens nothing; readers read old and new', async () => {
    const { alice, carol, ws, wsCarol, before } = await cast();
    const stolen = (await fetchKeyring(world, alice.device, alice.certificates, ws.id)).get(1)!;
    expect(await opensNothing(ws.id, stolen, 1)).toBe(false); // it did open everything before

    const progress: string[] = [];
    let readDuring = '';
    const report = await ws.reencrypt({
      onProgress: async (p) => {
        progress.push(`${p.phase} ${p.done}/${p.total}`);
        // A reader in the middle of it: some items are under the new key, some still under the old.
        if (p.phase === 'manifests' && p.done === 2) readDuring = str(await wsCarol.readFile('/plan.md'));
      },
    });
    expect(report.keyIndex).toBe(2);
    expect(report.versionsReencrypted).toBeGreaterThanOrEqual(7);
    expect(report.blocksReencrypted).toBe(4 + 1 + 1 + 1);
    expect(report.alreadyDone).toBe(0);
    expect(progress.at(-1)).toBe('blocks 7/7');
    expect(progress.filter((p) => p.startsWith('manifests')).at(-1)).toMatch(/^manifests (\d+)\/\1$/);

    const { vlobs, blocks } = await stored(ws.id);
    expect(new Set([...vlobs.map((v) => v.keyIndex), ...blocks.map((b) => b.keyIndex)])).toEqual(new Set([2]));
    expect(await opensNothing(ws.id, stolen, 1)).toBe(true);
    expect(alice.certificates.getRealmName(ws.id)!.keyIndex).toBe(2);
    expect(await ws.name()).toBe('Compromised');

    // Readers: new reads, old versions, a fresh device of Carol with nothing cached.
    await wsCarol.sync();
    expect(readDuring).toBe('second plan');
    expect(str(await wsCarol.readFile('/plan.md'))).toBe('second plan');
    expect(str(await wsCarol.readFile('/plan.md', { at: before }))).toBe('first plan');
    expect((await wsCarol.history('/plan.md')).map((h) => h.version)).toEqual([1, 2]);
    const fresh = track(await world.open(await world.enrollDevice(carol, 'tablet')));
    await fresh.sync();
    const wsFresh = await fresh.workspace(ws.id);
    expect((await wsFresh.readFile('/docs/big.bin')).every((b) => b === 7)).toBe(true);
    expect(str(await wsFresh.readFile('/docs/bob.txt'))).toBe('from Bob');
    // Writing goes on under the new key.
    await ws.writeFile('/after.md', text('after'));
    await ws.sync();
    await wsFresh.sync();
    expect(str(await wsFresh.readFile('/after.md'))).toBe('after');
  });

  it('a run stopped at any point resumes without rotating again and ends in the same state', async () => {
    const { ws, wsCarol } = await cast();
    const stop = new AbortController();
    const crash = new Error('simulated crash');
    const onProgress = (p: { phase: string; done: number }): void => {
      if (p.phase === 'manifests' && p.done === 2) stop.abort(crash);
    };
    expect(await ws.reencrypt({ signal: stop.signal, onProgress }).then(() => null, (e: unknown) => e)).toBe(crash);
    const mixed = await stored(ws.id);
    expect(new Set(mixed.vlobs.map((v) => v.keyIndex))).toEqual(new Set([1, 2]));
    // Readers are not disturbed by a half-done state.
    expect(str(await wsCarol.readFile('/plan.md'))).toBe('second plan');

    const report = await ws.reencrypt({ rotate: false });
    expect(report.keyIndex).toBe(2);
    expect(report.alreadyDone).toBeGreaterThan(0);
    const { vlobs, blocks } = await stored(ws.id);
    expect(new Set([...vlobs.map((v) => v.keyIndex), ...blocks.map((b) => b.keyIndex)])).toEqual(new Set([2]));
    // Running again finds nothing to do.
    const again = await ws.reencrypt({ rotate: false });
    expect([again.versionsReencrypted, again.blocksReencrypted]).toEqual([0, 0]);
    await wsCarol.sync();
    expect((await wsCarol.readFile('/docs/big.bin')).length).toBe(BIG);
  });

  it('only an OWNER, only to the current key, only existing items: refused with nothing changed', async () => {
    const { alice, bob, ws } = await cast();
    const wsBob = await bob.workspace(ws.id);
    expect((await caught(wsBob.reencrypt())).code).toBe('workspace/not-owner');
    const before = await stored(ws.id);
    const v = before.vlobs[0]!;
    const b = before.blocks[0]!;
    const send = async (who: Client, req: AuthenticatedRequest): Promise<string> => {
      const rep = await world.transport(who.device).send(req);
      return isErrorReply(rep) ? rep.code : 'ok';
    };
    const item = { vlobId: v.vlobId, version: v.version, blob: new Uint8Array(60) };
    expect(await send(bob, { cmd: 'realm_reencrypt_vlobs', realmId: ws.id, keyIndex: 1, items: [item] })).toBe('not_allowed');
    expect(await send(bob, { cmd: 'realm_reencrypt_block', realmId: ws.id, blockId: b.blockId, keyIndex: 1, block: new Uint8Array(60) })).toBe('not_allowed');
    await ws.rotateKey();
    const sendOwner = (req: AuthenticatedRequest): Promise<string> => send(alice, req);
    expect(await sendOwner({ cmd: 'realm_reencrypt_vlobs', realmId: ws.id, keyIndex: 1, items: [item] })).toBe('bad_key_index');
    expect(await sendOwner({ cmd: 'realm_reencrypt_vlobs', realmId: ws.id, keyIndex: 2, items: [{ ...item, version: 99 }] })).toBe('not_found');
    expect(await sendOwner({ cmd: 'realm_reencrypt_block', realmId: ws.id, blockId: '00'.repeat(16) as never, keyIndex: 2, block: new Uint8Array(60) })).toBe('not_found');
    expect(await stored(ws.id)).toEqual(before);
  });
});
