/**
 * The HTTP transports wait out `too_many_requests` (issue 19): the bounded hint, a fresh signature
 * per attempt (the replay guard saw the first), a retry budget, and an AbortSignal that ends the
 * pause at once.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AbortError, ArgumentError } from '../../src/errors.js';
import { pause, withRateLimitRetry } from '../../src/transport/rate-limit-retry.js';
import { expectOk, HttpAnonymousTransport, HttpTransport, MAX_RETRY_AFTER_MS, monotonicClock } from '../../src/transport/index.js';
import { expectError, harness, type Harness } from '../server/helpers.js';

describe('withRateLimitRetry (rule)', () => {
  afterEach(() => {
    vi.useRealTimers();
  });
  const limited = (retryAfterMs: number) => ({ status: 'error', code: 'too_many_requests', message: 'slow down', retryAfterMs }) as const;

  it('retries while refused, at most `retries` times, then gives the last reply back', async () => {
    let calls = 0;
    const always = await withRateLimitRetry(async () => (calls++, limited(0)), 2, undefined);
    expect(always.code).toBe('too_many_requests');
    expect(calls).toBe(3);
    calls = 0;
    const later = await withRateLimitRetry(async () => (++calls < 2 ? limited(0) : { status: 'ok' as const }), 3, undefined);
    expect(later.status).toBe('ok');
    expect(calls).toBe(2);
    calls = 0;
    // Any other reply, errors included, is not retried.
    await withRateLimitRetry(async () => (calls++, { status: 'error', code: 'not_allowed', message: 'no' }), 3, undefined);
    expect(calls).toBe(1);
  });

  it('a lying server naming a day waits at most MAX_RETRY_AFTER_MS per retry', async () => {
    vi.useFakeTimers();
    let calls = 0;
    const done = withRateLimitRetry(async () => (++calls < 2 ? limited(86_400_000) : { status: 'ok' as const }), 1, undefined);
    await vi.advanceTimersByTimeAsync(MAX_RETRY_AFTER_MS - 1);
    expect(calls).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect((await done).status).toBe('ok');
    expect(calls).toBe(2);
  });

  it('an abort ends the pause with AbortError', async () => {
    const controller = new AbortController();
    const waiting = pause(MAX_RETRY_AFTER_MS, controller.signal);
    controller.abort();
    await expect(waiting).rejects.toBeInstanceOf(AbortError);
    await expect(pause(1, controller.signal)).rejects.toMatchObject({ code: 'abort/aborted' });
  });
});

describe('HTTP transports against a rate-limited server', () => {
  let h: Harness;
  afterEach(async () => {
    await h.close();
  });

  it('anonymous: refused requests are sent again after the hint and succeed; with 0 retries the refusal is returned', async () => {
    // One token a second: a refusal asks for at most 1 s.
    h = await harness('http', { rateLimits: { anonymousPerAddress: { burst: 1, perSecond: 1 } } });
    const token = expectOk(await h.transport(h.admin).send({ cmd: 'invite_new_user', email: 'new@example.org' })).token;
    const hasty = new HttpAnonymousTransport({ url: h.url!, organizationId: h.orgId, rateLimitRetries: 0 });
    const replies = [await hasty.send({ cmd: 'invited_info', token }), await hasty.send({ cmd: 'invited_info', token })];
    expect(replies.map((r) => (r.status === 'error' ? r.code : r.status))).toContain('too_many_requests');
    const patient = new HttpAnonymousTransport({ url: h.url!, organizationId: h.orgId });
    for (let i = 0; i < 2; i++) expectOk(await patient.send({ cmd: 'invited_info', token }));
    expect(() => new HttpAnonymousTransport({ url: h.url!, organizationId: h.orgId, rateLimitRetries: -1 })).toThrow(ArgumentError);
  });

  it('authenticated: each attempt is signed anew, so the retry is not refused as a replay', async () => {
    h = await harness('http', { rateLimits: { invitationsPerOrganization: { burst: 1, perSecond: 20 } } });
    const credentials = { organizationId: h.orgId, deviceId: h.admin.deviceId, signingKey: h.admin.key };
    const t = new HttpTransport({ url: h.url!, credentials, clock: monotonicClock(h.clock.clock) });
    expectOk(await t.send({ cmd: 'invite_new_user', email: 'a@example.org' }));
    expectOk(await t.send({ cmd: 'invite_new_user', email: 'b@example.org' }));
    expectOk(await t.send({ cmd: 'invite_new_user', email: 'c@example.org' }));
    const org = h.server.organization(h.orgId)!;
    expect([...org.invitations.values()].map((i) => i.email).sort()).toEqual(['a@example.org', 'b@example.org', 'c@example.org']);
  });

  it('an abort during the pause ends the send with AbortError, nothing sent again', async () => {
    // 0.02 token a second: the hint is 50 s.
    h = await harness('http', { rateLimits: { anonymousPerAddress: { burst: 1, perSecond: 0.02 } } });
    const t = new HttpAnonymousTransport({ url: h.url!, organizationId: h.orgId });
    expectError(await new HttpAnonymousTransport({ url: h.url!, organizationId: h.orgId, rateLimitRetries: 0 }).send({ cmd: 'invited_info', token: '0'.repeat(32) as never }), 'too_many_requests');
    const controller = new AbortController();
    const sending = t.send({ cmd: 'invited_info', token: '0'.repeat(32) as never }, { signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    await expect(sending).rejects.toBeInstanceOf(AbortError);
  });
});
