/**
 * The batched data commands (`vlob_write_batch`, `block_create_batch`, `block_read_batch`), run
 * against every backend by `batchSuite`: each item gets the result its single command would give,
 * a refused item changes nothing, bounds are refused whole, and every accepted item is there
 * after the reply (read back from `readBack`: the same server, one reopened over the same
 * storage, or another node of the same database).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeCbor, encodeCbor, type CborValue } from '../../src/codec/cbor.js';
import type { BlockId, RealmId, VlobId } from '../../src/codec/ids.js';
import type { SealsyncServer } from '../../src/server/index.js';
import {
  MAX_BATCH_BYTES,
  MAX_WRITE_BATCH_ITEMS,
  decodeReply,
  encodeRequest,
  expectOk,
  InProcessTransport,
  signRequest,
  type Transport,
  type VlobWriteItem,
} from '../../src/transport/index.js';
import { T0, createRealm, createUser, expectError, expectOkReply, rotationCert, share, type Dev, type Harness } from './helpers.js';

/** What a backend gives the suite. */
export interface BatchBackend {
  /** A fresh harness (one bootstrapped organisation). */
  harness(): Promise<Harness>;
  /** The server to read back from after writes (another node, or a reopened server); default the harness's. */
  readBack?(h: Harness): Promise<SealsyncServer>;
}

const MiB = 1024 * 1024;

export function batchSuite(name: string, backend: BatchBackend): void {
  describe(`batched data commands (${name})`, () => {
    let h: Harness;
    let alice: Dev;
    let reader: Dev;
    let realm: RealmId;
    let t: Transport;
    const on = (server: SealsyncServer, dev: Dev): Transport =>
      new InProcessTransport(server, { organizationId: h.orgId, deviceId: dev.deviceId, signingKey: dev.key }, { clock: () => h.clock.tick(1) });
    const back = async (dev: Dev): Promise<Transport> => (backend.readBack === undefined ? h.transport(dev) : on(await backend.readBack(h), dev));

    beforeAll(async () => {
      h = await backend.harness();
      alice = await createUser(h);
      reader = await createUser(h);
      realm = await createRealm(h, alice);
      await share(h, alice, realm, reader, 'READER');
      t = h.transport(alice);
      return () => h.close();
    });

    const item = (vlobId: VlobId, version: number, over: Partial<VlobWriteItem> = {}): VlobWriteItem => ({ vlobId, keyIndex: 1, timestamp: h.clock.tick(), version, blob: h.bytes(30), ...over });

    it('vlob_write_batch: each item as its single command; refused items change nothing; accepted ones are durable and announced', async () => {
      const x = h.id<VlobId>();
      const y = h.id<VlobId>();
      const z = h.id<VlobId>();
      expectOkReply(await t.send({ cmd: 'vlob_create', realmId: realm, vlobId: z, keyIndex: 1, timestamp: h.clock.tick(), blob: h.bytes(20) }));
      expectOkReply(await t.send({ cmd: 'vlob_create', realmId: realm, vlobId: x, keyIndex: 1, timestamp: h.clock.tick(), blob: h.bytes(20) }));
      expectOkReply(await t.send({ cmd: 'vlob_create', realmId: realm, vlobId: y, keyIndex: 1, timestamp: h.clock.tick(), blob: h.bytes(20) }));
      const before = expectOk(await t.send({ cmd: 'vlob_poll_changes', realmId: realm, lastCheckpoint: 0 }));
      const events = expectOk(await t.send({ cmd: 'events_listen', after: 0, waitMs: 0 }));
      const fresh = h.id<VlobId>();
      const items: VlobWriteItem[] = [
        item(fresh, 1),
        item(x, 2),
        item(y, 5), // bad_version
        item(h.id<VlobId>(), 1, { keyIndex: 2 }), // bad_key_index
        item(h.id<VlobId>(), 1), // ok too (a second new vlob)
        item(h.id<VlobId>(), 3), // not_found
        item(h.id<VlobId>(), 1, { timestamp: h.clock.now - 3600 * 1_000_000 * 24 }), // out of ballpark
        item(h.id<VlobId>(), 1, { timestamp: T0 }), // before the realm's last certificate
      ];
      // An existing id as a create: already_exists.
      items.push(item(z, 1));
      const rep = expectOk(await t.send({ cmd: 'vlob_write_batch', realmId: realm, items }));
      expect(rep.items.map((i) => i.vlobId)).toEqual(items.map((i) => i.vlobId));
      expect(rep.items.map((i) => (i.result.status === 'ok' ? 'ok' : i.result.code))).toEqual([
        'ok',
        'ok',
        'bad_version',
        'bad_key_index',
        'ok',
        'not_found',
        'timestamp_out_of_ballpark',
        'require_greater_timestamp',
        'already_exists',
      ]);
      expect(rep.items[2]!.result).toMatchObject({ currentVersion: 1 });
      expect(rep.items[3]!.result).toMatchObject({ currentKeyIndex: 1 });
      // The single command gives the same refusal for each refused item (nothing of it was applied).
      for (const [i, it] of items.entries()) {
        const r = rep.items[i]!.result;
        if (r.status === 'ok') continue;
        const single =
          it.version === 1
            ? await t.send({ cmd: 'vlob_create', realmId: realm, vlobId: it.vlobId, keyIndex: it.keyIndex, timestamp: it.timestamp, blob: it.blob })
            : await t.send({ cmd: 'vlob_update', realmId: realm, vlobId: it.vlobId, keyIndex: it.keyIndex, timestamp: it.timestamp, version: it.version, blob: it.blob });
        const { message: _m1, ...a } = single as { message?: string };
        const { message: _m2, ...b } = r as { message?: string };
        if (r.code === 'timestamp_out_of_ballpark') expect(a).toMatchObject({ code: r.code });
        else expect(a).toEqual(b);
      }
      // Exactly the accepted items, in order, with consecutive checkpoints, on every node.
      const reader2 = await back(alice);
      const after = expectOk(await reader2.send({ cmd: 'vlob_poll_changes', realmId: realm, lastCheckpoint: before.currentCheckpoint }));
      expect(after.currentCheckpoint).toBe(before.currentCheckpoint + 3);
      expect(after.changes).toEqual([
        { vlobId: fresh, version: 1 },
        { vlobId: x, version: 2 },
        { vlobId: items[4]!.vlobId, version: 1 },
      ]);
      const read = expectOk(await reader2.send({ cmd: 'vlob_read_batch', realmId: realm, vlobIds: items.map((i) => i.vlobId) }));
      expect(new Map(read.items.map((i) => [i.vlobId, i.version]))).toEqual(
        new Map([
          [fresh, 1],
          [x, 2],
          [y, 1],
          [items[4]!.vlobId, 1],
          [z, 1],
        ]),
      );
      expect(read.items.find((i) => i.vlobId === x)!.blob).toEqual(items[1]!.blob);
      const ev = expectOk(await t.send({ cmd: 'events_listen', after: events.last, waitMs: 0 }));
      expect(ev.events.filter((e) => e.event === 'vlob').map((e) => e.event === 'vlob' && [e.vlobId, e.version])).toEqual([
        [fresh, 1],
        [x, 2],
        [items[4]!.vlobId, 1],
      ]);
    });

    it('vlob_write_batch: a role that cannot write is refused per item, nothing applied', async () => {
      const ids = [h.id<VlobId>(), h.id<VlobId>()];
      const rep = expectOk(await h.transport(reader).send({ cmd: 'vlob_write_batch', realmId: realm, items: ids.map((id) => item(id, 1)) }));
      expect(rep.items.map((i) => i.result.status === 'error' && i.result.code)).toEqual(['not_allowed', 'not_allowed']);
      expect(expectOk(await t.send({ cmd: 'vlob_read_batch', realmId: realm, vlobIds: ids })).items).toEqual([]);
    });

    it('vlob_write_batch bounds: a repeated id is bad_request, more than MAX_BATCH_BYTES is too_large, more than MAX_WRITE_BATCH_ITEMS is bad_request; nothing applied', async () => {
      const before = expectOk(await t.send({ cmd: 'vlob_poll_changes', realmId: realm, lastCheckpoint: 0 })).currentCheckpoint;
      const v = h.id<VlobId>();
      expectError(await t.send({ cmd: 'vlob_write_batch', realmId: realm, items: [item(v, 1), item(v, 1)] }), 'bad_request');
      const half = Math.floor(MAX_BATCH_BYTES / 2) + 1;
      const big = [item(h.id<VlobId>(), 1, { blob: new Uint8Array(half).fill(1) }), item(h.id<VlobId>(), 1, { blob: new Uint8Array(half).fill(2) })];
      expectError(await t.send({ cmd: 'vlob_write_batch', realmId: realm, items: big }), 'too_large');
      // Past the item count, the client's encoder refuses; the server refuses the raw bytes too.
      const one = encodeRequest({ cmd: 'vlob_write_batch', realmId: realm, items: Array.from({ length: MAX_WRITE_BATCH_ITEMS }, () => item(h.id<VlobId>(), 1, { blob: h.bytes(1) })) });
      const doc = decodeCbor(one) as Map<string, CborValue>;
      (doc.get('items') as CborValue[]).push((doc.get('items') as CborValue[])[0]!);
      const body = encodeCbor(doc);
      const auth = await signRequest({ organizationId: h.orgId, deviceId: alice.deviceId, signingKey: alice.key }, body, h.clock.tick());
      expectError(decodeReply('vlob_write_batch', await h.server.handle(h.orgId, auth, body)), 'bad_request');
      expect(expectOk(await t.send({ cmd: 'vlob_poll_changes', realmId: realm, lastCheckpoint: 0 })).currentCheckpoint).toBe(before);
    });

    it('block_create_batch: idempotent, already_exists, bad_key_index per item; nothing applied for refusals; durable', async () => {
      const same = h.id<BlockId>();
      const taken = h.id<BlockId>();
      const sameBytes = h.bytes(100);
      const takenBytes = h.bytes(100);
      expectOkReply(await t.send({ cmd: 'block_create', realmId: realm, blockId: same, keyIndex: 1, block: sameBytes }));
      expectOkReply(await t.send({ cmd: 'block_create', realmId: realm, blockId: taken, keyIndex: 1, block: takenBytes }));
      const fresh = h.id<BlockId>();
      const wrongKey = h.id<BlockId>();
      const items = [
        { blockId: fresh, keyIndex: 1, block: h.bytes(200) },
        { blockId: same, keyIndex: 1, block: sameBytes },
        { blockId: taken, keyIndex: 1, block: h.bytes(100) },
        { blockId: wrongKey, keyIndex: 7, block: h.bytes(100) },
      ];
      const rep = expectOk(await t.send({ cmd: 'block_create_batch', realmId: realm, items }));
      expect(rep.items.map((i) => [i.blockId, i.result.status === 'ok' ? 'ok' : i.result.code])).toEqual([
        [fresh, 'ok'],
        [same, 'ok'],
        [taken, 'already_exists'],
        [wrongKey, 'bad_key_index'],
      ]);
      const r = await back(alice);
      const read = expectOk(await r.send({ cmd: 'block_read_batch', realmId: realm, blockIds: [fresh, same, taken, wrongKey] }));
      expect(read.items.map((i) => (i.result.status === 'ok' ? i.result.block : i.result.code))).toEqual([items[0]!.block, sameBytes, takenBytes, 'not_found']);
      // The reader cannot write: every item not_allowed, nothing stored.
      const denied = expectOk(await h.transport(reader).send({ cmd: 'block_create_batch', realmId: realm, items: [{ blockId: h.id<BlockId>(), keyIndex: 1, block: h.bytes(10) }] }));
      expect(denied.items[0]!.result).toMatchObject({ status: 'error', code: 'not_allowed' });
      expectError(await t.send({ cmd: 'block_read', realmId: realm, blockId: denied.items[0]!.blockId }), 'not_found');
    });

    it('block_create_batch bounds: repeated id bad_request, over MAX_BATCH_BYTES too_large, nothing stored', async () => {
      const b = h.id<BlockId>();
      expectError(await t.send({ cmd: 'block_create_batch', realmId: realm, items: [{ blockId: b, keyIndex: 1, block: h.bytes(5) }, { blockId: b, keyIndex: 1, block: h.bytes(5) }] }), 'bad_request');
      const half = Math.floor(MAX_BATCH_BYTES / 2) + 1;
      const c = h.id<BlockId>();
      const big = [{ blockId: c, keyIndex: 1, block: new Uint8Array(half).fill(3) }, { blockId: h.id<BlockId>(), keyIndex: 1, block: new Uint8Array(half).fill(4) }];
      expectError(await t.send({ cmd: 'block_create_batch', realmId: realm, items: big }), 'too_large');
      expectError(await t.send({ cmd: 'block_read', realmId: realm, blockId: b }), 'not_found');
      expectError(await t.send({ cmd: 'block_read', realmId: realm, blockId: c }), 'not_found');
    });

    it('block_read_batch: per-item not_found (also another realm), too_large past the reply budget, not_allowed for a non-member', async () => {
      const other = await createRealm(h, alice);
      const inOther = h.id<BlockId>();
      expectOkReply(await t.send({ cmd: 'block_create', realmId: other, blockId: inOther, keyIndex: 1, block: h.bytes(10) }));
      const bigIds = [h.id<BlockId>(), h.id<BlockId>(), h.id<BlockId>()];
      for (const [i, blockId] of bigIds.entries()) {
        expectOkReply(await t.send({ cmd: 'block_create', realmId: realm, blockId, keyIndex: 1, block: new Uint8Array(5 * MiB).fill(i + 1) }));
      }
      const missing = h.id<BlockId>();
      const rep = expectOk(await h.transport(reader).send({ cmd: 'block_read_batch', realmId: realm, blockIds: [missing, inOther, ...bigIds] }));
      expect(rep.items.map((i) => [i.blockId, i.result.status === 'ok' ? i.result.block.length : i.result.code])).toEqual([
        [missing, 'not_found'],
        [inOther, 'not_found'],
        [bigIds[0], 5 * MiB],
        [bigIds[1], 5 * MiB],
        [bigIds[2], 'too_large'],
      ]);
      const outsider = await createUser(h);
      expectError(await h.transport(outsider).send({ cmd: 'block_read_batch', realmId: realm, blockIds: bigIds }), 'not_allowed');
      expectError(await t.send({ cmd: 'block_read_batch', realmId: realm, blockIds: [missing, missing] }), 'bad_request');
    });

    it('after a key rotation, items under the old key are bad_key_index with the current index', async () => {
      const accesses = new Map([
        [alice.userId, h.bytes(80)],
        [reader.userId, h.bytes(80)],
      ]);
      const r = await createRealm(h, alice);
      expectOkReply(await t.send({ cmd: 'realm_rotate_key', keyRotationCertificate: await rotationCert(h, alice, r, 2), keysBundle: h.bytes(120), keysBundleAccesses: new Map([[alice.userId, accesses.get(alice.userId)!]]) }));
      const rep = expectOk(await t.send({ cmd: 'vlob_write_batch', realmId: r, items: [item(h.id<VlobId>(), 1), item(h.id<VlobId>(), 1, { keyIndex: 2 })] }));
      expect(rep.items.map((i) => i.result)).toEqual([expect.objectContaining({ code: 'bad_key_index', currentKeyIndex: 2 }), { status: 'ok' }]);
    });
  });
}
