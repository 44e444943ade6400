/**
 * The few shapes of the `pg` client that the PostgreSQL backend uses, so that nothing outside
 * `server/pg/` (and no public type) depends on the optional `pg` package.
 * @module
 */
import type { AsyncLocalStorage } from 'node:async_hooks';

/** A query result (rows as `pg` returns them). */
export interface PgResult {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly rows: any[];
  readonly rowCount: number | null;
}

/** A pool, a pooled client or a client: anything that runs a query. */
export interface PgQueryable {
  query(text: string, values?: unknown[]): Promise<PgResult>;
}

/** One key written by a transaction: what the other nodes re-read when they catch up. */
export interface Change {
  readonly ns: string;
  readonly key: string;
  readonly deleted: boolean;
}

/** The transaction a command runs in (set by the coordinator, read by the storages). */
export interface TxContext {
  readonly client: PgQueryable;
  readonly changes: Change[];
}

/** Where the storages find the current transaction (one per backend: nodes in one process stay apart). */
export type TxScope = AsyncLocalStorage<TxContext>;
