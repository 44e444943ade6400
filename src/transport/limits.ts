/**
 * Size and count bounds of the protocol. Every list, map, byte string and text on the wire has
 * one, so that neither side can be made to allocate or loop without limit by the other.
 * @module
 */
import type { Request } from './commands.js';

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
/** Most vlob versions stored by one `vlob_write_batch`. */
export const MAX_WRITE_BATCH_ITEMS = 1000;
/** Most blocks stored by one `block_create_batch` or asked by one `block_read_batch`. */
export const MAX_BLOCK_BATCH_ITEMS = 256;
/**
 * Most payload bytes (blobs or blocks) in one batched write, and in one `block_read_batch` reply
 * (the blocks past it are answered `too_large`, to ask again). Above the largest single blob or
 * block, so any one item always fits.
 */
export const MAX_BATCH_BYTES = 12 * 1024 * 1024;
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

/**
 * Largest anonymous request body (bootstrap, claimer steps): a few certificates or one SAS step
 * part (`MAX_STEP_PAYLOAD_SIZE`), never more. Anonymous requests are decoded before anything
 * authenticates them, so they get the smallest bound.
 */
export const MAX_ANONYMOUS_REQUEST_SIZE = 256 * 1024;

/** Bound of replies that carry no list and no blob (acks, ids, error replies). */
export const SMALL_REPLY_SIZE = 64 * 1024;

/** Bound of one item's result in a batch reply besides its block: its id and at most an error reply. */
const ITEM_RESULT_SIZE = 256 + MAX_MESSAGE_BYTES;

/**
 * Largest reply a client accepts, per command (`DEFAULT_MAX_REPLY_SIZE` for the batch reads).
 * A reply is decoded before it can be checked against anything signed, so each command gets the
 * bound of what its reply can honestly be. Override per command with `replySizeLimits` on the
 * transports (e.g. a batched command whose replies are larger).
 */
export const REPLY_SIZE_LIMITS: { readonly [C in Request['cmd']]: number } = Object.freeze({
  certificates_get: DEFAULT_MAX_REPLY_SIZE,
  user_create: SMALL_REPLY_SIZE,
  user_update: SMALL_REPLY_SIZE,
  user_revoke: SMALL_REPLY_SIZE,
  label_certificate: SMALL_REPLY_SIZE,
  device_create: SMALL_REPLY_SIZE,
  realm_create: SMALL_REPLY_SIZE,
  realm_share: SMALL_REPLY_SIZE,
  realm_unshare: SMALL_REPLY_SIZE,
  realm_rotate_key: SMALL_REPLY_SIZE,
  realm_get_keys_bundle: MAX_KEYS_BUNDLE_SIZE + MAX_KEYS_BUNDLE_ACCESS_SIZE + SMALL_REPLY_SIZE,
  realm_rename: SMALL_REPLY_SIZE,
  realm_update_archiving: SMALL_REPLY_SIZE,
  realm_reencrypt_vlobs: SMALL_REPLY_SIZE,
  realm_reencrypt_block: SMALL_REPLY_SIZE,
  pki_trust_anchors_set: SMALL_REPLY_SIZE,
  // A page of pending requests, each an X.509 chain and a signed request.
  pki_enrollment_list: DEFAULT_MAX_REPLY_SIZE,
  pki_enrollment_accept: SMALL_REPLY_SIZE,
  pki_enrollment_reject: SMALL_REPLY_SIZE,
  pki_enrollment_submit: SMALL_REPLY_SIZE,
  pki_enrollment_info: 4 * MAX_STEP_PAYLOAD_SIZE,
  shamir_setup_create: SMALL_REPLY_SIZE,
  shamir_setup_delete: SMALL_REPLY_SIZE,
  shamir_setup_get: 4 * MAX_STEP_PAYLOAD_SIZE,
  shamir_recipient_list: DEFAULT_MAX_REPLY_SIZE,
  invite_new_shamir_recovery: SMALL_REPLY_SIZE,
  invited_shamir_reveal: SMALL_REPLY_SIZE,
  vlob_create: SMALL_REPLY_SIZE,
  vlob_update: SMALL_REPLY_SIZE,
  vlob_write_batch: SMALL_REPLY_SIZE + MAX_WRITE_BATCH_ITEMS * ITEM_RESULT_SIZE,
  vlob_read_batch: DEFAULT_MAX_REPLY_SIZE,
  vlob_read_versions: DEFAULT_MAX_REPLY_SIZE,
  vlob_poll_changes: 16 * 1024 * 1024,
  block_create: SMALL_REPLY_SIZE,
  block_read: MAX_BLOCK_SIZE + SMALL_REPLY_SIZE,
  block_create_batch: SMALL_REPLY_SIZE + MAX_BLOCK_BATCH_ITEMS * ITEM_RESULT_SIZE,
  block_read_batch: MAX_BATCH_BYTES + SMALL_REPLY_SIZE + MAX_BLOCK_BATCH_ITEMS * ITEM_RESULT_SIZE,
  invite_new_user: SMALL_REPLY_SIZE,
  invite_new_device: SMALL_REPLY_SIZE,
  invite_cancel: SMALL_REPLY_SIZE,
  invite_greeter_join: 4 * MAX_STEP_PAYLOAD_SIZE,
  invite_greeter_step: 4 * MAX_STEP_PAYLOAD_SIZE,
  invite_greeter_cancel: SMALL_REPLY_SIZE,
  invite_complete: SMALL_REPLY_SIZE,
  events_listen: 1024 * 1024,
  ping: SMALL_REPLY_SIZE,
  organization_bootstrap: SMALL_REPLY_SIZE,
  invited_info: 4 * MAX_STEP_PAYLOAD_SIZE,
  invited_join: 4 * MAX_STEP_PAYLOAD_SIZE,
  invited_step: 4 * MAX_STEP_PAYLOAD_SIZE,
  invited_cancel: SMALL_REPLY_SIZE,
});

/** Per-command size overrides (commands left out keep their default). */
export type SizeLimits = { readonly [C in Request['cmd']]?: number };

/**
 * The reply bound of `cmd`: `overrides[cmd]`, else `uniform` (a transport's `maxReplySize`, which
 * applies to every command when set), else `REPLY_SIZE_LIMITS[cmd]` (`DEFAULT_MAX_REPLY_SIZE`
 * for a command this table does not know).
 */
export function replySizeLimit(cmd: Request['cmd'], overrides?: SizeLimits, uniform?: number): number {
  return overrides?.[cmd] ?? uniform ?? REPLY_SIZE_LIMITS[cmd] ?? DEFAULT_MAX_REPLY_SIZE;
}
