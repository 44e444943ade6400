/**
 * `deriveKey` computes HKDF as Extract (memoised per parent) + one Expand block: it must stay
 * byte-identical to a one-shot RFC 5869 HKDF-SHA256 (noble's, as the reference) for every
 * parent, purpose and id, under every provider, including when one parent is reused many times
 * and when the provider changes between calls.
 */
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { afterAll, describe, expect, it } from 'vitest';
import { toHex } from '../../src/bytes.js';
import { autoProvider } from '../../src/keys/auto-provider.js';
import { getCryptoProvider, setCryptoProvider } from '../../src/keys/provider.js';
import { SecretKey, deriveKey, deriveKeyInfo } from '../../src/keys/secret-key.js';
import { PROVIDERS, prng } from './helpers.js';

const SEED = 0xd3e1;
const previous = getCryptoProvider();
afterAll(() => setCryptoProvider(previous));

function reference(parent: SecretKey, purpose: string, id: Uint8Array): string {
  return toHex(hkdf(sha256, parent.exportSecretBytes(), new Uint8Array(0), deriveKeyInfo(purpose, id), 32));
}

describe('deriveKey = one-shot HKDF-SHA256', () => {
  for (const provider of [...PROVIDERS, autoProvider]) {
    it(`under the ${provider.name} provider: random parents, purposes and ids (seed ${SEED})`, async () => {
      setCryptoProvider(provider);
      const rnd = prng(SEED);
      const purposes = ['block', 'vlob', 'x', 'a much longer purpose with spaces and ünïcödé'];
      for (let p = 0; p < 8; p++) {
        const parent = SecretKey.fromBytes(rnd(32));
        // The same parent many times: the memoised Extract step must not leak between ids.
        for (let i = 0; i < 12; i++) {
          const purpose = purposes[i % purposes.length]!;
          const id = rnd(i % 3 === 0 ? 0 : 16 + i);
          expect(toHex((await deriveKey(parent, purpose, id)).exportSecretBytes()), `seed ${SEED} parent ${p} item ${i}`).toBe(reference(parent, purpose, id));
        }
      }
    });
  }

  it('concurrent derivations from a fresh parent, and a provider switch in between', async () => {
    const rnd = prng(SEED + 1);
    const parent = SecretKey.fromBytes(rnd(32));
    const ids = Array.from({ length: 20 }, () => rnd(16));
    setCryptoProvider(PROVIDERS[1]!);
    const first = await Promise.all(ids.map((id) => deriveKey(parent, 'block', id)));
    setCryptoProvider(PROVIDERS[0]!);
    const second = await Promise.all(ids.map((id) => deriveKey(parent, 'block', id)));
    ids.forEach((id, i) => {
      expect(toHex(first[i]!.exportSecretBytes())).toBe(reference(parent, 'block', id));
      expect(first[i]!.equals(second[i]!)).toBe(true);
    });
    // Two parents with equal bytes derive equal keys; different bytes, different keys.
    const twin = SecretKey.fromBytes(parent.exportSecretBytes());
    expect((await deriveKey(twin, 'block', ids[0]!)).equals(first[0]!)).toBe(true);
    expect((await deriveKey(SecretKey.fromBytes(rnd(32)), 'block', ids[0]!)).equals(first[0]!)).toBe(false);
  });
});
