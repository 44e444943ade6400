import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LabelError, SealsyncError } from '../../src/errors.js';
import type { Workspace } from '../../src/client/index.js';
import {
  certificateStoreSigners,
  checkPolicy,
  exportWorkspaceFile,
  importBinding,
  importToWorkspace,
  readLabelledFile,
  shareLabelledWorkspace,
  exportBinding,
  type RevisedLabel,
} from '../../src/labels/index.js';
import { text, str } from '../client/world.js';
import { SECRET_ALPHA_XAA, label } from './fixtures.js';
import { flowWorld, type FlowWorld } from './flow-world.js';

const SECRET_WS: RevisedLabel = { revision: 1, label: SECRET_ALPHA_XAA };
let fw: FlowWorld;
let ws: Workspace;

async function code(p: Promise<unknown>): Promise<string> {
  const e = await p.then(() => undefined, (err: unknown) => err);
  expect(e).toBeInstanceOf(SealsyncError);
  return (e as SealsyncError).code;
}

/** `ws` with a counter of what reached it. */
function counted(w: Workspace) {
  const calls = { read: 0, write: 0, share: 0 };
  return {
    calls,
    view: {
      id: w.id,
      readFile: (p: string) => (calls.read++, w.readFile(p)),
      writeFile: (p: string, d: Uint8Array) => (calls.write++, w.writeFile(p, d)),
      share: (u: Parameters<Workspace['share']>[0], r: Parameters<Workspace['share']>[1]) => (calls.share++, w.share(u, r)),
    },
  };
}

beforeEach(async () => {
  fw = await flowWorld();
  ws = await fw.bob.createWorkspace('Operations');
  await ws.writeFile('/orders.txt', text('hold the bridge until 0600'));
  await ws.sync();
  await fw.bob.syncCertificates();
  fw.publish(await fw.sign(fw.bob, { type: 'realm_label', realmId: ws.id, label: SECRET_WS }));
});
afterEach(async () => {
  for (const c of [fw.alice, fw.bob, fw.carol]) await c.close();
  await fw.world.close();
});

describe('a SECRET workspace', () => {
  it('is not shared with a user without clearance (label/not-cleared), and nothing is sent', async () => {
    const reg = await fw.registry(fw.bob);
    const { view, calls } = counted(ws);
    expect(await code(shareLabelledWorkspace(view, fw.carol.userId, 'READER', { registry: reg, clock: fw.world.clock.clock }))).toBe('label/not-cleared');
    expect(calls.share).toBe(0);
    await fw.bob.syncCertificates();
    expect(fw.bob.certificates.getRealmRole(ws.id, fw.carol.userId)).toBeNull();
  });

  it('a reader whose clearance was lowered is refused before the file is read (label/clearance-insufficient)', async () => {
    fw.publish(
      await fw.sign(fw.alice, {
        type: 'clearance',
        userId: fw.carol.userId,
        policyId: 'ACME',
        clearance: { policyId: 'ACME', maxClassification: 'SECRET', categories: [{ tagName: 'Special Handling', values: ['ALPHA'] }, { tagName: 'Releasable To', values: ['XBB'] }] },
      }),
    );
    await shareLabelledWorkspace(ws, fw.carol.userId, 'READER', { registry: await fw.registry(fw.bob), clock: fw.world.clock.clock });
    await fw.carol.syncCertificates();
    const carolWs = await fw.carol.workspace(ws.id);
    await carolWs.sync();
    const actor = { userId: fw.carol.userId, deviceId: fw.carol.device.deviceId, signingKey: fw.carol.device.signingKey };
    expect(str(await readLabelledFile(carolWs, '/orders.txt', { registry: await fw.registry(fw.carol), actor, clock: fw.world.clock.clock }))).toBe('hold the bridge until 0600');
    fw.publish(await fw.sign(fw.alice, { type: 'clearance', userId: fw.carol.userId, policyId: 'ACME', clearance: { policyId: 'ACME', maxClassification: 'CONFIDENTIAL', categories: [] } }));
    const { view, calls } = counted(carolWs);
    expect(await code(readLabelledFile(view, '/orders.txt', { registry: await fw.registry(fw.carol), actor, clock: fw.world.clock.clock }))).toBe('label/clearance-insufficient');
    expect(calls.read).toBe(0);
  });

  it('an export records the workspace label and is opened by a partner importer', async () => {
    const actor = { userId: fw.bob.userId, deviceId: fw.bob.device.deviceId, signingKey: fw.bob.device.signingKey };
    const reg = await fw.registry(fw.bob);
    for (const format of ['xml', 'json'] as const) {
      const { bdo, data } = await exportWorkspaceFile(ws, '/orders.txt', { registry: reg, actor, format, contentType: 'text/plain', clock: fw.world.clock.clock });
      // the partner holds the organisation's verified certificates and its own policy
      const partner = checkPolicy({
        policyId: 'PARTNER',
        classifications: [{ name: 'OFFEN', lacv: 0 }, { name: 'GEHEIM', lacv: 5 }],
        categories: [{ tagName: 'Sonder', type: 'RESTRICTIVE', values: ['A'] }, { tagName: 'Freigabe', type: 'PERMISSIVE', values: ['AA', 'BB'] }],
      });
      const mapping = {
        fromPolicyId: 'ACME',
        classifications: { SECRET: 'GEHEIM' },
        categories: { 'Special Handling': { tagName: 'Sonder', values: { ALPHA: 'A' } }, 'Releasable To': { tagName: 'Freigabe', values: { XAA: 'AA', XBB: 'BB' } } },
      };
      const opened = await importBinding(bdo, data, { signers: certificateStoreSigners(fw.alice.certificates), policy: partner, mappings: [mapping] });
      expect(opened.localLabel.classification).toBe('GEHEIM');
      expect(opened.flow?.realmId).toBe(ws.id);
      expect(opened.flow?.label.label).toEqual(SECRET_WS.label);
      expect(opened.signer).toBe(fw.bob.device.deviceId);
    }
  });

  it('an import whose label exceeds the workspace label is refused and nothing is written', async () => {
    const reg = await fw.registry(fw.bob);
    const actor = { userId: fw.bob.userId, deviceId: fw.bob.device.deviceId, signingKey: fw.bob.device.signingKey };
    const bravo = label('SECRET', [{ tagName: 'Special Handling', type: 'RESTRICTIVE', values: ['BRAVO'] }]);
    const data = text('bravo only');
    const bdo = await exportBinding('json', data, { label: { root: 'originatorConfidentialityLabel', label: bravo, creationTime: fw.world.clock.clock() }, dataUri: 'b.txt', contentType: 'text/plain' }, actor);
    const { view, calls } = counted(ws);
    const err = await importToWorkspace(view, '/b.txt', bdo, data, { registry: reg, actor, clock: fw.world.clock.clock, importOptions: { signers: certificateStoreSigners(fw.bob.certificates) } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LabelError);
    expect((err as LabelError).code).toBe('label/exceeds-workspace');
    expect(calls.write).toBe(0);
    expect(await ws.exists('/b.txt')).toBe(false);
    // a RESTRICTED import fits under the SECRET ceiling and lands
    const ok = await exportBinding('xml', data, { label: { root: 'originatorConfidentialityLabel', label: label('RESTRICTED'), creationTime: fw.world.clock.clock() }, dataUri: 'b.txt', contentType: 'text/plain' }, actor);
    const r = await importToWorkspace(ws, '/b.txt', ok, data, { registry: reg, actor, clock: fw.world.clock.clock, importOptions: { signers: certificateStoreSigners(fw.bob.certificates) } });
    expect(r.fileLabel.label.classification).toBe('RESTRICTED');
    expect(str(await ws.readFile('/b.txt'))).toBe('bravo only');
  });
});
