/**
 * Background sync: rounds of `Client.sync()` with exponential backoff on failure, woken at once
 * by push events (`events_listen`). While the push stream is live, polling slows to a safety net
 * (`liveIntervalMs`): a server may drop events, and checkpoints — not events — decide what is
 * synced. When the stream drops, polling returns to `intervalMs` until it is back.
 * @module
 */
import type { Transport } from '../transport/transport.js';
import { PushListener, type ChangeEvent, type PushOptions, type PushState } from './push.js';

/** Options of `Client.startBackgroundSync`. */
export interface BackgroundSyncOptions {
  /** Pause between successful syncs while push is off or down, ms (default 5000). */
  readonly intervalMs?: number;
  /** Pause between successful syncs while push is live, ms (default 60 000). */
  readonly liveIntervalMs?: number;
  /** Longest pause after repeated failures, ms (default 60 000). Failures double the pause. */
  readonly maxBackoffMs?: number;
  /** Push events (`events_listen` long polls): `false` to poll only; default on. */
  readonly push?: boolean | PushOptions;
}

/** Where push events come from and where they go (set by the client). */
export interface PushSource {
  readonly transport: Transport;
  readonly onChanges: (changes: readonly ChangeEvent[]) => void;
}

/** A running background sync. */
export class BackgroundSync {
  #timer: ReturnType<typeof setTimeout> | undefined;
  #running: Promise<void> | undefined;
  #stopped = false;
  #again = false;
  #delay: number;
  #failures = 0;
  readonly #interval: number;
  readonly #liveInterval: number;
  readonly #max: number;
  readonly #push: PushListener | null;

  /** @internal Started by `Client.startBackgroundSync`. */
  constructor(
    private readonly run: () => Promise<void>,
    private readonly onError: (err: unknown) => void,
    options: BackgroundSyncOptions = {},
    push?: PushSource,
  ) {
    this.#interval = Math.max(1, options.intervalMs ?? 5000);
    this.#liveInterval = Math.max(this.#interval, options.liveIntervalMs ?? 60_000);
    this.#max = Math.max(this.#interval, options.maxBackoffMs ?? 60_000);
    this.#delay = this.#interval;
    this.#push =
      push === undefined || options.push === false
        ? null
        : new PushListener(
            push.transport,
            (changes) => {
              push.onChanges(changes);
              this.wake();
            },
            (state) => {
              // Stream down: poll at the normal pace again right away, not after the long pause.
              if (state === 'down' && this.#timer !== undefined && this.#delay > this.#interval) this.#reschedule(this.#interval);
            },
            typeof options.push === 'object' ? options.push : {},
          );
    this.#schedule(0);
  }

  /** Consecutive failed rounds (0 after a success). */
  get failures(): number {
    return this.#failures;
  }

  /** The pause before the next round, ms. */
  get nextDelayMs(): number {
    return this.#delay;
  }

  /** The push stream: `off` (disabled), `connecting`, `live`, or `down` (polling covers). */
  get push(): PushState | 'off' {
    return this.#push?.state ?? 'off';
  }

  /** Runs a round as soon as possible (after the one in progress, if any). */
  wake(): void {
    if (this.#stopped) return;
    if (this.#running !== undefined && this.#timer === undefined) {
      this.#again = true;
      return;
    }
    this.#reschedule(0);
  }

  #reschedule(ms: number): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#delay = ms;
    this.#schedule(ms);
  }

  #schedule(ms: number): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#running = this.#round();
    }, ms);
  }

  async #round(): Promise<void> {
    this.#again = false;
    try {
      await this.run();
      this.#failures = 0;
      this.#delay = this.#push?.state === 'live' ? this.#liveInterval : this.#interval;
    } catch (err) {
      this.#failures++;
      // Back off so that a server outage is not hammered by every client at full rate.
      this.#delay = Math.min(this.#max, this.#interval * 2 ** this.#failures);
      this.onError(err);
    }
    this.#running = undefined;
    this.#schedule(this.#again && this.#failures === 0 ? 0 : this.#delay);
  }

  /** Stops scheduling and the push stream, and waits for a round in progress to end. Idempotent. */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#push?.stop();
    await this.#running;
  }
}
