/**
 * PKI enrollment end to end: the organisation trusts an X.509 root; a newcomer submits a request
 * signed with its certificate's key; an admin (or a policy naming accepted subjects) accepts it
 * with no SAS step; the newcomer's poll yields a working device. Every refusal leaves nothing
 * stored and no user created.
 */
import { describe, expect, it } from 'vitest';
import type { OrganizationId, UserId } from '../../src/codec/ids.js';
import { submitPkiEnrollment, type Client } from '../../src/client/index.js';
import type { SealsyncError } from '../../src/errors.js';
import { PrivateKey, SigningKey } from '../../src/keys/index.js';
import { signPkiRequest } from '../../src/pki/index.js';
import { isErrorReply, type Reply } from '../../src/transport/index.js';
import { issue, pki, root, x509 } from '../pki/chains.js';
import { closeAfterEach, str, text, World } from './world.js';
import { caught } from '../support/caught.js';


const reason = (err: SealsyncError): string => `${err.code}:${(err as unknown as { reply?: { reason?: string } }).reply?.reason ?? ''}`;
const replyCode = (rep: Reply<'pki_enrollment_submit'>): string => (isErrorReply(rep) ? `${rep.code}:${'reason' in rep ? rep.reason : ''}` : 'ok');
const DAY = 86_400_000;

describe('PKI enrollment', () => {
  let world: World;
  let admin: Client;
  const { track } = closeAfterEach(() => world);

  /** An organisation trusting a root whose chain is valid around the server's (world) clock. */
  async function org(mode: 'in-process' | 'http' = 'in-process'): Promise<Awaited<ReturnType<typeof pki>> & { at: number }> {
    world = await World.create(mode);
    admin = track(await world.open(await world.bootstrap()));
    await admin.syncCertificates();
    const at = world.clock.now / 1000;
    const ca = await pki('bob@example.org', at);
    await admin.pki.setTrustAnchors([ca.root.der]);
    return { ...ca, at };
  }

  const submit = (chain: Uint8Array[], key: CryptoKey, label = 'Bob’s laptop') =>
    submitPkiEnrollment({ transport: world.anonymous(), organizationId: world.organizationId, rootVerifyKey: admin.device.rootVerifyKey, chain, privateKey: key, deviceLabel: label, clock: world.clock.clock });

  /** A request signed here, to be submitted (and replayed) byte for byte. */
  const raw = (chain: Uint8Array[], key: CryptoKey, organizationId: OrganizationId = world.organizationId) =>
    signPkiRequest(chain, key, { organizationId, timestamp: world.clock.clock(), userPublicKey: PrivateKey.generate().publicKey, deviceVerifyKey: SigningKey.generate().verifyKey, deviceLabel: 'raw' });

  it('an admin accepts a verified request without SAS; the newcomer polls and gets a working device; a replay is refused', async () => {
    const ca = await org();
    const pending = await submit(ca.chain, ca.leaf.keys.privateKey);
    expect(await pending.poll()).toBeNull();
    const [seen] = await admin.pki.pending({ trustAnchors: [ca.root.der] });
    expect(seen!.identity.email).toBe('bob@example.org');
    expect(seen!.identity.commonName).toBe('Bob Example');
    const bobId = await admin.pki.accept(seen!.enrollmentId, { trustAnchors: [ca.root.der] });
    const device = (await pending.poll())!;
    expect(device.userId).toBe(bobId);
    expect(device.humanHandle).toEqual({ email: 'bob@example.org', label: 'Bob Example' });
    const bob = track(await world.open(device));
    await bob.syncCertificates();
    expect(bob.certificates.getUser(bobId)!.profile).toBe('STANDARD');
    // A working member: the admin shares a workspace, Bob reads it.
    const ws = await admin.createWorkspace('Shared');
    await ws.writeFile('/hello.txt', text('hello Bob'));
    await ws.sync();
    await ws.share(bobId, 'READER');
    await bob.syncCertificates();
    const wsBob = await bob.workspace(ws.id);
    await wsBob.sync();
    expect(str(await wsBob.readFile('/hello.txt'))).toBe('hello Bob');

    // A request replayed after its acceptance is refused; so is one submitted twice while pending.
    const carol = await issue(ca.intermediate, 'CN=Carol', { email: 'carol@example.org', now: ca.at });
    const request = await raw([carol.der, ca.intermediate.der], carol.keys.privateKey);
    const send = () => world.anonymous().send({ cmd: 'pki_enrollment_submit', chain: [...request.chain], request: request.request, signature: request.signature });
    expect(replyCode(await send())).toBe('ok');
    expect(replyCode(await send())).toBe('already_exists:');
    const [carolRequest] = await admin.pki.pending({ trustAnchors: [ca.root.der] });
    await admin.pki.accept(carolRequest!.enrollmentId, { trustAnchors: [ca.root.der] });
    const users = admin.certificates.listUsers().length;
    expect(replyCode(await send())).toBe('invalid_pki:already-decided');
    expect(reason(await caught(admin.pki.reject(carolRequest!.enrollmentId)))).toBe('transport/invalid_pki:already-decided');
    await admin.syncCertificates();
    expect(admin.certificates.listUsers()).toHaveLength(users);
  });

  it('over HTTP: submit, accept with an RSA/P-384 chain and an Ed25519 leaf, poll, read a shared file', async () => {
    const ca0 = await org('http');
    const r = await root('CN=Mixed Root', ca0.at, 'RSA');
    const intermediate = await issue(r, 'CN=Mixed CA', { ca: true, alg: 'P-384', now: ca0.at });
    const leaf = await issue(intermediate, 'CN=Erin', { email: 'erin@example.org', alg: 'Ed25519', now: ca0.at });
    await admin.pki.setTrustAnchors([ca0.root.der, r.der]);
    const pending = await submit([leaf.der, intermediate.der], leaf.keys.privateKey, 'Erin’s phone');
    expect(await pending.poll()).toBeNull();
    const [seen] = await admin.pki.pending({ trustAnchors: [r.der] });
    const erinId = await admin.pki.accept(seen!.enrollmentId, { trustAnchors: [r.der] });
    const erin = track(await world.open((await pending.poll())!));
    const ws = await admin.createWorkspace('Shared');
    await ws.writeFile('/hello.txt', text('hello Erin'));
    await ws.sync();
    await ws.share(erinId, 'READER');
    await erin.syncCertificates();
    const wsErin = await erin.workspace(ws.id);
    await wsErin.sync();
    expect(str(await wsErin.readFile('/hello.txt'))).toBe('hello Erin');
  });

  it('an automatic policy accepts the subjects it names and leaves the others pending; a rejection ends a request', async () => {
    const ca = await org();
    const eve = await issue(ca.intermediate, 'CN=Eve', { email: 'eve@elsewhere.example', now: ca.at });
    const bob = await submit(ca.chain, ca.leaf.keys.privateKey);
    const other = await submit([eve.der, ca.intermediate.der], eve.keys.privateKey, 'Eve’s laptop');
    const accepted = await admin.pki.acceptMatching({ trustAnchors: [ca.root.der], policy: (id) => id.email.endsWith('@example.org') });
    expect(accepted).toEqual([bob.enrollmentId]);
    expect((await bob.poll())!.humanHandle.email).toBe('bob@example.org');
    expect(await other.poll()).toBeNull();
    await admin.pki.reject(other.enrollmentId);
    expect((await caught(other.poll())).code).toBe('pki/rejected');
    await admin.syncCertificates();
    expect(admin.certificates.listUsers().map((u) => u.humanHandle.email).sort()).toEqual(['alice@example.org', 'bob@example.org']);
  });

  it('refusals: expired, not yet valid, wrong CA, bad signature, wrong key usage, forged request, other organisation; nothing stored', async () => {
    const ca = await org();
    const at = ca.at;
    const expectRefused = async (chain: Uint8Array[], key: CryptoKey, why: string): Promise<void> => {
      expect(reason(await caught(submit(chain, key)))).toBe(`transport/invalid_pki:${why}`);
    };
    const mid = ca.intermediate;
    const expired = await issue(mid, 'CN=Old', { email: 'old@example.org', notBefore: new Date(at - 3 * DAY), notAfter: new Date(at - DAY) });
    await expectRefused([expired.der, mid.der], expired.keys.privateKey, 'expired');
    const future = await issue(mid, 'CN=Soon', { email: 'soon@example.org', notBefore: new Date(at + DAY), notAfter: new Date(at + 3 * DAY) });
    await expectRefused([future.der, mid.der], future.keys.privateKey, 'not-yet-valid');
    const otherCa = await pki('bob@example.org', at);
    await expectRefused(otherCa.chain, otherCa.leaf.keys.privateKey, 'bad-signature'); // same CA names, another key
    const stranger = await root('CN=Stranger Root', at);
    const strangerLeaf = await issue(stranger, 'CN=Mallory', { email: 'mallory@example.org', now: at });
    await expectRefused([strangerLeaf.der], strangerLeaf.keys.privateKey, 'untrusted');
    const altered = ca.leaf.der.slice();
    altered[altered.length - 5]! ^= 1;
    await expectRefused([altered, mid.der], ca.leaf.keys.privateKey, 'bad-signature');
    const noSign = await issue(mid, 'CN=Enc', { email: 'enc@example.org', usages: x509.KeyUsageFlags.keyEncipherment, now: at });
    await expectRefused([noSign.der, mid.der], noSign.keys.privateKey, 'key-usage');
    await expectRefused(ca.chain, noSign.keys.privateKey, 'bad-request-signature'); // signed with another key
    const elsewhere = await raw(ca.chain, ca.leaf.keys.privateKey, '11'.repeat(16) as OrganizationId);
    expect(replyCode(await world.anonymous().send({ cmd: 'pki_enrollment_submit', chain: [...elsewhere.chain], request: elsewhere.request, signature: elsewhere.signature }))).toBe('invalid_pki:wrong-organization');
    expect(await admin.pki.pending({ trustAnchors: [ca.root.der] })).toEqual([]);

    // Accepted by the server, but not among the admin's own roots: the admin refuses, nothing signed.
    const pending = await submit(ca.chain, ca.leaf.keys.privateKey);
    expect(await admin.pki.pending({ trustAnchors: [stranger.der] })).toEqual([]);
    expect((await caught(admin.pki.accept(pending.enrollmentId, { trustAnchors: [stranger.der] }))).code).toBe('pki/untrusted');
    // The server checks the chain again at acceptance: the leaf expired meanwhile (issued for a year).
    world.clock.advance(400 * DAY * 1000);
    expect(reason(await caught(admin.pki.accept(pending.enrollmentId, { trustAnchors: [ca.root.der] })))).toMatch(/expired/);
    await admin.syncCertificates();
    expect(admin.certificates.listUsers()).toHaveLength(1);
    expect(await pending.poll()).toBeNull();
  });

  it('only an ADMIN sets roots, lists and decides; a non-CA root is refused', async () => {
    const ca = await org();
    const bob = track(await world.open(await world.enrollUser(admin, 'bob2@example.org', 'Bob')));
    const calls = [() => bob.pki.setTrustAnchors([ca.root.der]), () => bob.pki.pending({ trustAnchors: [ca.root.der] }), () => bob.pki.reject('00'.repeat(16) as UserId)];
    for (const call of calls) expect((await caught(call())).code).toBe('transport/not_allowed');
    expect(reason(await caught(admin.pki.setTrustAnchors([ca.leaf.der])))).toBe('transport/invalid_pki:not-a-ca');
  });
});

