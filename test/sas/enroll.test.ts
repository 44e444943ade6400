import { describe, expect, it } from 'vitest';
import { COMMON_TOPIC } from '../../src/certificates/index.js';
import { claim, greet, MemoryInviteRelay, sameCertificates } from '../../src/sas/index.js';
import { humans, invitation, organization, rng } from './helpers.js';

describe('enrollment over the memory relay', () => {
  it('user invitation: Alice (ADMIN) enrolls Bob; certificates accepted by the store', async () => {
    const org = await organization();
    const relay = new MemoryInviteRelay();
    const { token, link } = invitation(relay, org, 'user');
    const h = humans();
    const [g, c] = await Promise.all([
      greet({
        token,
        transport: relay.transport(token, 'greeter'),
        ui: h.greeter,
        context: { kind: 'user', author: { deviceId: org.boot.device.deviceId, signingKey: org.boot.device.signingKey }, email: 'bob@example.com', clock: org.clock, link: () => org.store.nextLink('common') },
        random: rng('greeter', 1),
      }),
      claim({
        link,
        transport: relay.transport(token, 'claimer'),
        ui: h.claimer,
        requestedDeviceLabel: 'bob-phone',
        requestedHumanHandle: { email: 'bob@example.com', label: 'Bob' },
        random: rng('claimer', 1),
      }),
    ]);
    expect(g.status).toBe('done');
    expect(c.status).toBe('done');
    if (g.status !== 'done' || c.status !== 'done') return;
    expect(g.outcome.kind).toBe('user');
    expect(sameCertificates(g.outcome.certificates, c.device.certificates)).toBe(true);
    await org.store.ingest(COMMON_TOPIC, g.outcome.certificates);
    const bob = org.store.getUser(c.device.userId);
    expect(bob?.humanHandle).toEqual({ email: 'bob@example.com', label: 'Bob' });
    expect(bob?.profile).toBe('STANDARD');
    expect(bob?.publicKey.equals(c.device.userPrivateKey.publicKey)).toBe(true);
    expect(org.store.getDevice(c.device.deviceId)?.verifyKey.equals(c.device.signingKey.verifyKey)).toBe(true);
    expect(c.device.rootVerifyKey.equals(org.boot.rootVerifyKey)).toBe(true);
    expect(relay.isUsed(token)).toBe(true);
  });
});
