// Keeps the README's "whole system in a few lines" snippet true: same calls, run for real.
import { describe, expect, it } from 'vitest';
import { Client, bootstrapDevice } from '../../src/client/index.js';
import { SealsyncServer } from '../../src/server/index.js';
import { InProcessTransport, InProcessAnonymousTransport } from '../../src/transport/index.js';

describe('README tour', () => {
  it('bootstraps, writes, syncs and reads a range', async () => {
    const server = await SealsyncServer.open();
    const { organizationId, bootstrapToken } = await server.createOrganization();
    const anonymous = new InProcessAnonymousTransport(server, organizationId);

    const aliceDevice = await bootstrapDevice({
      transport: anonymous, organizationId, bootstrapToken,
      humanHandle: { email: 'alice@example.com', label: 'Alice' }, deviceLabel: 'laptop',
    });
    const alice = await Client.open({ device: aliceDevice, transport: new InProcessTransport(server, aliceDevice) });

    const ws = await alice.createWorkspace('Projects');
    await ws.writeFile('/plan.md', new TextEncoder().encode('# Plan'));
    await ws.sync();
    const bytes = await ws.readFile('/plan.md', { offset: 2, length: 4 });
    expect(new TextDecoder().decode(bytes)).toBe('Plan');
    expect(await ws.hasPendingChanges()).toBe(false);
    await alice.close();
    await server.close();
  });
});
