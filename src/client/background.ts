/**
 * Background sync with exponential backoff.
 * @module
 */

/** Options of `Client.startBackgroundSync`. */
export interface BackgroundSyncOptions {
  /** Pause between successful syncs, ms (default 5000). */
  readonly intervalMs?: number;
  /** Longest pause after repeated failures, ms (default 60 000). Failures double the pause. */
  readonly maxBackoffMs?: number;
}

/** A running background sync. */
export class BackgroundSync {
  #timer: ReturnType<typeof setTimeout> | undefined;
  #running: Promise<void> | undefined;
  #stopped = false;
  #delay: number;
  #failures = 0;
  readonly #interval: number;
  readonly #max: number;

  /** @internal Started by `Client.startBackgroundSync`. */
  constructor(
    private readonly run: () => Promise<void>,
    private readonly onError: (err: unknown) => void,
    options: BackgroundSyncOptions = {},
  ) {
    this.#interval = Math.max(1, options.intervalMs ?? 5000);
    this.#max = Math.max(this.#interval, options.maxBackoffMs ?? 60_000);
    this.#delay = this.#interval;
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

  #schedule(ms: number): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => {
      this.#running = this.#round();
    }, ms);
  }

  async #round(): Promise<void> {
    try {
      await this.run();
      this.#failures = 0;
      this.#delay = this.#interval;
    } catch (err) {
      this.#failures++;
      // Back off so that a server outage is not hammered by every client at full rate.
      this.#delay = Math.min(this.#max, this.#interval * 2 ** this.#failures);
      this.onError(err);
    }
    this.#schedule(this.#delay);
  }

  /** Stops scheduling and waits for a round in progress to end. Idempotent. */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    await this.#running;
  }
}
