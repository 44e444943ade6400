/** A realistic organisation history, every point-in-time query checked against a naive model. */
import { describe, expect, it } from 'vitest';
import { CertificateStore, MemoryCertificateStoreStorage } from '../../src/certificates/index.js';
import { snapshot } from './fixture.js';
import { checkQueriesAt, generateHistory, ingestHistory } from './history.js';

describe('realistic history', async () => {
  // bootstrap + 3 admins, 50 users with 2–3 devices each, 10 realms, 4 later rounds of profile
  // changes, revocations, new users/devices, role changes, key rotations, names, archiving.
  const h = await generateHistory({ seed: 42, admins: 3, users: 50, realms: 10, rounds: 4 });
  const storage = new MemoryCertificateStoreStorage();
  const store = await CertificateStore.open({ rootVerifyKey: h.b.root.verifyKey, storage });
  await ingestHistory(store, h);

  it('has the expected shape', () => {
    const devices = store.listUsers().map((u) => store.listDevices(u.userId).length);
    expect(store.listUsers().length).toBeGreaterThanOrEqual(54);
    expect(devices.slice(0, 54).every((n) => n >= 2 && n <= 4)).toBe(true);
    expect(store.listRealms()).toHaveLength(10);
    expect(store.listUsers().filter((u) => u.revokedOn !== null).length).toBeGreaterThan(0);
    expect(Math.max(...store.listRealms().map((r) => store.getKeyIndex(r)))).toBeGreaterThan(1);
  });

  it('answers every point-in-time query at every certificate timestamp', () => {
    for (const t of h.timestamps) checkQueriesAt(store, h, t);
    checkQueriesAt(store, h, h.timestamps[0]! - 1);
    checkQueriesAt(store, h, Number.MAX_SAFE_INTEGER);
  });

  it('answers the same after re-opening its storage (re-validated)', async () => {
    const reopened = await CertificateStore.open({ rootVerifyKey: h.b.root.verifyKey, storage });
    expect(snapshot(reopened)).toBe(snapshot(store));
    checkQueriesAt(reopened, h, h.timestamps[Math.floor(h.timestamps.length / 2)]!);
  });

  it('serves the signed bytes of a topic after a high-water mark', () => {
    const all = store.signedCertificates('common');
    const mid = h.timestamps[100]!;
    const after = store.signedCertificates('common', mid);
    expect(after.length).toBeLessThan(all.length);
    expect(all.slice(all.length - after.length)).toEqual(after);
  });
});
