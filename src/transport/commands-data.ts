/**
 * The data commands: vlobs (encrypted, signed manifests with optimistic concurrency) and blocks
 * (encrypted file content), single and batched. Re-exported with the other commands.
 *
 * A batched write (`vlob_write_batch`, `block_create_batch`) runs, for each item, exactly the
 * checks of the single command and answers each item on its own: one refusal does not fail the
 * batch. The per-item results are unsigned hints: a client matches them against what it sent.
 * @module
 */
import type { BlockId, DeviceId, RealmId, VlobId } from '../codec/ids.js';
import type { Timestamp } from '../codec/timestamps.js';
import type { ErrorReply, OkRep } from './commands-replies.js';

/** Stores version 1 of a new vlob: `blob` is a signed-then-encrypted manifest under realm key `keyIndex`. */
export interface VlobCreateReq {
  readonly cmd: 'vlob_create';
  readonly realmId: RealmId;
  readonly vlobId: VlobId;
  readonly keyIndex: number;
  readonly timestamp: Timestamp;
  readonly blob: Uint8Array;
}
/** Stores the next version of a vlob (refused `bad_version` if another device wrote first). */
export interface VlobUpdateReq {
  readonly cmd: 'vlob_update';
  readonly realmId: RealmId;
  readonly vlobId: VlobId;
  readonly keyIndex: number;
  readonly timestamp: Timestamp;
  /** Must be exactly the current version + 1 (optimistic concurrency). */
  readonly version: number;
  readonly blob: Uint8Array;
}
/** What the server says about one stored version; the client checks it against the signed manifest. */
export interface VlobItem {
  readonly vlobId: VlobId;
  readonly version: number;
  readonly keyIndex: number;
  readonly author: DeviceId;
  readonly timestamp: Timestamp;
  readonly blob: Uint8Array;
}
/** Latest versions of some vlobs (or the versions current at `at`). */
export interface VlobReadBatchReq {
  readonly cmd: 'vlob_read_batch';
  readonly realmId: RealmId;
  readonly vlobIds: readonly VlobId[];
  readonly at?: Timestamp;
}
/** Reply of `vlob_read_batch`. */
export interface VlobReadBatchRep {
  readonly status: 'ok';
  /** Found vlobs only; missing ones are simply absent. */
  readonly items: readonly VlobItem[];
}
/** Specific versions (history). */
export interface VlobReadVersionsReq {
  readonly cmd: 'vlob_read_versions';
  readonly realmId: RealmId;
  readonly items: readonly { readonly vlobId: VlobId; readonly version: number }[];
}
/** Reply of `vlob_read_versions`: the requested versions that exist. */
export interface VlobReadVersionsRep {
  readonly status: 'ok';
  readonly items: readonly VlobItem[];
}
/** Changes in a realm since a checkpoint (a per-realm counter incremented by each vlob write). */
export interface VlobPollChangesReq {
  readonly cmd: 'vlob_poll_changes';
  readonly realmId: RealmId;
  readonly lastCheckpoint: number;
}
/** Reply of `vlob_poll_changes`: the new checkpoint and what changed before it. */
export interface VlobPollChangesRep {
  readonly status: 'ok';
  readonly currentCheckpoint: number;
  /** Latest version of each vlob changed after `lastCheckpoint`. */
  readonly changes: readonly { readonly vlobId: VlobId; readonly version: number }[];
}

/** Stores an encrypted block (content-addressed by the client; immutable once stored). */
export interface BlockCreateReq {
  readonly cmd: 'block_create';
  readonly realmId: RealmId;
  readonly blockId: BlockId;
  readonly keyIndex: number;
  readonly block: Uint8Array;
}
/** Fetches an encrypted block. */
export interface BlockReadReq {
  readonly cmd: 'block_read';
  readonly realmId: RealmId;
  readonly blockId: BlockId;
}
/** Reply of `block_read`: the ciphertext and the realm key index it claims (the client checks it against the manifest). */
export interface BlockReadRep {
  readonly status: 'ok';
  readonly keyIndex: number;
  readonly block: Uint8Array;
}

/** The outcome of one item of a batched write: `ok`, or the error reply the single command would give. */
export type ItemResult = OkRep | ErrorReply;

/**
 * One version to store in a `vlob_write_batch`: version 1 creates the vlob (the checks and
 * refusals of `vlob_create`), a higher one is the next version of an existing vlob (those of
 * `vlob_update`).
 */
export interface VlobWriteItem {
  readonly vlobId: VlobId;
  readonly keyIndex: number;
  readonly timestamp: Timestamp;
  readonly version: number;
  readonly blob: Uint8Array;
}
/**
 * Stores several vlob versions of one realm in one signed request (at most `MAX_WRITE_BATCH_ITEMS`
 * items, `MAX_BATCH_BYTES` of blobs, each vlob id once). The accepted items are durable together
 * when the reply is sent.
 */
export interface VlobWriteBatchReq {
  readonly cmd: 'vlob_write_batch';
  readonly realmId: RealmId;
  readonly items: readonly VlobWriteItem[];
}
/** One item's outcome in a `vlob_write_batch` reply. */
export interface VlobWriteResult {
  readonly vlobId: VlobId;
  readonly result: ItemResult;
}
/** Reply of `vlob_write_batch`: one result per item, in request order. */
export interface VlobWriteBatchRep {
  readonly status: 'ok';
  readonly items: readonly VlobWriteResult[];
}

/** One block of a `block_create_batch` (the fields of `block_create`). */
export interface BlockCreateItem {
  readonly blockId: BlockId;
  readonly keyIndex: number;
  readonly block: Uint8Array;
}
/**
 * Stores several blocks of one realm in one signed request (at most `MAX_BLOCK_BATCH_ITEMS` blocks,
 * `MAX_BATCH_BYTES` in all, each id once); each item as `block_create` (idempotent).
 */
export interface BlockCreateBatchReq {
  readonly cmd: 'block_create_batch';
  readonly realmId: RealmId;
  readonly items: readonly BlockCreateItem[];
}
/** One item's outcome in a `block_create_batch` reply. */
export interface BlockCreateResult {
  readonly blockId: BlockId;
  readonly result: ItemResult;
}
/** Reply of `block_create_batch`: one result per item, in request order. */
export interface BlockCreateBatchRep {
  readonly status: 'ok';
  readonly items: readonly BlockCreateResult[];
}

/** Fetches several blocks of one realm (at most `MAX_BLOCK_BATCH_ITEMS`, each id once). */
export interface BlockReadBatchReq {
  readonly cmd: 'block_read_batch';
  readonly realmId: RealmId;
  readonly blockIds: readonly BlockId[];
}
/**
 * One block's outcome in a `block_read_batch` reply: as `block_read` would answer it, or
 * `too_large` when it did not fit in this reply (`MAX_BATCH_BYTES`; ask it again).
 */
export interface BlockReadResult {
  readonly blockId: BlockId;
  readonly result: BlockReadRep | ErrorReply;
}
/** Reply of `block_read_batch`: one result per asked block, in request order. */
export interface BlockReadBatchRep {
  readonly status: 'ok';
  readonly items: readonly BlockReadResult[];
}
