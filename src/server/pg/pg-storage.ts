/**
 * `Storage` over PostgreSQL: one `kv` table (namespace, key as UTF-8 bytes, value). Inside a
 * command's transaction (see `coordinator.ts`) every call runs on that transaction's connection and
 * every write is noted as a change, so the other nodes know what to re-read; outside one, calls run
 * on the pool (reads of committed data) and a batch is a transaction of its own.
 * @module
 */
import { utf8Decode, utf8Encode } from '../../bytes.js';
import { StorageError } from '../../errors.js';
import { validateBatch, validateKey, validateNamespace, validatePrefix, validateValue } from '../../storage/names.js';
import type { Storage, StorageOp } from '../../storage/storage.js';
import type { PgQueryable, TxScope } from './pg-types.js';

/** A pool that lends clients (for batches outside a command's transaction). */
export interface PgPoolLike extends PgQueryable {
  connect(): Promise<PgQueryable & { release(err?: Error | boolean): void }>;
}

/** A copy: the caller may reuse its buffer while the query waits in the client's queue. */
function buf(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes);
}

/** Wraps a driver failure as `storage/io` (a `StorageError` passes through). */
export function ioError(err: unknown, what: string): StorageError {
  if (err instanceof StorageError) return err;
  return new StorageError('storage/io', `database ${what} failed: ${(err as Error)?.message ?? String(err)}`, { cause: err });
}

/** The server `Storage` on PostgreSQL. Create it through `openPostgres`. */
export class PgStorage implements Storage {
  #closed = false;

  constructor(
    private readonly pool: PgPoolLike,
    private readonly scope: TxScope,
  ) {}

  private checkOpen(): void {
    if (this.#closed) throw new StorageError('storage/closed', 'storage is closed');
  }

  private async q(text: string, values: unknown[], what: string): Promise<{ rows: Record<string, unknown>[]; rowCount: number | null }> {
    this.checkOpen();
    try {
      return await (this.scope.getStore()?.client ?? this.pool).query(text, values);
    } catch (err) {
      throw ioError(err, what);
    }
  }

  private note(ns: string, key: string, deleted: boolean): void {
    this.scope.getStore()?.changes.push({ ns, key, deleted });
  }

  /** See `Storage.get`. */
  async get(ns: string, key: string): Promise<Uint8Array | undefined> {
    this.checkOpen();
    validateNamespace(ns);
    validateKey(key);
    const { rows } = await this.q('SELECT value FROM kv WHERE ns = $1 AND key = $2', [ns, buf(utf8Encode(key))], 'read');
    return rows.length === 0 ? undefined : new Uint8Array(rows[0]!.value as Buffer);
  }

  /** See `Storage.put`. */
  async put(ns: string, key: string, value: Uint8Array): Promise<void> {
    this.checkOpen();
    validateNamespace(ns);
    validateKey(key);
    validateValue(value);
    await this.write({ op: 'put', ns, key, value });
  }

  /** See `Storage.delete`. */
  async delete(ns: string, key: string): Promise<boolean> {
    this.checkOpen();
    validateNamespace(ns);
    validateKey(key);
    return this.write({ op: 'delete', ns, key });
  }

  /** See `Storage.list` (bytewise order of the UTF-8 keys = code point order). */
  async list(ns: string, prefix?: string): Promise<string[]> {
    this.checkOpen();
    validateNamespace(ns);
    validatePrefix(prefix);
    const { rows } =
      prefix === undefined || prefix === ''
        ? await this.q('SELECT key FROM kv WHERE ns = $1 ORDER BY key', [ns], 'list')
        : await this.q('SELECT key FROM kv WHERE ns = $1 AND substring(key FROM 1 FOR length($2::bytea)) = $2::bytea ORDER BY key', [ns, buf(utf8Encode(prefix))], 'list');
    return rows.map((r) => utf8Decode(new Uint8Array(r.key as Buffer)));
  }

  /** See `Storage.batch`: inside a command's transaction, part of it; else a transaction of its own. */
  async batch(given: readonly StorageOp[]): Promise<void> {
    this.checkOpen();
    validateBatch(given);
    if (given.length === 0) return;
    // Copied now: the caller may reuse its buffers while this waits for a connection.
    const ops = given.map((op) => (op.op === 'put' ? { ...op, value: op.value.slice() } : op));
    if (this.scope.getStore() !== undefined) {
      for (const op of ops) await this.write(op);
      return;
    }
    let client;
    try {
      client = await this.pool.connect();
    } catch (err) {
      throw ioError(err, 'connection');
    }
    const changes: never[] = [];
    try {
      await this.scope.run({ client, changes }, async () => {
        await this.q('BEGIN', [], 'batch');
        try {
          for (const op of ops) await this.write(op);
          await this.q('COMMIT', [], 'commit');
        } catch (err) {
          await client.query('ROLLBACK').catch(() => undefined);
          throw err;
        }
      });
    } finally {
      client.release();
    }
  }

  /** Refuses further calls (the pool belongs to the backend, which closes it). */
  async close(): Promise<void> {
    this.#closed = true;
  }

  private async write(op: StorageOp): Promise<boolean> {
    const key = buf(utf8Encode(op.key));
    if (op.op === 'put') {
      await this.q('INSERT INTO kv (ns, key, value) VALUES ($1, $2, $3) ON CONFLICT (ns, key) DO UPDATE SET value = EXCLUDED.value', [op.ns, key, buf(op.value)], 'write');
      this.note(op.ns, op.key, false);
      return true;
    }
    const r = await this.q('DELETE FROM kv WHERE ns = $1 AND key = $2', [op.ns, key], 'delete');
    this.note(op.ns, op.key, true);
    return (r.rowCount ?? 0) > 0;
  }
}
