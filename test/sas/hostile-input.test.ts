/**
 * Hostile input for the SAS exchange: everything a peer or the relay can put on the wire, and
 * everything a malicious peer holding the channel key can put inside a payload, must end in a
 * typed cancel or a `SealsyncError` — never in a crash with a TypeError/RangeError that would
 * leave the application with a half-run enrollment (DESIGN §3, §5).
 *
 * Deterministic: fixed seed (override with SEALSYNC_FUZZ_SEED; fast-check prints the seed and the
 * counterexample on failure); more runs with SEALSYNC_FUZZ_RUNS.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { concatBytes } from '../../src/bytes.js';
import { decodeCbor, encodeCbor, type CborValue } from '../../src/codec/cbor.js';
import { InvitationError } from '../../src/errors.js';
import {
  claimerBackend,
  deviceClaimDocument,
  deviceConfirmationDocument,
  executeCompute,
  greeterBackend,
  MemoryInviteRelay,
  newInvitationToken,
  userClaimDocument,
  userConfirmationDocument,
  type ComputeResult,
} from '../../src/sas/index.js';
import { invitation, organization, pairSpecs } from './helpers.js';
import { runParties } from './pure-harness.js';
import { fuzzSettings, onlySealsyncErrors } from '../support/hostile.js';

const { params } = fuzzSettings(20261124, 100);

const cborValue: fc.Arbitrary<CborValue> = fc.letrec<{ v: CborValue }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small' },
    fc.constant(null),
    fc.boolean(),
    fc.integer(),
    fc.string({ maxLength: 20 }),
    fc.uint8Array({ maxLength: 80 }),
    fc.constantFrom(new Uint8Array(32), new Uint8Array(64), new Uint8Array(65)),
    fc.array(tie('v'), { maxLength: 3 }),
    fc.array(fc.tuple(fc.string({ maxLength: 8 }), tie('v')), { maxLength: 3 }).map((es) => new Map(es) as CborValue),
  ),
})).v;

function mutatedBytes(valid: Uint8Array): fc.Arbitrary<Uint8Array> {
  return fc.oneof(
    fc.array(fc.tuple(fc.nat(valid.length - 1), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 4 }).map((edits) => {
      const out = valid.slice();
      for (const [i, x] of edits) out[i] = out[i]! ^ x;
      return out;
    }),
    fc.nat(valid.length - 1).map((n) => valid.slice(0, n)),
    fc.uint8Array({ minLength: 1, maxLength: 8 }).map((tail) => concatBytes(valid, tail)),
  );
}

/**
 * A valid payload document with one field replaced by an arbitrary value or by mutated bytes of
 * itself (a signed certificate with flipped bytes reaches the certificate parser), or removed.
 */
function mutatedPayload(valid: Uint8Array): fc.Arbitrary<Uint8Array> {
  const base = decodeCbor(valid) as Map<string, CborValue>;
  const fields = [...base.keys()].filter((k) => k !== 'type' && k !== 'v');
  const byteFields = fields.filter((k) => base.get(k) instanceof Uint8Array);
  const asBytes = (m: Map<string, CborValue>): Uint8Array | null => {
    try {
      return encodeCbor(m);
    } catch {
      return null;
    }
  };
  return fc
    .oneof(
      fc.tuple(fc.constantFrom(...fields, 'type', 'v'), cborValue).map(([k, v]) => new Map(base).set(k, v)),
      fc.constantFrom(...byteFields).chain((k) => mutatedBytes(base.get(k) as Uint8Array).map((b) => new Map(base).set(k, b))),
      fc.constantFrom(...fields).map((k) => {
        const m = new Map(base);
        m.delete(k);
        return m;
      }),
    )
    .map(asBytes)
    .filter((b): b is Uint8Array => b !== null);
}

async function realPayloads(kind: 'user' | 'device') {
  const org = await organization();
  const { link } = invitation(new MemoryInviteRelay(), org, kind);
  const [g, c] = pairSpecs(org, link, 7);
  const claimer = c!.backend as ReturnType<typeof claimerBackend>;
  const greeter = g!.backend as ReturnType<typeof greeterBackend>;
  const { claim, pending } = await claimer.prepareClaim(kind);
  const r = await greeter.processClaim(kind, claim);
  if (!r.ok) throw new Error(`fixture: ${r.detail}`);
  return { org, greeter, claimer, claim, pending, confirmation: r.confirmation };
}

function expectClassified(r: ComputeResult): void {
  expect(r.op === 'process-claim' || r.op === 'process-confirmation').toBe(true);
  if ('ok' in r && r.ok === false) expect(typeof r.detail).toBe('string');
}

describe('hostile input: SAS payloads and wire parts', () => {
  it('payload documents: random and mutated bytes only ever fail with sealsync errors', async () => {
    const docs = [userClaimDocument, userConfirmationDocument, deviceClaimDocument, deviceConfirmationDocument];
    const user = await realPayloads('user');
    const device = await realPayloads('device');
    const valids = [user.claim, user.confirmation, device.claim, device.confirmation];
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 300 }), async (b) => {
        for (const d of docs) await onlySealsyncErrors(() => d.decode(b));
      }),
      params(),
    );
    for (let i = 0; i < docs.length; i++) {
      await fc.assert(fc.asyncProperty(fc.oneof(mutatedBytes(valids[i]!), mutatedPayload(valids[i]!)), (b) => onlySealsyncErrors(() => docs[i]!.decode(b))), params());
    }
  });

  for (const kind of ['user', 'device'] as const) {
    it(`${kind}: a malicious claimer's claim (inside the channel) is classified, never thrown`, async () => {
      const { greeter, claim } = await realPayloads(kind);
      await fc.assert(
        fc.asyncProperty(fc.oneof(fc.uint8Array({ maxLength: 200 }), mutatedBytes(claim), mutatedPayload(claim)), async (bad) => {
          expectClassified(await executeCompute({ op: 'process-claim', kind, claim: bad }, greeter));
        }),
        params(),
      );
    });

    it(`${kind}: a malicious greeter's confirmation (inside the channel) is classified, never thrown`, async () => {
      const { claimer, pending, confirmation } = await realPayloads(kind);
      // Control: the real confirmation is accepted, so the mutations below test the checks.
      const ok = await executeCompute({ op: 'process-confirmation', kind, confirmation, pending }, claimer);
      expect(ok).toMatchObject({ ok: true });
      await fc.assert(
        fc.asyncProperty(fc.oneof(fc.uint8Array({ maxLength: 300 }), mutatedBytes(confirmation), mutatedPayload(confirmation)), async (bad) => {
          const r = await executeCompute({ op: 'process-confirmation', kind, confirmation: bad, pending }, claimer);
          expectClassified(r);
          // An accepted mutation (e.g. flipped signature bytes, which the claimer cannot check
          // before its store ingests the chain) still describes exactly the claimer's own keys.
          if ('ok' in r && r.ok) {
            const device = (r as { outcome: { signingKey: { verifyKey: unknown } } }).outcome;
            expect(device.signingKey).toBe((pending as { signingKey: unknown }).signingKey);
          }
        }),
        params(),
      );
    });
  }

  it('a greeter backend of one kind asked about the other kind refuses with a typed error', async () => {
    const { greeter, claim } = await realPayloads('user');
    await expect(executeCompute({ op: 'process-claim', kind: 'device', claim }, greeter)).resolves.toMatchObject({ ok: false });
  });

  it('random bytes on the wire at any step end both runs typed (done or cancelled), never thrown', async () => {
    const org = await organization();
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('user' as const, 'device' as const),
        fc.constantFrom('greeter', 'claimer'),
        fc.integer({ min: 0, max: 8 }),
        fc.oneof(fc.uint8Array({ maxLength: 120 }), fc.constantFrom(new Uint8Array(32), new Uint8Array([1]), new Uint8Array(28))),
        fc.nat(1000),
        async (kind, victim, step, junk, seed) => {
          const { token, link } = invitation(new MemoryInviteRelay(), org, kind);
          let replaced = false;
          const parties = await runParties({
            kind,
            token,
            parties: pairSpecs(org, link, seed),
            wire: (_from, to, s, d) => {
              if (to !== victim || s !== step) return d;
              replaced = junk.length !== d.length || junk.some((x, i) => x !== d[i]);
              return junk;
            },
          });
          const v = parties.get(victim)!.state;
          expect(['done', 'cancelled']).toContain(v.status);
          if (replaced && step < 8) expect(v.status).toBe('cancelled');
        },
      ),
      params(60),
    );
  });

  it('the relay answers hostile arguments with InvitationError only', async () => {
    const relay = new MemoryInviteRelay();
    const token = newInvitationToken();
    relay.createInvitation(token, 'user');
    const a = relay.join(token, 'greeter');
    relay.join(token, 'claimer');
    const odd = fc.constantFrom<unknown>(-1, 0, 1.5, Number.NaN, Infinity, 9, 2 ** 53, '1', null, undefined);
    await fc.assert(
      fc.asyncProperty(odd, odd, fc.oneof(fc.constantFrom<unknown>('x', null, [1, 2], new Uint8Array(70_000)), fc.uint8Array({ maxLength: 40 })), async (attempt, step, data) => {
        for (const f of [
          () => relay.post(token, attempt as number, 'claimer', step as number, data as Uint8Array),
          () => relay.post(token, a, 'claimer', step as number, data as Uint8Array),
          () => relay.poll(token, attempt as number, 'greeter', step as number),
          () => relay.poll(token, a, 'greeter', step as number),
          () => relay.cancel(token, attempt as number, 'greeter', 'manual'),
        ]) {
          try {
            f();
          } catch (err) {
            expect(err).toBeInstanceOf(InvitationError);
          }
        }
      }),
      params(80),
    );
    expect(() => relay.post(newInvitationToken(), 1, 'greeter', 0, new Uint8Array(32))).toThrow(expect.objectContaining({ code: 'invitation/unknown-token' }));
  });
});
