/**
 * Labels through the public API, end to end: real clients, the reference server, label certificates
 * in the organisation's chain, file labels inside the signed and encrypted manifests. One named test
 * per rule, each showing the typed refusal and that nothing was applied.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SealsyncError } from '../../src/errors.js';
import type { Workspace } from '../../src/client/index.js';
import { signCertificate } from '../../src/certificates/index.js';
import { isErrorReply } from '../../src/transport/transport.js';
import { certificateStoreSigners, exportBinding, exportWorkspaceFile, importBinding, importToWorkspace, type PolicyMapping } from '../../src/labels/index.js';
import { checkPolicy } from '../../src/labels/index.js';
import { fetchKeyring, forgeNext, latestVersion, text, str } from '../client/world.js';
import { expectOk } from '../../src/transport/transport.js';
import type { FileManifest } from '../../src/manifests/types.js';
import { SECRET_ALPHA_XAA, label } from './fixtures.js';
import { flowWorld, type FlowWorld } from './flow-world.js';

let fw: FlowWorld;
let ws: Workspace;

async function code(p: Promise<unknown>): Promise<string> {
  const e = await p.then(() => undefined, (err: unknown) => err);
  expect(e).toBeInstanceOf(SealsyncError);
  return (e as SealsyncError).code;
}

const CAROL_XBB = { maxClassification: 'SECRET', categories: [{ tagName: 'Special Handling', values: ['ALPHA'] }, { tagName: 'Releasable To', values: ['XBB'] }] };

/** Carol's copy of the workspace, once she sees her role. */
async function carolsView(): Promise<Workspace> {
  await fw.carol.syncCertificates();
  const w = await fw.carol.workspace(ws.id);
  await w.sync();
  return w;
}

beforeEach(async () => {
  fw = await flowWorld();
  ws = await fw.bob.createWorkspace('Operations');
  await ws.writeFile('/orders.txt', text('hold the bridge until 0600'));
  await ws.sync();
  await ws.setLabel(SECRET_ALPHA_XAA);
});
afterEach(async () => {
  for (const c of [fw.alice, fw.bob, fw.carol]) await c.close();
  await fw.world.close();
});

describe('certificates on every client', () => {
  it('the policy, clearances and workspace label reach every client through the verified chain', async () => {
    for (const c of [fw.alice, fw.bob, fw.carol]) {
      await c.syncCertificates();
      expect(c.certificates.getNewestLabelPolicy('ACME')?.revision).toBe(1);
      expect(c.certificates.getClearance(fw.bob.userId, 'ACME')?.maxClassification).toBe('SECRET');
      expect(c.certificates.getClearance(fw.carol.userId, 'ACME')).toBeNull();
    }
    expect(ws.label?.label.classification).toBe('SECRET');
  });

  it('only an admin publishes a policy or sets a clearance: the server refuses, nothing is stored', async () => {
    const before = fw.bob.certificates.topicHead('common')?.position;
    expect(await code(fw.bob.publishLabelPolicy({ ...checkPolicy(fw.bob.certificates.getLabelPolicy('ACME', 1)!), policyId: 'BOBS' }))).toBe('transport/invalid_certificate');
    expect(await code(fw.bob.setClearance(fw.carol.userId, 'ACME', CAROL_XBB))).toBe('transport/invalid_certificate');
    await fw.bob.syncCertificates();
    expect(fw.bob.certificates.topicHead('common')?.position).toBe(before);
    expect(fw.bob.certificates.getClearance(fw.carol.userId, 'ACME')).toBeNull();
  });
  it('label_certificate carries only label certificates: another type is refused (wrong-type), nothing stored', async () => {
    const transport = fw.world.transport(fw.alice.device);
    await fw.alice.syncCertificates();
    const before = fw.alice.certificates.topicHead('common')!.position;
    const certificate = await signCertificate(
      fw.alice.device.signingKey,
      { type: 'user_update', author: fw.alice.device.deviceId, timestamp: fw.world.clock.clock(), userId: fw.carol.userId, newProfile: 'OUTSIDER' },
      fw.alice.certificates.nextLink('common'),
    );
    const rep = await transport.send({ cmd: 'label_certificate', certificate });
    expect(isErrorReply(rep) && rep.code === 'invalid_certificate' && rep.reason).toBe('wrong-type');
    await fw.alice.syncCertificates();
    expect(fw.alice.certificates.topicHead('common')!.position).toBe(before);
    expect(fw.alice.certificates.getProfile(fw.carol.userId)).toBe('STANDARD');
  });
});

describe('a SECRET workspace', () => {
  it('label/not-cleared: the client refuses to share it with a user without clearance, nothing is sent', async () => {
    const head = fw.bob.certificates.topicHead(ws.id)!.position;
    expect(await code(ws.share(fw.carol.userId, 'READER'))).toBe('label/not-cleared');
    await fw.bob.syncCertificates();
    expect(fw.bob.certificates.topicHead(ws.id)!.position).toBe(head);
    expect(fw.bob.certificates.getRealmRole(ws.id, fw.carol.userId)).toBeNull();
  });

  it('not-cleared: the server refuses the role certificate of a client that skips the check, nothing is stored', async () => {
    const transport = fw.world.transport(fw.bob.device);
    const head = fw.bob.certificates.topicHead(ws.id)!.position;
    const roleCertificate = await signCertificate(
      fw.bob.device.signingKey,
      { type: 'realm_role', author: fw.bob.device.deviceId, timestamp: fw.world.clock.clock(), realmId: ws.id, userId: fw.carol.userId, role: 'READER' },
      fw.bob.certificates.nextLink(ws.id),
    );
    const rep = await transport.send({ cmd: 'realm_share', roleCertificate, keysBundleAccess: new Uint8Array(80) });
    expect(isErrorReply(rep) && rep.code === 'invalid_certificate' && rep.reason).toBe('not-cleared');
    await fw.bob.syncCertificates();
    expect(fw.bob.certificates.topicHead(ws.id)!.position).toBe(head);
  });

  it('dominance by category type: cleared through one PERMISSIVE value (XBB of XAA, XBB), Carol is shared and reads', async () => {
    await fw.alice.setClearance(fw.carol.userId, 'ACME', CAROL_XBB);
    await ws.share(fw.carol.userId, 'READER');
    const carolWs = await carolsView();
    expect(str(await carolWs.readFile('/orders.txt'))).toBe('hold the bridge until 0600');
  });

  it('members-not-cleared: a label above a current member is refused by the server, the label stays', async () => {
    await fw.alice.setClearance(fw.carol.userId, 'ACME', CAROL_XBB);
    await ws.share(fw.carol.userId, 'READER');
    const bravo = label('SECRET', [{ tagName: 'Special Handling', type: 'RESTRICTIVE', values: ['ALPHA', 'BRAVO'] }, { tagName: 'Releasable To', type: 'PERMISSIVE', values: ['XAA', 'XBB'] }]);
    expect(await code(ws.setLabel(bravo))).toBe('transport/invalid_certificate');
    expect(ws.label?.label).toEqual(SECRET_ALPHA_XAA);
  });

  it('label/clearance-insufficient: a reader whose clearance was lowered is refused before any plaintext', async () => {
    await fw.alice.setClearance(fw.carol.userId, 'ACME', CAROL_XBB);
    await ws.share(fw.carol.userId, 'READER');
    const carolWs = await carolsView();
    await fw.alice.setClearance(fw.carol.userId, 'ACME', { maxClassification: 'CONFIDENTIAL', categories: [] });
    await fw.carol.syncCertificates();
    expect(await code(carolWs.readFile('/orders.txt'))).toBe('label/clearance-insufficient');
    expect(await code(carolWs.readFileStream('/orders.txt'))).toBe('label/clearance-insufficient');
    expect(await code(carolWs.readFile('/orders.txt', { at: fw.world.clock.clock() }))).toBe('label/clearance-insufficient');
    // Nor is it made available offline: prefetch skips the file, no block fetched.
    expect(await carolWs.prefetch()).toEqual({ files: 0, blocks: 0, bytes: 0, skipped: 1 });
  });

  it('label/exceeds-workspace: a file label above the workspace label is refused, nothing is written', async () => {
    const bravo = label('SECRET', [{ tagName: 'Special Handling', type: 'RESTRICTIVE', values: ['BRAVO'] }]);
    expect(await code(ws.writeFile('/bravo.txt', text('x'), { label: bravo }))).toBe('label/exceeds-workspace');
    expect(await ws.exists('/bravo.txt')).toBe(false);
    expect(await code(ws.writeFile('/orders.txt', text('x'), { label: bravo }))).toBe('label/exceeds-workspace');
    expect(str(await ws.readFile('/orders.txt'))).toBe('hold the bridge until 0600');
    expect(await ws.fileLabel('/orders.txt')).toBeNull();
    const other = await fw.alice.createWorkspace('Unlabelled');
    expect(await code(other.writeFile('/a.txt', text('x'), { label: label('RESTRICTED') }))).toBe('label/exceeds-workspace');
    expect(await other.exists('/a.txt')).toBe(false);
  });

  it('setFileLabel changes or removes a file label (content unchanged); above the ceiling refused, nothing changed', async () => {
    await ws.setFileLabel('/orders.txt', label('CONFIDENTIAL'));
    expect((await ws.fileLabel('/orders.txt'))?.label.classification).toBe('CONFIDENTIAL');
    const bravo = label('SECRET', [{ tagName: 'Special Handling', type: 'RESTRICTIVE', values: ['BRAVO'] }]);
    expect(await code(ws.setFileLabel('/orders.txt', bravo))).toBe('label/exceeds-workspace');
    expect((await ws.fileLabel('/orders.txt'))?.label.classification).toBe('CONFIDENTIAL');
    await ws.sync();
    await ws.setFileLabel('/orders.txt', null);
    await ws.sync();
    expect(await ws.fileLabel('/orders.txt')).toBeNull();
    expect(str(await ws.readFile('/orders.txt'))).toBe('hold the bridge until 0600');
    expect((await ws.history('/orders.txt')).length).toBe(3);
  });

  it('label/exceeds-workspace on read: a version a hostile member labelled above the ceiling is refused, even to a reader cleared for it', async () => {
    await fw.alice.setClearance(fw.carol.userId, 'ACME', { ...CAROL_XBB, categories: [{ tagName: 'Special Handling', values: ['ALPHA', 'BRAVO'] }, { tagName: 'Releasable To', values: ['XBB'] }] });
    await ws.share(fw.carol.userId, 'READER');
    await ws.writeFile('/orders.txt', text('v2'));
    await ws.sync();
    const id = (await ws.stat('/orders.txt')).id;
    const keyring = await fetchKeyring(fw.world, fw.bob.device, fw.bob.certificates, ws.id);
    const { verified } = await latestVersion(fw.world, fw.bob.device, fw.bob.certificates, keyring, ws.id, id);
    const bravo = label('SECRET', [{ tagName: 'Special Handling', type: 'RESTRICTIVE', values: ['BRAVO'] }]);
    const forged = await forgeNext({ author: fw.bob.device, keyring, realmId: ws.id, base: verified, timestamp: fw.world.clock.clock(), patch: { label: { revision: 1, label: bravo } } as Partial<FileManifest> });
    const { author: _a, ...item } = forged;
    expectOk(await fw.world.transport(fw.bob.device).send({ cmd: 'vlob_update', realmId: ws.id, ...item }));
    const carolWs = await carolsView();
    expect((await carolWs.fileLabel('/orders.txt'))?.label.categories[0]?.values).toEqual(['BRAVO']);
    expect(await code(carolWs.readFile('/orders.txt'))).toBe('label/exceeds-workspace');
  });

  it('a file label travels inside the signed, encrypted manifest to the other members, and stays with later writes', async () => {
    await fw.alice.setClearance(fw.carol.userId, 'ACME', CAROL_XBB);
    await ws.share(fw.carol.userId, 'READER');
    await ws.writeFile('/memo.txt', text('restricted memo'), { label: label('RESTRICTED') });
    await ws.writeFile('/memo.txt', text('restricted memo, v2'));
    await ws.sync();
    const carolWs = await carolsView();
    expect((await carolWs.fileLabel('/memo.txt'))?.label.classification).toBe('RESTRICTED');
    expect(str(await carolWs.readFile('/memo.txt'))).toBe('restricted memo, v2');
  });
});

describe('the gateway on a workspace', () => {
  const mapping: PolicyMapping = {
    fromPolicyId: 'ACME',
    classifications: { SECRET: 'GEHEIM', RESTRICTED: 'OFFEN' },
    categories: { 'Special Handling': { tagName: 'Sonder', values: { ALPHA: 'A' } }, 'Releasable To': { tagName: 'Freigabe', values: { XAA: 'AA', XBB: 'BB' } } },
  };
  const partner = checkPolicy({
    policyId: 'PARTNER',
    classifications: [{ name: 'OFFEN', lacv: 0 }, { name: 'GEHEIM', lacv: 5 }],
    categories: [{ tagName: 'Sonder', type: 'RESTRICTIVE', values: ['A'] }, { tagName: 'Freigabe', type: 'PERMISSIVE', values: ['AA', 'BB'] }],
  });

  it('an export records the workspace label it came from and is opened by a partner importer (both forms)', async () => {
    for (const format of ['xml', 'json'] as const) {
      const { bdo, data } = await exportWorkspaceFile(ws, '/orders.txt', { certificates: fw.bob.certificates, signer: fw.bob.device, format, contentType: 'text/plain' });
      const opened = await importBinding(bdo, data, { signers: certificateStoreSigners(fw.alice.certificates), policy: partner, mappings: [mapping] });
      expect(opened.localLabel.classification).toBe('GEHEIM');
      expect(opened.flow?.realmId).toBe(ws.id);
      expect(opened.flow?.label.label).toEqual(SECRET_ALPHA_XAA);
      expect(opened.signer).toBe(fw.bob.device.deviceId);
    }
  });

  it('an export carries the file label; the flow label is still the workspace label', async () => {
    await ws.writeFile('/memo.txt', text('memo'), { label: label('RESTRICTED') });
    const { bdo, data } = await exportWorkspaceFile(ws, '/memo.txt', { certificates: fw.bob.certificates, signer: fw.bob.device, format: 'json', contentType: 'text/plain' });
    const opened = await importBinding(bdo, data, { signers: certificateStoreSigners(fw.bob.certificates), policy: partner, mappings: [mapping] });
    expect(opened.localLabel.classification).toBe('OFFEN');
    expect(opened.flow?.label.label.classification).toBe('SECRET');
  });

  it('label/unmappable: an import the importer policy cannot map is refused, nothing is written', async () => {
    const data = text('bravo only');
    const bravo = label('SECRET', [{ tagName: 'Special Handling', type: 'RESTRICTIVE', values: ['BRAVO'] }]);
    const bdo = await exportBinding('xml', data, { label: { root: 'originatorConfidentialityLabel', label: bravo, creationTime: fw.world.clock.clock() }, dataUri: 'b.txt', contentType: 'text/plain' }, fw.bob.device);
    expect(await code(importBinding(bdo, data, { signers: certificateStoreSigners(fw.bob.certificates), policy: partner, mappings: [mapping] }))).toBe('label/unmappable');
  });

  it('import into a workspace: above the workspace label refused and nothing written; under it, written with its label', async () => {
    const data = text('bravo only');
    const bravo = label('SECRET', [{ tagName: 'Special Handling', type: 'RESTRICTIVE', values: ['BRAVO'] }]);
    const signers = certificateStoreSigners(fw.bob.certificates);
    const high = await exportBinding('json', data, { label: { root: 'originatorConfidentialityLabel', label: bravo, creationTime: fw.world.clock.clock() }, dataUri: 'b.txt', contentType: 'text/plain' }, fw.bob.device);
    expect(await code(importToWorkspace(ws, '/b.txt', high, data, { certificates: fw.bob.certificates, importOptions: { signers } }))).toBe('label/exceeds-workspace');
    expect(await ws.exists('/b.txt')).toBe(false);
    const ok = await exportBinding('xml', data, { label: { root: 'originatorConfidentialityLabel', label: label('RESTRICTED'), creationTime: fw.world.clock.clock() }, dataUri: 'b.txt', contentType: 'text/plain' }, fw.bob.device);
    await importToWorkspace(ws, '/b.txt', ok, data, { certificates: fw.bob.certificates, importOptions: { signers } });
    expect((await ws.fileLabel('/b.txt'))?.label.classification).toBe('RESTRICTED');
    expect(str(await ws.readFile('/b.txt'))).toBe('bravo only');
  });
});
