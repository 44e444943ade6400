/**
 * The worked example's world: one organisation on an in-process server with Alice (admin), Bob and
 * Carol as real clients; Alice publishes the ACME label policy and clears Bob for SECRET (ALPHA,
 * releasable to XAA). Everything goes through the public client API and the server's certificate
 * engine.
 */
import type { Client } from '../../src/client/index.js';
import { World } from '../client/world.js';
import { ACME } from './fixtures.js';

export interface FlowWorld {
  world: World;
  alice: Client;
  bob: Client;
  carol: Client;
}

export const BOB_CLEARANCE = {
  maxClassification: 'SECRET',
  categories: [
    { tagName: 'Special Handling', values: ['ALPHA'] },
    { tagName: 'Releasable To', values: ['XAA'] },
  ],
};

export async function flowWorld(): Promise<FlowWorld> {
  const world = await World.create('in-process');
  const alice = await world.open(await world.bootstrap());
  const bob = await world.open(await world.enrollUser(alice, 'bob@example.org', 'Bob'));
  const carol = await world.open(await world.enrollUser(alice, 'carol@example.org', 'Carol'));
  await alice.publishLabelPolicy(ACME);
  await alice.setClearance(bob.userId, 'ACME', BOB_CLEARANCE);
  return { world, alice, bob, carol };
}
