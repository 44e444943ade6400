/**
 * The `Transport` interface (the sync model): typed commands in, typed replies out.
 *
 * Error replies (`bad_version`, `not_allowed`, …) are ordinary values: the caller switches on
 * `reply.status` / `reply.code` (or uses `expectOk`). Only failures to get a well-formed reply at
 * all — network errors, timeouts, an unreadable or oversized reply — throw, as `TransportError`.
 * @module
 */
import type { OrganizationId } from '../codec/ids.js';
import { TransportError } from '../errors.js';
import type { AnonymousRequest, AuthenticatedRequest, ErrorReply, Reply, ReplyMap } from './commands.js';
import type { SignedRequestAuth } from './auth.js';

/** Options of one `send`. */
export interface SendOptions {
  /** Aborts the request (`AbortError`). */
  readonly signal?: AbortSignal;
}

/** Sends the commands of one enrolled device, signed with its key. */
export interface Transport {
  /**
   * Sends `req`; resolves with the success or error reply. Throws `TransportError`
   * (`transport/network`, `transport/timeout`, `transport/malformed-reply`, `transport/too-large`,
   * `transport/http-status`) when no valid reply arrives, `AbortError` when aborted.
   */
  send<R extends AuthenticatedRequest>(req: R, options?: SendOptions): Promise<Reply<R['cmd']>>;
}

/** Sends the commands that need no device: bootstrap and the claimer side of an invitation. */
export interface AnonymousTransport {
  /** Same contract as `Transport.send`. */
  send<R extends AnonymousRequest>(req: R, options?: SendOptions): Promise<Reply<R['cmd']>>;
}

/**
 * What a server exposes to transports: one encoded request in, one encoded reply out. `auth` is
 * `null` for the anonymous endpoint. Never rejects for a bad request: every refusal is an encoded
 * error reply.
 */
export interface RequestHandler {
  /**
   * Handles one encoded request of `organizationId`; `auth` is the checked-on-arrival signature
   * header of an authenticated request, `null` on the anonymous endpoint. Resolves with the encoded reply.
   * `body` is handed over: the caller must not modify it afterwards, since the handler may keep
   * views into it instead of copies (a block is then copied once on its way to the server's
   * storage, not twice). The reply may still be referenced by the handler: the in-process
   * transports decode it into copies.
   */
  handle(organizationId: OrganizationId, auth: SignedRequestAuth | null, body: Uint8Array): Promise<Uint8Array>;
}

/** The `TransportError` thrown by `expectOk`: code `transport/<error code>`, with the reply. */
export class ErrorReplyError extends TransportError {
  /** The server's error reply, as received (its `code` is also in this error's `code`). */
  readonly reply: ErrorReply;
  /**
   * Wraps an error reply.
   * @param reply - the error reply; `code` becomes `transport/<reply.code>`.
   */
  constructor(reply: ErrorReply) {
    super(`transport/${reply.code}`, reply.message);
    this.reply = reply;
  }
}

/** Success replies only. */
export type OkReply<C extends keyof ReplyMap> = ReplyMap[C];

/**
 * Returns `reply` if it is a success; throws `ErrorReplyError` (a `TransportError` with code
 * `transport/<error code>` carrying the reply) if it is an error reply.
 */
export function expectOk<T extends { readonly status: 'ok' }>(reply: T | ErrorReply): T {
  if (reply.status === 'error') throw new ErrorReplyError(reply);
  return reply;
}

/**
 * Longest pause a client takes on a server's `retryAfterMs` hint. The hint is unsigned: a lying
 * server must not be able to park a client for a day by naming a huge delay.
 */
export const MAX_RETRY_AFTER_MS = 60_000;

/**
 * The pause a `too_many_requests` reply (or the `ErrorReplyError` carrying it) asks for, bounded
 * to [0, `MAX_RETRY_AFTER_MS`]; `undefined` for anything else.
 */
export function retryAfterHint(replyOrError: unknown): number | undefined {
  const reply = replyOrError instanceof ErrorReplyError ? replyOrError.reply : (replyOrError as ErrorReply | undefined);
  if (reply?.status !== 'error' || reply.code !== 'too_many_requests') return undefined;
  return Math.min(MAX_RETRY_AFTER_MS, Math.max(0, reply.retryAfterMs));
}

/** True for an error reply (type guard). */
export function isErrorReply(reply: { readonly status: string }): reply is ErrorReply {
  return reply.status === 'error';
}
