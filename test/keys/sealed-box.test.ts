/** Sealed box (DESIGN §2) under each provider. */
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { gcm } from '@noble/ciphers/aes.js';
import { x25519 } from '@noble/curves/ed25519.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { concatBytes, utf8Encode } from '../../src/bytes.js';
import { getCryptoProvider, setCryptoProvider } from '../../src/keys/provider.js';
import { openBox, SEALED_BOX_OVERHEAD, sealBox } from '../../src/keys/sealed-box.js';
import { PrivateKey, PublicKey } from '../../src/keys/x25519.js';
import { errorCode, PROVIDERS, prng } from './helpers.js';

const SEED = 77;
const rnd = prng(SEED);

describe.each(PROVIDERS.map((p) => [p.name, p] as const))('sealed box under %s', (_n, provider) => {
  let previous = getCryptoProvider();
  beforeAll(() => {
    previous = getCryptoProvider();
    setCryptoProvider(provider);
  });
  afterAll(() => setCryptoProvider(previous));

  it('round trip, with and without AAD; layout eph_pk(32) ‖ nonce(12) ‖ ct ‖ tag(16)', async () => {
    const r = PrivateKey.generate();
    const pt = rnd(300);
    const sealed = await sealBox(r.publicKey, pt);
    expect(sealed).toHaveLength(SEALED_BOX_OVERHEAD + 300);
    expect(await openBox(r, sealed)).toEqual(pt);
    const aad = utf8Encode('keys bundle v3');
    const sealed2 = await sealBox(r.publicKey, pt, aad);
    expect(await openBox(r, sealed2, aad)).toEqual(pt);
    expect(await errorCode(() => openBox(r, sealed2))).toBe('crypto/decrypt-failed');
  });

  it('matches an independent construction from the DESIGN §2 description', async () => {
    const r = PrivateKey.generate();
    const pt = rnd(50);
    const sealed = await sealBox(r.publicKey, pt);
    const eph = sealed.subarray(0, 32);
    const rpk = r.publicKey.toBytes();
    const key = hkdf(sha256, x25519.getSharedSecret(r.exportSecretBytes(), eph), concatBytes(eph, rpk), utf8Encode('sealsync/1/sealed-box'), 32);
    expect(gcm(key, sealed.subarray(32, 44), new Uint8Array(0)).decrypt(sealed.subarray(44))).toEqual(pt);
  });

  it('wrong recipient → crypto/decrypt-failed', async () => {
    const sealed = await sealBox(PrivateKey.generate().publicKey, rnd(10));
    expect(await errorCode(() => openBox(PrivateKey.generate(), sealed))).toBe('crypto/decrypt-failed');
  });

  it('any flipped byte → crypto/decrypt-failed', async () => {
    const r = PrivateKey.generate();
    const sealed = await sealBox(r.publicKey, rnd(20));
    for (let i = 0; i < sealed.length; i++) {
      const bad = sealed.slice();
      bad[i]! ^= 0x01;
      expect(await errorCode(() => openBox(r, bad)), `byte ${i} (seed ${SEED})`).toBe('crypto/decrypt-failed');
    }
  });

  it('truncated boxes and a low-order ephemeral key → crypto/decrypt-failed', async () => {
    const r = PrivateKey.generate();
    const sealed = await sealBox(r.publicKey, rnd(20));
    for (const n of [0, 31, 32, 59, sealed.length - 1]) {
      expect(await errorCode(() => openBox(r, sealed.subarray(0, n))), `length ${n}`).toBe('crypto/decrypt-failed');
    }
    const lowOrder = sealed.slice();
    lowOrder.fill(0, 0, 32);
    expect(await errorCode(() => openBox(r, lowOrder))).toBe('crypto/decrypt-failed');
  });

  it('non-key arguments are crypto/invalid-input', async () => {
    const r = PrivateKey.generate();
    expect(await errorCode(() => sealBox(r as unknown as PublicKey, rnd(1)))).toBe('crypto/invalid-input');
    expect(await errorCode(() => openBox(r.publicKey as unknown as PrivateKey, rnd(100)))).toBe('crypto/invalid-input');
  });
});
