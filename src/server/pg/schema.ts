/**
 * The PostgreSQL schema of `sealsync-server --database`, as numbered migrations. `migrate` applies
 * the missing ones at start, in one transaction under an advisory lock (N nodes starting together
 * apply each migration once), and records each applied version in `sealsync_schema`. A database
 * whose version is newer than this server knows is refused: an older node must never write a
 * layout it does not understand.
 * @module
 */
import { StorageError } from '../../errors.js';
import type { PgQueryable } from './pg-types.js';

/** Advisory lock key (any constant; "sealsync" in ASCII) held while migrating. */
const MIGRATION_LOCK = 0x7365616c73796e63n;

/** The migrations, in order; index `i` is version `i + 1`. Never edit one that has shipped. */
export const MIGRATIONS: readonly string[] = [
  // 1: the key-value store the server writes (keys as bytea: code point order = bytewise order,
  // and a key may hold characters, such as NUL, that text cannot), the per-organisation change
  // sequence and its log (incremental catch-up of the other nodes, events with their numbers),
  // and the shared replay guard.
  `CREATE TABLE kv (ns text NOT NULL, key bytea NOT NULL, value bytea NOT NULL, PRIMARY KEY (ns, key));
   CREATE TABLE org_state (org text PRIMARY KEY, seq bigint NOT NULL, events bigint NOT NULL);
   CREATE TABLE org_log (
     org text NOT NULL, seq bigint NOT NULL, changes text NOT NULL, events text NOT NULL, first_event bigint NOT NULL,
     PRIMARY KEY (org, seq));
   CREATE TABLE replay_guard (key text PRIMARY KEY, expires bigint NOT NULL);
   CREATE INDEX replay_guard_expires ON replay_guard (expires);`,
  // 2: blocks apart from metadata (the PostgreSQL block store).
  `CREATE TABLE blocks (org text NOT NULL, block_id text NOT NULL, value bytea NOT NULL, PRIMARY KEY (org, block_id));`,
];

/** The schema version this server writes. */
export const SCHEMA_VERSION = MIGRATIONS.length;

/**
 * Applies the missing migrations; resolves with the version the database is now at.
 * @throws StorageError `storage/corrupt` when the database is at a newer version than this server
 * knows, `storage/io` when a statement fails (the transaction is rolled back: nothing applied).
 */
export async function migrate(client: PgQueryable): Promise<number> {
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK.toString()]);
    await client.query('CREATE TABLE IF NOT EXISTS sealsync_schema (version integer PRIMARY KEY, applied_on timestamptz NOT NULL DEFAULT now())');
    const { rows } = await client.query('SELECT coalesce(max(version), 0) AS v FROM sealsync_schema');
    const current = Number(rows[0]!.v);
    if (current > SCHEMA_VERSION) {
      throw new StorageError('storage/corrupt', `the database schema is at version ${current}, newer than this server's ${SCHEMA_VERSION}: upgrade the server`);
    }
    for (let v = current + 1; v <= SCHEMA_VERSION; v++) {
      await client.query(MIGRATIONS[v - 1]!);
      await client.query('INSERT INTO sealsync_schema (version) VALUES ($1)', [v]);
    }
    await client.query('COMMIT');
    return SCHEMA_VERSION;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    if (err instanceof StorageError) throw err;
    throw new StorageError('storage/io', `database migration failed: ${(err as Error).message}`, { cause: err });
  }
}
