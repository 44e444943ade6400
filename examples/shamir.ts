/**
 * Shamir recovery (Parsec RFC 1000): Bob picks Alice (weight 2), Carol and Dave (weight 1 each)
 * with a threshold of 3. He loses his only laptop. Carol alone is not enough; Alice and Carol each
 * greet his new phone over SAS, a new device of Bob comes out, and it reads his files.
 *
 *     npx tsx examples/shamir.ts
 */
import { pathToFileURL } from 'node:url';
import { bootstrapDevice, claimInvitation, Client, ShamirRecoveryClaimer, type LocalDevice } from '../src/client/index.js';
import { SealsyncError } from '../src/errors.js';
import { SealsyncServer } from '../src/server/index.js';
import { InProcessAnonymousTransport, InProcessTransport, type DeviceCredentials } from '../src/transport/index.js';
import { people } from './_shared.js';

const text = (s: string): Uint8Array => new TextEncoder().encode(s);
const quiet = (): void => undefined;

/** Runs the example; `log` receives every printed line (`sas` the SAS dialogue, silent by default). */
export async function main(log: (line: string) => void = console.log, sas: (line: string) => void = quiet): Promise<void> {
  const server = await SealsyncServer.open();
  const clients: Client[] = [];
  try {
    const { organizationId, bootstrapToken } = await server.createOrganization();
    const anonymous = new InProcessAnonymousTransport(server, organizationId);
    const open = async (device: LocalDevice): Promise<Client> => {
      const c = await Client.open({ device, transport: new InProcessTransport(server, device) });
      clients.push(c);
      return c;
    };
    const alice = await open(await bootstrapDevice({ transport: anonymous, organizationId, bootstrapToken, humanHandle: { email: 'alice@example.com', label: 'Alice' }, deviceLabel: 'laptop' }));
    const enroll = async (email: string, label: string): Promise<Client> => {
      const invitation = await alice.inviteUser(email);
      const ui = people(sas, 'Alice', label);
      const [, device] = await Promise.all([invitation.greet(ui.greeter), claimInvitation(invitation.link, anonymous, { ui: ui.claimer, deviceLabel: 'laptop', humanHandle: { email, label } })]);
      return open(device);
    };
    const bob = await enroll('bob@example.com', 'Bob');
    const carol = await enroll('carol@example.com', 'Carol');
    const dave = await enroll('dave@example.com', 'Dave');

    const ws = await bob.createWorkspace('Bob’s notes');
    await ws.writeFile('/todo.md', text('call the bank'));
    await ws.sync();
    await bob.shamir.setup({ recipients: new Map([[alice.userId, 2], [carol.userId, 1], [dave.userId, 1]]), threshold: 3 });
    const setup = (await bob.shamir.current())!;
    log(`Bob's recovery: threshold ${setup.threshold}, weights ${[...setup.recipients.values()].sort((a, b) => b - a).join(' + ')}`);
    log(`Carol can help: ${(await carol.shamir.toHelp()).map((s) => s.humanHandle.label).join(', ')}`);

    log('Bob loses his laptop. His new phone gathers shares:');
    const phone = new ShamirRecoveryClaimer(anonymous);
    const help = async (helper: Client, name: string): Promise<void> => {
      const invitation = await helper.shamir.inviteRecovery(bob.userId);
      const ui = people(sas, name, 'Bob');
      await Promise.all([invitation.greet(ui.greeter), phone.addShare(invitation.link, { ui: ui.claimer })]);
      log(`   ${name} greets the phone over SAS: weight ${phone.weight} of ${phone.threshold}`);
    };
    const connect = (c: DeviceCredentials): InProcessTransport => new InProcessTransport(server, c);
    await help(carol, 'Carol');
    try {
      await phone.finish({ deviceLabel: 'phone', connect });
    } catch (err) {
      if (!(err instanceof SealsyncError)) throw err;
      log(`   too early: ${err.code}`);
    }
    await help(alice, 'Alice');
    const device = await phone.finish({ deviceLabel: 'phone', connect });
    const newBob = await open(device);
    await newBob.syncCertificates();
    const [notes] = await newBob.workspaces();
    const again = await newBob.workspace(notes!.id);
    await again.sync();
    log(`Bob's phone is a device of ${device.humanHandle.label} and reads /todo.md: ${new TextDecoder().decode(await again.readFile('/todo.md'))}`);
  } finally {
    for (const c of clients) await c.close();
    await server.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main(console.log, console.log).catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
