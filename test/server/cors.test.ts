/** CORS: allow-list, preflight, and no CORS header for other origins (real HTTP on loopback). */
import { describe, expect, it } from 'vitest';
import { ArgumentError } from '../../src/errors.js';
import { parseServerArgs, startServer } from '../../src/server/cli.js';
import { parseAllowedOrigin } from '../../src/server/cors.js';
import { HttpAnonymousTransport } from '../../src/transport/index.js';

describe('CORS', () => {
  it('accepts origins and *, refuses paths, slashes and garbage', () => {
    expect(parseAllowedOrigin('https://App.example.com')).toBe('https://app.example.com');
    expect(parseAllowedOrigin('http://localhost:5173')).toBe('http://localhost:5173');
    expect(parseAllowedOrigin('*')).toBe('*');
    for (const bad of ['https://a.example/', 'https://a.example/x', 'a.example', '', 'null', 'file:///x']) {
      expect(() => parseAllowedOrigin(bad), bad).toThrow(ArgumentError);
    }
    expect(parseServerArgs(['--allow-origin', 'http://localhost:5173', '--allow-origin', 'https://b.example']).allowOrigins).toEqual(['http://localhost:5173', 'https://b.example']);
    expect(() => parseServerArgs(['--allow-origin', 'https://b.example/path'])).toThrow(ArgumentError);
  });

  it('answers preflights for allowed origins only and labels replies', async () => {
    const running = await startServer({ port: 0, host: '127.0.0.1', orgs: ['acme'], allowOrigins: ['http://app.test:3000'] });
    try {
      const org = running.organizations[0]!.organizationId;
      const url = `${running.url}/${org}/authenticated`;
      const pre = await fetch(url, {
        method: 'OPTIONS',
        headers: { origin: 'http://app.test:3000', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type, x-sealsync-signature' },
      });
      expect(pre.status).toBe(204);
      expect(pre.headers.get('access-control-allow-origin')).toBe('http://app.test:3000');
      expect(pre.headers.get('access-control-allow-methods')).toContain('POST');
      const allowedHeaders = pre.headers.get('access-control-allow-headers')!.split(', ');
      expect(allowedHeaders).toEqual(expect.arrayContaining(['content-type', 'x-sealsync-device', 'x-sealsync-timestamp', 'x-sealsync-signature']));
      expect(pre.headers.get('vary')).toBe('Origin');

      const denied = await fetch(url, { method: 'OPTIONS', headers: { origin: 'http://evil.test', 'access-control-request-method': 'POST' } });
      expect(denied.status).toBe(403);
      expect(denied.headers.get('access-control-allow-origin')).toBeNull();

      // An actual request from the allowed origin carries the header; the reply is the usual one.
      const fetchFrom = (origin: string): typeof fetch => (input, init) => fetch(input, { ...init, headers: { ...(init?.headers as Record<string, string>), origin } });
      let seen: Response | undefined;
      const spy = (origin: string): typeof fetch => async (input, init) => (seen = await fetchFrom(origin)(input, init));
      const ok = await new HttpAnonymousTransport({ url: running.url, organizationId: org, fetch: spy('http://app.test:3000') }).send({ cmd: 'invited_info', token: org as never });
      expect(ok).toMatchObject({ status: 'error', code: 'invitation_not_found' });
      expect(seen!.headers.get('access-control-allow-origin')).toBe('http://app.test:3000');
      await new HttpAnonymousTransport({ url: running.url, organizationId: org, fetch: spy('http://evil.test') }).send({ cmd: 'invited_info', token: org as never });
      expect(seen!.headers.get('access-control-allow-origin')).toBeNull();
    } finally {
      await running.close();
    }
  });

  it('sends no CORS header at all without an allow-list', async () => {
    const running = await startServer({ port: 0, host: '127.0.0.1', orgs: ['acme'] });
    try {
      const url = `${running.url}/${running.organizations[0]!.organizationId}/anonymous`;
      const pre = await fetch(url, { method: 'OPTIONS', headers: { origin: 'http://app.test:3000' } });
      expect(pre.status).toBe(403);
      expect(pre.headers.get('access-control-allow-origin')).toBeNull();
      expect(pre.headers.get('vary')).toBeNull();
    } finally {
      await running.close();
    }
  });

  it('allows any origin with *', async () => {
    const running = await startServer({ port: 0, host: '127.0.0.1', orgs: [], allowOrigins: ['*'] });
    try {
      const pre = await fetch(`${running.url}/${'0'.repeat(32)}/anonymous`, { method: 'OPTIONS', headers: { origin: 'https://whatever.example' } });
      expect(pre.status).toBe(204);
      expect(pre.headers.get('access-control-allow-origin')).toBe('*');
    } finally {
      await running.close();
    }
  });
});
