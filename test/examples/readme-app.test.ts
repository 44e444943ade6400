// Keeps the README's "Using sealsync in your app" Node path true: HTTP transports, bootstrap from
// the printed id and token, device file and local state on disk, and a restart that finds both.
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Client, bootstrapDevice } from '../../src/client/index.js';
import { fromBase64Url, parseId, toBase64Url, type LocalDevice, type OrganizationId } from '../../src/index.js';
import { SealsyncServer, createHttpHandler } from '../../src/server/index.js';
import { DeviceFileStore } from '../../src/storage/index.js';
import { FsStorage } from '../../src/storage/fs.js';
import { HttpAnonymousTransport, HttpTransport } from '../../src/transport/index.js';

describe('README: using sealsync in your app (Node)', () => {
  it('bootstraps over HTTP from the printed id and token, and a restart finds the device and its files on disk', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sealsync-readme-app-'));
    const server = await SealsyncServer.open();
    const org = await server.createOrganization();
    const http = createServer(createHttpHandler(server));
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
      // What the app gets from the server's printed lines: the id as hex, the token as base64url.
      const organizationId = parseId<OrganizationId>(String(org.organizationId));
      const bootstrapToken = fromBase64Url(toBase64Url(org.bootstrapToken));
      const anonymous = new HttpAnonymousTransport({ url, organizationId });
      const signed = (d: LocalDevice): HttpTransport =>
        new HttpTransport({ url, credentials: { organizationId, deviceId: d.deviceId, signingKey: d.signingKey } });
      const password = 'correct horse';
      const weak = { argon2: { memoryKiB: 1024, iterations: 1 }, allowWeak: true } as const;

      const device = await bootstrapDevice({ transport: anonymous, organizationId, bootstrapToken,
        humanHandle: { email: 'alice@example.org', label: 'Alice' }, deviceLabel: 'laptop', serverUrl: url });
      const devicesStorage = await FsStorage.open(join(dir, 'devices'));
      await new DeviceFileStore(devicesStorage).save('alice', device, password, weak);
      const client = await Client.open({ device, transport: signed(device), storage: await FsStorage.open(join(dir, 'state')) });
      const ws = await client.createWorkspace('Team');
      await ws.writeFile('/plan.md', new TextEncoder().encode('# Plan'));
      await ws.sync();
      await client.close();
      await devicesStorage.close();

      // "Next start": everything from disk.
      const devices = new DeviceFileStore(await FsStorage.open(join(dir, 'devices')));
      const again = (await devices.load('alice', password, { allowWeak: true }))!;
      expect(again.deviceId).toBe(device.deviceId);
      const reopened = await Client.open({ device: again, transport: signed(again), storage: await FsStorage.open(join(dir, 'state')) });
      const [info] = await reopened.workspaces();
      const text = new TextDecoder().decode(await (await reopened.workspace(info!.id)).readFile('/plan.md'));
      expect(text).toBe('# Plan');
      await reopened.close();
    } finally {
      http.closeAllConnections();
      await new Promise<void>((r) => http.close(() => r()));
      await server.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
