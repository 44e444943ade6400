import { describe, expect, it } from 'vitest';
import { COMMON_TOPIC } from '../../src/certificates/index.js';
import { PrivateKey } from '../../src/keys/index.js';
import {
  ClaimerMachine,
  CANCEL_REASONS,
  GreeterMachine,
  INVITE_ACK,
  MemoryInviteRelay,
  sameCertificates,
  type GreeterOutcome,
  type ClaimedDevice,
  type MachineEvent,
  type MachineState,
} from '../../src/sas/index.js';
import { invitation, organization, pairSpecs, rng } from './helpers.js';
import { runParties, type Party } from './pure-harness.js';

async function setup(kind: 'user' | 'device' = 'user') {
  const org = await organization();
  const { token, link } = invitation(new MemoryInviteRelay(), org, kind);
  return { org, token, link };
}

function cancelled(p: Party) {
  return p.state.status === 'cancelled' ? { reason: p.state.reason, by: p.state.by } : { status: p.state.status };
}

function flipLast(data: Uint8Array): Uint8Array {
  const x = data.slice();
  x[x.length - 1]! ^= 1;
  return x;
}

describe('pure machines: happy paths', () => {
  for (const kind of ['user', 'device'] as const) {
    it(`${kind} invitation completes on both sides with matching certificates accepted by the store`, async () => {
      const { org, token, link } = await setup(kind);
      const parties = await runParties({ kind, token, parties: pairSpecs(org, link, 1) });
      const g = parties.get('greeter')!.state;
      const c = parties.get('claimer')!.state;
      expect(g.status).toBe('done');
      expect(c.status).toBe('done');
      const outcome = (g as Extract<MachineState, { status: 'done' }>).outcome as GreeterOutcome;
      const device = (c as Extract<MachineState, { status: 'done' }>).outcome as ClaimedDevice;
      expect(sameCertificates(outcome.certificates, device.certificates)).toBe(true);
      await org.store.ingest(COMMON_TOPIC, outcome.certificates);
      expect(org.store.getDevice(device.deviceId)?.userId).toBe(device.userId);
      if (kind === 'device') {
        expect(device.userId).toBe(org.boot.user.userId);
        expect(device.userPrivateKey.exportSecretBytes()).toEqual(org.boot.user.privateKey.exportSecretBytes());
        expect(device.profile).toBe('ADMIN');
      } else {
        expect(org.store.getUser(device.userId)?.publicKey.equals(device.userPrivateKey.publicKey)).toBe(true);
      }
    });
  }

  it('the claim of a user invitation carries no private key; the user private key travels only for a device invitation', async () => {
    for (const kind of ['user', 'device'] as const) {
      const { org, token, link } = await setup(kind);
      const parties = await runParties({ kind, token, parties: pairSpecs(org, link, 2) });
      const c = parties.get('claimer')!.state as Extract<MachineState, { status: 'done' }>;
      const device = c.outcome as ClaimedDevice;
      const privateKeyBytes = device.userPrivateKey.exportSecretBytes();
      const seedBytes = device.signingKey.exportSecretBytes();
      // Look at every plaintext each side encrypted: the claim (claimer) and the confirmation (greeter).
      const claimEvents = parties.get('claimer')!.events.filter((e) => e.type === 'computed' && e.result.op === 'prepare-claim');
      const claim = (claimEvents[0] as Extract<MachineEvent, { type: 'computed' }>).result as { claim: Uint8Array };
      expect(Buffer.from(claim.claim).includes(Buffer.from(privateKeyBytes))).toBe(false);
      expect(Buffer.from(claim.claim).includes(Buffer.from(seedBytes))).toBe(false);
      const conf = parties.get('greeter')!.events.find((e) => e.type === 'computed' && e.result.op === 'process-claim');
      const confirmation = ((conf as Extract<MachineEvent, { type: 'computed' }>).result as { confirmation: Uint8Array }).confirmation;
      expect(Buffer.from(confirmation).includes(Buffer.from(privateKeyBytes))).toBe(kind === 'device');
      // And nothing that crossed the wire contains it in clear.
      for (const p of parties.values()) for (const data of p.posted.values()) expect(Buffer.from(data).includes(Buffer.from(privateKeyBytes))).toBe(false);
    }
  });
});

describe('pure machines: every cancel reason', () => {
  it('lists the cancel reasons', () => {
    expect(CANCEL_REASONS).toEqual([
      'manual',
      'invalid-nonce-commitment',
      'invalid-sas-code',
      'undecipherable-payload',
      'inconsistent-payload',
      'peer-cancelled',
      'timeout',
      'too-many-attempts',
      'protocol-error',
    ]);
  });

  it('a claimer nonce that does not match its commitment → invalid-nonce-commitment', async () => {
    const { org, token, link } = await setup();
    const parties = await runParties({
      kind: 'user',
      token,
      parties: pairSpecs(org, link, 3),
      wire: (from, _to, step, data) => (from === 'claimer' && step === 3 ? flipLast(data) : data),
    });
    expect(cancelled(parties.get('greeter')!)).toEqual({ reason: 'invalid-nonce-commitment', by: 'self' });
    expect(cancelled(parties.get('claimer')!)).toEqual({ reason: 'peer-cancelled', by: 'peer' });
    // Nothing secret was ever sent.
    for (const p of parties.values()) expect([...p.posted.keys()].every((s) => s <= 4)).toBe(true);
  });

  it('a wrong pick → invalid-sas-code (claimer side and greeter side)', async () => {
    const { org, token, link } = await setup();
    const wrong = (c: readonly string[], shown: string | undefined) => c.find((x) => x !== shown)!;
    let parties = await runParties({ kind: 'user', token, parties: pairSpecs(org, link, 4, { claimer: { pick: wrong } }) });
    expect(cancelled(parties.get('claimer')!)).toEqual({ reason: 'invalid-sas-code', by: 'self' });
    expect(cancelled(parties.get('greeter')!)).toEqual({ reason: 'peer-cancelled', by: 'peer' });
    parties = await runParties({ kind: 'user', token, parties: pairSpecs(org, link, 5, { greeter: { pick: () => null } }) });
    expect(cancelled(parties.get('greeter')!)).toEqual({ reason: 'invalid-sas-code', by: 'self' });
    expect(cancelled(parties.get('claimer')!)).toEqual({ reason: 'peer-cancelled', by: 'peer' });
  });

  it('a tampered claim → undecipherable-payload at the greeter; the claimer never completes', async () => {
    const { org, token, link } = await setup();
    const parties = await runParties({ kind: 'user', token, parties: pairSpecs(org, link, 7), wire: (_f, _t, step, d) => (step === 6 && d.length > 0 ? flipLast(d) : d) });
    expect(cancelled(parties.get('greeter')!)).toEqual({ reason: 'undecipherable-payload', by: 'self' });
    expect(cancelled(parties.get('claimer')!)).toEqual({ reason: 'peer-cancelled', by: 'peer' });
  });

  it('a tampered confirmation → undecipherable-payload at the claimer; the greeter never completes', async () => {
    const { org, token, link } = await setup();
    const parties = await runParties({ kind: 'user', token, parties: pairSpecs(org, link, 8), wire: (_f, _t, step, d) => (step === 7 && d.length > 0 ? flipLast(d) : d) });
    expect(cancelled(parties.get('claimer')!)).toEqual({ reason: 'undecipherable-payload', by: 'self' });
    expect(cancelled(parties.get('greeter')!)).toEqual({ reason: 'peer-cancelled', by: 'peer' });
  });

  it('a tampered acknowledgement → undecipherable-payload at the greeter, and the claimer does not finish', async () => {
    const { org, token, link } = await setup();
    const parties = await runParties({ kind: 'user', token, parties: pairSpecs(org, link, 9), wire: (_f, _t, step, d) => (step === 8 && d.length > 0 ? flipLast(d) : d) });
    expect(cancelled(parties.get('greeter')!)).toEqual({ reason: 'undecipherable-payload', by: 'self' });
    expect(cancelled(parties.get('claimer')!)).toEqual({ reason: 'peer-cancelled', by: 'peer' });
  });

  it('an acknowledgement that decrypts but is not the ack constant → inconsistent-payload at the greeter', async () => {
    // A claimer holding the channel key but acknowledging something else (a confused or hostile
    // client) must not make the greeter commit: the greeter's step-8 post is what finishes the claimer.
    const { org, token, link } = await setup();
    const specs = pairSpecs(org, link, 41);
    const liar: typeof ClaimerMachine = {
      ...ClaimerMachine,
      transition(state, event) {
        const t = ClaimerMachine.transition(state, event);
        const effects = t.effects.map((e) =>
          e.type === 'compute' && e.request.op === 'seal' && e.request.plaintext.length === INVITE_ACK.length && e.request.plaintext.every((x, i) => x === INVITE_ACK[i])
            ? { ...e, request: { ...e.request, plaintext: new TextEncoder().encode('sealsync/1/invite-nak') } }
            : e,
        );
        return { ...t, effects };
      },
    };
    const parties = await runParties({ kind: 'user', token, parties: [specs[0]!, { ...specs[1]!, machine: liar }] });
    expect(cancelled(parties.get('greeter')!)).toEqual({ reason: 'inconsistent-payload', by: 'self' });
    expect(cancelled(parties.get('claimer')!)).toEqual({ reason: 'peer-cancelled', by: 'peer' });
  });

  it('a replayed payload (claim from another attempt, or the claim replayed as step 8) → undecipherable-payload', async () => {
    const { org, token, link } = await setup();
    const first = await runParties({ kind: 'user', token, parties: pairSpecs(org, link, 10) });
    const oldClaim = first.get('claimer')!.posted.get(6)!;
    // Same keys and nonces (same seeds) but attempt 2: the AAD differs, so the old ciphertext fails.
    const replay = await runParties({
      kind: 'user',
      token,
      parties: pairSpecs(org, link, 10, { greeter: { attempt: 2 }, claimer: { attempt: 2 } }),
      wire: (_f, _t, step, d) => (step === 6 && d.length > 0 ? oldClaim : d),
    });
    expect(cancelled(replay.get('greeter')!)).toEqual({ reason: 'undecipherable-payload', by: 'self' });
    let claim6: Uint8Array | undefined;
    const crossStep = await runParties({
      kind: 'user',
      token,
      parties: pairSpecs(org, link, 11),
      wire: (from, _t, step, d) => {
        if (from === 'claimer' && step === 6) claim6 = d;
        return from === 'claimer' && step === 8 ? claim6! : d;
      },
    });
    expect(cancelled(crossStep.get('greeter')!)).toEqual({ reason: 'undecipherable-payload', by: 'self' });
  });

  it('a claim for another email → inconsistent-payload', async () => {
    const { org, token, link } = await setup();
    const parties = await runParties({ kind: 'user', token, parties: pairSpecs(org, link, 12, { claimerEmail: 'mallory@example.com' }) });
    expect(cancelled(parties.get('greeter')!)).toEqual({ reason: 'inconsistent-payload', by: 'self' });
    expect(cancelled(parties.get('claimer')!)).toEqual({ reason: 'peer-cancelled', by: 'peer' });
  });

  it('a confirmation about other keys → inconsistent-payload at the claimer', async () => {
    const { org, token, link } = await setup();
    // A greeter backend that substitutes its own device key in the certificate it signs.
    const specs = pairSpecs(org, link, 13);
    const honest = specs[0]!.backend as import('../../src/sas/index.js').GreeterBackend;
    const { userClaimDocument } = await import('../../src/sas/index.js');
    const evil = {
      processClaim: (kind: 'user' | 'device', claim: Uint8Array) => {
        const doc = userClaimDocument.decode(claim);
        const swapped = userClaimDocument.encode({ ...doc, device_verify_key: PrivateKeyless.verifyKey });
        return honest.processClaim(kind, swapped);
      },
    };
    const parties = await runParties({ kind: 'user', token, parties: [{ ...specs[0]!, backend: evil }, specs[1]!] });
    expect(cancelled(parties.get('claimer')!)).toEqual({ reason: 'inconsistent-payload', by: 'self' });
    expect(cancelled(parties.get('greeter')!)).toEqual({ reason: 'peer-cancelled', by: 'peer' });
  });

  it('a device confirmation whose user private key does not match the user certificate → inconsistent-payload', async () => {
    const { org, token, link } = await setup('device');
    const specs = pairSpecs(org, link, 14);
    const { greeterBackend } = await import('../../src/sas/index.js');
    const wrongKey = greeterBackend({
      kind: 'device',
      author: { deviceId: org.boot.device.deviceId, signingKey: org.boot.device.signingKey },
      userId: org.boot.user.userId,
      userPrivateKey: PrivateKey.fromBytes(rng('other', 1)(32)),
      userCertificate: org.boot.certificates[0]!,
      clock: org.clock, link: () => org.store.nextLink('common'),
    });
    const parties = await runParties({ kind: 'device', token, parties: [{ ...specs[0]!, backend: wrongKey }, specs[1]!] });
    expect(cancelled(parties.get('claimer')!)).toEqual({ reason: 'inconsistent-payload', by: 'self' });
  });

  it('manual cancel, timeout, peer-cancelled, too-many-attempts, relay refusal', async () => {
    const { token } = await setup();
    const r = rng('x', 1);
    const started = GreeterMachine.transition(GreeterMachine.initial({ kind: 'user', token }), {
      type: 'start',
      attempt: 1,
      ephemeral: PrivateKey.fromBytes(r(32)),
      nonce: r(32),
      decoySeed: r(32),
    });
    expect(started.effects.map((e) => e.type)).toEqual(['send', 'wait']);
    const cases: [MachineEvent, string, string, boolean][] = [
      [{ type: 'cancel' }, 'manual', 'self', true],
      [{ type: 'timeout' }, 'timeout', 'self', true],
      [{ type: 'peer-cancelled', peerReason: 'manual' }, 'peer-cancelled', 'peer', false],
      [{ type: 'relay-refused', detail: 'invitation/step-changed' }, 'protocol-error', 'relay', true],
    ];
    for (const [event, reason, by, notifies] of cases) {
      const t = GreeterMachine.transition(started.state, event);
      expect(t.state).toMatchObject({ status: 'cancelled', reason, by });
      expect(t.effects.some((e) => e.type === 'notify-cancel')).toBe(notifies);
    }
    const refused = ClaimerMachine.transition(ClaimerMachine.initial({ kind: 'user', token }), { type: 'too-many-attempts' });
    expect(refused.state).toMatchObject({ status: 'cancelled', reason: 'too-many-attempts', by: 'relay' });
    expect(refused.effects).toEqual([]);
  });
});

// A fixed Ed25519 verify key that is not the claimer's.
const PrivateKeyless = { verifyKey: new Uint8Array([
  0x3d, 0x40, 0x17, 0xc3, 0xe8, 0x43, 0x89, 0x5a, 0x92, 0xb7, 0x0a, 0xa7, 0x4d, 0x1b, 0x7e, 0xbc,
  0x9c, 0x98, 0x2c, 0xcf, 0x2e, 0xc4, 0x96, 0x8c, 0xc0, 0xcd, 0x55, 0xf1, 0x2a, 0xf4, 0x66, 0x0c,
]) };

describe('pure machines: delivery problems', () => {
  async function startedPair() {
    const { org, token, link } = await setup();
    return { org, token, link };
  }

  it('an identical duplicate delivery is ignored; the run still completes', async () => {
    const { org, token, link } = await startedPair();
    const parties = await runParties({
      kind: 'user',
      token,
      parties: pairSpecs(org, link, 20),
      afterDeliver: (_to, step, data, feed) => feed({ type: 'peer', step, data }),
    });
    expect(parties.get('greeter')!.state.status).toBe('done');
    expect(parties.get('claimer')!.state.status).toBe('done');
  });

  it('a past step re-delivered with different bytes → protocol-error', async () => {
    const { org, token, link } = await startedPair();
    const parties = await runParties({
      kind: 'user',
      token,
      parties: pairSpecs(org, link, 21),
      afterDeliver: (to, step, data, feed) => {
        if (to.name === 'greeter' && step === 1) feed({ type: 'peer', step: 0, data: flipLast(to.inbox.get(0)!) });
        void data;
      },
    });
    expect(parties.get('greeter')!.state).toMatchObject({ status: 'cancelled', reason: 'protocol-error' });
    expect(cancelled(parties.get('claimer')!)).toEqual({ reason: 'peer-cancelled', by: 'peer' });
  });

  it('a future step delivered early (out of order) → protocol-error', async () => {
    const { token } = await startedPair();
    const r = rng('y', 1);
    const t = GreeterMachine.transition(GreeterMachine.initial({ kind: 'user', token }), {
      type: 'start', attempt: 1, ephemeral: PrivateKey.fromBytes(r(32)), nonce: r(32), decoySeed: r(32),
    });
    const out = GreeterMachine.transition(t.state, { type: 'peer', step: 2, data: new Uint8Array(0) });
    expect(out.state).toMatchObject({ status: 'cancelled', reason: 'protocol-error' });
  });

  it('a malformed part (wrong length, wrong trust mark, small-order key) → protocol-error', async () => {
    const { org, token, link } = await startedPair();
    for (const [victim, step, data] of [
      ['greeter', 0, new Uint8Array(31)],
      ['greeter', 1, new Uint8Array(33)],
      ['claimer', 2, new Uint8Array(0)],
      ['greeter', 4, new Uint8Array([2])],
      ['greeter', 6, new Uint8Array(27)], // shorter than nonce + tag: refused before decryption
      ['greeter', 6, new Uint8Array(64 * 1024 + 1)], // larger than any payload: refused before decryption (memory bound)
      // All-zero X25519 point: small order → weak shared secret. (Against the greeter the
      // commitment over the real key fails first; the claimer has no commitment to check.)
      ['claimer', 0, new Uint8Array(32)],
    ] as const) {
      const parties = await runParties({
        kind: 'user',
        token,
        parties: pairSpecs(org, link, 22),
        wire: (_f, to, s, d) => (to === victim && s === step ? data : d),
      });
      expect(parties.get(victim)!.state).toMatchObject({ status: 'cancelled', reason: 'protocol-error' });
    }
  });

  it('terminal states absorb every event; unexpected events cancel (protocol-error)', async () => {
    const { token } = await startedPair();
    const idle = GreeterMachine.initial({ kind: 'user', token });
    const weird = GreeterMachine.transition(idle, { type: 'picked', code: 'AAAA' });
    expect(weird.state).toMatchObject({ status: 'cancelled', reason: 'protocol-error' });
    const again = GreeterMachine.transition(weird.state, { type: 'cancel' });
    expect(again.state).toBe(weird.state);
    expect(again.effects).toEqual([]);
    expect(() =>
      GreeterMachine.transition(idle, { type: 'start', attempt: 0, ephemeral: PrivateKey.fromBytes(new Uint8Array(32).fill(9)), nonce: new Uint8Array(32), decoySeed: new Uint8Array(32) }),
    ).toThrow(expect.objectContaining({ code: 'argument/invalid' }));
  });

  it('a malformed start event (short nonce, short decoy seed) is a shell bug: ArgumentError, no transition', async () => {
    // A short nonce would shrink the SAS search space a man in the middle must cover; a short
    // decoy seed would make the decoy codes (and the right code's position) guessable.
    const { token } = await startedPair();
    const idle = GreeterMachine.initial({ kind: 'user', token });
    const ephemeral = PrivateKey.fromBytes(new Uint8Array(32).fill(9));
    for (const machine of [GreeterMachine, ClaimerMachine]) {
      const start = machine.initial({ kind: 'user', token });
      expect(() => machine.transition(start, { type: 'start', attempt: 1, ephemeral, nonce: new Uint8Array(31), decoySeed: new Uint8Array(32) })).toThrow(
        expect.objectContaining({ code: 'argument/invalid' }),
      );
      expect(() => machine.transition(start, { type: 'start', attempt: 1, ephemeral, nonce: new Uint8Array(32), decoySeed: new Uint8Array(15) })).toThrow(
        expect.objectContaining({ code: 'argument/invalid' }),
      );
      expect(machine.transition(start, { type: 'start', attempt: 1, ephemeral, nonce: new Uint8Array(32), decoySeed: new Uint8Array(16) }).state.status).not.toBe('idle');
    }
    expect(idle.status).toBe('idle');
  });

  it('transitions are pure: replaying the same events gives the same states and effects', async () => {
    const { org, token, link } = await startedPair();
    const parties = await runParties({ kind: 'user', token, parties: pairSpecs(org, link, 23) });
    for (const p of parties.values()) {
      const replay = (): unknown[] => {
        let s = p.machine.initial({ kind: 'user', token });
        const out: unknown[] = [];
        for (const e of p.events) {
          const t = p.machine.transition(s, e);
          s = t.state;
          out.push(t.state.status, t.effects);
        }
        return out;
      };
      expect(replay()).toEqual(replay());
    }
  });
});

describe('claimer checks on the confirmation (each → inconsistent-payload)', () => {
  const variants: [string, (u: Record<string, unknown>, d: Record<string, unknown>) => void][] = [
    ['control: no mutation completes', () => {}],
    ['device certificate for another user', (_u, d) => (d.userId = '00'.repeat(16))],
    ['another device label', (_u, d) => (d.deviceLabel = 'not-requested')],
    ['device signed by the root key', (_u, d) => (d.author = null)],
    ['user and device timestamps differ', (_u, d) => (d.timestamp = (d.timestamp as number) + 1)],
    ['user and device authors differ', (u) => (u.author = '11'.repeat(16))],
    ['another email', (u) => (u.humanHandle = { email: 'eve@example.com', label: 'Bob' })],
    // The greeter would otherwise make the new user's sealed secrets go to a key it chose.
    ['user certificate about another user key', (u) => (u.publicKey = PrivateKey.fromBytes(new Uint8Array(32).fill(5)).publicKey)],
  ];
  for (const [name, mutate] of variants) {
    it(name, async () => {
      const { org, token, link } = await setup();
      const specs = pairSpecs(org, link, 40);
      const { userClaimDocument, userConfirmationDocument } = await import('../../src/sas/index.js');
      const { signCertificate } = await import('../../src/certificates/index.js');
      const { PublicKey, VerifyKey } = await import('../../src/keys/index.js');
      const key = org.boot.device.signingKey;
      const evil = {
        async processClaim(_kind: 'user' | 'device', claim: Uint8Array) {
          const doc = userClaimDocument.decode(claim);
          const t = org.clock();
          const user: Record<string, unknown> = {
            type: 'user', author: org.boot.device.deviceId, timestamp: t, userId: 'ab'.repeat(16),
            humanHandle: { email: 'bob@example.com', label: 'Bob' }, publicKey: PublicKey.fromBytes(doc.user_public_key), profile: 'STANDARD',
          };
          const device: Record<string, unknown> = {
            type: 'device', author: org.boot.device.deviceId, timestamp: t, userId: 'ab'.repeat(16), deviceId: 'cd'.repeat(16),
            deviceLabel: doc.requested_device_label, verifyKey: VerifyKey.fromBytes(doc.device_verify_key),
          };
          mutate(user, device);
          const confirmation = userConfirmationDocument.encode({
            user_certificate: await signCertificate(key, user as never, org.store.nextLink('common')),
            device_certificate: await signCertificate(key, device as never, org.store.nextLink('common')),
          });
          return { ok: true as const, confirmation, outcome: null };
        },
      };
      const parties = await runParties({ kind: 'user', token, parties: [{ ...specs[0]!, backend: evil }, specs[1]!] });
      if (name.startsWith('control')) expect(parties.get('claimer')!.state.status).toBe('done');
      else expect(cancelled(parties.get('claimer')!)).toEqual({ reason: 'inconsistent-payload', by: 'self' });
    });
  }
});
