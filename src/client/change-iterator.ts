/**
 * `Client.changes()`: the `change` events as an async iterator, ended by an `AbortSignal`.
 * @module
 */
import type { TypedEmitter } from './emitter.js';
import type { ClientEvents } from './events.js';
import type { ChangeEvent } from './push.js';

/** Events are queued up to this many while the consumer is slow; older ones are dropped (they are hints). */
export const MAX_QUEUED_CHANGES = 1000;

/**
 * Yields every `change` emitted from now on until `signal` aborts (then returns normally). A slow
 * consumer loses the oldest queued hints beyond `MAX_QUEUED_CHANGES`, never blocks the client.
 */
export async function* iterateChanges(events: TypedEmitter<ClientEvents>, signal?: AbortSignal): AsyncGenerator<ChangeEvent, void, undefined> {
  const queue: ChangeEvent[] = [];
  let wake: (() => void) | null = null;
  const off = events.on('change', (c) => {
    queue.push(c);
    if (queue.length > MAX_QUEUED_CHANGES) queue.shift();
    wake?.();
  });
  const onAbort = (): void => wake?.();
  signal?.addEventListener('abort', onAbort);
  try {
    while (!signal?.aborted) {
      const next = queue.shift();
      if (next !== undefined) {
        yield next;
        continue;
      }
      await new Promise<void>((resolve) => (wake = resolve));
      wake = null;
    }
  } finally {
    off();
    signal?.removeEventListener('abort', onAbort);
  }
}
