/**
 * The safer keys API (issue 19): raw providers only behind `sealsync/keys/hazmat`, secret bytes
 * only through `exportSecretBytes()`, and `dispose()` wiping the key and its cached copies.
 */
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { CryptoError } from '../../src/errors.js';
import * as root from '../../src/index.js';
import * as hazmat from '../../src/keys/hazmat.js';
import * as keys from '../../src/keys/index.js';
import { ImportCache, wipeCachedCopies } from '../../src/keys/key-caches.js';
import { entries } from '../../tsup.config.js';
import { errorCode } from './helpers.js';

const { PrivateKey, PublicKey, SecretKey, SigningKey, deriveKey, sealBox, openBox } = keys;
const { getCryptoProvider, setCryptoProvider, webCryptoProvider, nobleProvider } = hazmat;

const RAW_NAMES = ['getCryptoProvider', 'setCryptoProvider', 'nobleProvider', 'webCryptoProvider', 'autoProvider', 'argon2idRaw', 'ed25519VerifyStrict'];

/** True when `v` (or an object it exports) exposes a nonce-taking AES-GCM function. */
function reachesRawAead(v: unknown): boolean {
  if ((typeof v !== 'object' && typeof v !== 'function') || v === null) return false;
  return typeof (v as Record<string, unknown>)['aesGcmEncrypt'] === 'function' || typeof (v as Record<string, unknown>)['aesGcmDecrypt'] === 'function';
}

describe('hazmat separation', () => {
  it('the main entry and sealsync/keys reach no raw provider', () => {
    for (const mod of [root, keys] as Record<string, unknown>[]) {
      for (const name of RAW_NAMES) expect(mod[name], name).toBeUndefined();
      for (const [name, v] of Object.entries(mod)) expect(reachesRawAead(v), name).toBe(false);
    }
  });

  it('sealsync/keys/hazmat has them, and is a published subpath', () => {
    for (const name of RAW_NAMES) expect((hazmat as Record<string, unknown>)[name], name).toBeDefined();
    expect(reachesRawAead(hazmat.nobleProvider)).toBe(true);
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { exports: Record<string, unknown> };
    expect(pkg.exports['./keys/hazmat']).toBeDefined();
    expect(Object.values(entries)).toContain('src/keys/hazmat.ts');
  });

  it('useCryptoImplementation selects by name and refuses unknown names', async () => {
    const before = getCryptoProvider();
    try {
      keys.useCryptoImplementation('noble');
      expect(keys.cryptoImplementationName()).toBe('noble');
      keys.useCryptoImplementation('webcrypto');
      expect(getCryptoProvider()).toBe(webCryptoProvider);
      expect(await errorCode(() => keys.useCryptoImplementation('fast' as 'noble'))).toBe('argument/unknown-crypto-implementation');
      expect(getCryptoProvider()).toBe(webCryptoProvider); // unchanged by the refusal
    } finally {
      setCryptoProvider(before);
    }
  });
});

describe('secret bytes leave only through exportSecretBytes', () => {
  it('secret key classes have no toBytes; public keys keep it', () => {
    for (const k of [SecretKey.generate(), SigningKey.generate(), PrivateKey.generate()]) {
      expect((k as unknown as Record<string, unknown>)['toBytes']).toBeUndefined();
      expect(k.exportSecretBytes()).toHaveLength(32);
    }
    expect(PrivateKey.generate().publicKey.toBytes()).toHaveLength(32);
    expect(SigningKey.generate().verifyKey.toBytes()).toHaveLength(32);
    expect(PublicKey.fromBytes(new Uint8Array(32).fill(9)).toBytes()).toHaveLength(32);
  });
});

/** A provider that records every key array handed to it, over `inner`. */
function recording(inner: hazmat.CryptoProvider): { provider: hazmat.CryptoProvider; keys: Uint8Array[] } {
  const seen: Uint8Array[] = [];
  const provider: hazmat.CryptoProvider = {
    ...inner,
    name: `recording-${inner.name}`,
    hmacSha256: (k, d) => (seen.push(k), inner.hmacSha256(k, d)),
    aesGcmEncrypt: (k, n, p, a) => (seen.push(k), inner.aesGcmEncrypt(k, n, p, a)),
    aesGcmDecrypt: (k, n, c, a) => (seen.push(k), inner.aesGcmDecrypt(k, n, c, a)),
    ed25519Sign: (s, m) => (seen.push(s), inner.ed25519Sign(s, m)),
    x25519: (k, p) => (seen.push(k), inner.x25519(k, p)),
  };
  return { provider, keys: seen };
}

const zero = (b: Uint8Array): boolean => b.every((x) => x === 0);
const before = getCryptoProvider();
afterEach(() => setCryptoProvider(before));

describe('dispose', () => {
  for (const inner of [webCryptoProvider, nobleProvider]) {
    it(`SecretKey (${inner.name}): wipes its bytes and its memoised HKDF PRK; later use is crypto/key-disposed`, async () => {
      const r = recording(inner);
      setCryptoProvider(r.provider);
      const key = SecretKey.generate();
      const other = SecretKey.fromBytes(key.exportSecretBytes());
      const blob = await key.encrypt(new Uint8Array([1, 2, 3]), new Uint8Array(0));
      const child = await deriveKey(key, 'block', new Uint8Array(16));
      const live = r.keys.filter((k) => k.length === 32 && !zero(k));
      expect(live.length).toBeGreaterThanOrEqual(2); // the AES key and the PRK
      key.dispose();
      key.dispose(); // idempotent
      await new Promise((res) => setTimeout(res, 0)); // PRK wipe runs after its promise settles
      for (const k of live) expect(zero(k)).toBe(true);
      expect(key.disposed).toBe(true);
      for (const use of [
        () => key.encrypt(new Uint8Array(1), new Uint8Array(0)),
        () => key.decrypt(blob, new Uint8Array(0)),
        () => key.exportSecretBytes(),
        () => key.equals(other),
        () => deriveKey(key, 'block', new Uint8Array(16)),
      ]) {
        expect(await errorCode(use)).toBe('crypto/key-disposed');
      }
      // Separate objects are untouched: an equal key and a derived one still work.
      expect(await other.decrypt(blob, new Uint8Array(0))).toEqual(new Uint8Array([1, 2, 3]));
      expect(await child.decrypt(await child.encrypt(new Uint8Array([4]), new Uint8Array(0)), new Uint8Array(0))).toEqual(new Uint8Array([4]));
    });

    it(`SigningKey and PrivateKey (${inner.name}): wiped, then refused; public halves stay readable`, async () => {
      const r = recording(inner);
      setCryptoProvider(r.provider);
      const sk = SigningKey.generate();
      const vk = sk.verifyKey;
      const sig = await sk.sign(new Uint8Array([7]));
      const xk = PrivateKey.generate();
      const peer = PrivateKey.generate();
      await xk.agree(peer.publicKey);
      const live = r.keys.filter((k) => !zero(k));
      using _s = sk;
      sk.dispose();
      xk[Symbol.dispose]();
      for (const k of live) expect(zero(k)).toBe(true);
      expect(await errorCode(() => sk.sign(new Uint8Array([7])))).toBe('crypto/key-disposed');
      expect(await errorCode(() => sk.exportSecretBytes())).toBe('crypto/key-disposed');
      expect(await errorCode(() => xk.agree(peer.publicKey))).toBe('crypto/key-disposed');
      expect(await errorCode(() => xk.exportSecretBytes())).toBe('crypto/key-disposed');
      expect(await vk.verify(new Uint8Array([7]), sig)).toBe(true);
      expect(sk.verifyKey).toBe(vk);
    });
  }

  it('the key-import caches drop and zero their copy of disposed bytes', async () => {
    const cache = new ImportCache();
    const bytes = new Uint8Array(32).fill(5);
    let copy: Uint8Array | undefined;
    const load = async (b: Uint8Array): Promise<CryptoKey> => {
      copy = b;
      return {} as CryptoKey;
    };
    const first = cache.get(bytes, load);
    expect(cache.get(bytes, load)).toBe(first); // cached
    expect(copy).toEqual(bytes);
    wipeCachedCopies(bytes);
    expect(zero(copy!)).toBe(true);
    expect(cache.get(bytes, load)).not.toBe(first); // gone: a fresh import
  });

  it('sealed boxes still round-trip (their ephemeral keys are disposed inside)', async () => {
    const rcpt = PrivateKey.generate();
    const box = await sealBox(rcpt.publicKey, new Uint8Array([1, 2]));
    expect(await openBox(rcpt, box)).toEqual(new Uint8Array([1, 2]));
    rcpt.dispose();
    const e = await openBox(rcpt, box).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(CryptoError);
    expect((e as CryptoError).code).toBe('crypto/key-disposed');
  });
});
