/**
 * A FIFO async mutex: local operations and sync of one workspace run one at a time, so a sync
 * never merges into a working copy that an edit is half-way through changing.
 * @module
 */

/** Serialises async critical sections. */
export class Mutex {
  #tail: Promise<unknown> = Promise.resolve();

  /** Runs `fn` after every previously queued section settled; resolves/rejects with its result. */
  run<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.#tail.then(fn, fn);
    this.#tail = next.catch(() => undefined);
    return next;
  }
}
