/**
 * HttpTransport failure modes: everything that is not a well-formed reply is a TransportError
 * with a stable code; error replies are values.
 */
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { DeviceId, OrganizationId } from '../../src/codec/ids.js';
import { AbortError, ArgumentError, TransportError } from '../../src/errors.js';
import { SigningKey } from '../../src/keys/index.js';
import { HttpAnonymousTransport, HttpTransport, encodeErrorReply, encodeReply, AUTH_HEADERS } from '../../src/transport/index.js';

const org = '0123456789abcdef0123456789abcdef' as OrganizationId;
const credentials = { organizationId: org, deviceId: 'fedcba9876543210fedcba9876543210' as DeviceId, signingKey: SigningKey.fromBytes(new Uint8Array(32).fill(1)) };

let server: Server | null = null;
async function serve(listener: RequestListener): Promise<string> {
  server = createServer(listener);
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/base`;
}
afterEach(async () => {
  if (server) {
    server.closeAllConnections();
    await new Promise<void>((r) => server!.close(() => r()));
    server = null;
  }
});

const cbor = (status: number, bytes: Uint8Array): RequestListener => (req, res) => {
  req.resume();
  req.on('end', () => {
    res.writeHead(status, { 'content-type': 'application/cbor' });
    res.end(bytes);
  });
};

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(TransportError);
    return (err as TransportError).code;
  }
  throw new Error('expected a TransportError');
}

describe('HttpTransport', () => {
  it('posts signed CBOR to <base>/<org>/authenticated', async () => {
    let seen: { url?: string; headers?: Record<string, unknown> } = {};
    const url = await serve((req, res) => {
      seen = { url: req.url!, headers: req.headers };
      cbor(200, encodeReply('ping', { status: 'ok' }))(req, res);
    });
    const t = new HttpTransport({ url, credentials });
    expect(await t.send({ cmd: 'ping' })).toEqual({ status: 'ok' });
    expect(seen.url).toBe(`/base/${org}/authenticated`);
    expect(seen.headers![AUTH_HEADERS.device]).toBe(credentials.deviceId);
    expect(seen.headers!['content-type']).toBe('application/cbor');
  });

  it('an error reply is a value, whatever the status code', async () => {
    const url = await serve(cbor(401, encodeErrorReply({ status: 'error', code: 'authentication_failed', message: 'no' })));
    expect(await new HttpTransport({ url, credentials }).send({ cmd: 'ping' })).toMatchObject({ status: 'error', code: 'authentication_failed' });
  });

  it('malformed reply → transport/malformed-reply', async () => {
    const url = await serve(cbor(200, new Uint8Array([0xff, 0x00])));
    expect(await codeOf(new HttpTransport({ url, credentials }).send({ cmd: 'ping' }))).toBe('transport/malformed-reply');
  });

  it('a reply of the wrong shape → transport/malformed-reply', async () => {
    const url = await serve(cbor(200, encodeReply('block_read', { status: 'ok', keyIndex: 1, block: new Uint8Array(1) })));
    expect(await codeOf(new HttpAnonymousTransport({ url, organizationId: org }).send({ cmd: 'invited_info', token: org as never }))).toBe('transport/malformed-reply');
  });

  it('non-CBOR reply (a proxy error page) → transport/http-status', async () => {
    const url = await serve((req, res) => {
      res.writeHead(502, { 'content-type': 'text/html' });
      res.end('<h1>bad gateway</h1>');
    });
    expect(await codeOf(new HttpTransport({ url, credentials }).send({ cmd: 'ping' }))).toBe('transport/http-status');
  });

  it('reply larger than maxReplySize → transport/too-large (declared or streamed)', async () => {
    const url = await serve(cbor(200, new Uint8Array(5000)));
    expect(await codeOf(new HttpTransport({ url, credentials, maxReplySize: 1000 }).send({ cmd: 'ping' }))).toBe('transport/too-large');
    await new Promise<void>((r) => server!.close(() => r()));
    const url2 = await serve((req, res) => {
      res.writeHead(200, { 'content-type': 'application/cbor', 'transfer-encoding': 'chunked' });
      for (let i = 0; i < 10; i++) res.write(new Uint8Array(500));
      res.end();
    });
    expect(await codeOf(new HttpTransport({ url: url2, credentials, maxReplySize: 1000 }).send({ cmd: 'ping' }))).toBe('transport/too-large');
  });

  it('unreachable server → transport/network', async () => {
    const url = await serve(cbor(200, new Uint8Array()));
    server!.closeAllConnections();
    await new Promise<void>((r) => server!.close(() => r()));
    server = null;
    expect(await codeOf(new HttpTransport({ url, credentials }).send({ cmd: 'ping' }))).toBe('transport/network');
  });

  it('no reply in time → transport/timeout; caller abort → AbortError', async () => {
    const url = await serve(() => undefined);
    expect(await codeOf(new HttpTransport({ url, credentials, timeoutMs: 100 }).send({ cmd: 'ping' }))).toBe('transport/timeout');
    const ac = new AbortController();
    const p = new HttpTransport({ url, credentials }).send({ cmd: 'ping' }, { signal: ac.signal });
    setTimeout(() => ac.abort(), 20);
    await expect(p).rejects.toBeInstanceOf(AbortError);
  });

  it('calls fetch detached from the transport, as browsers require (no "Illegal invocation")', async () => {
    const url = await serve(cbor(200, encodeReply('ping', { status: 'ok' })));
    // A browser's fetch throws unless `this` is the window or undefined: model that here.
    const realFetch = globalThis.fetch;
    const thisSeen: unknown[] = [];
    const browserLike = function (this: unknown, input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
      thisSeen.push(this);
      if (this !== undefined && this !== globalThis) throw new TypeError("Failed to execute 'fetch' on 'Window': Illegal invocation");
      return realFetch(input, init);
    } as typeof fetch;
    expect(await new HttpTransport({ url, credentials, fetch: browserLike }).send({ cmd: 'ping' })).toEqual({ status: 'ok' });
    globalThis.fetch = browserLike;
    try {
      expect(await new HttpTransport({ url, credentials }).send({ cmd: 'ping' })).toEqual({ status: 'ok' });
      expect(await new HttpAnonymousTransport({ url, organizationId: org }).send({ cmd: 'ping' } as never)).toBeDefined();
    } finally {
      globalThis.fetch = realFetch;
    }
    expect(thisSeen).toEqual([undefined, globalThis, globalThis]);
  });

  it('invalid URL or organisation id → ArgumentError', () => {
    expect(() => new HttpTransport({ url: 'ftp://x', credentials })).toThrow(ArgumentError);
    expect(() => new HttpTransport({ url: 'not a url', credentials })).toThrow(ArgumentError);
    expect(() => new HttpAnonymousTransport({ url: 'http://x', organizationId: 'ORG' as OrganizationId })).toThrow(ArgumentError);
  });
});
