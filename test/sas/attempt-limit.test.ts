/**
 * SAS attempt limit enforced by the machines themselves (issue 19): the relay is the untrusted
 * server, so a relay that lies about attempt numbers must not buy a man in the middle more than
 * `MAX_SAS_ATTEMPTS` guesses.
 */
import { describe, expect, it } from 'vitest';
import { newInvitationToken } from '../../src/sas/invitation.js';
import {
  ClaimerMachine,
  drive,
  GreeterMachine,
  MAX_SAS_ATTEMPTS,
  MemoryAttemptLedger,
  type EnrollmentBackend,
  type InviteTransport,
  type SasCode,
  type SasUi,
  type Step,
} from '../../src/sas/index.js';

const never: SasUi = { showCode() {}, pickCode: () => new Promise<SasCode | null>(() => {}) };
const noBackend = {} as EnrollmentBackend;

/** A relay that says "attempt `n`" on every join and whose peer cancels at once; it records every call. */
function lyingRelay(n: number): InviteTransport & { joins: number; sends: Step[]; cancels: number } {
  return {
    joins: 0,
    sends: [],
    cancels: 0,
    async join() {
      this.joins++;
      return n;
    },
    async send(step) {
      this.sends.push(step);
      return { type: 'ok' };
    },
    async waitPeer() {
      return { type: 'cancelled', reason: 'peer left' };
    },
    async cancel() {
      this.cancels++;
    },
  };
}

describe('SAS attempts counted by the machines', () => {
  for (const machine of [GreeterMachine, ClaimerMachine]) {
    it(`${machine.role}: a relay answering "attempt 1" forever gets ${MAX_SAS_ATTEMPTS} attempts, then none`, async () => {
      const token = newInvitationToken();
      const relay = lyingRelay(1);
      const attempts = new MemoryAttemptLedger();
      const ends = [];
      for (let i = 0; i < MAX_SAS_ATTEMPTS + 3; i++) {
        ends.push(await drive({ machine, kind: 'device', token, transport: relay, backend: noBackend, ui: never, attempts }));
      }
      expect(ends.slice(0, MAX_SAS_ATTEMPTS).every((e) => e.status === 'cancelled' && e.reason === 'peer-cancelled')).toBe(true);
      for (const e of ends.slice(MAX_SAS_ATTEMPTS)) {
        expect(e.status === 'cancelled' && e.reason === 'too-many-attempts' && e.by === 'self').toBe(true);
      }
      // Past the limit the relay was not even asked: no join, nothing posted.
      expect(relay.joins).toBe(MAX_SAS_ATTEMPTS);
      expect(attempts.count(token)).toBe(MAX_SAS_ATTEMPTS);
    });

    it(`${machine.role}: a relay handing out attempt 2000 is refused before anything is posted`, async () => {
      const relay = lyingRelay(2000);
      const end = await drive({ machine, kind: 'user', token: newInvitationToken(), transport: relay, backend: noBackend, ui: never, attempts: new MemoryAttemptLedger() });
      expect(end.status).toBe('cancelled');
      expect(end.status === 'cancelled' && end.reason === 'too-many-attempts' && end.by === 'self').toBe(true);
      expect(relay.sends).toEqual([]); // no key, no commitment: nothing of the attempt left this side
      expect(relay.cancels).toBe(1); // the relay (and through it the peer) is told
    });
  }

  it('ledgers are per invitation', async () => {
    const attempts = new MemoryAttemptLedger();
    const a = newInvitationToken();
    for (let i = 0; i < MAX_SAS_ATTEMPTS; i++) attempts.record(a);
    const b = newInvitationToken();
    const end = await drive({ machine: GreeterMachine, kind: 'device', token: b, transport: lyingRelay(1), backend: noBackend, ui: never, attempts });
    expect(end.status === 'cancelled' && end.reason).toBe('peer-cancelled');
  });
});
