/**
 * The client half shared by every transport: encode and sign a request, decode a reply into a
 * typed value or a `TransportError`.
 * @module
 */
import { systemClock, type Clock } from '../codec/timestamps.js';
import { CodecError, SealsyncError, TransportError, UnsupportedFormatError } from '../errors.js';
import type { Reply, Request } from './commands.js';
import { monotonicClock, signRequest, type DeviceCredentials, type SignedRequestAuth } from './auth.js';
import { decodeReply, encodeRequest } from './wire.js';
import { replySizeLimit } from './limits.js';

/** A clock that never repeats a timestamp: two identical requests signed in the same millisecond
 * would otherwise carry the same signature and the second would be refused as a replay. */
export function defaultRequestClock(): Clock {
  return monotonicClock(systemClock);
}

/** Encodes `req` and signs it. Throws `CodecError` if `req` does not fit its schema (caller bug). */
export async function prepareSigned(req: Request, credentials: DeviceCredentials, clock: Clock): Promise<{ body: Uint8Array; auth: SignedRequestAuth }> {
  const body = encodeRequest(req);
  return { body, auth: await signRequest(credentials, body, clock()) };
}

/**
 * Decodes the reply to `cmd`. Throws `TransportError` `transport/too-large` beyond `maxSize`
 * (default: the command's bound, `replySizeLimit(cmd)`), and `transport/malformed-reply` for
 * anything that is not a well-formed reply of that command. `borrow`: `bytes` is the caller's alone
 * (a fresh HTTP body), so large byte strings of the reply may be views into it.
 */
export function readReply<C extends Request['cmd']>(cmd: C, bytes: Uint8Array, maxSize = replySizeLimit(cmd), borrow = false): Reply<C> {
  if (bytes.length > maxSize) throw new TransportError('transport/too-large', `reply of ${bytes.length} bytes exceeds ${maxSize}`);
  try {
    return decodeReply(cmd, bytes, { maxSize, borrow });
  } catch (err) {
    if (err instanceof CodecError || err instanceof UnsupportedFormatError) {
      throw new TransportError('transport/malformed-reply', `malformed ${cmd} reply: ${err.message}`, { cause: err });
    }
    if (err instanceof SealsyncError) throw err;
    throw new TransportError('transport/malformed-reply', `malformed ${cmd} reply`, { cause: err });
  }
}
