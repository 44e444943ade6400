/**
 * The error replies on the wire: every code, the fields each one requires, and the per-item
 * results of batched commands (`ok`, or an error reply as the single command would give it).
 * @module
 */
import { s, schemaError, type Fields, type Schema } from '../codec/schema.js';
import type { ErrorCode, ErrorReply, OkRep } from './commands.js';
import { MAX_MESSAGE_BYTES, MAX_REASON_BYTES } from './limits.js';

/** Every error code, and the extra fields each one requires. */
const ERROR_EXTRA: { readonly [C in ErrorCode]: readonly string[] } = {
  bad_version: ['currentVersion'],
  require_greater_timestamp: ['strictlyGreaterThan'],
  timestamp_out_of_ballpark: ['serverTimestamp', 'clientTimestamp'],
  bad_key_index: ['currentKeyIndex'],
  invalid_certificate: ['reason'],
  invalid_shamir: ['reason'],
  invalid_pki: ['reason'],
  too_many_requests: ['retryAfterMs'],
  invitation_cancelled: ['by', 'reason'],
  bad_request: [],
  unknown_command: [],
  too_large: [],
  authentication_failed: [],
  unknown_device: [],
  revoked: [],
  not_allowed: [],
  not_found: [],
  already_exists: [],
  invitation_not_found: [],
  invitation_already_used: [],
  invitation_step_conflict: [],
  invitation_out_of_order: [],
  too_many_attempts: [],
  organization_not_found: [],
  already_bootstrapped: [],
  realm_members_mismatch: [],
  user_frozen: [],
  organization_expired: [],
  active_users_limit_reached: [],
  realm_archived: [],
  realm_deleted: [],
  archiving_period_too_short: [],
  unavailable: [],
  internal: [],
};

/** Every error code of this protocol version. */
export const ERROR_CODES = Object.keys(ERROR_EXTRA) as ErrorCode[];

/** The fields of an error reply besides `status` (the error reply document and a batch item's refusal). */
export const ERROR_FIELDS = {
    code: s.oneOf(ERROR_CODES),
    message: s.text({ maxBytes: MAX_MESSAGE_BYTES }),
    currentVersion: s.optional(s.uint()),
    strictlyGreaterThan: s.optional(s.timestamp()),
    serverTimestamp: s.optional(s.timestamp()),
    clientTimestamp: s.optional(s.timestamp()),
    currentKeyIndex: s.optional(s.uint()),
    reason: s.optional(s.text({ maxBytes: MAX_REASON_BYTES })),
    by: s.optional(s.literal('greeter', 'claimer', 'server')),
    retryAfterMs: s.optional(s.uint()),
} satisfies Fields;


/** Refuses an error reply missing a field its code requires (`CodecError` `codec/schema`). */
export function checkErrorExtras(reply: Record<string, unknown>): void {
  const code = reply['code'] as ErrorCode;
  for (const field of ERROR_EXTRA[code]) {
    if (reply[field] === undefined) throw schemaError(field, `required by error code ${code}`);
  }
}


/** Builds an error reply whose message fits the wire bound (long messages are cut). */
export function errorReply<E extends ErrorReply>(reply: E): E {
  return { ...reply, message: clipMessage(reply.message) };
}

/** Cuts `message` to at most `MAX_MESSAGE_BYTES` UTF-8 bytes, on a code point boundary. */
export function clipMessage(message: string): string {
  // Each UTF-16 code unit is at most 3 UTF-8 bytes: a third of the bound always fits.
  if (message.length * 3 <= MAX_MESSAGE_BYTES) return message;
  let out = '';
  let bytes = 0;
  for (const ch of message) {
    const n = new TextEncoder().encode(ch).length;
    if (bytes + n > MAX_MESSAGE_BYTES - 3) return `${out}…`;
    out += ch;
    bytes += n;
  }
  return out;
}

/**
 * One item's result in a batch reply: `{status: 'ok', …okFields}` or an error reply (`status:
 * 'error'` with the fields its code requires).
 */
export function itemResult<T extends { readonly status: 'ok' }>(okFields: Fields = {}): Schema<T | ErrorReply> {
  const ok = s.struct({ status: s.literal('ok'), ...okFields });
  const error = s.struct({ status: s.literal('error'), ...ERROR_FIELDS });
  const pick = (value: unknown): Schema<unknown> => {
    const status = value instanceof Map ? value.get('status') : (value as { status?: unknown } | null)?.status;
    return status === 'ok' ? ok : error;
  };
  return {
    description: 'an item result (ok or error)',
    encode: (v, path) => pick(v).encode(v as never, path),
    decode: (v, path) => {
      const out = pick(v).decode(v, path) as Record<string, unknown>;
      if (out['status'] === 'error') checkErrorExtras(out);
      return out as unknown as T | ErrorReply;
    },
  };
}

/** The plain `ok` item result. */
export const OK_ITEM: OkRep = Object.freeze({ status: 'ok' });
