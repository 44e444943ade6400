/**
 * The web demo's page: one device per browser profile. Everything is the public API as a web app
 * uses it: HTTP transports to a server on another origin, the password-protected device file and
 * the client's local state in IndexedDB, SAS enrollment with the codes on screen.
 * Bundled by `serve.ts` (esbuild) and served with `npm run example:web`.
 */
import { Client, bootstrapDevice, claimInvitation, type Workspace } from '../../src/client/index.js';
import { fromBase64Url } from '../../src/bytes.js';
import type { OrganizationId, UserId } from '../../src/codec/ids.js';
import { SealsyncError } from '../../src/errors.js';
import type { SasCode, SasUi } from '../../src/sas/index.js';
import { DeviceFileStore, type LocalDevice } from '../../src/storage/index.js';
import { IndexedDbStorage, requestPersistentStorage } from '../../src/storage/indexeddb/index.js';
import { HttpAnonymousTransport, HttpTransport } from '../../src/transport/index.js';

interface Config {
  readonly serverUrl: string;
  readonly organizationId: OrganizationId;
  readonly bootstrapToken: string;
  /** Demo only: cheap Argon2 so that unlocking is instant (the default is 64 MiB, t = 3). */
  readonly fastKdf: boolean;
}

const $ = <T extends HTMLElement = HTMLElement>(id: string): T => document.getElementById(id) as T;
const show = (id: string, visible = true): void => void ($(id).hidden = !visible);
const text = (s: string): Uint8Array => new TextEncoder().encode(s);

function log(line: string, cls = ''): void {
  const div = document.createElement('div');
  div.textContent = `${new Date().toLocaleTimeString()}  ${line}`;
  if (cls) div.className = cls;
  $('log').prepend(div);
}

function describe(e: unknown): string {
  return e instanceof SealsyncError ? `${e.constructor.name} ${e.code}: ${e.message}` : String(e);
}

/** Runs a UI action; a failure is shown, never thrown away. */
function action(id: string, fn: () => Promise<void>): void {
  $(id).addEventListener('click', () => {
    fn().catch((e: unknown) => log(describe(e), 'error'));
  });
}

const config: Config = await (await fetch('/config.json')).json();
const kdf = config.fastKdf ? ({ argon2: { memoryKiB: 8192, iterations: 1 }, allowWeak: true } as const) : {};
const devices = new DeviceFileStore(await IndexedDbStorage.open('sealsync-demo-devices'));
let client: Client | null = null;
let workspace: Workspace | null = null;

const sas: SasUi = {
  showCode(code) {
    show('sas');
    $('my-code').textContent = code;
  },
  pickCode(candidates) {
    show('sas');
    show('pick-prompt');
    const box = $('candidates');
    box.replaceChildren();
    return new Promise<SasCode | null>((resolve) => {
      const done = (c: SasCode | null): void => {
        box.replaceChildren();
        show('pick-prompt', false);
        resolve(c);
      };
      for (const c of candidates) {
        const b = document.createElement('button');
        b.className = 'code';
        b.textContent = c;
        b.dataset.code = c;
        b.onclick = () => done(c);
        box.append(b);
      }
      const none = document.createElement('button');
      none.textContent = 'None of these';
      none.onclick = () => done(null);
      box.append(none);
    });
  },
};

async function start(device: LocalDevice): Promise<void> {
  const storage = await IndexedDbStorage.open(`sealsync-demo-${device.deviceId}`);
  const transport = new HttpTransport({ url: config.serverUrl, credentials: { organizationId: device.organizationId, deviceId: device.deviceId, signingKey: device.signingKey } });
  client = await Client.open({ device, transport, storage });
  client.on('conflict', (c) => {
    if (c.kind === 'sync') log(`Conflict: both sides changed a file; this device's version is kept as “${c.copyName}”.`, 'ok');
  });
  $('who').textContent = `${device.humanHandle.label} <${device.humanHandle.email}> · device ${device.deviceId.slice(0, 8)}…`;
  show('start', false);
  show('unlock', false);
  show('workspace');
  log(`Persistent storage: ${await requestPersistentStorage()}.`);
  await client.syncCertificates().catch((e: unknown) => log(`offline: ${describe(e)}`, 'error'));
  if (client.user(client.userId)?.profile === 'ADMIN') show('admin');
  await openFirstWorkspace();
}

async function openFirstWorkspace(): Promise<void> {
  if (client === null || workspace !== null) return;
  const list = await client.workspaces();
  if (list[0] === undefined) return;
  workspace = await client.workspace(list[0].id);
  $('ws-name').textContent = `“${list[0].name ?? list[0].id}” (${list[0].role})`;
  show('create-ws', false);
  await renderFiles();
}

async function renderFiles(): Promise<void> {
  if (workspace === null) return;
  const items = (await workspace.list('/')).map((e) => {
    const li = document.createElement('li');
    li.textContent = `${e.name} — ${e.size} B${e.needSync ? ' (not synced)' : ''}`;
    if (e.name.includes('(sync conflict')) li.className = 'conflict';
    return li;
  });
  $('files').replaceChildren(...items);
}

async function sync(): Promise<void> {
  if (client === null) return;
  $('status').textContent = 'syncing…';
  try {
    await client.sync();
    await openFirstWorkspace();
    log('Synced.', 'ok');
  } finally {
    $('status').textContent = '';
    await renderFiles();
  }
}

action('bootstrap', async () => {
  const email = $<HTMLInputElement>('email').value;
  const device = await bootstrapDevice({
    transport: new HttpAnonymousTransport({ url: config.serverUrl, organizationId: config.organizationId }),
    organizationId: config.organizationId,
    bootstrapToken: fromBase64Url(config.bootstrapToken),
    humanHandle: { email, label: email.split('@')[0]! },
    deviceLabel: navigator.userAgent.includes('Headless') ? 'headless browser' : 'browser',
    serverUrl: config.serverUrl,
  });
  await devices.save('me', device, $<HTMLInputElement>('password').value, kdf);
  log('Organisation created; this device is its first admin. The device file is saved in IndexedDB.', 'ok');
  await start(device);
});

action('claim', async () => {
  const email = $<HTMLInputElement>('email').value;
  log('Claiming the invitation: compare codes with the person who invited you.');
  const device = await claimInvitation($<HTMLInputElement>('link').value.trim(), new HttpAnonymousTransport({ url: config.serverUrl, organizationId: config.organizationId }), {
    ui: sas,
    deviceLabel: 'browser',
    humanHandle: { email, label: email.split('@')[0]! },
    serverUrl: config.serverUrl,
  });
  show('sas', false);
  await devices.save('me', device, $<HTMLInputElement>('password').value, kdf);
  log('Enrolled. The device file is saved in IndexedDB.', 'ok');
  await start(device);
});

action('invite', async () => {
  const email = $<HTMLInputElement>('invite-email').value;
  const invitation = await client!.inviteUser(email);
  $('invite-link').textContent = invitation.link;
  log(`Invitation for ${email} created. Send the link, then compare codes.`);
  const greeted = await invitation.greet(sas);
  show('sas', false);
  log(`${email} joined (user ${greeted.userId.slice(0, 8)}…).`, 'ok');
  renderMember(greeted.userId, email);
});

function renderMember(userId: UserId, email: string): void {
  const p = document.createElement('p');
  p.textContent = `${email} `;
  const share = document.createElement('button');
  share.textContent = `Share workspace with ${email}`;
  share.id = 'share';
  share.onclick = () =>
    void (async () => {
      await workspace!.share(userId, 'CONTRIBUTOR');
      log(`Workspace shared with ${email} as CONTRIBUTOR.`, 'ok');
    })().catch((e: unknown) => log(describe(e), 'error'));
  const revoke = document.createElement('button');
  revoke.textContent = `Revoke ${email}`;
  revoke.id = 'revoke';
  revoke.onclick = () =>
    void (async () => {
      await client!.revokeUser(userId);
      log(`${email} is revoked: removed from the workspace, key rotated.`, 'ok');
    })().catch((e: unknown) => log(describe(e), 'error'));
  p.append(share, revoke);
  $('members').append(p);
}

action('create-ws', async () => {
  workspace = await client!.createWorkspace('Team');
  $('ws-name').textContent = '“Team” (OWNER)';
  show('create-ws', false);
  log('Workspace “Team” created.', 'ok');
});

action('save', async () => {
  const name = $<HTMLInputElement>('file-name').value;
  await workspace!.writeFile(`/${name}`, text($<HTMLTextAreaElement>('file-text').value));
  log(`Saved /${name} in this browser (encrypted in IndexedDB); Sync uploads it.`);
  await renderFiles();
});

action('sync', sync);

async function addFiles(files: FileList | null): Promise<void> {
  for (const f of Array.from(files ?? [])) {
    await workspace!.writeFile(`/${f.name}`, f.stream());
    log(`Added /${f.name} (${f.size} B).`);
  }
  await renderFiles();
}
$('file-input').addEventListener('change', (ev) => void addFiles((ev.target as HTMLInputElement).files).catch((e: unknown) => log(describe(e), 'error')));
$('drop').addEventListener('dragover', (ev) => ev.preventDefault());
$('drop').addEventListener('drop', (ev) => {
  ev.preventDefault();
  void addFiles(ev.dataTransfer?.files ?? null).catch((e: unknown) => log(describe(e), 'error'));
});

action('unlock-button', async () => {
  const device = await devices.load('me', $<HTMLInputElement>('unlock-password').value, kdf.allowWeak ? { allowWeak: true } : {});
  if (device !== undefined) await start(device);
});

if ((await devices.list()).includes('me')) {
  show('start', false);
  show('unlock');
}
document.body.dataset.ready = 'yes';

