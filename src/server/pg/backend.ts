/**
 * `openPostgres(url)`: the PostgreSQL backend of `sealsync-server --database`. Loads the optional
 * `pg` package (only here, dynamically: the core package never needs it), checks the database is
 * reachable, applies the schema migrations, and returns the storage, the block store and the
 * `SharedDatabase` coordinating the nodes, with a `LISTEN` connection that tells this node what
 * the others changed.
 * @module
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { StorageError } from '../../errors.js';
import { PgBlockStore } from './pg-blocks.js';
import { CHANGES_CHANNEL, PgDatabase } from './coordinator.js';
import { PgStorage, type PgPoolLike } from './pg-storage.js';
import type { TxContext } from './pg-types.js';
import { migrate } from './schema.js';

/** An opened PostgreSQL backend: pass `storage`, `blocks` and `database` to `SealsyncServer.open`. */
export interface PostgresBackend {
  readonly storage: PgStorage;
  readonly blocks: PgBlockStore;
  readonly database: PgDatabase;
  /** The schema version the database is at. */
  readonly schemaVersion: number;
  /** Stops listening and closes every connection. */
  close(): Promise<void>;
}

/** Options of `openPostgres`. */
export interface PostgresOptions {
  /** Connections in the pool; default 10. */
  readonly poolSize?: number;
  /** Called with failures of the background `LISTEN` connection (it reconnects by itself). */
  readonly onError?: (err: unknown) => void;
}

interface PgModule {
  Pool: new (config: { connectionString: string; max?: number; connectionTimeoutMillis?: number }) => PgPoolLike & {
    end(): Promise<void>;
    on(event: 'error', fn: (err: Error) => void): void;
  };
  Client: new (config: { connectionString: string; connectionTimeoutMillis?: number }) => {
    connect(): Promise<void>;
    query(text: string): Promise<unknown>;
    end(): Promise<void>;
    on(event: 'notification', fn: (msg: { channel: string; payload?: string }) => void): void;
    on(event: 'error' | 'end', fn: (err?: Error) => void): void;
  };
}

async function loadPg(): Promise<PgModule> {
  try {
    const mod = (await import('pg')) as unknown as { default?: PgModule } & PgModule;
    return mod.default ?? mod;
  } catch (cause) {
    throw new StorageError('storage/io', 'the PostgreSQL backend needs the optional package "pg": npm install pg', { cause });
  }
}

/** The host part of a URL, without credentials, for messages. */
function where(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}${u.port ? `:${u.port}` : ''}${u.pathname}`;
  } catch {
    return 'the database';
  }
}

/**
 * Connects to the PostgreSQL database at `url` (`postgres://user:password@host:port/db`) and
 * migrates its schema.
 * @throws StorageError `storage/io` when `pg` is missing, the database is unreachable or refuses
 * the credentials (one line naming the host, never the password), `storage/corrupt` when its
 * schema is newer than this server.
 */
export async function openPostgres(url: string, options: PostgresOptions = {}): Promise<PostgresBackend> {
  const pg = await loadPg();
  const pool = new pg.Pool({ connectionString: url, max: options.poolSize ?? 10, connectionTimeoutMillis: 10_000 });
  // An idle connection dropped by the server must not crash the process; the next query reconnects.
  pool.on('error', (err) => options.onError?.(err));
  let schemaVersion: number;
  try {
    const client = await pool.connect();
    try {
      schemaVersion = await migrate(client);
    } finally {
      client.release();
    }
  } catch (err) {
    await pool.end().catch(() => undefined);
    if (err instanceof StorageError) throw err;
    throw new StorageError('storage/io', `cannot reach the database at ${where(url)}: ${(err as Error).message || String(err)}`, { cause: err });
  }
  const scope = new AsyncLocalStorage<TxContext>();
  const storage = new PgStorage(pool, scope);
  const database = new PgDatabase(pool, scope, storage);
  const blocks = new PgBlockStore(pool, scope);

  let closed = false;
  let listener: InstanceType<PgModule['Client']> | null = null;
  let retry: ReturnType<typeof setTimeout> | undefined;
  const listen = async (reconnect: boolean): Promise<void> => {
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
    client.on('notification', (msg) => {
      if (msg.channel === CHANGES_CHANNEL && msg.payload !== undefined) database.notified(msg.payload);
    });
    const again = (err?: Error): void => {
      if (closed || listener !== client) return;
      if (err) options.onError?.(err);
      listener = null;
      client.end().catch(() => undefined);
      retry = setTimeout(() => void listen(true).catch((e: unknown) => options.onError?.(e)), 1000);
    };
    client.on('error', again);
    client.on('end', () => again());
    listener = client;
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANGES_CHANNEL}`);
    } catch (err) {
      again(err as Error);
      if (!reconnect) throw err;
      return;
    }
    // Notifications sent while this node was not listening are lost: catch up every organisation.
    if (reconnect) for (const id of await database.listOrganizations()) database.notified(`${id}:0`);
  };
  try {
    await listen(false);
  } catch (err) {
    closed = true;
    clearTimeout(retry);
    await pool.end().catch(() => undefined);
    throw new StorageError('storage/io', `cannot listen on the database at ${where(url)}: ${(err as Error).message}`, { cause: err });
  }
  return {
    storage,
    blocks,
    database,
    schemaVersion,
    async close() {
      if (closed) return;
      closed = true;
      clearTimeout(retry);
      const l = listener;
      listener = null;
      await l?.end().catch(() => undefined);
      await storage.close();
      await pool.end().catch(() => undefined);
    },
  };
}
