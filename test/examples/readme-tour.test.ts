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

describe('README tour: crypto and blocks snippets', () => {
  it('crypto: sign/verify, and a wrong AAD is a typed CryptoError', async () => {
    const { SigningKey, SecretKey } = await import('../../src/keys/index.js');
    const { CryptoError } = await import('../../src/index.js');
    const message = new TextEncoder().encode('hello');
    const device = SigningKey.generate();
    const sig = await device.sign(message);
    expect(await device.verifyKey.verify(message, sig)).toBe(true);
    const key = SecretKey.generate();
    const blob = await key.encrypt(message, new TextEncoder().encode('where it belongs'));
    const err = await key.decrypt(blob, new TextEncoder().encode('somewhere else')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CryptoError);
    expect((err as InstanceType<typeof CryptoError>).code).toBe('crypto/decrypt-failed');
  });

  it('blocks: encode to a map, read a range back', async () => {
    const { encodeFile, readAll } = await import('../../src/blocks/index.js');
    const { newId } = await import('../../src/codec/ids.js');
    const { SecretKey } = await import('../../src/keys/index.js');
    const realm = { realmId: newId<import('../../src/codec/ids.js').RealmId>(), realmKey: SecretKey.generate(), keyIndex: 1 };
    const server = new Map<string, Uint8Array>();
    const file = new Uint8Array(3 * 1024 * 1024).fill(7);
    const { size, blocksize, blocks } = await encodeFile(file, { ...realm, upload: async (b) => void server.set(b.id, b.ciphertext) });
    const range = await readAll(blocks, async (id) => server.get(id), { ...realm, size, blocksize, offset: 1000, length: 5000 });
    expect(range).toEqual(file.subarray(1000, 6000));
    expect(blocks.length).toBe(6);
  });
});
