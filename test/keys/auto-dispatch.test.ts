/**
 * The auto provider's dispatch (auto-provider.ts). Without node:crypto (the browser path, built
 * with `createAutoProvider({ nodeCrypto: false })`): SHA-256, HMAC and HKDF give the same bytes on
 * both sides of `SMALL_HASH_THRESHOLD` under every provider; small inputs really skip WebCrypto and
 * large ones really use it; AES-GCM and Ed25519/X25519 never leave WebCrypto whatever the size.
 * On Node (the default instance): the symmetric families never reach WebCrypto at any size, the
 * curves always do. Refusals keep their codes on every path.
 */
import { hkdf } from '@noble/hashes/hkdf.js';
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { toHex } from '../../src/bytes.js';
import { autoProvider, createAutoProvider, probeProviders, SMALL_HASH_THRESHOLD } from '../../src/keys/auto-provider.js';
import { nobleProvider } from '../../src/keys/noble-provider.js';
import { nodeCryptoProvider } from '../../src/keys/node-provider.js';
import { hkdfSha256, hmacSha256, sha256 } from '../../src/keys/hash.js';
import { getCryptoProvider, setCryptoProvider } from '../../src/keys/provider.js';
import { deriveKey, deriveKeyInfo, SecretKey } from '../../src/keys/secret-key.js';
import { errorCode, PROVIDERS, prng } from './helpers.js';

const SEED = 0xa070;
const T = SMALL_HASH_THRESHOLD;
/** The auto provider as a browser runs it: WebCrypto and noble only. */
const browserAuto = createAutoProvider({ nodeCrypto: false });
const ALL = [...PROVIDERS, autoProvider, browserAuto];
const label = (p: (typeof ALL)[number]): string => (p === browserAuto ? 'auto (no node:crypto)' : p.name);
const SIZES = [0, 1, T - 1, T, T + 1, 70_000];
const previous = getCryptoProvider();

beforeAll(async () => {
  // The probe itself calls WebCrypto once per family: run it before any call is counted.
  await probeProviders();
  await browserAuto.probe();
});
afterEach(() => {
  vi.restoreAllMocks();
});
afterAll(() => setCryptoProvider(previous));

describe('byte-identical across the threshold', () => {
  it.each(ALL.map((p) => [label(p), p] as const))(`%s: sha256 / hmac / hkdf at sizes ${SIZES.join(', ')} (seed ${SEED})`, async (_n, p) => {
    const rnd = prng(SEED);
    for (const size of SIZES) {
      const data = rnd(size);
      const key32 = rnd(32);
      const ctx = `${p.name} size ${size} seed ${SEED}`;
      expect(toHex(await p.sha256(data)), ctx).toBe(toHex(nobleSha256(data)));
      // Data of `size` bytes, and a key+data total of exactly `size` (the dispatch's measure).
      expect(toHex(await p.hmacSha256(key32, data)), ctx).toBe(toHex(hmac(nobleSha256, key32, data)));
      const rest = data.subarray(0, Math.max(0, size - 32));
      expect(toHex(await p.hmacSha256(key32, rest)), ctx).toBe(toHex(hmac(nobleSha256, key32, rest)));
      // Long keys are hashed first (RFC 2104 §2): the key alone straddling the threshold.
      expect(toHex(await p.hmacSha256(data, key32)), ctx).toBe(toHex(hmac(nobleSha256, data, key32)));
      const salt = rnd(16);
      const info = rnd(10);
      expect(toHex(await p.hkdfSha256(data.length === 0 ? key32 : data, salt, info, 42)), ctx).toBe(
        toHex(hkdf(nobleSha256, data.length === 0 ? key32 : data, salt, info, 42)),
      );
    }
  });

  it.each(ALL.map((p) => [label(p), p] as const))('%s: hkdf output lengths whose Expand work straddles the threshold', async (_n, p) => {
    const rnd = prng(SEED + 1);
    const ikm = rnd(32);
    const salt = rnd(32);
    const info = rnd(20);
    // Work = 32 + 32 + ceil(L/32)·(20 + 97): crosses 1 KiB between 7 and 8 blocks at T = 1024.
    for (const length of [1, 32, 33, 7 * 32, 7 * 32 + 1, 8 * 32, 1000, 8160]) {
      expect(toHex(await p.hkdfSha256(ikm, salt, info, length)), `${p.name} L ${length} seed ${SEED + 1}`).toBe(
        toHex(hkdf(nobleSha256, ikm, salt, info, length)),
      );
    }
  });

  it.each(ALL.map((p) => [label(p), p] as const))('%s: hkdf info longer than the 1024 bytes native WebCrypto HKDF accepts', async (_n, p) => {
    const rnd = prng(SEED + 3);
    const ikm = rnd(32);
    for (const infoLength of [1024, 1025, 5000]) {
      const info = rnd(infoLength);
      for (const [salt, length] of [[rnd(0), 32], [rnd(40), 100], [rnd(7), 8160]] as const) {
        expect(toHex(await p.hkdfSha256(ikm, salt, info, length)), `${p.name} info ${infoLength} L ${length} seed ${SEED + 3}`).toBe(
          toHex(hkdf(nobleSha256, ikm, salt, info, length)),
        );
      }
    }
  });

  it.each(ALL.map((p) => [label(p), p] as const))('%s: top-level sha256 / hmacSha256 / hkdfSha256 / deriveKey', async (_n, p) => {
    setCryptoProvider(p);
    try {
      const rnd = prng(SEED + 2);
      for (const size of SIZES) {
        const data = rnd(size);
        const key = rnd(32);
        expect(await sha256(data)).toEqual(nobleSha256(data));
        expect(await hmacSha256(key, data)).toEqual(hmac(nobleSha256, key, data));
        expect(await hkdfSha256(key, data, data, 32)).toEqual(hkdf(nobleSha256, key, data, data, 32));
        const parent = SecretKey.fromBytes(key);
        expect((await deriveKey(parent, 'block', data)).exportSecretBytes()).toEqual(hkdf(nobleSha256, key, new Uint8Array(0), deriveKeyInfo('block', data), 32));
      }
    } finally {
      setCryptoProvider(previous);
    }
  });
});

/** Counts calls of one SubtleCrypto method while `fn` runs. */
async function webCalls(method: 'digest' | 'sign' | 'deriveBits' | 'encrypt' | 'verify', fn: () => Promise<unknown>): Promise<number> {
  const spy = vi.spyOn(globalThis.crypto.subtle, method);
  try {
    await fn();
    return spy.mock.calls.length;
  } finally {
    spy.mockRestore();
  }
}

describe('without node:crypto, the auto provider dispatches by size', () => {
  it('SHA-256 under the threshold never reaches WebCrypto; at and over it, it does', async () => {
    expect(await webCalls('digest', () => browserAuto.sha256(new Uint8Array(T - 1)))).toBe(0);
        expect(await webCalls('digest', () => browserAuto.sha256(new Uint8Array(T)))).toBe(1);
    expect(await webCalls('digest', () => browserAuto.sha256(new Uint8Array(T + 1)))).toBe(1);
  });

  it('HMAC counts key and data together', async () => {
    const key = new Uint8Array(32);
    expect(await webCalls('sign', () => browserAuto.hmacSha256(key, new Uint8Array(T - 33)))).toBe(0);
    expect(await webCalls('sign', () => browserAuto.hmacSha256(key, new Uint8Array(T - 32)))).toBe(1);
    expect(await webCalls('sign', () => browserAuto.hmacSha256(new Uint8Array(T), new Uint8Array(0)))).toBe(1);
  });

  it('HKDF small derivations and deriveKey stay off WebCrypto; large ones use it', async () => {
    const k = new Uint8Array(32).fill(1);
    expect(await webCalls('deriveBits', () => browserAuto.hkdfSha256(k, new Uint8Array(64), new Uint8Array(40), 32))).toBe(0);
    expect(await webCalls('deriveBits', () => browserAuto.hkdfSha256(k, new Uint8Array(0), new Uint8Array(0), 8160))).toBe(1);
    expect(await webCalls('deriveBits', () => browserAuto.hkdfSha256(new Uint8Array(T), new Uint8Array(0), new Uint8Array(0), 32))).toBe(1);
    setCryptoProvider(browserAuto);
    try {
      expect(await webCalls('sign', () => deriveKey(SecretKey.fromBytes(k), 'block', new Uint8Array(16)))).toBe(0);
      expect(await webCalls('digest', () => sha256(new Uint8Array(64)))).toBe(0);
    } finally {
      setCryptoProvider(previous);
    }
  });

  it('AES-GCM and Ed25519 stay on WebCrypto even for tiny inputs', async () => {
    const k = new Uint8Array(32).fill(2);
    expect(await webCalls('encrypt', () => browserAuto.aesGcmEncrypt(k, new Uint8Array(12), new Uint8Array(1), new Uint8Array(0)))).toBe(1);
    expect(await webCalls('sign', () => browserAuto.ed25519Sign(k, new Uint8Array(1)))).toBe(1);
    const pk = await browserAuto.ed25519PublicKey(k);
    const sig = await browserAuto.ed25519Sign(k, new Uint8Array(1));
    expect(await webCalls('verify', () => browserAuto.ed25519Verify(pk, new Uint8Array(1), sig))).toBe(1);
  });
});

describe('on Node, the auto provider sends the symmetric families to node:crypto', () => {
  it('SHA-256, HMAC, HKDF and AES-GCM never reach WebCrypto, whatever the size; results match noble', async () => {
    const k = new Uint8Array(32).fill(3);
    for (const size of [1, T - 1, T, 600_000]) {
      const data = new Uint8Array(size).fill(5);
      expect(await webCalls('digest', () => autoProvider.sha256(data)), `size ${size}`).toBe(0);
      expect(await webCalls('sign', () => autoProvider.hmacSha256(k, data)), `size ${size}`).toBe(0);
      expect(await webCalls('deriveBits', () => autoProvider.hkdfSha256(data, k, k, 64)), `size ${size}`).toBe(0);
      expect(await webCalls('encrypt', () => autoProvider.aesGcmEncrypt(k, new Uint8Array(12), data, k)), `size ${size}`).toBe(0);
      expect(await autoProvider.sha256(data)).toEqual(nobleSha256(data));
      expect(await autoProvider.hkdfSha256(data, k, k, 64)).toEqual(hkdf(nobleSha256, data, k, k, 64));
    }
    const spy = vi.spyOn(nodeCryptoProvider, 'aesGcmSeal');
    const blob = await SecretKey.fromBytes(k).encrypt(new Uint8Array(100), k);
    expect(spy).toHaveBeenCalledTimes(1);
    expect(await SecretKey.fromBytes(k).decrypt(blob, k)).toEqual(new Uint8Array(100));
  });

  it('Ed25519 signs and verifies off WebCrypto, with the same signatures as noble; X25519 stays on WebCrypto', async () => {
    const k = new Uint8Array(32).fill(2);
    expect(await webCalls('sign', () => autoProvider.ed25519Sign(k, new Uint8Array(1)))).toBe(0);
    const sig = await autoProvider.ed25519Sign(k, new Uint8Array(1));
    expect(sig).toEqual(await nobleProvider.ed25519Sign(k, new Uint8Array(1)));
    const pk = await autoProvider.ed25519PublicKey(k);
    expect(await webCalls('verify', () => autoProvider.ed25519Verify(pk, new Uint8Array(1), sig))).toBe(0);
    expect(await autoProvider.ed25519Verify(pk, new Uint8Array(2), sig)).toBe(false);
    const spy = vi.spyOn(globalThis.crypto.subtle, 'deriveBits');
    await autoProvider.x25519(k, await autoProvider.x25519PublicKey(new Uint8Array(32).fill(9)));
    expect(spy).toHaveBeenCalledTimes(1);
  });

  it('aesGcmSeal is nonce ‖ aesGcmEncrypt on every provider, with or without a native seal', async () => {
    const rnd = prng(SEED + 4);
    for (const p of [autoProvider, browserAuto, nodeCryptoProvider]) {
      for (const size of [0, 1, 5000, 70_000]) {
        const [key, nonce, pt, aad] = [rnd(32), rnd(12), rnd(size), rnd(7)];
        const sealed = await (p.aesGcmSeal as NonNullable<typeof p.aesGcmSeal>)(key, nonce, pt, aad);
        expect(toHex(sealed), `${p.name} size ${size}`).toBe(toHex(nonce) + toHex(await nobleProvider.aesGcmEncrypt(key, nonce, pt, aad)));
      }
      expect(await errorCode(() => (p.aesGcmSeal as NonNullable<typeof p.aesGcmSeal>)(new Uint8Array(31), new Uint8Array(12), new Uint8Array(1), new Uint8Array(0)))).toBe('crypto/invalid-key-length');
    }
  });
});

describe('refusals keep their codes on both paths', () => {
  const bad = [null, undefined, 'abc', [1, 2, 3], 42] as unknown as Uint8Array[];
  it.each([autoProvider, browserAuto].map((p, i) => [i === 0 ? 'node:crypto' : 'browser', p] as const))('non-bytes arguments are crypto/invalid-input, never a TypeError (%s)', async (_n, autoProvider) => {
    const ok = new Uint8Array(8);
    for (const b of bad) {
      expect(await errorCode(() => autoProvider.sha256(b))).toBe('crypto/invalid-input');
      expect(await errorCode(() => autoProvider.hmacSha256(b, ok))).toBe('crypto/invalid-input');
      expect(await errorCode(() => autoProvider.hmacSha256(ok, b))).toBe('crypto/invalid-input');
      expect(await errorCode(() => autoProvider.hkdfSha256(b, ok, ok, 32))).toBe('crypto/invalid-input');
      expect(await errorCode(() => autoProvider.hkdfSha256(ok, ok, b, 32))).toBe('crypto/invalid-input');
    }
  });

  it.each([autoProvider, browserAuto].map((p, i) => [i === 0 ? 'node:crypto' : 'browser', p] as const))('bad HKDF lengths on small and large inputs (%s)', async (_n, autoProvider) => {
    for (const ikm of [new Uint8Array(8), new Uint8Array(T + 1)]) {
      for (const length of [0, -32, 1.5, Number.NaN, 8161, Number.POSITIVE_INFINITY, '32' as unknown as number]) {
        expect(await errorCode(() => autoProvider.hkdfSha256(ikm, new Uint8Array(0), new Uint8Array(0), length)), `ikm ${ikm.length} L ${String(length)}`).toBe(
          'crypto/invalid-input',
        );
      }
    }
  });
});
