/**
 * Hostile server, "nothing is done until it is seen": a transport between a real client and a real
 * `SealsyncServer` acknowledges certificate commands it never delivers, or hides what it stored.
 * Each operation fails with `transport/not-confirmed`, the local state is unchanged, and no key is
 * ever sealed to a user whose removal this device signed. Once the lie stops, the next certificate
 * sync resumes the interrupted removal.
 */
import { describe, expect, it } from 'vitest';
import type { UserId } from '../../src/codec/ids.js';
import { readCertificate, signCertificate } from '../../src/certificates/index.js';
import type { Client, Workspace } from '../../src/client/index.js';
import type { AuthenticatedRequest } from '../../src/transport/index.js';
import { caught } from '../support/caught.js';
import { HostileTransport } from './hostile.js';
import { closeAfterEach, text, World } from './world.js';

/** Every `realm_rotate_key` this device sent: the users it sealed the new key to. */
function sealedTo(seen: readonly AuthenticatedRequest[]): UserId[][] {
  return seen.flatMap((r) => (r.cmd === 'realm_rotate_key' ? [[...r.keysBundleAccesses.keys()]] : []));
}

const ACK = { status: 'ok' };

describe('lying server: acknowledged but not delivered', () => {
  let world: World;
  const { track } = closeAfterEach(() => world);

  /** Alice (ADMIN, OWNER; her transport lies) and Bob (honest), sharing workspace W unless `share` is false. */
  async function setup(share = true): Promise<{ alice: Client; bob: Client; hostile: HostileTransport; ws: Workspace }> {
    world = await World.create('in-process', { blocksize: 4096 });
    let hostile!: HostileTransport;
    const alice = track(await world.open(await world.bootstrap(), { wrap: (t) => (hostile = new HostileTransport(t)) }));
    await alice.syncCertificates();
    const bob = track(await world.open(await world.enrollUser(alice, 'bob@example.org', 'Bob')));
    await bob.syncCertificates();
    const ws = await alice.createWorkspace('W');
    if (share) await ws.share(bob.userId, 'CONTRIBUTOR');
    await ws.writeFile('/before.txt', text('before'));
    await ws.sync();
    return { alice, bob, hostile, ws };
  }

  it('a revocation acknowledged and dropped → transport/not-confirmed; no rotation seals to the user; the next sync resumes it', async () => {
    const { alice, bob, hostile, ws } = await setup();
    const head = alice.certificates.topicHead('common');
    hostile.intercept = (req) => (req.cmd === 'user_revoke' ? ACK : undefined);
    expect((await caught(alice.revokeUser(bob.userId))).code).toBe('transport/not-confirmed');
    // Nothing applied: the store does not pretend the user is revoked.
    expect(alice.user(bob.userId)?.revokedOn).toBeNull();
    expect(alice.certificates.topicHead('common')).toEqual(head);
    expect(alice.certificates.getKeyIndex(ws.id)).toBe(1);
    // A rotation now: the verified store still lists Bob, but his removal was signed here.
    const err = await caught(ws.rotateKey());
    expect(err.code).toBe('transport/realm_members_mismatch');
    expect(sealedTo(hostile.seen).length).toBeGreaterThan(0);
    for (const users of sealedTo(hostile.seen)) expect(users).not.toContain(bob.userId);
    expect(alice.certificates.getKeyIndex(ws.id)).toBe(1);
    // The lie stops: the next certificate sync re-sends the revocation, then unshares and rotates.
    hostile.intercept = null;
    const rotated = new Promise((resolve) => alice.on('auto-rotated', resolve));
    await alice.syncCertificates();
    await rotated;
    expect(alice.user(bob.userId)?.revokedOn).not.toBeNull();
    expect(alice.certificates.getKeyIndex(ws.id)).toBe(2);
    for (const users of sealedTo(hostile.seen)) expect(users).toEqual([alice.userId]);
  });

  it('a revocation stored but hidden from its author → transport/not-confirmed; the rotation leaves the user out', async () => {
    const { alice, bob, hostile, ws } = await setup();
    const hideRevocation = (signed: Uint8Array) => readCertificate(signed).certificate.type !== 'revoked_user';
    hostile.tamper = (req, rep) =>
      req.cmd === 'certificates_get' && rep.status === 'ok'
        ? { ...rep, topics: new Map([...rep.topics].map(([topic, certs]: [string, Uint8Array[]]) => [topic, certs.filter(hideRevocation)])) }
        : rep;
    expect((await caught(alice.revokeUser(bob.userId))).code).toBe('transport/not-confirmed');
    expect(alice.user(bob.userId)?.revokedOn).toBeNull();
    expect(alice.roles(ws.id).map((m) => m.userId)).toContain(bob.userId);
    // The server really revoked Bob, so a rotation without him is accepted and confirmed.
    expect(await ws.rotateKey()).toBe(2);
    expect(sealedTo(hostile.seen)).toEqual([[alice.userId]]);
  });

  it('an unshare acknowledged and dropped → transport/not-confirmed; role unchanged; no rotation seals to the user', async () => {
    const { alice, bob, hostile, ws } = await setup();
    hostile.intercept = (req) => (req.cmd === 'realm_unshare' ? ACK : undefined);
    expect((await caught(ws.unshare(bob.userId))).code).toBe('transport/not-confirmed');
    expect(alice.certificates.getRealmRole(ws.id, bob.userId)).toBe('CONTRIBUTOR');
    expect((await caught(ws.rotateKey())).code).toBe('transport/realm_members_mismatch');
    for (const users of sealedTo(hostile.seen)) expect(users).not.toContain(bob.userId);
    expect(alice.certificates.getKeyIndex(ws.id)).toBe(1);
    // The lie stops: the unshare is re-sent by the next certificate sync, then the rotation works.
    hostile.intercept = null;
    await alice.syncCertificates();
    expect(alice.certificates.getRealmRole(ws.id, bob.userId)).toBeNull();
    expect(await ws.rotateKey()).toBe(2);
    expect(sealedTo(hostile.seen).at(-1)).toEqual([alice.userId]);
  });

  it('a share acknowledged and dropped → transport/not-confirmed; no role recorded', async () => {
    const { alice, bob, hostile, ws } = await setup(false);
    hostile.intercept = (req) => (req.cmd === 'realm_share' ? ACK : undefined);
    expect((await caught(ws.share(bob.userId, 'READER'))).code).toBe('transport/not-confirmed');
    expect(alice.certificates.getRealmRole(ws.id, bob.userId)).toBeNull();
    hostile.intercept = null;
    await ws.share(bob.userId, 'READER');
    expect(alice.certificates.getRealmRole(ws.id, bob.userId)).toBe('READER');
  });

  it('a key rotation acknowledged and dropped → transport/not-confirmed; key index unchanged, data still written with the old key', async () => {
    const { alice, hostile, ws } = await setup();
    hostile.intercept = (req) => (req.cmd === 'realm_rotate_key' ? ACK : undefined);
    expect((await caught(ws.rotateKey())).code).toBe('transport/not-confirmed');
    expect(alice.certificates.getKeyIndex(ws.id)).toBe(1);
    hostile.intercept = null;
    await ws.writeFile('/after.txt', text('after'));
    await ws.sync();
    expect(await ws.rotateKey()).toBe(2);
  });

  it('a revoked user whose revocation is pending here cannot be shared to', async () => {
    const { alice, bob, hostile } = await setup(false);
    hostile.intercept = (req) => (req.cmd === 'user_revoke' ? ACK : undefined);
    await caught(alice.revokeUser(bob.userId));
    const ws2 = await alice.createWorkspace('W2');
    const sent = hostile.seen.length;
    expect((await caught(ws2.share(bob.userId, 'READER'))).code).toBe('argument/invalid');
    expect(hostile.seen.slice(sent).some((r) => r.cmd === 'realm_share')).toBe(false);
    expect(alice.certificates.getRealmRole(ws2.id, bob.userId)).toBeNull();
  });
});

describe('lying server: unsigned hints are bounded', () => {
  let world: World;
  const { track } = closeAfterEach(() => world);

  it('a clock hint ten years ahead → transport/clock-hint-too-far, nothing signed with it, future checks still on', async () => {
    world = await World.create('in-process');
    let hostile!: HostileTransport;
    const alice = track(await world.open(await world.bootstrap(), { wrap: (t) => (hostile = new HostileTransport(t)) }));
    await alice.syncCertificates();
    const bob = track(await world.open(await world.enrollUser(alice, 'bob@example.org', 'Bob')));
    await bob.syncCertificates();
    const tenYears = 10 * 365 * 24 * 3600 * 1_000_000;
    hostile.intercept = (req) =>
      req.cmd === 'user_revoke' ? { status: 'error', code: 'require_greater_timestamp', message: 'later', strictlyGreaterThan: world.clock.now + tenYears } : undefined;
    const head = alice.certificates.topicHead('common');
    expect((await caught(alice.revokeUser(bob.userId))).code).toBe('transport/clock-hint-too-far');
    // One revocation was signed (dated now), none with the hint's date; nothing applied.
    const revocations = hostile.seen.filter((r) => r.cmd === 'user_revoke');
    expect(revocations).toHaveLength(1);
    expect(alice.user(bob.userId)?.revokedOn).toBeNull();
    expect(alice.certificates.topicHead('common')).toEqual(head);
    // The clock did not move: a certificate dated an hour ahead is still refused as from the future.
    hostile.intercept = null;
    const before = alice.certificates.topicHead('common');
    const futureCert = await signCertificate(alice.device.signingKey, { type: 'user_update', author: alice.device.deviceId, timestamp: world.clock.now + 3600 * 1_000_000, userId: bob.userId, newProfile: 'OUTSIDER' }, alice.certificates.nextLink('common'));
    hostile.tamper = (req, rep) => (req.cmd === 'certificates_get' ? { status: 'ok', topics: new Map([['common', [futureCert]]]) } : rep);
    expect((await caught(alice.syncCertificates())).code).toBe('certificate/timestamp-in-future');
    expect(alice.certificates.topicHead('common')).toEqual(before);
    hostile.tamper = null;
    await alice.revokeUser(bob.userId);
    expect(alice.user(bob.userId)?.revokedOn).not.toBeNull();
  });
});
