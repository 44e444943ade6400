/**
 * CORS for the HTTP binding (Fetch standard §3.2): an allow-list of origins, so that a web app
 * served from its own origin can call a sealsync server on another. Requests carry custom
 * authentication headers and a CBOR body, so browsers send a preflight (`OPTIONS`) first; it is
 * answered here without touching the server. Origins not on the list get no CORS header at all
 * (the browser then withholds the reply from the page); non-browser clients are unaffected.
 *
 * CORS is no security boundary for sealsync (every command is signed by a device key, and the
 * server is untrusted anyway): it only decides which web pages may talk to this server.
 * @module
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ArgumentError } from '../errors.js';
import { AUTH_HEADERS } from '../transport/auth.js';

/** Request headers a page may send: the body type, the signed-request headers, SSE resumption. */
export const CORS_ALLOWED_HEADERS: readonly string[] = ['content-type', AUTH_HEADERS.device, AUTH_HEADERS.timestamp, AUTH_HEADERS.signature, 'last-event-id'];

/** How long (s) a browser may cache a preflight answer. */
export const CORS_MAX_AGE = 600;

/**
 * Checks one `--allow-origin` value: `*` or an origin `scheme://host[:port]` (no path, no
 * trailing slash; browsers send exactly that form). Returns it normalised (lowercase).
 * @throws ArgumentError `argument/invalid` for anything else.
 */
export function parseAllowedOrigin(value: string): string {
  if (value === '*') return value;
  let url: URL;
  try {
    url = new URL(value);
  } catch (cause) {
    throw new ArgumentError('argument/invalid', `invalid origin ${JSON.stringify(value)} (expected scheme://host[:port] or *)`, { cause });
  }
  if (url.origin === 'null' || url.origin !== value.toLowerCase().replace(/\/$/, '') || value.endsWith('/')) {
    throw new ArgumentError('argument/invalid', `invalid origin ${JSON.stringify(value)} (expected scheme://host[:port], no path or trailing slash)`);
  }
  return url.origin;
}

/** The origin policy: which `Origin` request header values are allowed. */
export class CorsPolicy {
  private readonly any: boolean;
  private readonly origins: ReadonlySet<string>;

  /** @throws ArgumentError `argument/invalid` for a malformed origin. */
  constructor(allowOrigins: readonly string[]) {
    const parsed = allowOrigins.map(parseAllowedOrigin);
    this.any = parsed.includes('*');
    this.origins = new Set(parsed);
  }

  /** Whether any origin is allowed at all (no list: CORS headers are never sent). */
  get enabled(): boolean {
    return this.any || this.origins.size > 0;
  }

  /** The `Access-Control-Allow-Origin` value for `origin`, or `null` if it is not allowed. */
  allow(origin: string | undefined): string | null {
    if (origin === undefined) return null;
    if (this.any) return '*';
    return this.origins.has(origin.toLowerCase()) ? origin : null;
  }

  /**
   * Adds the CORS headers of an actual request to `res` (before its head is written). Returns
   * whether the origin was allowed.
   */
  decorate(req: IncomingMessage, res: ServerResponse): boolean {
    if (!this.enabled) return false;
    res.setHeader('vary', 'Origin');
    const allowed = this.allow(header(req, 'origin'));
    if (allowed === null) return false;
    res.setHeader('access-control-allow-origin', allowed);
    return true;
  }

  /**
   * Answers a preflight if `req` is one (an `OPTIONS` request): 204 with the allowed method and
   * headers for an allowed origin, 403 without CORS headers otherwise. Returns whether it answered.
   */
  preflight(req: IncomingMessage, res: ServerResponse): boolean {
    if (req.method !== 'OPTIONS') return false;
    const allowed = this.decorate(req, res);
    if (!allowed) {
      res.writeHead(403, { 'content-length': '0' });
      res.end();
      return true;
    }
    res.writeHead(204, {
      'access-control-allow-methods': 'GET, POST, OPTIONS',
      'access-control-allow-headers': CORS_ALLOWED_HEADERS.join(', '),
      'access-control-max-age': String(CORS_MAX_AGE),
      'content-length': '0',
    });
    res.end();
    return true;
  }
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return typeof v === 'string' ? v : undefined;
}
