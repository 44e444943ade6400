/**
 * Bounded concurrency for the sync engine: many independent small requests (one block, one
 * manifest) overlap their round trips and their WebCrypto work, which runs off the main thread.
 * @module
 */

/**
 * Runs `fn` over `items` with at most `limit` calls in flight. Waits for every started call to
 * settle (so no work is still running when it returns or rejects), then rejects with the error
 * of the lowest-index item that failed: the same error whatever the scheduling. Items after a
 * failure are not started.
 */
export async function forEachLimit<T>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const failures: { index: number; error: unknown }[] = [];
  const worker = async (): Promise<void> => {
    while (failures.length === 0 && next < items.length) {
      const index = next++;
      try {
        await fn(items[index]!, index);
      } catch (error) {
        failures.push({ index, error });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  if (failures.length > 0) throw failures.reduce((a, b) => (b.index < a.index ? b : a)).error;
}

/** `forEachLimit` collecting results in input order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  await forEachLimit(items, limit, async (item, i) => {
    out[i] = await fn(item, i);
  });
  return out;
}
