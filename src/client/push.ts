/**
 * Push events on the client side: a long-poll loop on `events_listen` that turns the server's
 * change notifications into `change` events and wakes the background sync at once.
 *
 * Events are hints, never facts: the server is untrusted and can drop, delay, reorder or invent them.
 * An event only makes the client sync sooner; what the sync accepts is decided by checkpoints and
 * verified signatures. A dropped stream falls back to the background sync's polling, and the
 * loop reconnects with exponential backoff; a cursor that goes backwards (server restart, another
 * node) means events may have been missed, so it triggers a sync too.
 * @module
 */
import type { InvitationToken, RealmId } from '../codec/ids.js';
import { AbortError } from '../errors.js';
import type { Reply, ServerEvent } from '../transport/commands.js';
import { expectOk, type Transport } from '../transport/transport.js';

/** A change the server announced (a hint: sync to see what actually changed, verified). */
export type ChangeEvent =
  | { readonly kind: 'certificates'; readonly realmId: RealmId | null }
  | { readonly kind: 'vlob'; readonly realmId: RealmId }
  | { readonly kind: 'invitation'; readonly token: InvitationToken; readonly status: string }
  /** The event stream restarted (server restart, another node): changes may have been missed. */
  | { readonly kind: 'resync' };

/** Options of the push loop. */
export interface PushOptions {
  /** How long one long poll waits on the server, ms (default 25 000; the server caps it). */
  readonly waitMs?: number;
  /** First pause after a failed poll, ms (default 500); doubles per failure up to `maxBackoffMs`. */
  readonly retryMs?: number;
  /** Longest pause between reconnection attempts, ms (default 30 000). */
  readonly maxBackoffMs?: number;
}

/** The `ChangeEvent` of one server event. Unknown shapes are ignored (`null`). */
export function changeOf(e: ServerEvent): ChangeEvent | null {
  switch (e.event) {
    case 'certificates':
      return { kind: 'certificates', realmId: e.topic === 'common' ? null : (e.topic as RealmId) };
    case 'vlob':
      return { kind: 'vlob', realmId: e.realmId };
    case 'invitation':
      return { kind: 'invitation', token: e.token, status: e.status };
    default:
      return null;
  }
}

/** Whether the push loop is receiving (`live`) or waiting to reconnect (`down`, polling covers). */
export type PushState = 'connecting' | 'live' | 'down';

/** A running push loop. */
export class PushListener {
  readonly #abort = new AbortController();
  readonly #done: Promise<void>;
  #state: PushState = 'connecting';
  #failures = 0;

  /** @internal Started by `Client.startBackgroundSync`. */
  constructor(
    private readonly transport: Transport,
    private readonly onChanges: (changes: readonly ChangeEvent[]) => void,
    private readonly onState: (state: PushState, error?: unknown) => void,
    private readonly options: PushOptions = {},
  ) {
    this.#done = this.#loop();
  }

  /** Current state. */
  get state(): PushState {
    return this.#state;
  }

  /** Consecutive failed polls. */
  get failures(): number {
    return this.#failures;
  }

  #set(state: PushState, error?: unknown): void {
    if (state === this.#state) return;
    this.#state = state;
    this.onState(state, error);
  }

  async #loop(): Promise<void> {
    const signal = this.#abort.signal;
    const waitMs = this.options.waitMs ?? 25_000;
    const retry = this.options.retryMs ?? 500;
    const maxBackoff = this.options.maxBackoffMs ?? 30_000;
    // First call: a cursor beyond any real one answers at once with the current position, so
    // connecting does not replay old events.
    let cursor: number | null = null;
    while (!signal.aborted) {
      try {
        const after: number = cursor ?? Number.MAX_SAFE_INTEGER;
        // A refusal is an ErrorReplyError (typed): the stream is down, polling takes over.
        const rep: Extract<Reply<'events_listen'>, { status: 'ok' }> = expectOk(await this.transport.send({ cmd: 'events_listen', after, waitMs: cursor === null ? 0 : waitMs }, { signal }));
        const reconnected = this.#state !== 'live';
        this.#failures = 0;
        this.#set('live');
        const changes: ChangeEvent[] = [];
        // Moving backwards, or coming back after an outage: events may have been missed.
        if ((cursor !== null && rep.last < cursor) || (reconnected && cursor !== null)) changes.push({ kind: 'resync' });
        for (const e of rep.events) {
          const c = changeOf(e);
          if (c !== null) changes.push(c);
        }
        cursor = rep.last;
        if (changes.length > 0) this.onChanges(changes);
      } catch (err) {
        if (signal.aborted || err instanceof AbortError) break;
        this.#failures++;
        this.#set('down', err);
        const pause = Math.min(maxBackoff, retry * 2 ** (this.#failures - 1));
        await sleep(pause, signal);
      }
    }
  }

  /** Stops the loop (aborts the poll in flight) and waits for it. Idempotent. */
  async stop(): Promise<void> {
    this.#abort.abort();
    await this.#done;
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
