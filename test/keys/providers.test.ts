/** The providers: identical outputs, interoperation, identical error codes, the auto probe. */
import { describe, expect, it } from 'vitest';
import { toHex } from '../../src/bytes.js';
import { autoProvider, createAutoProvider, probeProviders } from '../../src/keys/auto-provider.js';
import { nobleProvider } from '../../src/keys/noble-provider.js';
import { nodeCryptoProvider } from '../../src/keys/node-provider.js';
import { getCryptoProvider } from '../../src/keys/provider.js';
import { webCryptoProvider } from '../../src/keys/webcrypto-provider.js';
import { errorCode, prng } from './helpers.js';

const SEED = 0x5ea15;
const rnd = prng(SEED);
const pairs = [
  ['noble', 'webcrypto', nobleProvider, webCryptoProvider],
  ['webcrypto', 'noble', webCryptoProvider, nobleProvider],
  ['node', 'webcrypto', nodeCryptoProvider, webCryptoProvider],
  ['webcrypto', 'node', webCryptoProvider, nodeCryptoProvider],
  ['node', 'noble', nodeCryptoProvider, nobleProvider],
] as const;

describe('byte-identical deterministic outputs', () => {
  it(`sha256 / hmac / hkdf / aes-gcm / ed25519 / x25519 over seeded inputs (seed ${SEED})`, async () => {
    for (const len of [0, 1, 31, 32, 33, 64, 65, 1000, 70000]) {
      const data = rnd(len);
      const key = rnd(32);
      const nonce = rnd(12);
      const seed = rnd(32);
      const outs = await Promise.all(
        [nobleProvider, webCryptoProvider, nodeCryptoProvider].map(async (p) =>
          [
            await p.sha256(data),
            await p.hmacSha256(key, data),
            await p.hkdfSha256(data, key, rnd(0), 77),
            await p.aesGcmEncrypt(key, nonce, data, key),
            await p.ed25519PublicKey(seed),
            await p.ed25519Sign(seed, data),
            await p.x25519PublicKey(seed),
          ].map(toHex),
        ),
      );
      expect(outs[0], `len ${len} seed ${SEED}`).toEqual(outs[1]);
      expect(outs[2], `len ${len} seed ${SEED}`).toEqual(outs[1]);
    }
  });
});

describe.each(pairs)('interoperation: produced by %s, consumed by %s', (_a, _b, from, to) => {
  it('AES-GCM: a different AAD is refused by the other', async () => {
    const key = rnd(32);
    const nonce = rnd(12);
    const pt = rnd(5000);
    const ct = await from.aesGcmEncrypt(key, nonce, pt, rnd(3));
    expect(await errorCode(() => to.aesGcmDecrypt(key, nonce, ct, rnd(3)))).toBe('crypto/decrypt-failed');
  });

  it('AES-GCM round trip with the same AAD', async () => {
    const key = rnd(32);
    const nonce = rnd(12);
    const pt = rnd(5000);
    const aad = rnd(9);
    expect(await to.aesGcmDecrypt(key, nonce, await from.aesGcmEncrypt(key, nonce, pt, aad), aad)).toEqual(pt);
  });

  it('Ed25519: sign with one, verify with the other', async () => {
    const seed = rnd(32);
    const msg = rnd(100);
    const sig = await from.ed25519Sign(seed, msg);
    const pk = await from.ed25519PublicKey(seed);
    expect(await to.ed25519Verify(pk, msg, sig)).toBe(true);
    expect(await to.ed25519Verify(pk, rnd(100), sig)).toBe(false);
  });

  it('X25519: public key from one, agreement on the other', async () => {
    const a = rnd(32);
    const b = rnd(32);
    expect(await to.x25519(b, await from.x25519PublicKey(a))).toEqual(await from.x25519(a, await to.x25519PublicKey(b)));
  });
});

describe('identical refusals', () => {
  it.each([nobleProvider, webCryptoProvider, nodeCryptoProvider].map((p) => [p.name, p] as const))('%s', async (_n, p) => {
    const k32 = new Uint8Array(32);
    const n12 = new Uint8Array(12);
    const e = new Uint8Array(0);
    expect(await errorCode(() => p.aesGcmEncrypt(new Uint8Array(31), n12, e, e))).toBe('crypto/invalid-key-length');
    expect(await errorCode(() => p.aesGcmEncrypt(k32, new Uint8Array(16), e, e))).toBe('crypto/invalid-input');
    expect(await errorCode(() => p.aesGcmDecrypt(k32, n12, new Uint8Array(15), e))).toBe('crypto/decrypt-failed');
    expect(await errorCode(() => p.aesGcmDecrypt(k32, n12, new Uint8Array(16), e))).toBe('crypto/decrypt-failed');
    expect(await errorCode(() => p.hkdfSha256(k32, e, e, 0))).toBe('crypto/invalid-input');
    expect(await errorCode(() => p.hkdfSha256(k32, e, e, 8161))).toBe('crypto/invalid-input');
    expect(await errorCode(() => p.hkdfSha256(k32, e, e, 1.5))).toBe('crypto/invalid-input');
    expect(await errorCode(() => p.ed25519Sign(new Uint8Array(31), e))).toBe('crypto/invalid-key-length');
    expect(await errorCode(() => p.ed25519PublicKey(new Uint8Array(64)))).toBe('crypto/invalid-key-length');
    expect(await errorCode(() => p.x25519(k32, new Uint8Array(31)))).toBe('crypto/invalid-key-length');
    expect(await errorCode(() => p.x25519PublicKey(new Uint8Array(33)))).toBe('crypto/invalid-key-length');
    expect(await errorCode(() => p.sha256('abc' as unknown as Uint8Array))).toBe('crypto/invalid-input');
    expect(await p.ed25519Verify(k32, e, new Uint8Array(63))).toBe(false);
    expect(await p.ed25519Verify(new Uint8Array(31), e, new Uint8Array(64))).toBe(false);
  });
});

describe('node:crypto key cache', () => {
  it('a caller mutating its Ed25519 seed or public key after use gets results for the new bytes', async () => {
    const seed = new Uint8Array(32).fill(3);
    const msg = new Uint8Array([9]);
    await nodeCryptoProvider.ed25519Sign(seed, msg);
    seed.fill(4);
    expect(await nodeCryptoProvider.ed25519Sign(seed, msg)).toEqual(await nobleProvider.ed25519Sign(seed, msg));
    const pk = await nobleProvider.ed25519PublicKey(seed);
    const sig = await nobleProvider.ed25519Sign(seed, msg);
    expect(await nodeCryptoProvider.ed25519Verify(pk, msg, sig)).toBe(true);
    pk.set(await nobleProvider.ed25519PublicKey(new Uint8Array(32).fill(5)));
    expect(await nodeCryptoProvider.ed25519Verify(pk, msg, sig)).toBe(false);
  });
});

describe('WebCrypto key cache', () => {
  it('a caller mutating its key array after use gets results for the new bytes', async () => {
    const key = new Uint8Array(32).fill(1);
    const nonce = new Uint8Array(12);
    const pt = new Uint8Array([1, 2, 3]);
    const before = await webCryptoProvider.aesGcmEncrypt(key, nonce, pt, new Uint8Array(0));
    key.fill(2);
    const after = await webCryptoProvider.aesGcmEncrypt(key, nonce, pt, new Uint8Array(0));
    expect(after).toEqual(await nobleProvider.aesGcmEncrypt(key, nonce, pt, new Uint8Array(0)));
    expect(after).not.toEqual(before);
  });

  it('the same for Ed25519 seeds', async () => {
    const seed = new Uint8Array(32).fill(3);
    const msg = new Uint8Array([9]);
    await webCryptoProvider.ed25519Sign(seed, msg);
    seed.fill(4);
    expect(await webCryptoProvider.ed25519Sign(seed, msg)).toEqual(await nobleProvider.ed25519Sign(seed, msg));
  });
});

describe('auto provider', () => {
  it('is the default and picks node:crypto for the symmetric families and Ed25519, WebCrypto for X25519, on Node 20', async () => {
    expect(getCryptoProvider()).toBe(autoProvider);
    const choice = await probeProviders();
    expect(choice).toEqual({ sha256: 'node', hmacSha256: 'node', hkdfSha256: 'node', aesGcm: 'node', ed25519: 'node', x25519: 'webcrypto' });
    expect(await probeProviders()).toBe(choice); // probed once
  });

  it('without node:crypto (the browser path) picks WebCrypto for every family', async () => {
    const choice = await createAutoProvider({ nodeCrypto: false }).probe();
    expect(choice).toEqual({ sha256: 'webcrypto', hmacSha256: 'webcrypto', hkdfSha256: 'webcrypto', aesGcm: 'webcrypto', ed25519: 'webcrypto', x25519: 'webcrypto' });
  });

  it('gives the same answers as noble', async () => {
    const seed = rnd(32);
    const msg = rnd(50);
    expect(await autoProvider.ed25519Sign(seed, msg)).toEqual(await nobleProvider.ed25519Sign(seed, msg));
    expect(await autoProvider.sha256(msg)).toEqual(await nobleProvider.sha256(msg));
  });
});
