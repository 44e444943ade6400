/**
 * Coherence of N server nodes on one PostgreSQL database. Each organisation has a change sequence
 * (`org_state.seq`) and a log of what each change wrote (`org_log`: keys and events). A command:
 * - reading: compares the node's sequence with the database's (one query), and catches up first
 *   when it is behind, so no node answers from state older than an acknowledged write — in
 *   particular it never answers "absent" for something another node already stored;
 * - writing: takes the organisation's transaction-scoped advisory lock (nodes take turns, so vlob
 *   versions, checkpoints and certificate positions are decided once), catches up, runs, bumps the
 *   sequence, logs its changes and events, `NOTIFY`s, and commits before the reply is sent.
 * Other nodes `LISTEN`: a notification makes them catch up, which wakes their long polls. The
 * events get their numbers from the database, so a client may listen on any node.
 * @module
 */
import type { OrganizationId } from '../../codec/ids.js';
import { ArgumentError, SealsyncError } from '../../errors.js';
import type { ServerEvent } from '../../transport/commands.js';
import type { Audience } from '../events.js';
import { Org } from '../org.js';
import { applyChanges, reloadOrg, type KeyChange } from '../org-sync.js';
import { ORGS_NAMESPACE, orgIdFromKey } from '../records.js';
import type { SharedDatabase } from '../shared.js';
import { ioError, type PgPoolLike, type PgStorage } from './pg-storage.js';
import type { PgQueryable, TxContext, TxScope } from './pg-types.js';

/** The `LISTEN`/`NOTIFY` channel; payload `<organisation id>:<sequence>`. */
export const CHANGES_CHANNEL = 'sealsync_changes';

/** Past this many log entries behind, a node reloads instead of replaying the log. */
const MAX_CATCH_UP = 1000;
/** Log entries kept per organisation (older ones are pruned as new ones are written). */
const LOG_KEPT = 10_000;

interface OrgState {
  readonly seq: number;
  readonly events: number;
}

interface DeferredEvent {
  readonly event: ServerEvent;
  readonly audience: Audience;
}

/** The advisory lock key of an organisation: its first 60 bits (ids are random hex). */
function lockKey(id: OrganizationId): string {
  return BigInt(`0x${id.slice(0, 15)}`).toString();
}

/** A failure of the database or the connection (SQLSTATE or errno code), not of a handler. */
function isDriverError(err: unknown): boolean {
  if (!(err instanceof Error) || err instanceof SealsyncError) return false;
  return 'severity' in err || ('code' in err && typeof err.code === 'string');
}

function parseJson<T>(text: string, fallback: T): T {
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
}

/** The `SharedDatabase` over PostgreSQL. Built by `openPostgres`. */
export class PgDatabase implements SharedDatabase {
  private listeners: ((id: OrganizationId) => void)[] = [];

  constructor(
    private readonly pool: PgPoolLike,
    private readonly scope: TxScope,
    readonly storage: PgStorage,
  ) {}

  /**
   * Runs `fn` in a transaction on one pooled connection, the storages routed to it. With `lock`,
   * the transaction starts by taking the organisation's advisory lock (exclusive: a writer) or a
   * read-only snapshot (shared: a reader), and reads its state, in one round trip; `fn` gets it.
   */
  private async transaction<T>(
    fn: (tx: TxContext, state: OrgState | null) => Promise<T>,
    onRollback?: (tx: TxContext) => void,
    lock?: { readonly id: OrganizationId; readonly shared: boolean },
  ): Promise<T> {
    let client;
    try {
      client = await this.pool.connect();
    } catch (err) {
      throw ioError(err, 'connection');
    }
    const tx: TxContext = { client, changes: [] };
    try {
      let state: OrgState | null = null;
      if (lock === undefined) await client.query('BEGIN');
      else {
        // Inlined (no parameters: one simple-protocol round trip): an id is 32 hex digits, checked.
        if (!/^[0-9a-f]{32}$/.test(lock.id)) throw new ArgumentError('argument/invalid', 'an organisation id is 32 lowercase hex digits');
        // A reader needs no lock: a repeatable-read snapshot shows only whole commits (state, log
        // and data agree), and never waits for a writer.
        const begin = lock.shared ? 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY' : `BEGIN; SELECT pg_advisory_xact_lock(${lockKey(lock.id)})`;
        const results = (await client.query(`${begin}; SELECT seq, events FROM org_state WHERE org = '${lock.id}'`)) as unknown as { rows: { seq: string; events: string }[] }[];
        const row = results.at(-1)!.rows[0];
        state = row === undefined ? { seq: 0, events: 0 } : { seq: Number(row.seq), events: Number(row.events) };
      }
      const result = await this.scope.run(tx, () => fn(tx, state));
      await client.query('COMMIT');
      return result;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      onRollback?.(tx);
      throw isDriverError(err) ? ioError(err, 'transaction') : err;
    } finally {
      client.release();
    }
  }

  private async state(db: PgQueryable, id: OrganizationId): Promise<OrgState> {
    const { rows } = await db.query('SELECT seq, events FROM org_state WHERE org = $1', [id]).catch((err: unknown) => {
      throw ioError(err, 'read');
    });
    return rows.length === 0 ? { seq: 0, events: 0 } : { seq: Number(rows[0].seq), events: Number(rows[0].events) };
  }

  /** Catches `org` up to `target` inside the current transaction (the caller holds `org.mutex`). */
  private async catchUp(org: Org, db: PgQueryable, target: OrgState): Promise<void> {
    if (target.seq === org.seq && !org.stale) return;
    const { rows } = await db.query('SELECT seq, changes, events, first_event FROM org_log WHERE org = $1 AND seq > $2 ORDER BY seq LIMIT $3', [org.id, org.seq, MAX_CATCH_UP + 1]);
    const contiguous = rows.length > 0 && rows.length <= MAX_CATCH_UP && Number(rows[0].seq) === org.seq + 1 && Number(rows.at(-1).seq) === target.seq;
    if (contiguous) await applyChanges(org, rows.flatMap((r) => parseJson<KeyChange[]>(r.changes as string, [])));
    else await reloadOrg(org);
    if (contiguous) {
      for (const r of rows) {
        const events = parseJson<DeferredEvent[]>(r.events as string, []);
        events.forEach((e, i) => org.events.publishAt(Number(r.first_event) + i, e.event, e.audience));
      }
    }
    org.events.skipTo(target.events);
    org.seq = target.seq;
  }

  /** See `OrgCoordinator.refresh`. */
  async refresh(org: Org): Promise<void> {
    const { seq } = await this.state(this.pool, org.id);
    if (seq === org.seq && !org.stale) return;
    await org.mutex.run(async () => {
      await this.transaction((tx, state) => this.catchUp(org, tx.client, state!), undefined, { id: org.id, shared: true });
    });
  }

  /** See `OrgCoordinator.write`. */
  async write<T>(org: Org, fn: () => Promise<T>): Promise<T> {
    let events: DeferredEvent[] = [];
    let committed: { seq: number; lastEvent: number } | null = null;
    const result = await this.transaction(
      async (tx, state) => {
        await this.catchUp(org, tx.client, state!);
        org.events.deferred = [];
        let value: T;
        try {
          value = await fn();
        } finally {
          events = org.events.deferred ?? [];
          org.events.deferred = null;
        }
        if (tx.changes.length > 0 || events.length > 0) committed = await this.log(tx, org.id, events);
        return value;
      },
      (tx) => {
        // Memory may already show what was rolled back: reload before it is used again.
        if (tx.changes.length > 0) org.stale = true;
      },
      { id: org.id, shared: false },
    );
    if (committed !== null) {
      const { seq, lastEvent } = committed;
      org.seq = seq;
      events.forEach((e, i) => org.events.publishAt(lastEvent - events.length + 1 + i, e.event, e.audience));
    }
    return result;
  }

  /** Bumps the sequence, logs the changes and events, notifies the other nodes (on commit). */
  private async log(tx: TxContext, id: OrganizationId, events: readonly DeferredEvent[]): Promise<{ seq: number; lastEvent: number }> {
    // One round trip: bump, log, notify (delivered at commit).
    const { rows } = await tx.client.query(
      `WITH s AS (INSERT INTO org_state (org, seq, events) VALUES ($1, 1, $2::bigint) ON CONFLICT (org)
                  DO UPDATE SET seq = org_state.seq + 1, events = org_state.events + $2::bigint RETURNING seq, events),
            l AS (INSERT INTO org_log (org, seq, changes, events, first_event) SELECT $1, s.seq, $3, $4, s.events - $2::bigint + 1 FROM s)
       SELECT s.seq, s.events, pg_notify($5, $1 || ':' || s.seq) FROM s`,
      [id, events.length, JSON.stringify(tx.changes), JSON.stringify(events), CHANGES_CHANNEL],
    );
    const seq = Number(rows[0].seq);
    const lastEvent = Number(rows[0].events);
    if (seq % 1000 === 0) await tx.client.query('DELETE FROM org_log WHERE org = $1 AND seq <= $2', [id, seq - LOG_KEPT]);
    return { seq, lastEvent };
  }

  /** See `SharedDatabase.loadOrganization`: from one consistent snapshot. */
  async loadOrganization(id: OrganizationId, eventCapacity?: number): Promise<Org | undefined> {
    if (!/^[0-9a-f]{32}$/.test(id)) return undefined;
    return this.transaction(async (_tx, state) => {
      const record = await this.storage.get(ORGS_NAMESPACE, id);
      if (record === undefined) return undefined;
      const { seq, events } = state!;
      const org = await Org.load(this.storage, id, record, eventCapacity);
      org.seq = seq;
      org.events.skipTo(events);
      org.coordinator = this;
      return org;
    }, undefined, { id, shared: true });
  }

  /** See `SharedDatabase.listOrganizations`. */
  async listOrganizations(): Promise<OrganizationId[]> {
    return (await this.storage.list(ORGS_NAMESPACE)).map(orgIdFromKey);
  }

  /** See `SharedDatabase.createOrganization`. */
  async createOrganization(id: OrganizationId, record: Uint8Array): Promise<boolean> {
    return this.transaction(async (tx) => {
      await tx.client.query('SELECT pg_advisory_xact_lock($1)', [lockKey(id)]);
      if ((await this.storage.get(ORGS_NAMESPACE, id)) !== undefined) return false;
      await this.storage.put(ORGS_NAMESPACE, id, record);
      await tx.client.query('INSERT INTO org_state (org, seq, events) VALUES ($1, 0, 0) ON CONFLICT (org) DO NOTHING', [id]);
      return true;
    });
  }

  /** See `SharedDatabase.firstSeen`. */
  async firstSeen(key: string, expires: number, now: number): Promise<boolean> {
    try {
      const r = await this.pool.query('INSERT INTO replay_guard (key, expires) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING', [key, expires]);
      // Forget what can no longer be replayed (its timestamp is out of the window by now).
      if (Math.random() < 0.01) await this.pool.query('DELETE FROM replay_guard WHERE expires < $1', [now]);
      return (r.rowCount ?? 0) === 1;
    } catch (err) {
      throw ioError(err, 'replay guard');
    }
  }

  /** See `SharedDatabase.onChange`. */
  onChange(listener: (id: OrganizationId) => void): void {
    this.listeners.push(listener);
  }

  /** Called by the `LISTEN` connection with each notification payload. */
  notified(payload: string): void {
    const id = payload.split(':')[0] ?? '';
    if (!/^[0-9a-f]{32}$/.test(id)) return;
    for (const l of this.listeners) l(id as OrganizationId);
  }
}
