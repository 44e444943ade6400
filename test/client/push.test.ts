/**
 * Push events on the client: a remote change wakes the background sync (polling effectively off),
 * `change` events and the `changes()` iterator; a dropped stream falls back to polling; events
 * dropped or invented by the server never lose nor forge a change (they are hints).
 */
import { describe, expect, it } from 'vitest';
import type { ChangeEvent } from '../../src/client/index.js';
import { TransportError } from '../../src/errors.js';
import type { Transport } from '../../src/transport/index.js';
import { closeAfterEach, MODES, str, text, World } from './world.js';

/** Waits (bounded, no timing assertion) until `cond` holds. */
async function until(cond: () => Promise<boolean> | boolean, what: string, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** A transport whose `events_listen` is replaced by `listen` (other commands pass through). */
function withEvents(t: Transport, listen: (req: { after: number; waitMs: number }, signal?: AbortSignal) => Promise<unknown>): Transport {
  return {
    send: ((req: { cmd: string }, options?: { signal?: AbortSignal }) =>
      req.cmd === 'events_listen' ? listen(req as never, options?.signal) : t.send(req as never, options)) as Transport['send'],
  };
}

const HOUR = 3_600_000;

describe.each(MODES)('push events (%s)', (mode) => {
  let world: World;
  const { track } = closeAfterEach(() => world);

  async function aliceAndBob(options: { wrap?: (t: Transport) => Transport } = {}) {
    world = await World.create(mode, { blocksize: 4096 });
    const alice = track(await world.open(await world.bootstrap(), options));
    await alice.syncCertificates();
    const bobDevice = await world.enrollUser(alice, 'bob@example.org', 'Bob');
    const bob = track(await world.open(bobDevice));
    await bob.syncCertificates();
    const ws = await alice.createWorkspace('Shared');
    await ws.share(bob.userId, 'CONTRIBUTOR');
    await bob.sync();
    return { alice, bob, ws, wsBob: await bob.workspace(ws.id) };
  }

  it('a remote write reaches a background-syncing client through push, with polling off', async () => {
    const { alice, ws, wsBob } = await aliceAndBob();
    const changes: ChangeEvent[] = [];
    alice.on('change', (c) => changes.push(c));
    const iterated: ChangeEvent[] = [];
    const abort = new AbortController();
    const iterating = (async () => {
      for await (const c of alice.changes({ signal: abort.signal })) iterated.push(c);
    })();
    // Polling once an hour: only push can bring Bob's write in.
    const bg = alice.startBackgroundSync({ intervalMs: HOUR, liveIntervalMs: HOUR });
    await until(() => bg.push === 'live', 'the push stream');
    await wsBob.writeFile('/pushed.txt', text('from bob'));
    await wsBob.sync();
    await until(() => ws.exists('/pushed.txt'), 'the pushed file');
    expect(str(await ws.readFile('/pushed.txt'))).toBe('from bob');
    expect(changes).toContainEqual({ kind: 'vlob', realmId: ws.id });
    await until(() => iterated.some((c) => c.kind === 'vlob'), 'the iterator');
    abort.abort();
    await iterating;
    await bg.stop();
    expect(alice.listenerCount('change')).toBe(1);
  });

  it('the stream drops: background sync falls back to polling and still converges', async () => {
    let calls = 0;
    const { alice, ws, wsBob } = await aliceAndBob({
      wrap: (t) =>
        withEvents(t, async () => {
          calls++;
          throw new TransportError('transport/network', 'stream dropped');
        }),
    });
    const bg = alice.startBackgroundSync({ intervalMs: 20, push: { retryMs: 5, maxBackoffMs: 20 } });
    await wsBob.writeFile('/polled.txt', text('by polling'));
    await wsBob.sync();
    await until(() => ws.exists('/polled.txt'), 'the polled file');
    await until(() => calls >= 2, 'reconnection attempts');
    expect(bg.push).toBe('down');
    await bg.stop();
    expect(str(await ws.readFile('/polled.txt'))).toBe('by polling');
  });

  it('a server that drops every event, or invents some, neither loses nor forges a change', async () => {
    let invent = true;
    const { alice, ws, wsBob } = await aliceAndBob({
      wrap: (t) =>
        withEvents(t, async (req) => {
          await new Promise((r) => setTimeout(r, 5));
          // Invented events about a realm that does not exist, then silence.
          const events = invent ? [{ event: 'vlob', realmId: 'f'.repeat(32), checkpoint: 99, vlobId: 'e'.repeat(32), version: 7 }] : [];
          invent = false;
          return { status: 'ok', last: req.after === Number.MAX_SAFE_INTEGER ? 0 : req.after + events.length, events };
        }),
    });
    const errors: unknown[] = [];
    alice.on('error', (e) => errors.push(e.error));
    const bg = alice.startBackgroundSync({ intervalMs: 20, liveIntervalMs: 20 });
    await wsBob.writeFile('/quiet.txt', text('no event announced this'));
    await wsBob.sync();
    await until(() => ws.exists('/quiet.txt'), 'the file despite dropped events');
    await bg.stop();
    expect(errors).toEqual([]);
    expect((await alice.workspaces()).map((w) => w.id)).toEqual([ws.id]);
  });
});
