import { afterEach, describe, expect, it, vi } from 'vitest';
import fc from 'fast-check';
import { COMMON_TOPIC } from '../../src/certificates/index.js';
import { InvitationError } from '../../src/errors.js';
import {
  claim,
  greet,
  MemoryInviteRelay,
  sameCertificates,
  seededRandom,
  type GreeterContext,
  type InviteTransport,
  type SasCode,
  type SasUi,
} from '../../src/sas/index.js';
import { u32be } from '../../src/bytes.js';
import { humans, invitation, organization, rng } from './helpers.js';

type Org = Awaited<ReturnType<typeof organization>>;

function userContext(org: Org): GreeterContext {
  return { kind: 'user', author: { deviceId: org.boot.device.deviceId, signingKey: org.boot.device.signingKey }, email: 'bob@example.com', clock: org.clock, link: () => org.store.nextLink('common') };
}

function deviceContext(org: Org): GreeterContext {
  return {
    kind: 'device',
    author: { deviceId: org.boot.device.deviceId, signingKey: org.boot.device.signingKey },
    userId: org.boot.user.userId,
    userPrivateKey: org.boot.user.privateKey,
    userCertificate: org.boot.certificates[0]!,
    clock: org.clock, link: () => org.store.nextLink('common'),
  };
}

const never: SasUi = { showCode() {}, pickCode: () => new Promise<SasCode | null>(() => {}) };

afterEach(() => {
  vi.useRealTimers();
});

describe('drive over the relay', () => {
  it('device invitation: the new device gets the user key and a device certificate signed by the existing device', async () => {
    const org = await organization();
    const relay = new MemoryInviteRelay();
    const { token, link } = invitation(relay, org, 'device');
    const h = humans();
    const [g, c] = await Promise.all([
      greet({ token, transport: relay.transport(token, 'greeter'), ui: h.greeter, context: deviceContext(org) }),
      claim({ link, transport: relay.transport(token, 'claimer'), ui: h.claimer, requestedDeviceLabel: 'alice-phone' }),
    ]);
    expect(g.status).toBe('done');
    expect(c.status).toBe('done');
    if (g.status !== 'done' || c.status !== 'done') return;
    expect(g.outcome.kind).toBe('device');
    expect(g.outcome.certificates).toHaveLength(1);
    expect(g.outcome.deviceCertificate.author).toBe(org.boot.device.deviceId);
    await org.store.ingest(COMMON_TOPIC, g.outcome.certificates);
    expect(org.store.listDevices(org.boot.user.userId).map((d) => d.label).sort()).toEqual(['alice-laptop', 'alice-phone']);
    expect(c.device.userPrivateKey.exportSecretBytes()).toEqual(org.boot.user.privateKey.exportSecretBytes());
    expect(c.device.userId).toBe(org.boot.user.userId);
    expect(c.device.humanHandle.email).toBe('alice@example.com');
  });

  it('a wrong pick cancels the attempt on both sides; a new attempt with fresh keys then succeeds', async () => {
    const org = await organization();
    const relay = new MemoryInviteRelay();
    const { token, link } = invitation(relay, org, 'user');
    const bad = humans({ claimerPicks: (c, shown) => c.find((x) => x !== shown)! });
    const [g1, c1] = await Promise.all([
      greet({ token, transport: relay.transport(token, 'greeter'), ui: bad.greeter, context: userContext(org) }),
      claim({ link, transport: relay.transport(token, 'claimer'), ui: bad.claimer, requestedDeviceLabel: 'p', requestedHumanHandle: { email: 'bob@example.com', label: 'Bob' } }),
    ]);
    expect(c1).toMatchObject({ status: 'cancelled', reason: 'invalid-sas-code', by: 'self' });
    expect(g1).toMatchObject({ status: 'cancelled', reason: 'peer-cancelled', by: 'peer' });
    const h = humans();
    const [g2, c2] = await Promise.all([
      greet({ token, transport: relay.transport(token, 'greeter'), ui: h.greeter, context: userContext(org) }),
      claim({ link, transport: relay.transport(token, 'claimer'), ui: h.claimer, requestedDeviceLabel: 'p', requestedHumanHandle: { email: 'bob@example.com', label: 'Bob' } }),
    ]);
    expect(g2.status).toBe('done');
    expect(c2.status).toBe('done');
    expect(relay.attemptCount(token)).toBe(2);
    expect(bad.shown.greeter).not.toBe(h.shown.greeter);
  });

  it('too many attempts: the relay refuses a new attempt and the machine ends typed', async () => {
    const org = await organization();
    const relay = new MemoryInviteRelay({ maxAttempts: 1 });
    const { token } = invitation(relay, org, 'user');
    relay.cancel(token, relay.join(token, 'greeter'), 'greeter', 'manual');
    const g = await greet({ token, transport: relay.transport(token, 'greeter'), ui: never, context: userContext(org) });
    expect(g).toMatchObject({ status: 'cancelled', reason: 'too-many-attempts', by: 'relay' });
  });

  it('a peer that disappears → timeout, and the relay shows the cancellation to it', async () => {
    vi.useFakeTimers();
    const org = await organization();
    const relay = new MemoryInviteRelay();
    const { token } = invitation(relay, org, 'user');
    // A claimer that posts its key and vanishes.
    const a = relay.join(token, 'claimer');
    relay.post(token, a, 'claimer', 0, rng('k', 1)(32));
    const g = greet({ token, transport: relay.transport(token, 'greeter'), ui: never, context: userContext(org), stepTimeoutMs: 60_000 });
    await vi.advanceTimersByTimeAsync(60_000);
    expect(await g).toMatchObject({ status: 'cancelled', reason: 'timeout', by: 'self' });
    expect(relay.poll(token, a, 'claimer', 0)).toMatchObject({ status: 'cancelled', by: 'greeter', reason: 'timeout' });
  });

  it('a human who never picks → timeout on that side, peer-cancelled on the other', async () => {
    const org = await organization();
    const relay = new MemoryInviteRelay();
    const { token, link } = invitation(relay, org, 'user');
    const h = humans();
    const [g, c] = await Promise.all([
      greet({ token, transport: relay.transport(token, 'greeter'), ui: h.greeter, context: userContext(org) }),
      claim({ link, transport: relay.transport(token, 'claimer'), ui: never, requestedDeviceLabel: 'p', requestedHumanHandle: { email: 'bob@example.com', label: 'Bob' }, pickTimeoutMs: 20 }),
    ]);
    expect(c).toMatchObject({ status: 'cancelled', reason: 'timeout', by: 'self' });
    expect(g).toMatchObject({ status: 'cancelled', reason: 'peer-cancelled', by: 'peer' });
  });

  it('aborting the signal cancels (manual) and the peer sees peer-cancelled', async () => {
    const org = await organization();
    const relay = new MemoryInviteRelay();
    const { token, link } = invitation(relay, org, 'user');
    const ctrl = new AbortController();
    const h = humans();
    const g = greet({ token, transport: relay.transport(token, 'greeter'), ui: h.greeter, context: userContext(org), signal: ctrl.signal });
    const ui: SasUi = {
      showCode: () => {},
      // The greeter's user gives up while the claimer's human is reading the candidates; the
      // claimer's human then confirms the right code, but the attempt is gone.
      pickCode: async () => {
        ctrl.abort();
        await g;
        return h.shown.greeter!;
      },
    };
    const c = claim({ link, transport: relay.transport(token, 'claimer'), ui, requestedDeviceLabel: 'p', requestedHumanHandle: { email: 'bob@example.com', label: 'Bob' } });
    expect(await g).toMatchObject({ status: 'cancelled', reason: 'manual', by: 'self' });
    expect(await c).toMatchObject({ status: 'cancelled', reason: 'peer-cancelled', by: 'peer' });
  });

  it('a relay refusal (changed step) ends in a typed cancel, not an exception', async () => {
    const org = await organization();
    const relay = new MemoryInviteRelay();
    const { token } = invitation(relay, org, 'user');
    const inner = relay.transport(token, 'greeter');
    const refusing: InviteTransport = {
      join: (s) => inner.join(s),
      send: async () => {
        throw new InvitationError('invitation/step-changed', 'refused');
      },
      waitPeer: (step, s) => inner.waitPeer(step, s),
      cancel: (r) => inner.cancel(r),
    };
    const g = await greet({ token, transport: refusing, ui: never, context: userContext(org) });
    expect(g).toMatchObject({ status: 'cancelled', reason: 'protocol-error', by: 'relay' });
  });
});

/** Delays every transport answer by a random number of macrotask turns and resends some posts. */
function chaotic(inner: InviteTransport, random: (n: number) => Uint8Array, stats: { dupSends: number }): InviteTransport {
  const turns = async () => {
    const n = random(1)[0]! % 6;
    for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r));
  };
  return {
    async join(s) {
      await turns();
      return inner.join(s);
    },
    async send(step, data, s) {
      await turns();
      const r = await inner.send(step, data, s);
      if (random(1)[0]! < 80) {
        // A retried post of identical bytes (lost acknowledgement): must be harmless.
        stats.dupSends++;
        await turns();
        await inner.send(step, data, s).catch(() => undefined);
      }
      await turns();
      return r;
    },
    async waitPeer(step, s) {
      await turns();
      const r = await inner.waitPeer(step, s);
      await turns();
      return r;
    },
    cancel: (r) => inner.cancel(r),
  };
}

describe('random delivery schedules (fast-check)', () => {
  it('every run completes with matching certificates or cancels with a reason; never hangs', async () => {
    const org = await organization();
    const runs = Number(process.env.SEALSYNC_FUZZ_RUNS ?? 25);
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 2 ** 31 - 1 }), fc.constantFrom('honest', 'honest', 'claimer-wrong', 'greeter-wrong', 'claimer-gives-up'), async (seed, humansMode) => {
        const relay = new MemoryInviteRelay();
        const { token, link } = invitation(relay, org, seed % 2 === 0 ? 'user' : 'device');
        const random = seededRandom(u32be(seed));
        const stats = { dupSends: 0 };
        const wrong = (c: readonly SasCode[], shown: SasCode) => c.find((x) => x !== shown)!;
        const h = humans({
          ...(humansMode === 'claimer-wrong' ? { claimerPicks: wrong } : {}),
          ...(humansMode === 'greeter-wrong' ? { greeterPicks: wrong } : {}),
          ...(humansMode === 'claimer-gives-up' ? { claimerPicks: () => null } : {}),
        });
        // The step timeout bounds every run: a protocol deadlock would surface as `timeout`.
        const stepTimeoutMs = 5_000;
        const [g, c] = await Promise.all([
          greet({ token, transport: chaotic(relay.transport(token, 'greeter'), random, stats), ui: h.greeter, context: link.kind === 'user' ? userContext(org) : deviceContext(org), stepTimeoutMs, random: rng('g', seed) }),
          claim({
            link,
            transport: chaotic(relay.transport(token, 'claimer'), random, stats),
            ui: h.claimer,
            requestedDeviceLabel: 'dev',
            requestedHumanHandle: { email: 'bob@example.com', label: 'Bob' },
            stepTimeoutMs,
            random: rng('c', seed),
          }),
        ]);
        const context = `seed ${seed} mode ${humansMode}`;
        if (humansMode === 'honest') {
          expect(g.status, context).toBe('done');
          expect(c.status, context).toBe('done');
          if (g.status === 'done' && c.status === 'done') expect(sameCertificates(g.outcome.certificates, c.device.certificates), context).toBe(true);
        } else {
          expect(g.status, context).toBe('cancelled');
          expect(c.status, context).toBe('cancelled');
          const reasons = [g, c].map((r) => (r.status === 'cancelled' ? r.reason : 'done')).sort();
          expect(reasons, context).toEqual(['invalid-sas-code', 'peer-cancelled']);
        }
      }),
      { numRuns: runs, seed: 20240601 },
    );
  });
});
