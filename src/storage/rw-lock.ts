/**
 * A small FIFO readers–writer lock for async code.
 * @module
 */

interface Waiter {
  readonly write: boolean;
  readonly resolve: () => void;
}

/**
 * Many readers or one writer at a time, granted in arrival order (a waiting writer blocks later
 * readers, so a stream of reads cannot starve a batch). Used by the filesystem backend so that
 * no read observes a multi-file batch half applied.
 */
export class RwLock {
  #readers = 0;
  #writer = false;
  readonly #queue: Waiter[] = [];

  /** Runs `fn` holding the lock shared; the lock is released whether `fn` resolves or rejects. */
  async read<T>(fn: () => Promise<T>): Promise<T> {
    await this.#acquire(false);
    try {
      return await fn();
    } finally {
      this.#readers--;
      this.#drain();
    }
  }

  /** Runs `fn` holding the lock exclusively; released whether `fn` resolves or rejects. */
  async write<T>(fn: () => Promise<T>): Promise<T> {
    await this.#acquire(true);
    try {
      return await fn();
    } finally {
      this.#writer = false;
      this.#drain();
    }
  }

  #acquire(write: boolean): Promise<void> {
    return new Promise((resolve) => {
      this.#queue.push({ write, resolve });
      this.#drain();
    });
  }

  #drain(): void {
    for (;;) {
      const head = this.#queue[0];
      if (head === undefined || this.#writer) return;
      if (head.write) {
        if (this.#readers > 0) return;
        this.#writer = true;
      } else {
        this.#readers++;
      }
      this.#queue.shift();
      head.resolve();
    }
  }
}
