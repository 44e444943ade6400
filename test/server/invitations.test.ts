/**
 * Invitation relay rules on the server (DESIGN §5), step by step through the commands.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { signCertificate } from '../../src/certificates/index.js';
import type { InvitationToken } from '../../src/codec/ids.js';
import { TRUST_MARK } from '../../src/sas/index.js';
import { expectOk, type AnonymousTransport, type Transport } from '../../src/transport/index.js';
import { createUser, expectError, expectOkReply, harness, type Dev, type Harness } from './helpers.js';

describe('invitations', () => {
  let h: Harness;
  let g: Transport;
  let c: AnonymousTransport;
  let token: InvitationToken;
  beforeEach(async () => {
    h = await harness('in-process', { maxAttempts: 3 });
    g = h.transport(h.admin);
    c = h.anonymous();
    token = expectOk(await g.send({ cmd: 'invite_new_user', email: 'new@example.org' })).token;
  });
  afterEach(async () => {
    await h.close();
  });

  const pk = () => h.bytes(32);
  const gStep = (attempt: number, step: number, payload: Uint8Array | null, waitMs?: number) =>
    g.send({ cmd: 'invite_greeter_step', token, attempt, step, payload, ...(waitMs === undefined ? {} : { waitMs }) });
  const cStep = (attempt: number, step: number, payload: Uint8Array | null, waitMs?: number) =>
    c.send({ cmd: 'invited_step', token, attempt, step, payload, ...(waitMs === undefined ? {} : { waitMs }) });
  async function joinBoth(): Promise<number> {
    const a = expectOk(await g.send({ cmd: 'invite_greeter_join', token })).attempt;
    expect(expectOk(await c.send({ cmd: 'invited_join', token })).attempt).toBe(a);
    return a;
  }

  it('the greeter cancels an attempt it never joined (opened by whoever holds the link); the claimer sees it', async () => {
    const a = expectOk(await c.send({ cmd: 'invited_join', token })).attempt;
    expectOkReply(await g.send({ cmd: 'invite_greeter_cancel', token, attempt: a, reason: 'not started by me' }));
    const r = await cStep(a, 0, pk());
    expectError(r, 'invitation_cancelled');
    // A claimer still cannot cancel an attempt it did not join, and nobody an attempt that does not exist.
    expectError(await g.send({ cmd: 'invite_greeter_cancel', token, attempt: a + 5, reason: 'x' }), 'invitation_out_of_order');
  });

  it('not ready: the peer part is null until posted, then relayed', async () => {
    const a = await joinBoth();
    const gpk = pk();
    const cpk = pk();
    expect(expectOk(await gStep(a, 0, gpk)).peerPayload).toBeNull();
    expect(expectOk(await cStep(a, 0, cpk)).peerPayload).toEqual(gpk);
    expect(expectOk(await gStep(a, 0, null)).peerPayload).toEqual(cpk);
  });

  it('a retry with the same bytes is accepted; changed content is refused', async () => {
    const a = await joinBoth();
    const gpk = pk();
    expectOkReply(await gStep(a, 0, gpk));
    expectOkReply(await gStep(a, 0, gpk));
    expectError(await gStep(a, 0, pk()), 'invitation_step_conflict');
  });

  it('out of order: a step before the previous one is complete on both sides', async () => {
    const a = await joinBoth();
    expectOkReply(await gStep(a, 0, pk()));
    expectError(await cStep(a, 1, pk()), 'invitation_out_of_order');
    expectError(await gStep(a, 2, pk()), 'invitation_out_of_order');
  });

  it('out of order: a step of an attempt nobody joined is refused', async () => {
    // Without it, a claimer could post parts into an attempt the greeter never opened.
    expectError(await cStep(1, 0, pk()), 'invitation_out_of_order');
    expectError(await gStep(1, 0, pk()), 'invitation_out_of_order');
    const a = await joinBoth();
    expectError(await gStep(a + 1, 0, pk()), 'invitation_out_of_order');
    // Steps past the last one of the exchange (the wire allows up to 255) do not exist.
    expectError(await gStep(a, 9, pk()), 'bad_request');
    expectError(await cStep(a, 255, null), 'bad_request');
  });

  it('a part not in the public format of its step is bad_request', async () => {
    const a = await joinBoth();
    expectError(await gStep(a, 0, h.bytes(31)), 'bad_request');
    expectError(await gStep(a, 9, new Uint8Array(0)), 'bad_request');
  });

  it('cancel is visible to the peer, with who and why', async () => {
    const a = await joinBoth();
    expectOkReply(await gStep(a, 0, pk()));
    expectOkReply(await c.send({ cmd: 'invited_cancel', token, attempt: a, reason: 'invalid-sas-code' }));
    const r = expectError(await gStep(a, 0, null), 'invitation_cancelled');
    expect(r).toMatchObject({ by: 'claimer', reason: 'invalid-sas-code' });
    expectError(await cStep(a, 0, pk()), 'invitation_cancelled');
  });

  it('a waiting peer is woken by the cancel', async () => {
    const a = await joinBoth();
    const waiting = gStep(a, 0, pk(), 10_000);
    await new Promise((r) => setTimeout(r, 20));
    expectOkReply(await c.send({ cmd: 'invited_cancel', token, attempt: a, reason: 'manual' }));
    expectError(await waiting, 'invitation_cancelled');
  });

  it('a long poll returns as soon as the peer posts', async () => {
    const a = await joinBoth();
    const cpk = pk();
    const waiting = gStep(a, 0, pk(), 10_000);
    await new Promise((r) => setTimeout(r, 20));
    expectOkReply(await cStep(a, 0, cpk));
    expect(expectOk(await waiting).peerPayload).toEqual(cpk);
  });

  it('attempts are bounded', async () => {
    for (let i = 1; i <= 3; i++) expect(await joinBoth()).toBe(i);
    expectError(await g.send({ cmd: 'invite_greeter_join', token }), 'too_many_attempts');
  });

  it('a new attempt cancels the previous one, whose parts are gone', async () => {
    const a = await joinBoth();
    expectOkReply(await gStep(a, 0, pk()));
    const b = expectOk(await g.send({ cmd: 'invite_greeter_join', token })).attempt;
    expect(b).toBe(a + 1);
    expectError(await cStep(a, 0, pk()), 'invitation_cancelled');
    expectError(await cStep(b, 0, pk()), 'invitation_out_of_order'); // claimer has not joined b yet
  });

  it('full exchange: used after step 8, complete, then gone', async () => {
    const a = await joinBoth();
    const parts = {
      greeter: [pk(), new Uint8Array(0), h.bytes(32), new Uint8Array(0), new Uint8Array(0), TRUST_MARK, new Uint8Array(0), h.bytes(40), new Uint8Array(0)],
      claimer: [pk(), h.bytes(32), new Uint8Array(0), h.bytes(32), TRUST_MARK, new Uint8Array(0), h.bytes(40), new Uint8Array(0), h.bytes(40)],
    };
    expectError(await g.send({ cmd: 'invite_complete', token }), 'invitation_out_of_order');
    for (let s = 0; s <= 8; s++) {
      expectOkReply(await gStep(a, s, parts.greeter[s]!));
      expect(expectOk(await cStep(a, s, parts.claimer[s]!)).peerPayload).toEqual(parts.greeter[s]);
    }
    expectError(await c.send({ cmd: 'invited_join', token }), 'invitation_already_used');
    expectOkReply(await g.send({ cmd: 'invite_complete', token }));
    expectError(await c.send({ cmd: 'invited_info', token }), 'invitation_already_used');
    expectError(await cStep(a, 8, null), 'invitation_already_used');
  });

  it('invite_cancel deletes the invitation for both sides', async () => {
    await joinBoth();
    expectOkReply(await g.send({ cmd: 'invite_cancel', token }));
    expect(expectError(await c.send({ cmd: 'invited_info', token }), 'invitation_cancelled').by).toBe('server');
    expectError(await c.send({ cmd: 'invited_join', token }), 'invitation_cancelled');
  });

  it('only the greeter acts on its invitation; unknown tokens are not found', async () => {
    const other: Dev = await createUser(h, 'ADMIN');
    expectError(await h.transport(other).send({ cmd: 'invite_greeter_join', token }), 'invitation_not_found');
    expectError(await h.transport(other).send({ cmd: 'invite_cancel', token }), 'invitation_not_found');
    expectError(await c.send({ cmd: 'invited_info', token: h.id<InvitationToken>() }), 'invitation_not_found');
  });

  it('the invitation of a revoked greeter is dead for the claimer', async () => {
    const admin2 = await createUser(h, 'ADMIN');
    const t2 = expectOk(await h.transport(admin2).send({ cmd: 'invite_new_device' })).token;
    const rev = await signCertificate(h.admin.key, { type: 'revoked_user', author: h.admin.deviceId, timestamp: h.clock.tick(), userId: admin2.userId }, h.link('common'));
    expectOkReply(await g.send({ cmd: 'user_revoke', certificate: rev }));
    expect(expectError(await c.send({ cmd: 'invited_info', token: t2 }), 'invitation_cancelled').reason).toBe('greeter-revoked');
  });

  it('open invitations are bounded per organisation', async () => {
    const small = await harness('in-process', { maxOpenInvitations: 2 });
    const t = small.transport(small.admin);
    expectOkReply(await t.send({ cmd: 'invite_new_device' }));
    expectOkReply(await t.send({ cmd: 'invite_new_device' }));
    expectError(await t.send({ cmd: 'invite_new_device' }), 'not_allowed');
    await small.close();
  });

  it('the greeter hears about invitation changes through events', async () => {
    const start = expectOk(await g.send({ cmd: 'events_listen', after: 0, waitMs: 0 }));
    expect(start.events).toContainEqual({ event: 'invitation', token, status: 'ready' });
    await joinBoth();
    const next = expectOk(await g.send({ cmd: 'events_listen', after: start.last, waitMs: 0 }));
    expect(next.events).toContainEqual({ event: 'invitation', token, status: 'step' });
  });
});
