/**
 * Page entry for the browser scenarios: one device per page, driven by the Node test through
 * `window.app`. Everything here is what a web app would do with the public API: HTTP transports
 * to a server on another origin, the device kept in IndexedDB under a password, the client's
 * local state in IndexedDB.
 */
import { Client, bootstrapDevice, claimInvitation, type GreeterInvitation } from '../../../src/client/index.js';
import { fromBase64Url } from '../../../src/bytes.js';
import type { OrganizationId, RealmId, UserId } from '../../../src/codec/ids.js';
import type { SasCode, SasUi } from '../../../src/sas/index.js';
import { DeviceFileStore, type LocalDevice } from '../../../src/storage/index.js';
import { IndexedDbStorage } from '../../../src/storage/indexeddb/index.js';
import { HttpAnonymousTransport, HttpTransport } from '../../../src/transport/index.js';

/** Test-only Argon2 cost: the real default (64 MiB, t = 3) is right for users, slow for CI. */
const KDF = { argon2: { memoryKiB: 1024, iterations: 1 }, allowWeak: true } as const;
const SLOT = 'me';

let server = { url: '', organizationId: '' as OrganizationId };
let client: Client | null = null;
let greeting: Promise<unknown> | null = null;
let claiming: Promise<LocalDevice> | null = null;

/** What the person in front of this page sees and does during SAS. */
const sas = { shown: null as SasCode | null, candidates: null as SasCode[] | null, answer: null as ((c: SasCode | null) => void) | null };
const ui: SasUi = {
  showCode(code) {
    sas.shown = code;
  },
  pickCode(candidates) {
    sas.candidates = [...candidates];
    return new Promise((resolve) => (sas.answer = resolve));
  },
};

const devices = async (): Promise<DeviceFileStore> => new DeviceFileStore(await IndexedDbStorage.open('sealsync-devices'));
const transportOf = (d: LocalDevice, url = server.url): HttpTransport =>
  new HttpTransport({ url, credentials: { organizationId: d.organizationId, deviceId: d.deviceId, signingKey: d.signingKey } });

async function openClient(device: LocalDevice, url?: string): Promise<Client> {
  const storage = await IndexedDbStorage.open(`sealsync-${device.deviceId}`);
  client = await Client.open({ device, transport: transportOf(device, url), storage });
  return client;
}

function need(): Client {
  if (client === null) throw new Error('no client open in this page');
  return client;
}

const app = {
  configure(url: string, organizationId: string): void {
    server = { url, organizationId: organizationId as OrganizationId };
  },

  async bootstrap(bootstrapToken: string, email: string, password: string): Promise<string> {
    const device = await bootstrapDevice({
      transport: new HttpAnonymousTransport(server),
      organizationId: server.organizationId,
      bootstrapToken: fromBase64Url(bootstrapToken),
      humanHandle: { email, label: email.split('@')[0]! },
      deviceLabel: 'browser',
      serverUrl: server.url,
    });
    await (await devices()).save(SLOT, device, password, KDF);
    await (await openClient(device)).syncCertificates();
    return device.userId;
  },

  async invite(email: string): Promise<string> {
    const invitation: GreeterInvitation = await need().inviteUser(email);
    greeting = invitation.greet(ui);
    greeting.catch(() => undefined);
    return invitation.link;
  },

  claim(link: string, email: string): void {
    claiming = claimInvitation(link, new HttpAnonymousTransport(server), {
      ui,
      deviceLabel: 'browser',
      humanHandle: { email, label: email.split('@')[0]! },
      serverUrl: server.url,
    });
    claiming.catch(() => undefined);
  },

  sasState: () => ({ shown: sas.shown, candidates: sas.candidates, waiting: sas.answer !== null }),

  pick(code: string | null): void {
    const answer = sas.answer;
    sas.answer = null;
    answer?.(code as SasCode | null);
  },

  async greetDone(): Promise<void> {
    await greeting;
  },

  /** The claim finished: the device is saved. Its certificates exist once the greeter's side is done. */
  async claimDone(password: string): Promise<string> {
    const device = await claiming!;
    await (await devices()).save(SLOT, device, password, KDF);
    return device.userId;
  },

  /** After both sides are done (the greeter has uploaded the new certificates). */
  async openClaimed(): Promise<void> {
    const device = await claiming!;
    await (await openClient(device)).syncCertificates();
  },

  async createShared(name: string, withUser: string): Promise<string> {
    const ws = await need().createWorkspace(name);
    await ws.share(withUser as UserId, 'CONTRIBUTOR');
    return ws.id;
  },

  async write(realm: string, path: string, text: string): Promise<void> {
    const ws = await need().workspace(realm as RealmId);
    await ws.writeFile(path, new TextEncoder().encode(text));
    await ws.sync();
  },

  async syncAndRead(realm: string, path: string): Promise<string> {
    const c = need();
    await c.sync();
    const ws = await c.workspace(realm as RealmId);
    return new TextDecoder().decode(await ws.readFile(path));
  },

  async close(): Promise<void> {
    await client?.close();
    client = null;
  },

  /**
   * After a reload: the device from IndexedDB (password), its local state from IndexedDB, and a
   * server URL where nothing answers, so that whatever is read comes from this browser.
   */
  async resumeOffline(password: string, realm: string, path: string): Promise<{ userId: string; slots: string[]; names: string[]; text: string }> {
    const store = await devices();
    const device = await store.load(SLOT, password, { allowWeak: true });
    if (device === undefined) throw new Error('no device in IndexedDB');
    const c = await openClient(device, 'http://127.0.0.1:9/');
    const ws = await c.workspace(realm as RealmId);
    const names = (await ws.list('/')).map((e) => e.name);
    const text = new TextDecoder().decode(await ws.readFile(path));
    return { userId: device.userId, slots: await store.list(), names, text };
  },
};

Object.assign(globalThis, { app });
document.title = 'ready';
