/**
 * The server enforces the chain (format v2) with the same store rules as clients: a certificate
 * must sit at position head + 1 with prev = the head's digest; anything else is refused with its
 * chain reason and nothing is stored.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { certificateDigest, signCertificate } from '../../src/certificates/index.js';
import { createUser, createRealm, expectError, expectOkReply, harness, roleCert, type Harness } from './helpers.js';

describe('server chain rules', () => {
  let h: Harness;
  afterEach(async () => h?.close());

  const revoke = (h: Harness, userId: string, link = h.link('common')) =>
    signCertificate(h.admin.key, { type: 'revoked_user', author: h.admin.deviceId, timestamp: h.clock.tick(), userId: userId as never }, link);

  it('position = head + 1 and prev = head digest, each refusal typed, nothing stored', async () => {
    h = await harness('in-process');
    const bob = await createUser(h);
    const t = h.transport(h.admin);
    const head = h.link('common');
    const gap = await revoke(h, bob.userId, { ...head, position: head.position + 1 });
    expect(expectError(await t.send({ cmd: 'user_revoke', certificate: gap }), 'invalid_certificate').reason).toBe('chain-gap');
    const wrongPrev = await revoke(h, bob.userId, { ...head, prev: new Uint8Array(32).fill(1) });
    expect(expectError(await t.send({ cmd: 'user_revoke', certificate: wrongPrev }), 'invalid_certificate').reason).toBe('chain-prev-mismatch');
    const taken = await revoke(h, bob.userId, { ...head, position: head.position - 1, prev: null });
    expect(expectError(await t.send({ cmd: 'user_revoke', certificate: taken }), 'invalid_certificate').reason).toBe('chain-replaced');
    expect(h.link('common')).toEqual(head); // nothing stored
    const good = await revoke(h, bob.userId);
    expectOkReply(await t.send({ cmd: 'user_revoke', certificate: good }));
    expect(h.link('common')).toEqual({ position: head.position + 1, prev: certificateDigest(good), commonHead: null });
  });

  it('a realm certificate must bind a common head the server has, after the previous one', async () => {
    h = await harness('in-process');
    const bob = await createUser(h);
    const realm = await createRealm(h, h.admin);
    const link = h.link(realm);
    const unknown = await roleCert(h, h.admin, realm, bob.userId, 'READER', h.clock.tick(), { ...link, commonHead: { position: 99, digest: new Uint8Array(32) } });
    expect(expectError(await h.transport(h.admin).send({ cmd: 'realm_share', roleCertificate: unknown, keysBundleAccess: h.bytes(80) }), 'invalid_certificate').reason).toBe('common-head-unknown');
    expect(h.link(realm)).toEqual(link);
  });
});
