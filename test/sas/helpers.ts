import { bootstrapOrganization, CertificateStore, COMMON_TOPIC } from '../../src/certificates/index.js';
import { newId, type InvitationToken, type OrganizationId } from '../../src/codec/ids.js';
import type { Clock } from '../../src/codec/timestamps.js';
import {
  MemoryInviteRelay,
  newInvitationToken,
  seededRandom,
  type InvitationKind,
  type InvitationLink,
  type SasCode,
  type SasUi,
} from '../../src/sas/index.js';
import { utf8Encode } from '../../src/bytes.js';

/** A clock that ticks 1 s per call from a fixed start (store timestamps must increase). */
export function tickingClock(start = 1_700_000_000_000_000): Clock {
  let t = start;
  return () => (t += 1_000_000);
}

export function rng(label: string, seed: number) {
  return seededRandom(utf8Encode(`${label}/${seed}`));
}

export async function organization() {
  const clock = tickingClock();
  const boot = await bootstrapOrganization({ humanHandle: { email: 'alice@example.com', label: 'Alice' }, deviceLabel: 'alice-laptop', clock });
  const store = await CertificateStore.open({ rootVerifyKey: boot.rootVerifyKey });
  await store.ingest(COMMON_TOPIC, boot.certificates);
  const organizationId = newId<OrganizationId>();
  return { boot, store, clock, organizationId };
}

export function invitation(
  relay: MemoryInviteRelay,
  org: Awaited<ReturnType<typeof organization>>,
  kind: InvitationKind,
): { token: InvitationToken; link: InvitationLink } {
  const token = newInvitationToken();
  relay.createInvitation(token, kind);
  return { token, link: { host: 'sealsync.example.com', organizationId: org.organizationId, kind, token, rootVerifyKey: org.boot.rootVerifyKey } };
}

/**
 * Two humans on the phone: each side's shown code goes on a board, the other side's picker waits
 * for it and picks it if it is among the candidates (else "none").
 */
export function humans(opts: { greeterPicks?: (c: readonly SasCode[], shown: SasCode) => SasCode | null; claimerPicks?: (c: readonly SasCode[], shown: SasCode) => SasCode | null } = {}) {
  const shown: { greeter?: SasCode; claimer?: SasCode } = {};
  const seen: { greeter: readonly SasCode[][]; claimer: readonly SasCode[][] } = { greeter: [], claimer: [] };
  const waiting: { greeter: ((c: SasCode) => void)[]; claimer: ((c: SasCode) => void)[] } = { greeter: [], claimer: [] };
  const honest = (c: readonly SasCode[], code: SasCode) => (c.includes(code) ? code : null);
  const ui = (me: 'greeter' | 'claimer'): SasUi => {
    const peer = me === 'greeter' ? 'claimer' : 'greeter';
    const strategy = (me === 'greeter' ? opts.greeterPicks : opts.claimerPicks) ?? honest;
    return {
      showCode(code) {
        shown[me] = code;
        for (const w of waiting[peer].splice(0)) w(code);
      },
      async pickCode(candidates) {
        (seen[me] as SasCode[][]).push([...candidates]);
        const peerCode = shown[peer] ?? (await new Promise<SasCode>((resolve) => waiting[me].push(resolve)));
        return strategy(candidates, peerCode);
      },
    };
  };
  return { greeter: ui('greeter'), claimer: ui('claimer'), shown, seen };
}

import { claimerBackend, ClaimerMachine, greeterBackend, GreeterMachine, type GreeterContext } from '../../src/sas/index.js';
import type { PartySpec } from './pure-harness.js';
import type { RandomSource } from '../../src/sas/index.js';

/** Greeter + claimer specs for the pure harness (user invitation by Alice unless `kind` is device). */
export function pairSpecs(
  org: Awaited<ReturnType<typeof organization>>,
  link: InvitationLink,
  seed: number,
  over: { greeter?: Partial<PartySpec>; claimer?: Partial<PartySpec>; claimerEmail?: string; random?: RandomSource } = {},
): PartySpec[] {
  const author = { deviceId: org.boot.device.deviceId, signingKey: org.boot.device.signingKey };
  const context: GreeterContext =
    link.kind === 'user'
      ? { kind: 'user', author, email: 'bob@example.com', clock: org.clock, link: () => org.store.nextLink('common') }
      : { kind: 'device', author, userId: org.boot.user.userId, userPrivateKey: org.boot.user.privateKey, userCertificate: org.boot.certificates[0]!, clock: org.clock, link: () => org.store.nextLink('common') };
  return [
    { name: 'greeter', machine: GreeterMachine, backend: greeterBackend(context), random: rng('g', seed), peer: 'claimer', codeFrom: 'claimer', ...over.greeter },
    {
      name: 'claimer',
      machine: ClaimerMachine,
      backend: claimerBackend({
        kind: link.kind,
        organizationId: link.organizationId,
        rootVerifyKey: link.rootVerifyKey,
        requestedDeviceLabel: 'bob-phone',
        ...(link.kind === 'user' ? { requestedHumanHandle: { email: over.claimerEmail ?? 'bob@example.com', label: 'Bob' } } : {}),
        random: rng('c-keys', seed),
      }),
      random: rng('c', seed),
      peer: 'greeter',
      codeFrom: 'greeter',
      ...over.claimer,
    },
  ];
}
