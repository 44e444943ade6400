/**
 * Rate limits of anonymous and invitation commands (issue 19): the token-bucket rule, the bounded
 * key map, and the refusals through the server and its HTTP binding — each refusal shows that
 * nothing was applied.
 */
import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { ArgumentError } from '../../src/errors.js';
import { RateLimiter, ServerRateLimits, takeToken } from '../../src/server/rate-limit.js';
import { expectOk, ErrorReplyError, HttpAnonymousTransport, MAX_RETRY_AFTER_MS, retryAfterHint } from '../../src/transport/index.js';
import { CBOR_MEDIA_TYPE, decodeReply, encodeRequest } from '../../src/transport/wire.js';
import { MAX_ANONYMOUS_REQUEST_SIZE } from '../../src/transport/limits.js';
import { expectError, harness, type Harness } from './helpers.js';

describe('token bucket rule', () => {
  const limit = { burst: 3, perSecond: 2 };

  it('takes while tokens last, then refuses with the time until the next token', () => {
    let tokens = 3;
    for (let i = 0; i < 3; i++) {
      const r = takeToken(tokens, 0, limit);
      expect(r.decision.ok).toBe(true);
      tokens = r.tokens;
    }
    const refused = takeToken(tokens, 0, limit);
    expect(refused.decision).toEqual({ ok: false, retryAfterMs: 500 });
    expect(refused.tokens).toBe(0);
    // 250 ms later half a token is back: 250 ms more to wait.
    expect(takeToken(0, 250, limit).decision).toEqual({ ok: false, retryAfterMs: 250 });
    expect(takeToken(0, 500, limit).decision.ok).toBe(true);
  });

  it('refills at most to the burst, and a clock going backwards refills nothing', () => {
    expect(takeToken(0, 3_600_000, limit).tokens).toBe(2);
    expect(takeToken(0, -10_000, limit).decision.ok).toBe(false);
  });

  it('keeps at most maxTrackedKeys buckets (least recently used out first)', () => {
    const limiter = new RateLimiter({ burst: 1, perSecond: 1 }, 100);
    for (let i = 0; i < 10_000; i++) limiter.take(`10.0.${i >> 8}.${i & 255}`, 0);
    expect(limiter.size).toBe(100);
    // The most recent key is still tracked (and empty); an evicted one starts full again.
    expect(limiter.take('10.0.39.15', 0).ok).toBe(false);
    expect(limiter.take('10.0.0.0', 0).ok).toBe(true);
  });

  it('refuses malformed limits with ArgumentError', () => {
    expect(() => new RateLimiter({ burst: 0, perSecond: 1 })).toThrow(ArgumentError);
    expect(() => new RateLimiter({ burst: 1.5, perSecond: 1 })).toThrow(ArgumentError);
    expect(() => new RateLimiter({ burst: 1, perSecond: Number.NaN })).toThrow(ArgumentError);
    expect(() => new RateLimiter({ burst: 1, perSecond: 1 }, 0)).toThrow(ArgumentError);
    expect(() => new ServerRateLimits({ anonymousPerOrganization: { burst: -1, perSecond: 1 } })).toThrow(ArgumentError);
  });
});

describe('rate limits through the server', () => {
  let h: Harness;
  let now = 0;
  afterEach(async () => {
    await h.close();
  });

  it('anonymous requests past the organisation bucket: too_many_requests with a retry hint, nothing joined', async () => {
    h = await harness('in-process', { rateLimits: { anonymousPerOrganization: { burst: 3, perSecond: 1 }, now: () => now } });
    const token = expectOk(await h.transport(h.admin).send({ cmd: 'invite_new_user', email: 'new@example.org' })).token;
    const c = h.anonymous();
    // The harness's organization_bootstrap took the first token.
    expectOk(await c.send({ cmd: 'invited_info', token }));
    expectOk(await c.send({ cmd: 'invited_info', token }));
    const refused = expectError(await c.send({ cmd: 'invited_join', token }), 'too_many_requests');
    expect(refused.retryAfterMs).toBe(1000);
    // Nothing was applied: once a token is back, the first join is attempt 1.
    now += 1000;
    expect(expectOk(await c.send({ cmd: 'invited_join', token })).attempt).toBe(1);
  });

  it('invitation commands past the organisation bucket: refused, no invitation created', async () => {
    h = await harness('in-process', { rateLimits: { invitationsPerOrganization: { burst: 1, perSecond: 0.5 }, now: () => now } });
    const g = h.transport(h.admin);
    expectOk(await g.send({ cmd: 'invite_new_user', email: 'a@example.org' }));
    const reply = await g.send({ cmd: 'invite_new_user', email: 'b@example.org' });
    expect(expectError(reply, 'too_many_requests').retryAfterMs).toBe(2000);
    expect(() => expectOk(reply)).toThrow(ErrorReplyError);
    try {
      expectOk(reply);
    } catch (err) {
      expect((err as ErrorReplyError).code).toBe('transport/too_many_requests');
    }
    // The refused invitation does not exist: its would-be claimer has nothing to ask about.
    const org = h.server.organization(h.orgId)!;
    expect([...org.invitations.values()].map((i) => i.email)).toEqual(['a@example.org']);
    // Other authenticated commands are not drawn from the invitation budget.
    expectOk(await g.send({ cmd: 'ping', echo: 'x' }));
  });

  it('rateLimits: false turns the limits off', async () => {
    h = await harness('in-process', { rateLimits: false });
    const c = h.anonymous();
    const token = expectOk(await h.transport(h.admin).send({ cmd: 'invite_new_user', email: 'new@example.org' })).token;
    for (let i = 0; i < 300; i++) expectOk(await c.send({ cmd: 'invited_info', token }));
  });
});

/** Posts raw bytes to the anonymous endpoint; resolves with the status, Retry-After and body. */
function post(url: string, orgId: string, body: Uint8Array, headers: Record<string, string> = {}): Promise<{ status: number; retryAfter: string | undefined; body: Uint8Array }> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}/${orgId}/anonymous`, { method: 'POST', headers: { 'content-type': CBOR_MEDIA_TYPE, ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, retryAfter: res.headers['retry-after'] as string | undefined, body: new Uint8Array(Buffer.concat(chunks)) }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('rate limits and anonymous size over HTTP', () => {
  let h: Harness;
  let now = 0;
  afterEach(async () => {
    await h.close();
  });

  it('per address: 429 with Retry-After (RFC 9110 §10.2.3) and a CBOR too_many_requests reply', async () => {
    h = await harness('http', { rateLimits: { anonymousPerAddress: { burst: 3, perSecond: 0.25 }, now: () => now } });
    const token = expectOk(await h.transport(h.admin).send({ cmd: 'invite_new_user', email: 'new@example.org' })).token;
    const body = encodeRequest({ cmd: 'invited_info', token });
    // The harness's organization_bootstrap, from the same loopback address, took the first token.
    expect((await post(h.url!, h.orgId, body)).status).toBe(200);
    expect((await post(h.url!, h.orgId, body)).status).toBe(200);
    const refused = await post(h.url!, h.orgId, body);
    expect(refused.status).toBe(429);
    expect(refused.retryAfter).toBe('4');
    const reply = decodeReply('invited_info', refused.body);
    expect(reply).toMatchObject({ status: 'error', code: 'too_many_requests', retryAfterMs: 4000 });
    // Through the client transport the same refusal is a typed reply (once it stops retrying).
    expectError(await new HttpAnonymousTransport({ url: h.url!, organizationId: h.orgId, rateLimitRetries: 0 }).send({ cmd: 'invited_info', token }), 'too_many_requests');
  });

  it('an anonymous body above MAX_ANONYMOUS_REQUEST_SIZE is refused with 413 from its declared length, before it is read', async () => {
    h = await harness('http');
    const big = new Uint8Array(MAX_ANONYMOUS_REQUEST_SIZE + 1);
    const r = await post(h.url!, h.orgId, big);
    expect(r.status).toBe(413);
    expect(decodeReply('invited_info', r.body)).toMatchObject({ code: 'too_large' });
    // The authenticated endpoint's larger bound is untouched (and the server still answers).
    expect(h.server.requestSizeLimit).toBeGreaterThan(h.server.anonymousRequestSizeLimit);
  });

  it('in process too: an oversized anonymous body is too_large, not decoded', async () => {
    h = await harness('in-process');
    const r = await h.server.process(h.orgId, null, new Uint8Array(MAX_ANONYMOUS_REQUEST_SIZE + 1).fill(0xa0));
    expect(r.status).toBe('too_large');
  });
});

describe('the client bounds the retry hint', () => {
  it('retryAfterHint: the hint for too_many_requests, capped at MAX_RETRY_AFTER_MS, nothing for other replies', () => {
    const reply = { status: 'error', code: 'too_many_requests', message: 'slow down', retryAfterMs: 86_400_000 } as const;
    expect(retryAfterHint(reply)).toBe(MAX_RETRY_AFTER_MS);
    expect(retryAfterHint(new ErrorReplyError({ ...reply, retryAfterMs: 1500 }))).toBe(1500);
    expect(retryAfterHint({ status: 'error', code: 'not_allowed', message: 'no' })).toBeUndefined();
    expect(retryAfterHint(new Error('x'))).toBeUndefined();
  });
});
