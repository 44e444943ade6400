/**
 * The quickstart story, shared by `quickstart.ts` (in-process server) and `quickstart-http.ts`
 * (the same server over HTTP): only how a device reaches the server differs.
 */
import type { OrganizationId, RealmId } from '../src/codec/ids.js';
import { bootstrapDevice, claimInvitation, Client, type LocalDevice, type Workspace } from '../src/client/index.js';
import { SealsyncError } from '../src/errors.js';
import { decryptManifest, keyRotationsFromStore, manifestTrustFromStore, openRealmKeysAccess, openRealmKeysBundle, type RealmKeyring } from '../src/manifests/index.js';
import type { SasCode, SasUi } from '../src/sas/index.js';
import { expectOk, type AnonymousTransport, type Transport } from '../src/transport/index.js';

/** How the devices of one organisation reach the server. */
export interface Connection {
  /** Shown in the first line, e.g. "an in-process reference server". */
  readonly where: string;
  readonly organizationId: OrganizationId;
  /** The one-time secret the server operator got when creating the organisation. */
  readonly bootstrapToken: Uint8Array;
  /** Saved in devices, so invitation links name this server. */
  readonly serverUrl?: string;
  anonymous(): AnonymousTransport;
  /** The signed transport of an enrolled device. */
  device(device: LocalDevice): Transport;
  /** When given: stops the server and starts it again on the same data (same URL). */
  restart?(): Promise<void>;
}

const text = (s: string): Uint8Array => new TextEncoder().encode(s);
const str = (b: Uint8Array): string => new TextDecoder().decode(b);

/** Two people on the phone: each reads the code on their screen, the other picks it among four. */
export function people(log: (line: string) => void, greeter: string, claimer: string): { greeter: SasUi; claimer: SasUi } {
  const shown = new Map<string, SasCode>();
  const waiting = new Map<string, (code: SasCode) => void>();
  const person = (me: string, other: string): SasUi => ({
    showCode(code) {
      log(`   ${me}'s screen shows the code ${code}; ${me} reads it to ${other}`);
      shown.set(me, code);
      waiting.get(other)?.(code);
    },
    async pickCode(candidates) {
      const heard = shown.get(other) ?? (await new Promise<SasCode>((resolve) => waiting.set(me, resolve)));
      const pick = candidates.includes(heard) ? heard : null;
      log(`   ${me} is offered ${candidates.join(' ')}, hears ${heard} from ${other} and picks ${pick ?? 'none (abort)'}`);
      return pick;
    },
  });
  return { greeter: person(greeter, claimer), claimer: person(claimer, greeter) };
}

/** "name (size B)" for each entry of a folder. */
async function listing(client: Client, realmId: RealmId): Promise<string> {
  const ws = await client.workspace(realmId);
  return (await ws.list('/')).map((e) => `${e.name} (${e.size} B)`).join(', ');
}

/** Bob's copy of the realm keys he was given (what a removed member walks away with). */
async function keysHeldBy(client: Client, transport: Transport, realmId: RealmId): Promise<RealmKeyring> {
  const certs = client.certificates;
  const rep = expectOk(await transport.send({ cmd: 'realm_get_keys_bundle', realmId, keyIndex: certs.getKeyIndex(realmId) }));
  const bundleKey = await openRealmKeysAccess({ access: rep.keysBundleAccess, realmId, userId: client.userId, privateKey: client.device.userPrivateKey });
  const opened = await openRealmKeysBundle({ bundle: rep.keysBundle, bundleKey, realmId, trust: manifestTrustFromStore(certs), rotations: keyRotationsFromStore(certs, realmId) });
  return opened.keyring;
}

/** "TransportError transport/revoked (message)": the error family (a direct `SealsyncError` subclass) and code. */
function describeError(err: unknown): string {
  if (!(err instanceof SealsyncError)) throw err;
  let proto = Object.getPrototypeOf(err) as object;
  while (Object.getPrototypeOf(proto) !== SealsyncError.prototype && proto !== SealsyncError.prototype) proto = Object.getPrototypeOf(proto) as object;
  return `${(proto as { constructor: { name: string } }).constructor.name} ${err.code} (${err.message})`;
}

/**
 * Step 8 (servers that keep their data): the server restarts; Alice's device, opened with empty
 * local storage so that everything comes from the server, reads every file back, verified.
 */
async function readBackAfterRestart(conn: Connection, device: LocalDevice, realmId: RealmId, ws: Workspace, open: (d: LocalDevice) => Promise<Client>, log: (line: string) => void): Promise<void> {
  const before = new Map<string, string>();
  for (const e of await ws.list('/')) if (e.type === 'file') before.set(e.name, str(await ws.readFile(`/${e.name}`)));
  log('8. The server stops and starts again on its data directory; Alice opens her device with empty local storage.');
  await conn.restart!();
  const fresh = await open(device);
  await fresh.sync();
  const again = await fresh.workspace(realmId);
  for (const [name, content] of before) {
    const read = str(await again.readFile(`/${name}`));
    if (read !== content) throw new Error(`quickstart: /${name} reads back "${read}" after the restart, not "${content}"`);
  }
  log(`   After the restart Alice reads back all ${before.size} files, verified and identical: ${[...before.keys()].sort().join(', ')}.`);
}

/**
 * The whole quickstart: bootstrap, SAS invitation, shared workspace, offline edits and conflict
 * copy, revocation with key rotation. Every step is a line given to `log`. Rejects on any
 * unexpected outcome.
 */
export async function runQuickstart(conn: Connection, log: (line: string) => void): Promise<void> {
  const clients: Client[] = [];
  const open = async (device: LocalDevice): Promise<Client> => {
    const client = await Client.open({ device, transport: conn.device(device) });
    clients.push(client);
    return client;
  };
  try {
    log(`1. The server (${conn.where}) hosts organisation ${conn.organizationId}, waiting for its first admin.`);
    const aliceDevice = await bootstrapDevice({
      transport: conn.anonymous(),
      organizationId: conn.organizationId,
      bootstrapToken: conn.bootstrapToken,
      humanHandle: { email: 'alice@example.org', label: 'Alice' },
      deviceLabel: 'alice-laptop',
      ...(conn.serverUrl !== undefined ? { serverUrl: conn.serverUrl } : {}),
    });
    const alice = await open(aliceDevice);
    await alice.syncCertificates();
    log(`   Alice bootstraps it: user ${alice.userId}, device "alice-laptop", profile ${alice.user(alice.userId)?.profile}.`);

    log('2. Alice invites bob@example.org; Bob claims the link and both compare codes (SAS).');
    const invitation = await alice.inviteUser('bob@example.org');
    log(`   Invitation link sent to Bob: ${invitation.link}`);
    const sas = people(log, 'Alice', 'Bob');
    const [greeted, bobDevice] = await Promise.all([
      invitation.greet(sas.greeter),
      claimInvitation(invitation.link, conn.anonymous(), {
        ui: sas.claimer,
        deviceLabel: 'bob-laptop',
        humanHandle: { email: 'bob@example.org', label: 'Bob' },
        ...(conn.serverUrl !== undefined ? { serverUrl: conn.serverUrl } : {}),
      }),
    ]);
    const bob = await open(bobDevice);
    await bob.syncCertificates();
    log(`   Bob is enrolled: user ${greeted.userId}, device "bob-laptop", profile ${bob.user(bob.userId)?.profile}.`);

    log('3. Alice creates the workspace "Team" and shares it with Bob as CONTRIBUTOR.');
    const ws = await alice.createWorkspace('Team');
    await ws.share(bob.userId, 'CONTRIBUTOR');
    await ws.writeFile('/plan.txt', text('Plan: ship the SDK.'));
    await ws.sync();
    await bob.sync();
    const wsBob = await bob.workspace(ws.id);
    log(`   Bob sees workspace "${await wsBob.name()}" (role ${wsBob.role}) and reads /plan.txt: "${str(await wsBob.readFile('/plan.txt'))}"`);

    log('4. Both go offline and edit /plan.txt.');
    await ws.writeFile('/plan.txt', text('Plan: ship the SDK on Monday.'));
    await wsBob.writeFile('/plan.txt', text('Plan: ship the SDK after the audit.'));
    log('   Alice writes "Plan: ship the SDK on Monday."; Bob writes "Plan: ship the SDK after the audit."');

    log('5. Back online, both sync: the first upload wins the name, the other becomes a conflict copy.');
    bob.on('conflict', (c) => {
      if (c.kind === 'sync') log(`   Bob's sync: /plan.txt changed on both sides; his version is kept as "${c.copyName}".`);
    });
    await ws.sync();
    await wsBob.sync();
    await ws.sync();
    log(`   Alice's listing of /: ${await listing(alice, ws.id)}`);
    log(`   Bob's listing of /: ${await listing(bob, ws.id)}`);
    const copy = (await ws.list('/')).find((e) => e.name.includes('(sync conflict'));
    if (copy === undefined) throw new Error('quickstart: no conflict copy appeared');
    for (const [who, w] of [['Alice', ws], ['Bob', wsBob]] as const) {
      log(`   ${who} reads /plan.txt: "${str(await w.readFile('/plan.txt'))}" and /${copy.name}: "${str(await w.readFile(`/${copy.name}`))}"`);
    }

    log('6. Alice revokes Bob: her device unshares the workspace and rotates its key.');
    const bobKeys = await keysHeldBy(bob, conn.device(bobDevice), ws.id);
    alice.on('auto-rotated', (e) => log(`   Alice's device removed Bob from "Team" and rotated the key: key index ${e.keyIndex - 1} → ${e.keyIndex}.`));
    await alice.revokeUser(bob.userId);
    await ws.writeFile('/roadmap.txt', text('Roadmap: written after Bob left.'));
    await ws.sync();
    log(`   Alice writes /roadmap.txt with key index ${alice.certificates.getKeyIndex(ws.id)}; members now: ${ws.members().map((m) => `${m.userId === alice.userId ? 'Alice' : m.userId} ${m.role}`).join(', ')}.`);

    log('7. Bob can no longer read new data.');
    try {
      await bob.sync();
      throw new Error('quickstart: the server still served the revoked device');
    } catch (err) {
      log(`   Bob's sync is refused by the server: ${describeError(err)}`);
    }
    // Even a server colluding with Bob only has ciphertext under a key Bob never received.
    const roadmap = await ws.stat('/roadmap.txt');
    const item = expectOk(await conn.device(aliceDevice).send({ cmd: 'vlob_read_batch', realmId: ws.id, vlobIds: [roadmap.id] })).items[0]!;
    try {
      await decryptManifest({
        blob: item.blob,
        realmId: ws.id,
        expected: { id: item.vlobId, version: item.version, author: item.author, timestamp: item.timestamp, keyIndex: item.keyIndex },
        realmKeys: bobKeys,
        trust: manifestTrustFromStore(bob.certificates),
      });
      throw new Error('quickstart: Bob decrypted data written after his removal');
    } catch (err) {
      log(`   Handed the encrypted /roadmap.txt by a colluding server, Bob's keys (up to index ${bobKeys.latest().keyIndex}) fail: ${describeError(err)}`);
    }
    log(`   What Bob synced before his removal stays on his device: /plan.txt = "${str(await wsBob.readFile('/plan.txt'))}"`);
    if (conn.restart !== undefined) await readBackAfterRestart(conn, aliceDevice, ws.id, ws, open, log);
    log('Done.');
  } finally {
    for (const c of clients) await c.close();
  }
}
