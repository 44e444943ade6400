/**
 * Per-organisation event log behind the `events_listen` long poll: a bounded ring of recent events,
 * each with its audience, so a device only ever hears about what it may see.
 *
 * Events are a hint ("something changed, fetch it"), never a source of truth: a client that misses
 * some (ring overflow, server restart: `last` goes below its cursor) resynchronises through
 * certificate timestamps and realm checkpoints.
 * @module
 */
import type { RealmId, UserId } from '../codec/ids.js';
import type { ServerEvent } from '../transport/commands.js';
import { Notifier } from './notifier.js';

/** Who may see an event. */
export type Audience =
  | { readonly scope: 'all' }
  /** Users who are, or ever were, members of the realm (certificates of its topic). */
  | { readonly scope: 'realm-participants'; readonly realmId: RealmId }
  /** Current members of the realm (vlob changes). */
  | { readonly scope: 'realm-members'; readonly realmId: RealmId }
  | { readonly scope: 'user'; readonly userId: UserId };

interface Entry {
  readonly seq: number;
  readonly event: ServerEvent;
  readonly audience: Audience;
}

/** Answers "may this listener see that audience". */
export type AudienceFilter = (audience: Audience) => boolean;

/** Events kept per organisation by default; a client that falls further behind resynchronises from certificates and checkpoints. */
export const DEFAULT_EVENT_CAPACITY = 10_000;

/** A bounded log with long-poll waiting. */
export class EventLog {
  private readonly entries: Entry[] = [];
  private seq = 0;
  private readonly notifier = new Notifier();
  private closed = false;

  constructor(private readonly capacity = DEFAULT_EVENT_CAPACITY) {}

  /** Sequence number of the newest event (0: none yet). */
  get last(): number {
    return this.seq;
  }

  /**
   * While set (a shared-database write transaction), `publish` collects here instead: the events
   * are numbered by the database at commit and published with `publishAt`, on every node alike.
   */
  deferred: { event: ServerEvent; audience: Audience }[] | null = null;

  /** Appends an event and wakes the listeners (or defers it, see `deferred`). */
  publish(event: ServerEvent, audience: Audience): void {
    if (this.deferred !== null) {
      this.deferred.push({ event, audience });
      return;
    }
    this.publishAt(this.seq + 1, event, audience);
  }

  /** Appends an event numbered elsewhere (the shared database); numbers already passed are ignored. */
  publishAt(seq: number, event: ServerEvent, audience: Audience): void {
    if (seq <= this.seq) return;
    this.seq = seq;
    this.entries.push({ seq, event, audience });
    if (this.entries.length > this.capacity) this.entries.splice(0, this.entries.length - this.capacity);
    this.wake();
  }

  /**
   * Moves the numbering to `seq` without events (a node starting or falling far behind on a shared
   * database: listeners' cursors stay valid, what they missed they learn through checkpoints).
   */
  skipTo(seq: number): void {
    if (seq <= this.seq) return;
    this.seq = seq;
    this.wake();
  }

  /**
   * Visible events after `after`, at most `max`; `last` is the sequence number to pass next time
   * (it also moves past invisible events). An `after` beyond the newest event (the server
   * restarted) answers at once with the current `last`.
   */
  read(after: number, filter: AudienceFilter, max: number): { last: number; events: ServerEvent[] } {
    if (after >= this.seq) return { last: this.seq, events: [] };
    const events: ServerEvent[] = [];
    let last = after;
    // Entries are in seq order; binary search would do, the ring is small.
    for (const e of this.entries) {
      if (e.seq <= after) continue;
      if (events.length >= max) break;
      last = e.seq;
      if (filter(e.audience)) events.push(e.event);
    }
    if (last === after) last = this.seq;
    return { last, events };
  }

  /**
   * Like `read`, but when nothing visible is there yet waits up to `waitMs` for it (or until
   * `signal` aborts or the log is closed).
   */
  async listen(after: number, filter: AudienceFilter, max: number, waitMs: number, signal?: AbortSignal): Promise<{ last: number; events: ServerEvent[] }> {
    if (after > this.seq) return { last: this.seq, events: [] };
    const deadline = Date.now() + waitMs;
    let cursor = after;
    for (;;) {
      const r = this.read(cursor, filter, max);
      if (r.events.length > 0) return r;
      cursor = r.last;
      const remaining = deadline - Date.now();
      if (remaining <= 0 || this.closed || signal?.aborted) return { last: cursor, events: [] };
      await this.notifier.wait(remaining, signal);
    }
  }

  /** Wakes every listener and makes further waits return at once. */
  close(): void {
    this.closed = true;
    this.wake();
  }

  private wake(): void {
    this.notifier.notify();
  }
}
