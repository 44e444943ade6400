/**
 * The push loop treats an `events_listen` refusal as a typed error (`ErrorReplyError`), goes
 * `down` (polling covers) and retries with backoff; it never throws a bare Error nor stops.
 */
import { describe, expect, it } from 'vitest';
import { PushListener } from '../../src/client/push.js';
import { ErrorReplyError, type Transport } from '../../src/transport/index.js';

describe('push loop refusals', () => {
  it('a refused events_listen: down with an ErrorReplyError, retried, no change reported', async () => {
    let calls = 0;
    const transport = {
      send: (async () => {
        calls++;
        return { status: 'error', code: 'not_allowed', message: 'no events for you' };
      }) as unknown as Transport['send'],
    } as Transport;
    const states: [string, unknown][] = [];
    const changes: unknown[] = [];
    const push = new PushListener(transport, (c) => changes.push(...c), (state, error) => states.push([state, error]), { retryMs: 1, maxBackoffMs: 2 });
    while (calls < 3) await new Promise((r) => setTimeout(r, 5));
    await push.stop();
    expect(states[0]![0]).toBe('down');
    expect(states[0]![1]).toBeInstanceOf(ErrorReplyError);
    expect((states[0]![1] as ErrorReplyError).code).toBe('transport/not_allowed');
    expect(push.failures).toBeGreaterThanOrEqual(3);
    expect(changes).toEqual([]);
  });
});
