/**
 * Enrolment by SAS (DESIGN §5): Alice, the organisation's first ADMIN, invites Bob. Both sides run
 * in this process over the in-memory relay; the two "humans" read their codes to each other.
 *
 *     npx tsx examples/enroll.ts
 */
import { pathToFileURL } from 'node:url';
import { bootstrapOrganization, CertificateStore, COMMON_TOPIC } from '../src/certificates/index.js';
import { newId, type OrganizationId } from '../src/codec/ids.js';
import {
  claim,
  formatInvitationLink,
  greet,
  MemoryInviteRelay,
  newInvitationToken,
  parseInvitationLink,
  summarizeCertificate,
  type SasCode,
  type SasUi,
} from '../src/sas/index.js';

/** Runs the example; `log` receives every printed line. Resolves once Bob is enrolled. */
export async function main(log: (line: string) => void = console.log): Promise<void> {
  // Alice bootstraps the organisation and pins its root key in her certificate store.
  const alice = await bootstrapOrganization({ humanHandle: { email: 'alice@example.com', label: 'Alice' }, deviceLabel: 'alice-laptop' });
  const store = await CertificateStore.open({ rootVerifyKey: alice.rootVerifyKey });
  await store.ingest(COMMON_TOPIC, alice.certificates);
  const organizationId = newId<OrganizationId>();

  // Alice creates an invitation for bob@example.com and sends Bob the link out of band.
  const relay = new MemoryInviteRelay();
  const token = newInvitationToken();
  relay.createInvitation(token, 'user');
  const linkText = formatInvitationLink({ host: 'sealsync.example.com', organizationId, kind: 'user', token, rootVerifyKey: alice.rootVerifyKey });
  log(`invitation link: ${linkText}`);

  // The two humans, on the phone: each reads its own code; the other picks it among four.
  const board: { alice?: SasCode; bob?: SasCode } = {};
  const spoken = new Map<'alice' | 'bob', (code: SasCode) => void>();
  const human = (me: 'alice' | 'bob'): SasUi => {
    const other = me === 'alice' ? 'bob' : 'alice';
    return {
      showCode(code) {
        board[me] = code;
        log(`${me} sees her/his own code ${code} and reads it aloud`);
        spoken.get(other)?.(code);
      },
      async pickCode(candidates) {
        const heard = board[other] ?? (await new Promise<SasCode>((resolve) => spoken.set(me, resolve)));
        log(`${me} is offered ${candidates.join(' ')}, hears ${heard}, picks it`);
        return candidates.includes(heard) ? heard : null;
      },
    };
  };

  const link = parseInvitationLink(linkText);
  const [greeted, claimed] = await Promise.all([
    greet({
      token,
      transport: relay.transport(token, 'greeter'),
      ui: human('alice'),
      context: { kind: 'user', author: { deviceId: alice.device.deviceId, signingKey: alice.device.signingKey }, email: 'bob@example.com', link: () => store.nextLink(COMMON_TOPIC) },
    }),
    claim({
      link,
      transport: relay.transport(token, 'claimer'),
      ui: human('bob'),
      requestedDeviceLabel: 'bob-phone',
      requestedHumanHandle: { email: 'bob@example.com', label: 'Bob' },
    }),
  ]);
  if (greeted.status !== 'done') throw new Error(`greeter cancelled: ${greeted.reason} (${greeted.detail})`);
  if (claimed.status !== 'done') throw new Error(`claimer cancelled: ${claimed.reason} (${claimed.detail})`);

  // Alice's store checks the new certificates against the whole chain of trust.
  await store.ingest(COMMON_TOPIC, greeted.outcome.certificates);
  if (greeted.outcome.kind === 'user') {
    log(`certificate: ${summarizeCertificate(greeted.outcome.userCertificate)}`);
    log(`certificate: ${summarizeCertificate(greeted.outcome.deviceCertificate)}`);
  }
  const bob = claimed.device;
  log(`bob's device: user ${bob.userId}, device ${bob.deviceId} "${bob.deviceLabel}", profile ${bob.profile}`);
  log(`store accepts bob: ${store.getUser(bob.userId)?.humanHandle.email} with ${store.listDevices(bob.userId).length} device`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
