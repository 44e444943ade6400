/**
 * In-process transports: client and server in one process (tests, examples, simulations). The
 * request still goes through encoding, signing, the server's byte-level entry point and reply
 * decoding, so what works here works over HTTP.
 * @module
 */
import type { OrganizationId } from '../codec/ids.js';
import type { Clock } from '../codec/timestamps.js';
import { AbortError, throwIfAborted, TransportError, SealsyncError } from '../errors.js';
import type { AnonymousRequest, AuthenticatedRequest, Reply } from './commands.js';
import type { DeviceCredentials } from './auth.js';
import { defaultRequestClock, prepareSigned, readReply } from './client-codec.js';
import { replySizeLimit, type SizeLimits } from './limits.js';
import type { AnonymousTransport, RequestHandler, SendOptions, Transport } from './transport.js';
import { encodeRequest } from './wire.js';

/** Options of the in-process transports. */
export interface InProcessTransportOptions {
  /** Timestamps of the request signatures; default the system clock made strictly increasing. */
  readonly clock?: Clock;
  /** Largest accepted reply of every command; default each command's `REPLY_SIZE_LIMITS` bound. */
  readonly maxReplySize?: number;
  /** Per-command reply bounds, over `maxReplySize` and the defaults. */
  readonly replySizeLimits?: SizeLimits;
}

async function call(run: () => Promise<Uint8Array>, signal: AbortSignal | undefined): Promise<Uint8Array> {
  throwIfAborted(signal);
  let onAbort: (() => void) | undefined;
  // A long poll on the server must not outlive the caller's abort: race it (the server side just
  // finishes its wait unobserved).
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(new AbortError('request aborted', { cause: signal?.reason }));
    signal?.addEventListener('abort', onAbort, { once: true });
  });
  aborted.catch(() => undefined);
  try {
    return await Promise.race([run(), aborted]);
  } catch (err) {
    if (err instanceof SealsyncError) throw err;
    // A handler must never reject; if it does, the caller sees a transport failure, as over HTTP.
    throw new TransportError('transport/network', 'the in-process handler failed', { cause: err });
  } finally {
    if (onAbort) signal?.removeEventListener('abort', onAbort);
  }
}

/** Sends a device's signed commands straight to `handler` (a `SealsyncServer`). */
export class InProcessTransport implements Transport {
  private readonly clock: Clock;

  /**
   * A transport of `credentials`' device to `handler`, signing every request.
   * @param handler - the server (`SealsyncServer` implements `RequestHandler`).
   * @param credentials - organisation, device id and signing key of the device (from its `LocalDevice`).
   * @param options - request clock and reply size bounds.
   * @example
   * ```ts
   * const transport = new InProcessTransport(server, { organizationId, deviceId: device.deviceId, signingKey: device.signingKey });
   * ```
   */
  constructor(
    private readonly handler: RequestHandler,
    private readonly credentials: DeviceCredentials,
    private readonly options: InProcessTransportOptions = {},
  ) {
    this.clock = options.clock ?? defaultRequestClock();
  }

  /** See `Transport.send`. */
  async send<R extends AuthenticatedRequest>(req: R, options: SendOptions = {}): Promise<Reply<R['cmd']>> {
    const { body, auth } = await prepareSigned(req, this.credentials, this.clock);
    const bytes = await call(() => this.handler.handle(this.credentials.organizationId, auth, body), options.signal);
    return readReply(req.cmd as R['cmd'], bytes, replySizeLimit(req.cmd, this.options.replySizeLimits, this.options.maxReplySize));
  }
}

/** Sends anonymous commands (bootstrap, claimer steps) of organisation `organizationId`. */
export class InProcessAnonymousTransport implements AnonymousTransport {
  /**
   * A transport of anonymous requests to `handler`.
   * @param handler - the server (`SealsyncServer` implements `RequestHandler`).
   * @param organizationId - the organisation every request addresses.
   * @param options - reply size bounds (the clock is unused: anonymous requests are not signed).
   */
  constructor(
    private readonly handler: RequestHandler,
    private readonly organizationId: OrganizationId,
    private readonly options: InProcessTransportOptions = {},
  ) {}

  /** See `Transport.send`. */
  async send<R extends AnonymousRequest>(req: R, options: SendOptions = {}): Promise<Reply<R['cmd']>> {
    const body = encodeRequest(req);
    const bytes = await call(() => this.handler.handle(this.organizationId, null, body), options.signal);
    return readReply(req.cmd as R['cmd'], bytes, replySizeLimit(req.cmd, this.options.replySizeLimits, this.options.maxReplySize));
  }
}
