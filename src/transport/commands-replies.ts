/**
 * The replies every command shares: the plain success reply and the error replies (stable codes,
 * with the fields a client needs to recover). Re-exported with the other commands.
 * @module
 */
import type { Timestamp } from '../codec/timestamps.js';

/** The plain success reply of commands that return nothing else. */
export interface OkRep {
  readonly status: 'ok';
}

/**
 * Error replies. Codes are stable; `require_greater_timestamp` tells the client the bound its next
 * signature must exceed (re-sign with a later timestamp), `bad_version` means another device wrote
 * first (fetch, merge, retry).
 */
export type ErrorReply =
  | { readonly status: 'error'; readonly code: 'bad_version'; readonly message: string; readonly currentVersion: number }
  | { readonly status: 'error'; readonly code: 'require_greater_timestamp'; readonly message: string; readonly strictlyGreaterThan: Timestamp }
  | { readonly status: 'error'; readonly code: 'timestamp_out_of_ballpark'; readonly message: string; readonly serverTimestamp: Timestamp; readonly clientTimestamp: Timestamp }
  | { readonly status: 'error'; readonly code: 'bad_key_index'; readonly message: string; readonly currentKeyIndex: number }
  | { readonly status: 'error'; readonly code: 'invalid_certificate'; readonly message: string; readonly reason: string }
  /** A Shamir recovery document or step was refused; `reason` is the `shamir/<reason>` of the check. */
  | { readonly status: 'error'; readonly code: 'invalid_shamir'; readonly message: string; readonly reason: string }
  /** A PKI enrollment (X.509 chain, request, acceptance) was refused; `reason` is the `pki/<reason>` of the check. */
  | { readonly status: 'error'; readonly code: 'invalid_pki'; readonly message: string; readonly reason: string }
  /**
   * A rate limit refused the request; `retryAfterMs` is the server's hint of when a retry may
   * pass (a hint: clients bound it, see `boundedRetryAfter`).
   */
  | { readonly status: 'error'; readonly code: 'too_many_requests'; readonly message: string; readonly retryAfterMs: number }
  /** The attempt (or the whole invitation, `by: 'server'` after `invite_cancel`) was cancelled. */
  | {
      readonly status: 'error';
      readonly code: 'invitation_cancelled';
      readonly message: string;
      readonly by: 'greeter' | 'claimer' | 'server';
      readonly reason: string;
    }
  | {
      readonly status: 'error';
      readonly code:
        | 'bad_request'
        | 'unknown_command'
        | 'too_large'
        | 'authentication_failed'
        | 'unknown_device'
        | 'revoked'
        | 'not_allowed'
        | 'not_found'
        | 'already_exists'
        | 'invitation_not_found'
        | 'invitation_already_used'
        | 'invitation_step_conflict'
        | 'invitation_out_of_order'
        | 'too_many_attempts'
        | 'organization_not_found'
        | 'already_bootstrapped'
        /** A key rotation's accesses are not exactly for the realm's current members. */
        | 'realm_members_mismatch'
        /** The server administrator froze this user (reversible, server-side). */
        | 'user_frozen'
        /** The organisation expired (set by the server administrator). */
        | 'organization_expired'
        /** `user_create` beyond the organisation's active-user limit. */
        | 'active_users_limit_reached'
        /** The realm is archived or its deletion is planned: read-only (RFC 1028). */
        | 'realm_archived'
        /** The realm's deletion date has passed: nothing of it is served any more. */
        | 'realm_deleted'
        /** A planned deletion date sooner than the organisation's minimum archiving period. */
        | 'archiving_period_too_short'
        /** The server is shutting down or overloaded; retry later. */
        | 'unavailable'
        | 'internal';
      readonly message: string;
    };

/** Every error reply code. */
export type ErrorCode = ErrorReply['code'];
/** The error codes whose reply carries nothing but a message. */
export type PlainErrorCode = Extract<ErrorReply, { readonly code: string; readonly message: string }> extends infer E
  ? E extends ErrorReply
    ? keyof Omit<E, 'status' | 'code' | 'message'> extends never
      ? E['code']
      : never
    : never
  : never;
