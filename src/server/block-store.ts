/**
 * Where the server keeps blocks (encrypted file content, the bulk of the bytes), apart from the
 * metadata: a small interface so that blocks can live on a filesystem, in PostgreSQL, or in an
 * object store (S3-compatible: one object per block under `<organisation>/<block id>`; see the
 * README). Values are the server's block records (ciphertext with its key index); blocks are immutable except for
 * re-encryption, which replaces a record whole, so a store needs no transactions: `put` is atomic
 * per block and durable when it resolves, and a block left behind by a failed command is garbage,
 * never visible (no manifest points to it).
 * @module
 */
import type { OrganizationId } from '../codec/ids.js';
import type { Storage } from '../storage/storage.js';
import { orgNamespaces } from './records.js';

/**
 * Where a `SealsyncServer` keeps block records, per organisation (option `blocks`; default a
 * {@link StorageBlockStore} over the server's storage). Implement it to keep blocks elsewhere.
 */
export interface BlockStore {
  /** The record of `blockId`, or `undefined`. */
  get(org: OrganizationId, blockId: string): Promise<Uint8Array | undefined>;
  /** Creates or replaces the record of `blockId`; durable when it resolves. */
  put(org: OrganizationId, blockId: string, value: Uint8Array): Promise<void>;
  /** Removes these blocks (absent ones are ignored). */
  delete(org: OrganizationId, blockIds: readonly string[]): Promise<void>;
  /** The block ids of `org`. */
  list(org: OrganizationId): Promise<string[]>;
}

/**
 * Blocks in a `Storage`, namespace `<organisation>-blocks`: the default, beside the metadata (in
 * memory, or on disk with `FsStorage`: one file per block, written temp + fsync + rename).
 */
export class StorageBlockStore implements BlockStore {
  /** Blocks in `storage` (usually the server's own storage). */
  constructor(private readonly storage: Storage) {}

  /** See `BlockStore.get`. */
  get(org: OrganizationId, blockId: string): Promise<Uint8Array | undefined> {
    return this.storage.get(orgNamespaces(org).blocks, blockId);
  }

  /** See `BlockStore.put`. */
  put(org: OrganizationId, blockId: string, value: Uint8Array): Promise<void> {
    return this.storage.put(orgNamespaces(org).blocks, blockId, value);
  }

  /** See `BlockStore.delete`. */
  async delete(org: OrganizationId, blockIds: readonly string[]): Promise<void> {
    const ns = orgNamespaces(org).blocks;
    await this.storage.batch(blockIds.map((key) => ({ op: 'delete' as const, ns, key })));
  }

  /** See `BlockStore.list`. */
  list(org: OrganizationId): Promise<string[]> {
    return this.storage.list(orgNamespaces(org).blocks);
  }
}
