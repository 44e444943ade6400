/**
 * `openPostgres`, loading the PostgreSQL backend (and the optional `pg` package) only when called:
 * importing `sealsync/server` never needs `pg`.
 * @module
 */
import type { Storage } from '../storage/storage.js';
import type { BlockStore } from './block-store.js';
import type { SharedDatabase } from './shared.js';

/** An opened PostgreSQL backend: pass `storage`, `blocks` and `database` to `SealsyncServer.open`. */
export interface PostgresBackendHandle {
  readonly storage: Storage;
  readonly blocks: BlockStore;
  readonly database: SharedDatabase;
  /** The schema version the database is at (after the migrations applied at opening). */
  readonly schemaVersion: number;
  /** Stops listening and closes every connection (close the server first). */
  close(): Promise<void>;
}

/**
 * Connects to PostgreSQL at `url` (`postgres://user:password@host:port/db`), applies the schema
 * migrations, and listens for the changes of other nodes. Needs the optional package `pg`.
 * @throws StorageError `storage/io` when `pg` is missing or the database is unreachable (the
 * message names the host, never the password), `storage/corrupt` when its schema is newer than
 * this server.
 */
export async function openPostgres(url: string, options: { readonly poolSize?: number; readonly onError?: (err: unknown) => void } = {}): Promise<PostgresBackendHandle> {
  const { openPostgres: open } = await import('./pg/backend.js');
  return open(url, options);
}
