/**
 * `node:http` binding of the reference server: `POST /<org>/authenticated` and
 * `POST /<org>/anonymous` with CBOR bodies. The body is read with a hard size bound (declared or
 * streamed: 413 as soon as it is exceeded, without reading the rest); the reply is always a CBOR
 * reply, with an HTTP status summarising it (400 malformed, 401 authentication, 403 revoked,
 * 404 unknown organisation, 413 too large, 500/503 server side, 200 for command outcomes).
 * @module
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { OrganizationId } from '../codec/ids.js';
import { authFromHeaders } from '../transport/auth.js';
import type { PlainErrorCode } from '../transport/commands.js';
import { CBOR_MEDIA_TYPE, encodeErrorReply } from '../transport/wire.js';
import { ServerAdmin } from './admin/api.js';
import { createAdminRoute } from './admin/http.js';
import { CorsPolicy } from './cors.js';
import { organizationIdFromName } from './org-name.js';
import { httpStatusOf } from './http-status.js';
import type { SealsyncServer } from './server.js';

/** Options of `createHttpHandler`. */
export interface HttpHandlerOptions {
  /** Largest body; default the server's `requestSizeLimit` (`anonymousRequestSizeLimit` for anonymous requests). */
  readonly maxRequestSize?: number;
  /**
   * The network address a request comes from, for the per-address rate limit; default the
   * socket's remote address. Behind a reverse proxy, return the client address the proxy sets
   * (e.g. from `X-Forwarded-For`, trusting only your proxy's entry): otherwise every client shares
   * the proxy's bucket.
   */
  readonly peerAddress?: (req: IncomingMessage) => string | undefined;
  /**
   * Origins (`https://app.example.com`, or `*`) whose web pages may call this server (CORS,
   * preflight included); default none. Throws `ArgumentError` for a malformed origin.
   */
  readonly allowOrigins?: readonly string[];
  /**
   * The administration token: when set, the admin JSON API is served under `/admin/` (see the
   * README, "Running the reference server") for requests with `Authorization: Bearer <token>`.
   * Default: no admin API.
   */
  readonly adminToken?: string;
}

const ROUTE = /^(?:\/.*)?\/([0-9a-f]{32})\/(authenticated|anonymous)$/;

function send(res: ServerResponse, status: number, bytes: Uint8Array, close = false, retryAfterMs?: number): void {
  if (res.headersSent) return;
  res.writeHead(status, {
    'content-type': CBOR_MEDIA_TYPE,
    'content-length': String(bytes.length),
    'cache-control': 'no-store',
    ...(close ? { connection: 'close' } : {}),
    // RFC 9110 §10.2.3: delay-seconds, a whole number.
    ...(retryAfterMs === undefined ? {} : { 'retry-after': String(Math.ceil(retryAfterMs / 1000)) }),
  });
  res.end(bytes);
}

function sendError(res: ServerResponse, code: PlainErrorCode, message: string, status = httpStatusOf(code), close = false): void {
  send(res, status, encodeErrorReply({ status: 'error', code, message }), close);
}

/** Reads the body, or `null` once it exceeds `max` (the caller answers 413 and closes). */
function readBody(req: IncomingMessage, max: number): Promise<Uint8Array | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    let done = false;
    req.on('data', (chunk: Buffer) => {
      if (done) return;
      total += chunk.length;
      if (total > max) {
        done = true;
        req.pause();
        resolve(null);
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (done) return;
      done = true;
      const out = new Uint8Array(total);
      let off = 0;
      for (const c of chunks) {
        out.set(c, off);
        off += c.length;
      }
      resolve(out);
    });
    req.on('error', (err) => {
      if (!done) {
        done = true;
        reject(err);
      }
    });
  });
}

/**
 * A `node:http` request listener serving `server`:
 * `http.createServer(createHttpHandler(server)).listen(8080)`. The listener never throws; a client
 * that goes away mid-request is simply dropped.
 * @throws `ArgumentError` `argument/invalid` (when called) for a malformed `allowOrigins` entry or an `adminToken` under 16 characters.
 * @example
 * ```ts
 * const handler = createHttpHandler(server, { allowOrigins: ['https://app.example.com'] });
 * createServer(handler).listen(8080, '127.0.0.1');
 * ```
 */
export function createHttpHandler(server: SealsyncServer, options: HttpHandlerOptions = {}): (req: IncomingMessage, res: ServerResponse) => void {
  const max = options.maxRequestSize ?? server.requestSizeLimit;
  const limits = { authenticated: max, anonymous: Math.min(max, server.anonymousRequestSizeLimit) };
  const peerAddress = options.peerAddress ?? ((req: IncomingMessage) => req.socket.remoteAddress);
  const cors = new CorsPolicy(options.allowOrigins ?? []);
  // The admin API is for operators' tools, never for web pages: no CORS on it.
  const admin = options.adminToken === undefined ? null : createAdminRoute(new ServerAdmin(server), options.adminToken, organizationIdFromName);
  return (req, res) => {
    if (admin?.(req, res)) return;
    if (cors.preflight(req, res)) return;
    cors.decorate(req, res);
    void serve(server, limits, peerAddress, req, res).catch(() => {
      if (!res.headersSent) sendError(res, 'internal', 'internal server error');
      else res.destroy();
    });
  };
}

async function serve(
  server: SealsyncServer,
  limits: { readonly authenticated: number; readonly anonymous: number },
  peerAddress: (req: IncomingMessage) => string | undefined,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const path = (req.url ?? '').split('?')[0] ?? '';
  const route = ROUTE.exec(path);
  if (!route) return sendError(res, 'bad_request', 'unknown path: POST /<organization id>/authenticated or /anonymous', 404);
  const max = route[2] === 'anonymous' ? limits.anonymous : limits.authenticated;
  if (req.method !== 'POST') return sendError(res, 'bad_request', 'only POST is served', 405);
  const type = (req.headers['content-type'] ?? '').toLowerCase();
  if (!type.startsWith(CBOR_MEDIA_TYPE)) return sendError(res, 'bad_request', `the body must be ${CBOR_MEDIA_TYPE}`, 415);
  const declared = req.headers['content-length'];
  if (declared !== undefined && Number(declared) > max) {
    // Answer before reading anything: the client may be about to send gigabytes.
    return sendError(res, 'too_large', `request body exceeds ${max} bytes`, 413, true);
  }
  const organizationId = route[1] as OrganizationId;
  let auth = null;
  if (route[2] === 'authenticated') {
    auth = authFromHeaders(organizationId, (name) => {
      const v = req.headers[name];
      return typeof v === 'string' ? v : undefined;
    });
    if (auth === null) return sendError(res, 'authentication_failed', 'missing or malformed authentication headers');
  }
  let body: Uint8Array | null;
  try {
    body = await readBody(req, max);
  } catch {
    res.destroy();
    return;
  }
  if (body === null) return sendError(res, 'too_large', `request body exceeds ${max} bytes`, 413, true);
  const address = peerAddress(req);
  const result = await server.process(organizationId, auth, body, address === undefined ? {} : { address });
  send(res, httpStatusOf(result.status), result.bytes, false, result.retryAfterMs);
}
