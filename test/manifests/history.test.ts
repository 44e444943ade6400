import { describe, expect, it } from 'vitest';
import type { VlobId } from '../../src/codec/ids.js';
import { sha256 } from '../../src/keys/index.js';
import { verifyVersionChain, versionAt, type VerifiedManifest } from '../../src/manifests/history.js';
import { encryptManifest } from '../../src/manifests/vlob-crypto.js';
import { alice, createRealm, fileManifest, fixedId, REALM, SECOND, T0 } from './helpers.js';

/** Versions 1..n of one file, really signed, chained by prev. */
async function chain(n: number): Promise<VerifiedManifest[]> {
  const keyring = await createRealm();
  const out: VerifiedManifest[] = [];
  let prev: Uint8Array | null = null;
  for (let v = 1; v <= n; v++) {
    const manifest = fileManifest({ version: v, timestamp: T0 + v * 10 * SECOND, updated: T0 + v * 10 * SECOND, prev, size: v, blocks: [] });
    const { signed } = await encryptManifest({ manifest, realmId: REALM, keyring, signingKey: alice.signingKey });
    out.push({ manifest, signed });
    prev = await sha256(signed);
  }
  return out;
}

describe('versionAt', () => {
  const vs = [
    { version: 1, timestamp: 100 },
    { version: 3, timestamp: 300 },
    { version: 2, timestamp: 200 },
  ];
  it('picks the latest version signed at or before t', () => {
    expect(versionAt(vs, 99)).toBeUndefined();
    expect(versionAt(vs, 100)?.version).toBe(1);
    expect(versionAt(vs, 250)?.version).toBe(2);
    expect(versionAt(vs, 300)?.version).toBe(3);
    expect(versionAt(vs, 10_000)?.version).toBe(3);
  });
  it('prefers the higher version when clocks disagree', () => {
    expect(versionAt([{ version: 1, timestamp: 200 }, { version: 2, timestamp: 150 }], 250)?.version).toBe(2);
  });
  it('works on manifests directly', async () => {
    const c = await chain(3);
    expect(versionAt(c.map((x) => x.manifest), T0 + 25 * SECOND)?.version).toBe(2);
  });
});

describe('verifyVersionChain', () => {
  it('accepts a real chain in any order and returns it sorted', async () => {
    const c = await chain(4);
    const sorted = await verifyVersionChain([c[2]!, c[0]!, c[3]!, c[1]!]);
    expect(sorted.map((x) => x.manifest.version)).toEqual([1, 2, 3, 4]);
  });
  it('accepts a suffix of a chain (older versions not fetched)', async () => {
    const c = await chain(4);
    await expect(verifyVersionChain(c.slice(2))).resolves.toHaveLength(2);
  });
  it('refuses a broken link (prev-mismatch)', async () => {
    const c = await chain(3);
    const forged = { ...c[2]!, manifest: { ...c[2]!.manifest, prev: new Uint8Array(32) } };
    await expect(verifyVersionChain([c[0]!, c[1]!, forged])).rejects.toMatchObject({ code: 'manifest/prev-mismatch' });
  });
  it('refuses a version 1 with a prev', async () => {
    const c = await chain(1);
    const forged = { ...c[0]!, manifest: { ...c[0]!.manifest, prev: new Uint8Array(32) } };
    await expect(verifyVersionChain([forged])).rejects.toMatchObject({ code: 'manifest/prev-mismatch' });
  });
  it('refuses a gap (chain-gap)', async () => {
    const c = await chain(3);
    await expect(verifyVersionChain([c[0]!, c[2]!])).rejects.toMatchObject({ code: 'manifest/chain-gap' });
  });
  it('refuses a duplicated version (fork)', async () => {
    const c = await chain(2);
    await expect(verifyVersionChain([c[0]!, c[1]!, c[1]!])).rejects.toMatchObject({ code: 'manifest/chain-gap' });
  });
  it('refuses versions of different vlobs (id-mismatch)', async () => {
    const c = await chain(2);
    const other = { ...c[1]!, manifest: { ...c[1]!.manifest, id: fixedId<VlobId>(0x99) } };
    await expect(verifyVersionChain([c[0]!, other])).rejects.toMatchObject({ code: 'manifest/id-mismatch' });
  });
  it('accepts an empty list', async () => {
    await expect(verifyVersionChain([])).resolves.toEqual([]);
  });
});
