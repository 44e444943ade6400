/**
 * `sealsync/transport`: the protocol (typed commands and replies), its wire encoding, signed
 * request authentication, and the in-process and HTTP (`fetch`) transports.
 * @module
 */
export type * from './commands.js';
export type * from './commands-shamir.js';
export type * from './commands-pki.js';
export type * from './commands-reencrypt.js';
export * from './limits.js';
export {
  WIRE_VERSION,
  CBOR_MEDIA_TYPE,
  AUTHENTICATED_COMMANDS,
  ANONYMOUS_COMMANDS,
  ERROR_CODES,
  isCommand,
  encodeRequest,
  decodeRequest,
  encodeReply,
  encodeErrorReply,
  decodeReply,
  type WireDecodeOptions,
} from './wire.js';
export {
  REQUEST_SIGNATURE_CONTEXT,
  REQUEST_TIMESTAMP_WINDOW,
  AUTH_HEADERS,
  requestSigningMessage,
  signRequest,
  verifyRequestSignature,
  ballparkProblem,
  authToHeaders,
  authFromHeaders,
  ReplayGuard,
  replayKey,
  monotonicClock,
  type SignedRequestAuth,
  type DeviceCredentials,
  type ReplayGuardOptions,
} from './auth.js';
export { DEFAULT_RATE_LIMIT_RETRIES } from './rate-limit-retry.js';
export { expectOk, isErrorReply, ErrorReplyError, retryAfterHint, MAX_RETRY_AFTER_MS, type Transport, type AnonymousTransport, type RequestHandler, type SendOptions, type OkReply } from './transport.js';
export { InProcessTransport, InProcessAnonymousTransport, type InProcessTransportOptions } from './in-process.js';
export { HttpTransport, HttpAnonymousTransport, type HttpTransportOptions } from './http-client.js';
export { greeterInviteTransport, claimerInviteTransport, type ServerInviteTransportOptions } from './invite-transport.js';
