/**
 * The HTTP status of a reply status (the HTTP binding's summary; the CBOR body says the rest).
 * @module
 */
import type { ErrorCode } from '../transport/commands.js';

/** The HTTP status summarising a reply status (the CBOR reply body says the rest). */
export function httpStatusOf(status: 'ok' | ErrorCode): number {
  switch (status) {
    case 'bad_request':
    case 'unknown_command':
      return 400;
    case 'authentication_failed':
    case 'unknown_device':
      return 401;
    case 'revoked':
    case 'user_frozen':
    case 'organization_expired':
      return 403;
    case 'organization_not_found':
      return 404;
    case 'too_large':
      return 413;
    case 'too_many_requests':
      return 429;
    case 'internal':
      return 500;
    case 'unavailable':
      return 503;
    default:
      // Command outcomes (ok, bad_version, not_allowed, …) are answers, not HTTP failures.
      return 200;
  }
}
