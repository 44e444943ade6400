/**
 * The in-process transport shares no mutable memory between client and server (issue 14 took
 * copies out of the block path): a request body is handed over to the server, which may keep
 * views into it but never into the caller's own arrays; a reply is decoded into copies, since the
 * handler may still hold its reply bytes.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { equalBytes } from '../../src/bytes.js';
import type { BlockId } from '../../src/codec/ids.js';
import { expectOk, InProcessTransport, monotonicClock, type RequestHandler } from '../../src/transport/index.js';
import { createRealm, createUser, expectOkReply, harness, type Dev, type Harness } from '../server/helpers.js';

/** 600 KiB of patterned bytes (above the decoder's borrow threshold, like a real block). */
const big = (): Uint8Array => Uint8Array.from({ length: 600 * 1024 }, (_, i) => (i * 7 + (i >> 10)) & 0xff);

/** A transport of `dev` through `handler`, its clock past every request sent so far (no replay). */
function through(h: Harness, dev: Dev, handler: RequestHandler): InProcessTransport {
  h.clock.tick(1_000_000);
  return new InProcessTransport(handler, { organizationId: h.orgId, deviceId: dev.deviceId, signingKey: dev.key }, { clock: monotonicClock(h.clock.clock) });
}

describe('in-process transport: no memory shared between client and server', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await harness('in-process');
  });
  afterEach(() => h.close());

  it("a 600 KiB block: changing the client's array after block_create, or a read's result, changes nothing on the server", async () => {
    const alice = await createUser(h);
    const realm = await createRealm(h, alice);
    const t = h.transport(alice);
    const id = h.id<BlockId>();
    const block = big();
    const original = block.slice();
    expectOkReply(await t.send({ cmd: 'block_create', realmId: realm, blockId: id, keyIndex: 1, block }));
    block.fill(1);
    const first = expectOk(await t.send({ cmd: 'block_read', realmId: realm, blockId: id })).block;
    expect(equalBytes(first, original)).toBe(true);
    first.fill(2);
    const second = expectOk(await t.send({ cmd: 'block_read', realmId: realm, blockId: id })).block;
    expect(equalBytes(second, original)).toBe(true);
    expect(second.buffer).not.toBe(first.buffer);
  });

  it('a reply is decoded into copies: a handler that keeps its reply bytes cannot be changed through them', async () => {
    const alice = await createUser(h);
    const realm = await createRealm(h, alice);
    const id = h.id<BlockId>();
    const block = big();
    expectOkReply(await h.transport(alice).send({ cmd: 'block_create', realmId: realm, blockId: id, keyIndex: 1, block }));
    // A handler that remembers (and could serve again) the reply bytes it returned.
    const kept: Uint8Array[] = [];
    const keeping: RequestHandler = {
      handle: async (org, auth, body) => {
        const reply = await h.server.handle(org, auth, body);
        kept.push(reply);
        return reply;
      },
    };
    const t = through(h, alice, keeping);
    const got = expectOk(await t.send({ cmd: 'block_read', realmId: realm, blockId: id })).block;
    const replyBefore = kept[0]!.slice();
    got.fill(3);
    expect(equalBytes(kept[0]!, replyBefore)).toBe(true);
    expect(got.buffer).not.toBe(kept[0]!.buffer);
  });

  it("the body handed to the server is not the client's array", async () => {
    const alice = await createUser(h);
    const realm = await createRealm(h, alice);
    const bodies: Uint8Array[] = [];
    const capturing: RequestHandler = {
      handle: (org, auth, body) => {
        bodies.push(body);
        return h.server.handle(org, auth, body);
      },
    };
    const t = through(h, alice, capturing);
    const block = big();
    expectOkReply(await t.send({ cmd: 'block_create', realmId: realm, blockId: h.id<BlockId>(), keyIndex: 1, block }));
    expect(bodies[0]!.buffer).not.toBe(block.buffer);
  });
});
