/**
 * Wake-ups for long polls: waiters park on a `Notifier` and are released together by `notify`.
 * @module
 */

/** A set of parked waiters, released at once. */
export class Notifier {
  private readonly waiters = new Set<() => void>();

  /** Resolves at the next `notify`, after `ms`, or when `signal` aborts; never rejects. */
  wait(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve) => {
      if (signal?.aborted || ms <= 0) return resolve();
      const done = (): void => {
        clearTimeout(timer);
        this.waiters.delete(done);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.waiters.add(done);
      signal?.addEventListener('abort', done, { once: true });
    });
  }

  /** Releases every parked waiter. */
  notify(): void {
    for (const w of [...this.waiters]) w();
  }

  /** Number of parked waiters. */
  get size(): number {
    return this.waiters.size;
  }
}

/** Serialises async critical sections (one writer at a time per organisation). */
export class Mutex {
  private tail: Promise<unknown> = Promise.resolve();

  /** Runs `fn` after every previously queued section settled; resolves/rejects with it. */
  run<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.tail.then(fn, fn);
    this.tail = next.catch(() => undefined);
    return next;
  }
}
