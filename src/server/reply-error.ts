/**
 * How a handler refuses a request: it throws `ReplyError` carrying the error reply, and the
 * dispatcher encodes that reply. Anything else a handler throws becomes an `internal` reply.
 * @module
 */
import { SealsyncError } from '../errors.js';
import type { ErrorReply } from '../transport/commands.js';
import { errorReply } from '../transport/wire.js';

type Distribute<T> = T extends unknown ? Omit<T, 'status'> : never;
/** An error reply without its `status` (always `'error'`). */
export type Refusal = Distribute<ErrorReply>;

/** A refusal to serve a request; `reply` is what the client receives. Code `server/<reply code>`. */
export class ReplyError extends SealsyncError {
  readonly reply: ErrorReply;
  constructor(refusal: Refusal) {
    super(`server/${refusal.code}`, refusal.message);
    this.reply = errorReply({ status: 'error', ...refusal } as ErrorReply);
  }
}

/** Throws the `ReplyError` of `refusal`. */
export function refuse(refusal: Refusal): never {
  throw new ReplyError(refusal);
}
