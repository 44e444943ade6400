/**
 * Hostile server: a wrapper transport serves an old version, a forked history, a block of another
 * file, a manifest of another vlob, a certificate signed by a revoked device, timestamps outside
 * the window, a corrupted keys bundle, rewritten certificate topics. Each is detected with its
 * typed error, and nothing of the lying answer is applied (an honest sync afterwards works).
 */
import { describe, expect, it } from 'vitest';
import type { BlockId, VlobId } from '../../src/codec/ids.js';
import { signCertificate } from '../../src/certificates/index.js';
import type { Client, LocalDevice, Workspace } from '../../src/client/index.js';
import { CertificateError, IntegrityError, ManifestError, RollbackError } from '../../src/errors.js';
import { SigningKey, randomBytes } from '../../src/keys/index.js';
import { rootFolderId } from '../../src/manifests/index.js';
import { expectOk, type VlobItem } from '../../src/transport/index.js';
import { aliceAndHostileBob, HostileTransport, type HostileCast } from './hostile.js';
import { closeAfterEach, fetchKeyring, forgeNext, latestVersion, MODES, str, text, World } from './world.js';
import { caught } from '../support/caught.js';


describe.each(MODES)('hostile server (%s)', (mode) => {
  let world: World;
  const { track } = closeAfterEach(() => world);

  /** Alice (honest transport) shares a workspace with Bob, whose transport is hostile. */
  async function setup(): Promise<HostileCast> {
    world = await World.create(mode, { blocksize: 4096 });
    return aliceAndHostileBob(world, track);
  }


  async function fileId(ws: Workspace, path: string): Promise<VlobId> {
    return (await ws.stat(path)).id;
  }

  it('an old version served as the latest → RollbackError, nothing applied', async () => {
    const { ws, wsBob, hostile } = await setup();
    await ws.writeFile('/f.txt', text('v1'));
    await ws.sync();
    await ws.writeFile('/f.txt', text('v2'));
    await ws.sync();
    await wsBob.sync();
    expect(str(await wsBob.readFile('/f.txt'))).toBe('v2');
    const id = await fileId(ws, '/f.txt');
    await ws.writeFile('/f.txt', text('v3'));
    await ws.sync();
    // The poll announces v3 but the read serves version 1.
    hostile.tamper = async (req, rep, inner) => {
      if (req.cmd !== 'vlob_read_batch') return rep;
      const old = expectOk(await inner.send({ cmd: 'vlob_read_versions', realmId: ws.id, items: [{ vlobId: id, version: 1 }] }));
      return { status: 'ok', items: rep.items.map((it: VlobItem) => (it.vlobId === id ? old.items[0] : it)) };
    };
    const err = await caught(wsBob.sync());
    expect(err).toBeInstanceOf(RollbackError);
    expect(err.code).toBe('rollback/vlob-version');
    expect(str(await wsBob.readFile('/f.txt'))).toBe('v2');
    // A poll that claims an older latest version is refused too.
    hostile.tamper = (req, rep) => (req.cmd === 'vlob_poll_changes' ? { ...rep, changes: [{ vlobId: id, version: 1 }] } : rep);
    expect((await caught(wsBob.sync())).code).toBe('rollback/vlob-version');
    // A checkpoint going backwards.
    hostile.tamper = (req, rep) => (req.cmd === 'vlob_poll_changes' ? { ...rep, currentCheckpoint: 0, changes: [] } : rep);
    expect((await caught(wsBob.sync())).code).toBe('rollback/checkpoint');
    hostile.tamper = null;
    await wsBob.sync();
    expect(str(await wsBob.readFile('/f.txt'))).toBe('v3');
  });

  it('a forked history (next version not linked to the one we verified) → RollbackError rollback/fork', async () => {
    const { alice, aliceDevice, ws, wsBob, hostile } = await setup();
    await ws.writeFile('/f.txt', text('v1'));
    await ws.sync();
    await wsBob.sync();
    const id = await fileId(ws, '/f.txt');
    const keyring = await fetchKeyring(world, aliceDevice, alice.certificates, ws.id);
    const { verified } = await latestVersion(world, aliceDevice, alice.certificates, keyring, ws.id, id);
    // A validly signed v2 whose prev is another v1: the branch another device was shown.
    const forged = await forgeNext({ author: aliceDevice, keyring, realmId: ws.id, base: verified, timestamp: world.clock.clock(), prev: randomBytes(32) });
    hostile.tamper = (req, rep) => {
      if (req.cmd === 'vlob_poll_changes') return { ...rep, currentCheckpoint: rep.currentCheckpoint + 1, changes: [{ vlobId: id, version: 2 }] };
      if (req.cmd === 'vlob_read_batch') return { status: 'ok', items: [forged] };
      return rep;
    };
    const err = await caught(wsBob.sync());
    expect(err).toBeInstanceOf(RollbackError);
    expect(err.code).toBe('rollback/fork');
    expect(str(await wsBob.readFile('/f.txt'))).toBe('v1');
    // Same version number, different content: the history shown differs from what we verified.
    await ws.writeFile('/f.txt', text('v2'));
    await ws.sync();
    hostile.tamper = null;
    await wsBob.sync();
    const v2 = await latestVersion(world, aliceDevice, alice.certificates, keyring, ws.id, id);
    const v1 = expectOk(await world.transport(aliceDevice).send({ cmd: 'vlob_read_versions', realmId: ws.id, items: [{ vlobId: id, version: 1 }] })).items[0]!;
    const twin = await forgeNext({ author: aliceDevice, keyring, realmId: ws.id, base: verified, timestamp: world.clock.clock(), patch: { updated: 1 } });
    hostile.tamper = (req, rep) => (req.cmd === 'vlob_read_versions' ? { status: 'ok', items: [v1, twin] } : req.cmd === 'vlob_read_batch' ? { status: 'ok', items: [{ ...v2.item }] } : rep);
    expect((await caught(wsBob.history('/f.txt'))).code).toBe('rollback/fork');
    hostile.tamper = null;
    expect((await wsBob.history('/f.txt')).map((h) => h.version)).toEqual([1, 2]);
  });

  it('skipped versions are fetched and must chain: a gap in the history → RollbackError', async () => {
    const { ws, wsBob, hostile } = await setup();
    await ws.writeFile('/f.txt', text('v1'));
    await ws.sync();
    await wsBob.sync();
    for (const v of ['v2', 'v3', 'v4']) {
      await ws.writeFile('/f.txt', text(v));
      await ws.sync();
    }
    hostile.tamper = (req, rep) => (req.cmd === 'vlob_read_versions' ? { status: 'ok', items: rep.items.filter((it: VlobItem) => it.version !== 3) } : rep);
    expect((await caught(wsBob.sync())).code).toBe('rollback/missing-version');
    hostile.tamper = null;
    await wsBob.sync();
    expect(str(await wsBob.readFile('/f.txt'))).toBe('v4');
    expect(hostile.seen.some((r) => r.cmd === 'vlob_read_versions')).toBe(true);
  });

  it('a block of another file → IntegrityError, no byte returned nor cached', async () => {
    const { ws, wsBob, hostile } = await setup();
    await ws.writeFile('/a.bin', randomBytes(3000));
    await ws.writeFile('/b.bin', randomBytes(3000));
    await ws.sync();
    await wsBob.sync();
    // Read b honestly to learn its block id, then a through the lying server, which answers
    // with b's block (same size, a valid ciphertext of this realm under the same key).
    await wsBob.readFile('/b.bin');
    const bBlock = (hostile.seen.at(-1) as { blockId: BlockId }).blockId;
    hostile.tamper = async (req, rep, inner) =>
      req.cmd === 'block_read' && req.blockId !== bBlock ? expectOk(await inner.send({ cmd: 'block_read', realmId: ws.id, blockId: bBlock })) : rep;
    const err = await caught(wsBob.readFile('/a.bin'));
    expect(err).toBeInstanceOf(IntegrityError);
    expect(err.code).toBe('integrity/block-decrypt');
    // A truncated block.
    hostile.tamper = (req, rep) => (req.cmd === 'block_read' && rep.status === 'ok' ? { ...rep, block: rep.block.subarray(1) } : rep);
    expect((await caught(wsBob.readFile('/a.bin'))).code).toBe('integrity/block-size');
    hostile.tamper = null;
    expect(await wsBob.readFile('/a.bin')).toEqual(await ws.readFile('/a.bin'));
  });

  it('an older keys bundle served as the current one → ManifestError keys-bundle-stale', async () => {
    const { ws, bob, hostile } = await setup();
    const bundleV1 = await hostile.inner.send({ cmd: 'realm_get_keys_bundle', realmId: ws.id, keyIndex: 1 });
    await ws.rotateKey();
    await ws.writeFile('/new.txt', text('after rotation'));
    await ws.sync();
    hostile.tamper = (req, rep) => (req.cmd === 'realm_get_keys_bundle' ? bundleV1 : rep);
    expect((await caught(bob.sync())).code).toBe('manifest/keys-bundle-stale');
    hostile.tamper = null;
    await bob.sync();
    expect(str(await (await bob.workspace(ws.id)).readFile('/new.txt'))).toBe('after rotation');
  });

  it('a read at time t answered with a later version → RollbackError rollback/not-at-time', async () => {
    const { ws, wsBob, hostile } = await setup();
    await ws.writeFile('/f.txt', text('old'));
    await ws.sync();
    const t = world.clock.advance(1_000_000);
    await ws.writeFile('/f.txt', text('new'));
    await ws.sync();
    await wsBob.sync();
    hostile.tamper = async (req, rep, inner) =>
      req.cmd === 'vlob_read_batch' && req.at !== undefined ? inner.send({ cmd: 'vlob_read_batch', realmId: req.realmId, vlobIds: req.vlobIds }) : rep;
    expect((await caught(wsBob.readFile('/f.txt', { at: t }))).code).toBe('rollback/not-at-time');
    hostile.tamper = null;
    expect(str(await wsBob.readFile('/f.txt', { at: t }))).toBe('old');
  });

  it('a manifest of another vlob → ManifestError, nothing applied', async () => {
    const { ws, wsBob, hostile } = await setup();
    await ws.writeFile('/f.txt', text('content'));
    await ws.sync();
    const id = await fileId(ws, '/f.txt');
    hostile.tamper = async (req, rep, inner) => {
      if (req.cmd !== 'vlob_read_batch') return rep;
      const root = expectOk(await inner.send({ cmd: 'vlob_read_batch', realmId: ws.id, vlobIds: [rootFolderId(ws.id)] })).items[0]!;
      return { status: 'ok', items: rep.items.map((it: VlobItem) => (it.vlobId === id ? { ...it, blob: root.blob } : it)) };
    };
    const err = await caught(wsBob.sync());
    expect(err).toBeInstanceOf(ManifestError);
    expect(err.code).toBe('manifest/decrypt-failed');
    expect(await wsBob.exists('/f.txt')).toBe(false);
    // An item for a vlob that was not asked.
    hostile.tamper = async (req, rep, inner) => {
      if (req.cmd !== 'vlob_read_batch') return rep;
      const root = expectOk(await inner.send({ cmd: 'vlob_read_batch', realmId: ws.id, vlobIds: [rootFolderId(ws.id)] })).items[0]!;
      return { status: 'ok', items: [...rep.items.filter((it: VlobItem) => it.vlobId !== rootFolderId(ws.id)), root, { ...root }] };
    };
    expect((await caught(wsBob.sync())).code).toBe('manifest/unexpected-vlob');
    hostile.tamper = null;
    await wsBob.sync();
    expect(str(await wsBob.readFile('/f.txt'))).toBe('content');
  });

  it('a certificate signed by a revoked device → CertificateError, store unchanged', async () => {
    const { alice, bob, bobDevice } = await setup();
    const carolDevice = await world.enrollUser(alice, 'carol@example.org', 'Carol');
    let carolHostile!: HostileTransport;
    const carol = track(await world.open(carolDevice, { wrap: (t) => (carolHostile = new HostileTransport(t)) }));
    await carol.syncCertificates();
    await alice.revokeUser(bob.userId);
    await carol.syncCertificates();
    const before = carol.certificates.lastTimestamp('common');
    // Bob's device, after its revocation, signs a new device for its user.
    const forged = await signCertificate(bobDevice.signingKey, {
      type: 'device', author: bobDevice.deviceId, timestamp: world.clock.clock(), userId: bob.userId,
      deviceId: '0123456789abcdef0123456789abcdef' as never, deviceLabel: 'sneaky', verifyKey: SigningKey.generate().verifyKey,
    }, carol.certificates.nextLink('common'));
    carolHostile.tamper = (req, rep) => (req.cmd === 'certificates_get' ? { status: 'ok', topics: new Map([['common', [forged]]]) } : rep);
    const err = await caught(carol.syncCertificates());
    expect(err).toBeInstanceOf(CertificateError);
    expect((err as CertificateError).reason).toMatch(/revoked/);
    expect(carol.certificates.lastTimestamp('common')).toBe(before);
    expect(carol.devices(bob.userId)).toHaveLength(1);
  });

  it('timestamps outside the window (certificate or manifest from the future, claims rewritten) are refused', async () => {
    const { alice, aliceDevice, bob, ws, wsBob, hostile } = await setup();
    const future = world.clock.now + 3600 * 1_000_000;
    const futureCert = await signCertificate(aliceDevice.signingKey, { type: 'user_update', author: aliceDevice.deviceId, timestamp: future, userId: bob.userId, newProfile: 'OUTSIDER' }, bob.certificates.nextLink('common'));
    hostile.tamper = (req, rep) => (req.cmd === 'certificates_get' ? { status: 'ok', topics: new Map([['common', [futureCert]]]) } : rep);
    const err = await caught(bob.syncCertificates());
    expect(err).toBeInstanceOf(CertificateError);
    expect(err.code).toBe('certificate/timestamp-in-future');
    expect(bob.user(bob.userId)?.profile).toBe('STANDARD');

    await ws.writeFile('/f.txt', text('v1'));
    await ws.sync();
    hostile.tamper = null;
    await wsBob.sync();
    const id = await fileId(ws, '/f.txt');
    const keyring = await fetchKeyring(world, aliceDevice, alice.certificates, ws.id);
    const { verified } = await latestVersion(world, aliceDevice, alice.certificates, keyring, ws.id, id);
    const forged = await forgeNext({ author: aliceDevice, keyring, realmId: ws.id, base: verified, timestamp: future });
    hostile.tamper = (req, rep) => {
      if (req.cmd === 'vlob_poll_changes') return { ...rep, currentCheckpoint: rep.currentCheckpoint + 1, changes: [{ vlobId: id, version: 2 }] };
      if (req.cmd === 'vlob_read_batch') return { status: 'ok', items: [forged] };
      return rep;
    };
    expect((await caught(wsBob.sync())).code).toBe('manifest/timestamp-in-future');
    // The server's claimed timestamp differs from the signed one.
    await ws.writeFile('/f.txt', text('v2'));
    await ws.sync();
    hostile.tamper = (req, rep) => (req.cmd === 'vlob_read_batch' ? { status: 'ok', items: rep.items.map((it: VlobItem) => ({ ...it, timestamp: it.timestamp - 1 })) } : rep);
    expect((await caught(wsBob.sync())).code).toBe('manifest/timestamp-mismatch');
    hostile.tamper = null;
    await wsBob.sync();
    expect(str(await wsBob.readFile('/f.txt'))).toBe('v2');
  });

  it('a corrupted keys bundle → ManifestError, no key cached', async () => {
    world = await World.create(mode);
    const alice = track(await world.open(await world.bootstrap()));
    await alice.syncCertificates();
    const bobDevice = await world.enrollUser(alice, 'bob@example.org', 'Bob');
    let hostile!: HostileTransport;
    const bob = track(await world.open(bobDevice, { wrap: (t) => (hostile = new HostileTransport(t)) }));
    const ws = await alice.createWorkspace('W');
    await ws.writeFile('/f.txt', text('secret'));
    await ws.sync();
    await ws.share(bob.userId, 'READER');
    hostile.tamper = (req, rep) => {
      if (req.cmd !== 'realm_get_keys_bundle' || rep.status !== 'ok') return rep;
      const keysBundle = rep.keysBundle.slice();
      keysBundle[40] ^= 1;
      return { ...rep, keysBundle };
    };
    const err = await caught(bob.sync());
    expect(err).toBeInstanceOf(ManifestError);
    expect(err.code).toBe('manifest/decrypt-failed');
    const wsBob = await bob.workspace(ws.id);
    expect(await wsBob.exists('/f.txt')).toBe(false);
    // An access sealed for someone else.
    hostile.tamper = (req, rep) => (req.cmd === 'realm_get_keys_bundle' && rep.status === 'ok' ? { ...rep, keysBundleAccess: randomBytes(rep.keysBundleAccess.length) } : rep);
    expect((await caught(bob.sync())).code).toBe('manifest/decrypt-failed');
    hostile.tamper = null;
    await bob.sync();
    expect(str(await wsBob.readFile('/f.txt'))).toBe('secret');
  });

  it('certificate topics going backwards or rewriting the past → RollbackError', async () => {
    const { aliceDevice, bob, hostile } = await setup();
    const before = bob.certificates.lastTimestamp('common');
    const first = bob.certificates.signedCertificates('common')[0]!;
    // Only an old certificate: the topic's newest is older than our mark.
    hostile.tamper = (req, rep) => (req.cmd === 'certificates_get' ? { status: 'ok', topics: new Map([['common', [first]]]) } : rep);
    let err = await caught(bob.syncCertificates());
    expect(err).toBeInstanceOf(RollbackError);
    expect(err.code).toBe('rollback/certificate-topic');
    // A different certificate dated inside what we already accepted.
    const rewritten = await signCertificate(aliceDevice.signingKey, { type: 'user_update', author: aliceDevice.deviceId, timestamp: before! - 1, userId: bob.userId, newProfile: 'OUTSIDER' }, bob.certificates.nextLink('common'));
    const newest = bob.certificates.signedCertificates('common').at(-1)!;
    hostile.tamper = (req, rep) => (req.cmd === 'certificates_get' ? { status: 'ok', topics: new Map([['common', [rewritten, newest]]]) } : rep);
    err = await caught(bob.syncCertificates());
    expect(err.code).toBe('rollback/certificate-fork');
    expect(bob.certificates.lastTimestamp('common')).toBe(before);
    hostile.tamper = null;
    await bob.syncCertificates();
  });
});
