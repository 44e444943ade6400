/**
 * Shamir recovery end to end (Parsec RFC 1000): a user sets up weighted recipients; after losing
 * every device, recipients whose weights reach the threshold each greet the new machine over SAS,
 * and a new device of the same user comes out and reads the user's data. Every refusal leaves
 * nothing behind: no device, no setup change.
 */
import { describe, expect, it } from 'vitest';
import type { UserId } from '../../src/codec/ids.js';
import { COMMON_TOPIC, type CertificateStore } from '../../src/certificates/index.js';
import { RECOVERY_DEVICE_LABEL, ShamirRecoveryClaimer, type Client, type LocalDevice } from '../../src/client/index.js';
import { shamirGreeterBackend, type RecipientPart } from '../../src/client/shamir-sas.js';
import type { SealsyncError } from '../../src/errors.js';
import { sha256 } from '../../src/keys/index.js';
import { drive } from '../../src/sas/drive.js';
import { GreeterMachine } from '../../src/sas/greeter-machine.js';
import { createShamirSetup, openShamirShare, verifyShamirDocument } from '../../src/shamir/index.js';
import { expectOk, greeterInviteTransport, InProcessTransport, isErrorReply, monotonicClock } from '../../src/transport/index.js';
import { SealsyncServer } from '../../src/server/index.js';
import { MemoryStorage } from '../../src/storage/index.js';
import { humans } from '../support/humans.js';
import { closeAfterEach, str, text, World } from './world.js';
import { caught } from '../support/caught.js';


function devicesOf(store: CertificateStore, userId: UserId): number {
  return store.listDevices(userId).length;
}

interface Cast {
  world: World;
  alice: Client;
  bob: Client;
  carol: Client;
  dave: Client;
}

describe('Shamir recovery', () => {
  let world: World;
  const { track } = closeAfterEach(() => world);

  async function cast(mode: 'in-process' | 'http' = 'in-process'): Promise<Cast> {
    world = await World.create(mode);
    const alice = track(await world.open(await world.bootstrap()));
    const bob = track(await world.open(await world.enrollUser(alice, 'bob@example.org', 'Bob')));
    const carol = track(await world.open(await world.enrollUser(alice, 'carol@example.org', 'Carol')));
    const dave = track(await world.open(await world.enrollUser(alice, 'dave@example.org', 'Dave')));
    return { world, alice, bob, carol, dave };
  }

  /** Bob's setup: Alice weighs 2, Carol and Dave 1 each, threshold 3. */
  async function setupBob(c: Cast): Promise<void> {
    await c.bob.shamir.setup({ recipients: new Map([[c.alice.userId, 2], [c.carol.userId, 1], [c.dave.userId, 1]]), threshold: 3 });
  }

  /** One SAS exchange: `helper` greets, the claimer adds its share. */
  async function help(helper: Client, userId: UserId, claimer: ShamirRecoveryClaimer): Promise<void> {
    const invitation = await helper.shamir.inviteRecovery(userId);
    const ui = humans();
    await Promise.all([invitation.greet(ui.greeter), claimer.addShare(invitation.link, { ui: ui.claimer })]);
  }

  /** A recipient relaying whatever part it likes (a dishonest or stale client). */
  async function relay(helper: Client, userId: UserId, part: RecipientPart, claimer: ShamirRecoveryClaimer): Promise<unknown> {
    const rep = expectOk(await world.transport(helper.device).send({ cmd: 'invite_new_shamir_recovery', userId }));
    const { formatInvitationLink } = await import('../../src/sas/invitation.js');
    const link = formatInvitationLink({ host: 'localhost', organizationId: world.organizationId, kind: 'shamir', token: rep.token, rootVerifyKey: helper.device.rootVerifyKey });
    const ui = humans();
    const results = await Promise.allSettled([
      drive({ machine: GreeterMachine, kind: 'shamir', token: rep.token, transport: greeterInviteTransport(world.transport(helper.device), rep.token), backend: shamirGreeterBackend(part), ui: ui.greeter }),
      claimer.addShare(link, { ui: ui.claimer }),
    ]);
    return results[1].status === 'rejected' ? results[1].reason : undefined;
  }

  /** `helper`'s opened part of `userId`'s current setup, as its client would relay it. */
  async function partOf(helper: Client, userId: UserId): Promise<RecipientPart> {
    await helper.syncCertificates();
    const rep = expectOk(await world.transport(helper.device).send({ cmd: 'shamir_recipient_list' }));
    const item = rep.items.find((i) => i.brief.length > 0)!;
    const brief = await verifyShamirDocument(helper.certificates, item.brief, 'shamir_brief');
    expect(brief.userId).toBe(userId);
    const setup = { brief, briefDigest: await sha256(item.brief) };
    const data = await openShamirShare({ trust: helper.certificates, brief: setup, signedShare: item.share, recipient: helper.userId, privateKey: helper.device.userPrivateKey });
    return { userId, brief: item.brief, shareCertificate: item.share, data };
  }

  function finish(claimer: ShamirRecoveryClaimer): Promise<LocalDevice> {
    return claimer.finish({ deviceLabel: 'new phone', connect: (c) => world.transport(c as LocalDevice), clock: world.clock.clock });
  }

  it('weights reaching the threshold bring a new device of the same user back, which reads its data', async () => {
    const c = await cast();
    const ws = await c.bob.createWorkspace('Notes');
    await ws.writeFile('/diary.md', text('dear diary'));
    await ws.sync();
    await setupBob(c);
    const mine = await c.bob.shamir.current();
    expect(mine?.threshold).toBe(3);
    expect([...mine!.recipients.values()].sort()).toEqual([1, 1, 2]);
    expect((await c.carol.shamir.toHelp()).map((s) => s.userId)).toEqual([c.bob.userId]);
    expect(await c.bob.shamir.toHelp()).toEqual([]);
    // Bob's setup added exactly one device: the recovery device, which never runs anywhere.
    await c.alice.syncCertificates();
    expect(devicesOf(c.alice.certificates, c.bob.userId)).toBe(2);

    // Bob lost every device. Alice (2) and Carol (1) help his new machine.
    const claimer = new ShamirRecoveryClaimer(world.anonymous());
    await help(c.alice, c.bob.userId, claimer);
    expect([claimer.weight, claimer.threshold]).toEqual([2, 3]);
    await help(c.carol, c.bob.userId, claimer);
    expect(claimer.weight).toBe(3);
    const device = await finish(claimer);
    expect(device.userId).toBe(c.bob.userId);
    expect(device.humanHandle.email).toBe('bob@example.org');

    const newBob = track(await world.open(device));
    await newBob.syncCertificates();
    const cert = newBob.certificates.getDevice(device.deviceId)!;
    expect(cert.userId).toBe(c.bob.userId);
    // Signed by the recovery device (a device of Bob's own), not by a helper.
    const recovery = newBob.certificates.listDevices(c.bob.userId).find((d) => d.label === RECOVERY_DEVICE_LABEL)!;
    expect(cert.createdBy).toBe(recovery.deviceId);
    const [info] = await newBob.workspaces();
    expect(info!.name).toBe('Notes');
    const again = await newBob.workspace(info!.id);
    await again.sync();
    expect(str(await again.readFile('/diary.md'))).toBe('dear diary');
    // A reveal before the SAS exchange of its invitation is done is refused.
    const replay = await world.anonymous().send({ cmd: 'invited_shamir_reveal', token: (await c.alice.shamir.inviteRecovery(c.bob.userId)).token, revealToken: new Uint8Array(16) });
    expect(isErrorReply(replay) && replay.code).toBe('invitation_out_of_order');
  });

  it('over HTTP with the default rate limits: two SAS exchanges from one address, a new device that reads', async () => {
    const c = await cast('http');
    const ws = await c.bob.createWorkspace('Notes');
    await ws.writeFile('/diary.md', text('over http'));
    await ws.sync();
    await setupBob(c);
    const claimer = new ShamirRecoveryClaimer(world.anonymous());
    await help(c.alice, c.bob.userId, claimer);
    await help(c.dave, c.bob.userId, claimer);
    expect(claimer.weight).toBe(3);
    const newBob = track(await world.open(await finish(claimer)));
    await newBob.syncCertificates();
    const again = await newBob.workspace((await newBob.workspaces())[0]!.id);
    await again.sync();
    expect(str(await again.readFile('/diary.md'))).toBe('over http');
  });

  it('a setup is refused for bad weights, the user itself, an unknown or revoked recipient, and a second setup: nothing stored', async () => {
    const c = await cast();
    await c.alice.revokeUser(c.dave.userId);
    await c.bob.syncCertificates();
    const before = devicesOf(c.bob.certificates, c.bob.userId);
    const attempt = (recipients: [UserId, number][], threshold: number) => caught(c.bob.shamir.setup({ recipients: new Map(recipients), threshold }));
    expect((await attempt([[c.alice.userId, 1], [c.carol.userId, 1]], 1)).code).toBe('shamir/bad-threshold');
    expect((await attempt([[c.alice.userId, 1], [c.carol.userId, 1]], 3)).code).toBe('shamir/bad-threshold');
    expect((await attempt([[c.alice.userId, 0], [c.carol.userId, 2]], 2)).code).toBe('shamir/bad-weight');
    expect((await attempt([[c.bob.userId, 1], [c.carol.userId, 1]], 2)).code).toBe('shamir/author-recipient');
    expect((await attempt([['00'.repeat(16) as UserId, 1], [c.carol.userId, 1]], 2)).code).toBe('shamir/unknown-recipient');
    expect((await attempt([[c.dave.userId, 1], [c.carol.userId, 1]], 2)).code).toBe('shamir/revoked-recipient');

    // The server checks the same rules: a revoked recipient in a hand-made request.
    const t = world.transport(c.bob.device);
    const made = async (signer: LocalDevice, recipients: [UserId, number][]) => {
      const rec = new Map(recipients.map(([u, w]) => [u, { publicKey: c.bob.certificates.getUser(u)!.publicKey, weight: w }]));
      return createShamirSetup({ author: signer, recipients: rec, threshold: 2, timestamp: world.clock.clock(), recoveryData: new Uint8Array(8) });
    };
    const send = async (setup: Awaited<ReturnType<typeof made>>, patch: Partial<{ brief: Uint8Array }> = {}) => {
      const rep = await t.send({ cmd: 'shamir_setup_create', brief: patch.brief ?? setup.brief, shares: [...setup.shares.values()], cipheredData: setup.cipheredData, revealToken: setup.revealToken, recoveryDeviceCertificate: new Uint8Array(80) });
      return isErrorReply(rep) ? `${rep.code}:${'reason' in rep ? rep.reason : ''}` : 'ok';
    };
    expect(await send(await made(c.bob.device, [[c.dave.userId, 1], [c.carol.userId, 1]]))).toBe('invalid_shamir:revoked-recipient');
    // A forged brief: signed by someone else's device, or altered after signing.
    const forgedBy = { ...c.bob.device, deviceId: c.carol.device.deviceId, signingKey: c.carol.device.signingKey };
    expect(await send(await made(forgedBy, [[c.alice.userId, 1], [c.carol.userId, 1]]))).toBe('invalid_shamir:author-unknown');
    const honest = await made(c.bob.device, [[c.alice.userId, 1], [c.carol.userId, 1]]);
    const altered = honest.brief.slice();
    altered[10]! ^= 1;
    expect(await send(honest, { brief: altered })).toBe('invalid_shamir:bad-signature');
    expect(await c.bob.shamir.current()).toBeNull();
    await c.bob.syncCertificates();
    expect(devicesOf(c.bob.certificates, c.bob.userId)).toBe(before);

    // One setup at a time: a change needs a deletion first.
    await c.bob.shamir.setup({ recipients: new Map([[c.alice.userId, 1], [c.carol.userId, 1]]), threshold: 2 });
    const first = await c.bob.shamir.current();
    const second = await caught(c.bob.shamir.setup({ recipients: new Map([[c.alice.userId, 2], [c.carol.userId, 1]]), threshold: 2 }));
    expect(second.code).toBe('transport/invalid_shamir');
    expect((await c.bob.shamir.current())!.createdOn).toBe(first!.createdOn);
    await c.bob.shamir.delete();
    expect(await c.bob.shamir.current()).toBeNull();
    expect((await caught(c.bob.shamir.delete())).code).toBe('shamir/no-setup');
    expect(await c.carol.shamir.toHelp()).toEqual([]);
    expect((await caught(c.carol.shamir.inviteRecovery(c.bob.userId))).code).toBe('shamir/not-recipient');
    const direct = await world.transport(c.carol.device).send({ cmd: 'invite_new_shamir_recovery', userId: c.bob.userId });
    expect(isErrorReply(direct) && direct.code).toBe('not_found');
  });

  it('recovery refusals: not enough weight, a wrong share, a revoked recipient, a forged brief, a deleted setup; no device created', async () => {
    const c = await cast();
    await setupBob(c);
    await c.alice.syncCertificates();
    const devices = (): number => devicesOf(c.alice.certificates, c.bob.userId);
    const before = devices();
    const settle = async (): Promise<number> => (await c.alice.syncCertificates(), devices());

    // Not enough weight: Carol alone (1 of 3). Nothing is asked of the server.
    const few = new ShamirRecoveryClaimer(world.anonymous());
    await help(c.carol, c.bob.userId, few);
    expect((await caught(finish(few))).code).toBe('shamir/not-enough-shares');

    // A wrong share: Carol's client relays an altered share; the combined secret fails the brief's commitment.
    const wrong = new ShamirRecoveryClaimer(world.anonymous());
    await help(c.alice, c.bob.userId, wrong);
    const part = await partOf(c.carol, c.bob.userId);
    const bad = part.data.shares.map((s) => s.slice());
    bad[0]![0]! ^= 0x55;
    expect(await relay(c.carol, c.bob.userId, { ...part, data: { ...part.data, shares: bad } }, wrong)).toBeUndefined();
    expect((await caught(finish(wrong))).code).toBe('shamir/bad-secret');

    // A forged brief: Carol makes up a whole setup of "Bob" (threshold 2, her weight 2) with her own secret.
    const forged = new ShamirRecoveryClaimer(world.anonymous());
    const fake = await createShamirSetup({
      author: { ...c.bob.device, deviceId: c.carol.device.deviceId, signingKey: c.carol.device.signingKey },
      recipients: new Map([[c.carol.userId, { publicKey: c.carol.device.userPrivateKey.publicKey, weight: 2 }], [c.dave.userId, { publicKey: c.dave.device.userPrivateKey.publicKey, weight: 1 }]]),
      threshold: 2,
      timestamp: world.clock.clock(),
      recoveryData: new Uint8Array(8),
    });
    const { readShamirDocument } = await import('../../src/shamir/index.js');
    const fakeBrief = { brief: readShamirDocument(fake.brief, 'shamir_brief').document, briefDigest: fake.briefDigest };
    const fakeData = await openShamirShare({ trust: { getDevice: () => ({ userId: c.bob.userId, verifyKey: c.carol.device.signingKey.verifyKey }), isRevoked: () => false, getUser: () => undefined }, brief: fakeBrief, signedShare: fake.shares.get(c.carol.userId)!, recipient: c.carol.userId, privateKey: c.carol.device.userPrivateKey });
    expect(await relay(c.carol, c.bob.userId, { userId: c.bob.userId, brief: fake.brief, shareCertificate: fake.shares.get(c.carol.userId)!, data: fakeData }, forged)).toBeUndefined();
    const forgedError = await caught(finish(forged));
    expect(forgedError.code).toBe('transport/invalid_shamir');
    expect((forgedError as unknown as { reply: { reason: string } }).reply.reason).toBe('bad-reveal-token');

    // A revoked recipient: Alice and Carol relay, then Carol is revoked before the new device is made.
    const revoked = new ShamirRecoveryClaimer(world.anonymous());
    await help(c.alice, c.bob.userId, revoked);
    await help(c.carol, c.bob.userId, revoked);
    await c.alice.revokeUser(c.carol.userId);
    expect((await caught(finish(revoked))).code).toBe('shamir/revoked-recipient');
    // …and a revoked recipient cannot open an invitation any more.
    expect((await caught(c.carol.shamir.inviteRecovery(c.bob.userId))).code).toBe('transport/revoked');
    expect(await settle()).toBe(before);

    // A deleted setup: shares gathered before the deletion open nothing.
    const late = new ShamirRecoveryClaimer(world.anonymous());
    await help(c.alice, c.bob.userId, late);
    await help(c.dave, c.bob.userId, late);
    await c.bob.shamir.delete();
    expect((await caught(finish(late))).code).toBe('transport/not_found');
    expect(await settle()).toBe(before);
    expect(c.alice.certificates.topicHead(COMMON_TOPIC)).not.toBeNull();
  });

  it('a share replayed from an older setup is refused and not counted', async () => {
    const c = await cast();
    await setupBob(c);
    const old = await partOf(c.dave, c.bob.userId);
    await c.bob.shamir.delete();
    await setupBob(c);
    const claimer = new ShamirRecoveryClaimer(world.anonymous());
    await help(c.alice, c.bob.userId, claimer);
    const refused = await relay(c.dave, c.bob.userId, old, claimer);
    expect((refused as SealsyncError).code).toBe('shamir/stale-share');
    expect(claimer.weight).toBe(2);
    // The same recipient twice is not counted twice either.
    const again = await relay(c.alice, c.bob.userId, await partOf(c.alice, c.bob.userId), claimer);
    expect((again as SealsyncError).code).toBe('shamir/duplicate-share');
    await help(c.dave, c.bob.userId, claimer);
    const device = await finish(claimer);
    expect(device.userId).toBe(c.bob.userId);
  });

  it('a restarted server serves the setup it verified again; a tampered stored setup is refused at open', async () => {
    const storage = new MemoryStorage();
    world = await World.create('in-process', { server: { storage } });
    const alice = track(await world.open(await world.bootstrap()));
    const bob = track(await world.open(await world.enrollUser(alice, 'bob@example.org', 'Bob')));
    const carol = track(await world.open(await world.enrollUser(alice, 'carol@example.org', 'Carol')));
    await bob.shamir.setup({ recipients: new Map([[alice.userId, 1], [carol.userId, 1]]), threshold: 2 });
    const list = async (server: SealsyncServer) =>
      expectOk(await new InProcessTransport(server, carol.device, { clock: monotonicClock(world.clock.clock) }).send({ cmd: 'shamir_recipient_list' }));
    const before = await list(world.server);
    const reopened = await SealsyncServer.open({ clock: world.clock.clock, storage });
    expect(await list(reopened)).toEqual(before);
    await reopened.close();

    const ns = `${world.organizationId}-shamir`;
    const [key] = await storage.list(ns);
    const stored = (await storage.get(ns, key!))!.slice();
    stored[40]! ^= 1; // inside the signed brief
    await storage.put(ns, key!, stored);
    const refused = await caught(SealsyncServer.open({ clock: world.clock.clock, storage }));
    expect(refused.code).toBe('storage/corrupt');
  });
});
