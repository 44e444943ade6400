/**
 * `BlockStore` in PostgreSQL (table `blocks`): inside a command's transaction, part of it.
 * @module
 */
import type { OrganizationId } from '../../codec/ids.js';
import { StorageError } from '../../errors.js';
import type { BlockStore } from '../block-store.js';
import { ioError, type PgPoolLike } from './pg-storage.js';
import type { TxScope } from './pg-types.js';

export class PgBlockStore implements BlockStore {
  #closed = false;

  constructor(
    private readonly pool: PgPoolLike,
    private readonly scope: TxScope,
  ) {}

  private async q(text: string, values: unknown[]): Promise<{ rows: Record<string, unknown>[] }> {
    if (this.#closed) throw new StorageError('storage/closed', 'block store is closed');
    try {
      return await (this.scope.getStore()?.client ?? this.pool).query(text, values);
    } catch (err) {
      throw ioError(err, 'block');
    }
  }

  /** See `BlockStore.get`. */
  async get(org: OrganizationId, blockId: string): Promise<Uint8Array | undefined> {
    const { rows } = await this.q('SELECT value FROM blocks WHERE org = $1 AND block_id = $2', [org, blockId]);
    return rows.length === 0 ? undefined : new Uint8Array(rows[0]!.value as Buffer);
  }

  /** See `BlockStore.put`. */
  async put(org: OrganizationId, blockId: string, value: Uint8Array): Promise<void> {
    await this.q('INSERT INTO blocks (org, block_id, value) VALUES ($1, $2, $3) ON CONFLICT (org, block_id) DO UPDATE SET value = EXCLUDED.value', [
      org,
      blockId,
      Buffer.from(value),
    ]);
  }

  /** See `BlockStore.delete`. */
  async delete(org: OrganizationId, blockIds: readonly string[]): Promise<void> {
    if (blockIds.length > 0) await this.q('DELETE FROM blocks WHERE org = $1 AND block_id = ANY($2::text[])', [org, [...blockIds]]);
  }

  /** See `BlockStore.list`. */
  async list(org: OrganizationId): Promise<string[]> {
    return (await this.q('SELECT block_id FROM blocks WHERE org = $1 ORDER BY block_id', [org])).rows.map((r) => r.block_id as string);
  }

  /** Refuses further calls (the pool belongs to the backend). */
  close(): void {
    this.#closed = true;
  }
}
