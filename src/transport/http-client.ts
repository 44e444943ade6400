/**
 * HTTP transports over `fetch` (Node ≥ 18, browsers, workers): `POST <base>/<org>/authenticated`
 * and `POST <base>/<org>/anonymous`, CBOR bodies (`application/cbor`), authentication in headers
 * (see `auth`). The reply body is a CBOR reply whatever the status code; the status only
 * summarises it for proxies and logs.
 * @module
 */
import type { OrganizationId } from '../codec/ids.js';
import { isId } from '../codec/ids.js';
import type { Clock } from '../codec/timestamps.js';
import { AbortError, ArgumentError, TransportError } from '../errors.js';
import type { AnonymousRequest, AuthenticatedRequest, Reply, Request } from './commands.js';
import { authToHeaders, type DeviceCredentials, type SignedRequestAuth } from './auth.js';
import { defaultRequestClock, prepareSigned, readReply } from './client-codec.js';
import { replySizeLimit, type SizeLimits } from './limits.js';
import { DEFAULT_RATE_LIMIT_RETRIES, withRateLimitRetry } from './rate-limit-retry.js';
import type { AnonymousTransport, SendOptions, Transport } from './transport.js';
import { CBOR_MEDIA_TYPE, encodeRequest } from './wire.js';

/** Options of the HTTP transports. */
export interface HttpTransportOptions {
  /** Server base URL, e.g. `http://127.0.0.1:8080` (a path prefix is kept). */
  readonly url: string | URL;
  /** The `fetch` to use; default `globalThis.fetch`. */
  readonly fetch?: typeof fetch;
  /** Per-request timeout in ms, added to the long-poll wait of `events_listen`/steps; default 30 s. */
  readonly timeoutMs?: number;
  /** Largest accepted reply body of every command; default each command's `REPLY_SIZE_LIMITS` bound. */
  readonly maxReplySize?: number;
  /** Per-command reply bounds (e.g. `{ block_read: 16 * 1024 * 1024 }`), over `maxReplySize` and the defaults. */
  readonly replySizeLimits?: SizeLimits;
  /** Request signature timestamps (authenticated transport only). */
  readonly clock?: Clock;
  /**
   * How many times a command refused with `too_many_requests` is sent again after the server's
   * (bounded) `retryAfterMs`; default `DEFAULT_RATE_LIMIT_RETRIES`, 0: give the reply back at once.
   */
  readonly rateLimitRetries?: number;
}

function endpoint(base: string | URL, organizationId: OrganizationId, kind: 'authenticated' | 'anonymous'): URL {
  if (!isId(organizationId)) throw new ArgumentError('argument/invalid', 'organizationId must be an id');
  let url: URL;
  try {
    url = new URL(base);
  } catch (cause) {
    throw new ArgumentError('argument/invalid', `invalid server URL ${String(base)}`, { cause });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ArgumentError('argument/invalid', 'the server URL must be http(s)');
  const prefix = url.pathname.endsWith('/') ? url.pathname : `${url.pathname}/`;
  url.pathname = `${prefix}${organizationId}/${kind}`;
  url.search = '';
  url.hash = '';
  return url;
}

/** Reads at most `max` bytes of `res`'s body; throws `transport/too-large` beyond. */
async function readBody(res: Response, max: number): Promise<Uint8Array> {
  const declared = res.headers.get('content-length');
  if (declared !== null && Number(declared) > max) {
    await res.body?.cancel().catch(() => undefined);
    throw new TransportError('transport/too-large', `reply of ${declared} bytes exceeds ${max}`);
  }
  if (res.body === null) return new Uint8Array(0);
  if (declared !== null) {
    // Bounded by the declared length (checked above; fetch enforces it): the native read is faster.
    const bytes = new Uint8Array(await res.arrayBuffer());
    if (bytes.length > max) throw new TransportError('transport/too-large', `reply exceeds ${max} bytes`);
    return bytes;
  }
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.length;
    if (total > max) {
      await reader.cancel().catch(() => undefined);
      throw new TransportError('transport/too-large', `reply exceeds ${max} bytes`);
    }
    chunks.push(value);
  }
  const out = new Uint8Array(total);
  let off = 0;
  for (const c of chunks) {
    out.set(c, off);
    off += c.length;
  }
  return out;
}

function waitOf(req: Request): number {
  if (req.cmd === 'events_listen') return req.waitMs;
  if ((req.cmd === 'invite_greeter_step' || req.cmd === 'invited_step') && req.waitMs !== undefined) return req.waitMs;
  return 0;
}

class HttpCore {
  /** Called as a plain function, never as a method of this object (see the constructor). */
  readonly fetchImpl: (input: URL, init: RequestInit) => Promise<Response>;
  readonly timeoutMs: number;
  readonly rateLimitRetries: number;
  constructor(readonly options: HttpTransportOptions) {
    const f = options.fetch ?? globalThis.fetch;
    if (typeof f !== 'function') throw new ArgumentError('argument/invalid', 'no fetch implementation available');
    // Browsers' `fetch` must be called with the window (or nothing) as `this`: calling it as
    // `this.fetchImpl(...)` makes `this` the HttpCore and throws "Illegal invocation". The
    // default is bound to the global object; a caller's own fetch is called unbound, as the
    // caller would call it.
    this.fetchImpl = options.fetch === undefined ? f.bind(globalThis) : (input, init) => f(input, init);
    this.timeoutMs = options.timeoutMs ?? 30_000;
    const retries = options.rateLimitRetries ?? DEFAULT_RATE_LIMIT_RETRIES;
    if (!Number.isSafeInteger(retries) || retries < 0 || retries > 100) throw new ArgumentError('argument/invalid', 'rateLimitRetries must be an integer in 0..100');
    this.rateLimitRetries = retries;
  }

  async post<R extends Request>(
    url: URL,
    req: R,
    body: Uint8Array,
    auth: SignedRequestAuth | null,
    signal: AbortSignal | undefined,
  ): Promise<Reply<R['cmd']>> {
    if (signal?.aborted) throw new AbortError('request aborted', { cause: signal.reason });
    // One controller per request, its timer cleared at the end: cheaper than composing
    // AbortSignal.timeout/any, whose timers outlive fast requests.
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, this.timeoutMs + Math.min(waitOf(req), 10 * 60_000));
    const onAbort = (): void => controller.abort();
    signal?.addEventListener('abort', onAbort, { once: true });
    const combined = controller.signal;
    let res: Response;
    let bytes: Uint8Array;
    const maxReplySize = replySizeLimit(req.cmd, this.options.replySizeLimits, this.options.maxReplySize);
    try {
      res = await this.fetchImpl(url, {
        method: 'POST',
        headers: { 'content-type': CBOR_MEDIA_TYPE, accept: CBOR_MEDIA_TYPE, ...(auth ? authToHeaders(auth) : {}) },
        body: body as Uint8Array<ArrayBuffer>,
        signal: combined,
      });
      bytes = await readBody(res, maxReplySize);
    } catch (err) {
      if (err instanceof TransportError) throw err;
      if (signal?.aborted) throw new AbortError('request aborted', { cause: signal.reason });
      if (timedOut) throw new TransportError('transport/timeout', `no reply to ${req.cmd} within the timeout`, { cause: err });
      throw new TransportError('transport/network', `cannot reach the server: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    }
    const type = res.headers.get('content-type') ?? '';
    if (!type.toLowerCase().startsWith(CBOR_MEDIA_TYPE)) {
      // Not from a sealsync server (a proxy's error page, a wrong URL): nothing to decode.
      throw new TransportError('transport/http-status', `HTTP ${res.status} without a CBOR reply`);
    }
    // The body was read into a fresh buffer nothing else references: blocks need no second copy.
    return readReply(req.cmd as R['cmd'], bytes, maxReplySize, true);
  }
}

/** Sends a device's signed commands over HTTP. */
export class HttpTransport implements Transport {
  private readonly core: HttpCore;
  private readonly url: URL;
  private readonly clock: Clock;
  private readonly credentials: DeviceCredentials;

  /** Throws `ArgumentError` for an invalid URL or organisation id. */
  constructor(options: HttpTransportOptions & { readonly credentials: DeviceCredentials }) {
    this.core = new HttpCore(options);
    this.url = endpoint(options.url, options.credentials.organizationId, 'authenticated');
    this.clock = options.clock ?? defaultRequestClock();
    this.credentials = options.credentials;
  }

  /** See `Transport.send`. */
  async send<R extends AuthenticatedRequest>(req: R, options: SendOptions = {}): Promise<Reply<R['cmd']>> {
    return withRateLimitRetry(
      async () => {
        // Signed anew for each attempt: the server's replay guard has seen the previous signature.
        const { body, auth } = await prepareSigned(req, this.credentials, this.clock);
        return this.core.post(this.url, req, body, auth, options.signal);
      },
      this.core.rateLimitRetries,
      options.signal,
    );
  }
}

/** Sends anonymous commands (bootstrap, claimer steps) over HTTP. */
export class HttpAnonymousTransport implements AnonymousTransport {
  private readonly core: HttpCore;
  private readonly url: URL;

  /** Throws `ArgumentError` for an invalid URL or organisation id. */
  constructor(options: HttpTransportOptions & { readonly organizationId: OrganizationId }) {
    this.core = new HttpCore(options);
    this.url = endpoint(options.url, options.organizationId, 'anonymous');
  }

  /** See `Transport.send`. */
  async send<R extends AnonymousRequest>(req: R, options: SendOptions = {}): Promise<Reply<R['cmd']>> {
    const body = encodeRequest(req);
    return withRateLimitRetry(() => this.core.post(this.url, req, body, null, options.signal), this.core.rateLimitRetries, options.signal);
  }
}
