import { describe, expect, it } from 'vitest';
import { MemoryInviteRelay, newInvitationToken } from '../../src/sas/index.js';

const b = (...x: number[]) => Uint8Array.from(x);

function fresh(maxAttempts?: number) {
  const relay = new MemoryInviteRelay(maxAttempts === undefined ? {} : { maxAttempts });
  const token = newInvitationToken();
  relay.createInvitation(token, 'user');
  return { relay, token };
}

describe('MemoryInviteRelay', () => {
  it('answers not-ready until the peer part exists, then the part', () => {
    const { relay, token } = fresh();
    const a = relay.join(token, 'greeter');
    expect(relay.join(token, 'claimer')).toBe(a);
    relay.post(token, a, 'greeter', 0, b(1));
    expect(relay.poll(token, a, 'greeter', 0)).toEqual({ status: 'not-ready' });
    relay.post(token, a, 'claimer', 0, b(2));
    expect(relay.poll(token, a, 'greeter', 0)).toEqual({ status: 'ready', data: b(2) });
    expect(relay.poll(token, a, 'claimer', 0)).toEqual({ status: 'ready', data: b(1) });
  });

  it('accepts an identical resend and refuses a changed step', () => {
    const { relay, token } = fresh();
    const a = relay.join(token, 'greeter');
    relay.join(token, 'claimer');
    relay.post(token, a, 'greeter', 0, b(1));
    expect(relay.post(token, a, 'greeter', 0, b(1))).toEqual({ status: 'ok' });
    expect(() => relay.post(token, a, 'greeter', 0, b(9))).toThrow(expect.objectContaining({ code: 'invitation/step-changed' }));
  });

  it('refuses a step before the previous one is complete on both sides', () => {
    const { relay, token } = fresh();
    const a = relay.join(token, 'greeter');
    relay.join(token, 'claimer');
    relay.post(token, a, 'greeter', 0, b(1));
    expect(() => relay.post(token, a, 'greeter', 1, b())).toThrow(expect.objectContaining({ code: 'invitation/step-too-early' }));
    relay.post(token, a, 'claimer', 0, b(2));
    expect(relay.post(token, a, 'greeter', 1, b())).toEqual({ status: 'ok' });
    expect(() => relay.post(token, a, 'greeter', 9, b())).toThrow(expect.objectContaining({ code: 'invitation/bad-step' }));
  });

  it('makes a cancellation visible to the peer', () => {
    const { relay, token } = fresh();
    const a = relay.join(token, 'greeter');
    relay.join(token, 'claimer');
    relay.post(token, a, 'greeter', 0, b(1));
    relay.cancel(token, a, 'claimer', 'invalid-sas-code');
    expect(relay.poll(token, a, 'greeter', 0)).toEqual({ status: 'cancelled', by: 'claimer', reason: 'invalid-sas-code' });
    expect(relay.post(token, a, 'greeter', 0, b(1))).toEqual({ status: 'cancelled', by: 'claimer', reason: 'invalid-sas-code' });
  });

  it('bounds the attempts per invitation', () => {
    const { relay, token } = fresh(3);
    for (let i = 1; i <= 3; i++) {
      const a = relay.join(token, 'greeter');
      expect(a).toBe(i);
      expect(relay.join(token, 'claimer')).toBe(i);
      relay.cancel(token, a, 'claimer', 'manual');
    }
    expect(() => relay.join(token, 'greeter')).toThrow(expect.objectContaining({ code: 'invitation/too-many-attempts' }));
    expect(relay.attemptCount(token)).toBe(3);
  });

  it('a side joining again abandons (cancels) its current attempt', () => {
    const { relay, token } = fresh();
    const a1 = relay.join(token, 'greeter');
    relay.join(token, 'claimer');
    const a2 = relay.join(token, 'greeter');
    expect(a2).toBe(a1 + 1);
    expect(relay.poll(token, a1, 'claimer', 0)).toMatchObject({ status: 'cancelled', by: 'greeter' });
    expect(relay.join(token, 'claimer')).toBe(a2);
  });

  it('refuses unknown tokens, unknown attempts, outsiders, oversized parts, and a used invitation', () => {
    const { relay, token } = fresh();
    expect(() => relay.join(newInvitationToken(), 'greeter')).toThrow(expect.objectContaining({ code: 'invitation/unknown-token' }));
    expect(() => relay.createInvitation(token, 'user')).toThrow(expect.objectContaining({ code: 'invitation/duplicate-token' }));
    const a = relay.join(token, 'greeter');
    expect(() => relay.post(token, a + 1, 'greeter', 0, b(1))).toThrow(expect.objectContaining({ code: 'invitation/unknown-attempt' }));
    expect(() => relay.post(token, a, 'claimer', 0, b(1))).toThrow(expect.objectContaining({ code: 'invitation/not-joined' }));
    expect(() => relay.post(token, a, 'greeter', 0, new Uint8Array(64 * 1024 + 1))).toThrow(expect.objectContaining({ code: 'invitation/part-too-large' }));
    relay.join(token, 'claimer');
    for (let step = 0; step <= 8; step++) {
      relay.post(token, a, 'greeter', step, b(step));
      relay.post(token, a, 'claimer', step, b(step));
    }
    expect(relay.isUsed(token)).toBe(true);
    expect(() => relay.join(token, 'claimer')).toThrow(expect.objectContaining({ code: 'invitation/already-used' }));
  });

  it('a cancel after both sides completed step 8 does not un-complete the attempt', () => {
    // Otherwise a late "cancel" (a timer firing after success) would show the peer a cancelled
    // attempt for an enrollment that both sides already committed to.
    const { relay, token } = fresh();
    const a = relay.join(token, 'greeter');
    relay.join(token, 'claimer');
    for (let step = 0; step <= 8; step++) {
      relay.post(token, a, 'greeter', step, b(step));
      relay.post(token, a, 'claimer', step, b(step));
    }
    relay.cancel(token, a, 'claimer', 'timeout');
    expect(relay.poll(token, a, 'greeter', 8)).toEqual({ status: 'ready', data: b(8) });
    expect(relay.post(token, a, 'greeter', 8, b(8))).toEqual({ status: 'ok' });
  });

  it('changed() wakes waiters on every change and on abort', async () => {
    const { relay, token } = fresh();
    const woke = relay.changed(token);
    relay.join(token, 'greeter');
    await woke;
    const ctrl = new AbortController();
    const aborted = relay.changed(token, ctrl.signal);
    ctrl.abort();
    await aborted;
  });
});
