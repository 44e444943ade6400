/**
 * The worked example's world: one organisation on an in-process server with Alice (admin), Bob and
 * Carol as real clients, an ACME label policy published by Alice and a SECRET clearance for Bob.
 * Each client keeps its own `LabelRegistry` over its own verified certificates.
 */
import type { Client } from '../../src/client/index.js';
import { LabelRegistry, signLabelCertificate, type LabelCertificate } from '../../src/labels/index.js';
import { World } from '../client/world.js';
import { ACME } from './fixtures.js';

export interface FlowWorld {
  world: World;
  alice: Client;
  bob: Client;
  carol: Client;
  /** Signs a label certificate with `by`'s device, stamped with the world clock. */
  sign(by: Client, c: Record<string, unknown> & { type: LabelCertificate['type'] }): Promise<Uint8Array>;
  /** `client`'s registry, fed with every label certificate published so far. */
  registry(client: Client): Promise<LabelRegistry>;
  /** Publishes label certificates (handed around in process: see the README). */
  publish(...certs: Uint8Array[]): void;
}

export async function flowWorld(): Promise<FlowWorld> {
  const world = await World.create('in-process');
  const alice = await world.open(await world.bootstrap());
  const bob = await world.open(await world.enrollUser(alice, 'bob@example.org', 'Bob'));
  const carol = await world.open(await world.enrollUser(alice, 'carol@example.org', 'Carol'));
  const published: Uint8Array[] = [];
  const sign = (by: Client, c: Record<string, unknown> & { type: LabelCertificate['type'] }) =>
    signLabelCertificate(by.device.signingKey, { author: by.device.deviceId, timestamp: world.clock.clock(), ...c } as LabelCertificate);
  const registry = async (client: Client) => {
    await client.syncCertificates();
    const reg = new LabelRegistry(client.certificates);
    await reg.ingest(published);
    return reg;
  };
  published.push(await sign(alice, { type: 'label_policy', revision: 1, policy: ACME }));
  published.push(
    await sign(alice, {
      type: 'clearance',
      userId: bob.userId,
      policyId: 'ACME',
      clearance: { policyId: 'ACME', maxClassification: 'SECRET', categories: [{ tagName: 'Special Handling', values: ['ALPHA'] }, { tagName: 'Releasable To', values: ['XAA'] }] },
    }),
  );
  return { world, alice, bob, carol, sign, registry, publish: (...c) => published.push(...c) };
}
