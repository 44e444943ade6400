/**
 * Size and count bounds of the protocol. Every list, map, byte string and text on the wire has
 * one, so that neither side can be made to allocate or loop without limit by the other.
 * @module
 */

/** Default largest request body: 16 MiB (configurable on the server and the HTTP handler). */
export const DEFAULT_MAX_REQUEST_SIZE = 16 * 1024 * 1024;
/** Default largest reply body a client accepts: 64 MiB (a certificates or vlob batch reply). */
export const DEFAULT_MAX_REPLY_SIZE = 64 * 1024 * 1024;
/** Largest encrypted manifest (vlob version). */
export const MAX_BLOB_SIZE = 8 * 1024 * 1024;
/** Largest encrypted block (the default block size is 512 KiB; the block format). */
export const MAX_BLOCK_SIZE = 8 * 1024 * 1024;
/** Largest realm keys bundle. */
export const MAX_KEYS_BUNDLE_SIZE = 1024 * 1024;
/** Largest sealed access to a keys bundle. */
export const MAX_KEYS_BUNDLE_ACCESS_SIZE = 64 * 1024;
/** Most members of a realm a key rotation can carry accesses for. */
export const MAX_REALM_MEMBERS = 10_000;
/** Most vlobs (or versions) asked for in one read. */
export const MAX_BATCH_ITEMS = 1000;
/** Most topics named in one `certificates_get`. */
export const MAX_TOPICS = 100_000;
/** Largest SAS exchange part (same bound as the relay's: a few sealed certificates). */
export const MAX_STEP_PAYLOAD_SIZE = 64 * 1024;
/** Longest long poll of `events_listen`. */
export const MAX_EVENTS_WAIT_MS = 60_000;
/** Longest long poll of an invitation step. */
export const MAX_STEP_WAIT_MS = 30_000;
/** Most events returned by one `events_listen`. */
export const MAX_EVENTS_PER_REPLY = 1000;
/** Longest human message of an error reply, in UTF-8 bytes. */
export const MAX_MESSAGE_BYTES = 1024;
/** Longest machine reason (certificate rule, cancel reason). */
export const MAX_REASON_BYTES = 128;
/** Longest email of a user invitation (RFC 5321 path limit). */
export const MAX_EMAIL_BYTES = 254;
/** A bootstrap token: 32 random bytes. */
export const BOOTSTRAP_TOKEN_LENGTH = 32;
