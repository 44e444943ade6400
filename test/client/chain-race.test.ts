/**
 * Two devices sign on the same chain head: the server takes the first; the second is refused as a
 * stale head (`invalid_certificate` `chain-replaced`), syncs, re-signs on the new head and lands.
 */
import { describe, expect, it } from 'vitest';
import { closeAfterEach, World } from './world.js';

describe('certificate chain races', () => {
  let world: World;
  const { track } = closeAfterEach(() => world);

  it('two admins changing profiles from the same stale head both land, in one chain', async () => {
    world = await World.create('in-process');
    const alice = track(await world.open(await world.bootstrap()));
    await alice.syncCertificates();
    const admin2 = track(await world.open(await world.enrollUser(alice, 'admin2@example.org', 'Admin 2', 'ADMIN')));
    const carol = track(await world.open(await world.enrollUser(alice, 'carol@example.org', 'Carol')));
    const dave = track(await world.open(await world.enrollUser(alice, 'dave@example.org', 'Dave')));
    await admin2.syncCertificates();
    const head = admin2.certificates.topicHead('common')!;
    await alice.changeProfile(carol.userId, 'OUTSIDER'); // takes position head + 1
    expect(admin2.certificates.topicHead('common')).toEqual(head); // admin2 is stale
    await admin2.changeProfile(dave.userId, 'OUTSIDER');
    expect(admin2.certificates.topicHead('common')!.position).toBe(head.position + 2);
    await alice.syncCertificates();
    expect(alice.certificates.topicHead('common')).toEqual(admin2.certificates.topicHead('common'));
    expect(alice.certificates.getProfile(carol.userId)).toBe('OUTSIDER');
    expect(alice.certificates.getProfile(dave.userId)).toBe('OUTSIDER');
  });
});
