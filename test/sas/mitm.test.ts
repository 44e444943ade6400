/**
 * A man in the middle sits in the relay and runs one honest-looking machine against each side
 * with its own ephemeral keys (a claimer toward the greeter, a greeter toward the claimer). The
 * humans compare what their screens show. Over SEALSYNC_MITM_SEEDS seeds (default 1,000): the
 * two pairs of codes never both match, every attempt is cancelled by a human pick, and no honest
 * side ever posts an encrypted payload (steps 6–8) that the attacker could decrypt.
 */
import { describe, expect, it } from 'vitest';
import { SigningKey } from '../../src/keys/index.js';
import { newId, type DeviceId } from '../../src/codec/ids.js';
import {
  claimerBackend,
  ClaimerMachine,
  greeterBackend,
  GreeterMachine,
  MemoryInviteRelay,
  type MachineState,
  type SasCode,
} from '../../src/sas/index.js';
import { invitation, organization, pairSpecs, rng } from './helpers.js';
import { runParties } from './pure-harness.js';

const SEEDS = Number(process.env.SEALSYNC_MITM_SEEDS ?? 1000);

const attackerPicks = (_c: readonly SasCode[], _shown: SasCode | undefined, state: MachineState): SasCode | null =>
  // The attacker reads its own screen: it always "confirms" the code its machine expects.
  state.status === 'picking' ? state.expected : null;

describe('man in the middle with substituted ephemeral keys', () => {
  it(`never gets both codes to match nor any encrypted payload (${SEEDS} seeds)`, async () => {
    const org = await organization();
    const { token, link } = invitation(new MemoryInviteRelay(), org, 'device');
    const fakeAuthor = { deviceId: newId<DeviceId>(), signingKey: SigningKey.fromBytes(rng('mallory', 0)(32)) };
    let greeterCodeMatched = 0;
    let claimerCodeMatched = 0;
    let humanCancels = 0;
    for (let seed = 0; seed < SEEDS; seed++) {
      const [greeter, claimer] = pairSpecs(org, link, seed);
      const parties = await runParties({
        kind: 'device',
        token,
        parties: [
          { ...greeter!, peer: 'mallory-as-claimer', codeFrom: 'claimer' },
          { ...claimer!, peer: 'mallory-as-greeter', codeFrom: 'greeter' },
          {
            name: 'mallory-as-claimer',
            machine: ClaimerMachine,
            backend: claimerBackend({ kind: 'device', organizationId: link.organizationId, rootVerifyKey: link.rootVerifyKey, requestedDeviceLabel: 'evil', random: rng('m1-keys', seed) }),
            random: rng('m1', seed),
            peer: 'greeter',
            codeFrom: 'greeter',
            pick: attackerPicks,
          },
          {
            name: 'mallory-as-greeter',
            machine: GreeterMachine,
            backend: greeterBackend({ kind: 'device', author: fakeAuthor, userId: org.boot.user.userId, userPrivateKey: org.boot.user.privateKey, userCertificate: org.boot.certificates[0]!, clock: org.clock, link: () => org.store.nextLink('common') }),
            random: rng('m2', seed),
            peer: 'claimer',
            codeFrom: 'claimer',
            pick: attackerPicks,
          },
        ],
      });
      const g = parties.get('greeter')!;
      const c = parties.get('claimer')!;
      const gs = g.state.session.secrets;
      const cs = c.state.session.secrets;
      const failure = `seed ${seed}`;
      expect(gs, failure).toBeDefined();
      expect(cs, failure).toBeDefined();
      // Each honest side shares a key with the attacker, never with the other honest side.
      expect(gs!.channelKey.equals(cs!.channelKey), failure).toBe(false);
      const gMatch = gs!.greeterCode === cs!.greeterCode;
      const cMatch = gs!.claimerCode === cs!.claimerCode;
      if (gMatch) greeterCodeMatched++;
      if (cMatch) claimerCodeMatched++;
      expect(gMatch && cMatch, failure).toBe(false);
      // Both honest sides end cancelled, never done; the first cancel is a human's wrong/none pick.
      expect(g.state.status, failure).toBe('cancelled');
      expect(c.state.status, failure).toBe('cancelled');
      const reasons = [g.state, c.state].map((s) => (s.status === 'cancelled' ? s.reason : s.status));
      expect(reasons, failure).toContain('invalid-sas-code');
      if (reasons.includes('invalid-sas-code')) humanCancels++;
      // No encrypted payload ever left an honest side.
      for (const p of [g, c]) expect([...p.posted.keys()].filter((s) => s >= 6), failure).toEqual([]);
    }
    expect(humanCancels).toBe(SEEDS);
    console.info(`MITM over ${SEEDS} seeds: greeter code matched ${greeterCodeMatched}×, claimer code matched ${claimerCodeMatched}×, both 0×; ${humanCancels} attempts cancelled by a human pick`);
  });
});
