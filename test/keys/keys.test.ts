/** The public key classes and helpers, run under each provider (and the auto default). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { concatBytes, toHex, utf8Encode } from '../../src/bytes.js';
import { CryptoError } from '../../src/errors.js';
import { autoProvider } from '../../src/keys/auto-provider.js';
import { createSha256, hkdfSha256, hmacSha256, sha256, sha256Sync } from '../../src/keys/hash.js';
import { getCryptoProvider, setCryptoProvider } from '../../src/keys/provider.js';
import { randomBytes } from '../../src/keys/random.js';
import { deriveKey, deriveKeyInfo, SecretKey } from '../../src/keys/secret-key.js';
import { openSignedDocument, signDocument, SigningKey, splitSignedDocument, VerifyKey, verifyBatch } from '../../src/keys/signing.js';
import { PrivateKey, PublicKey } from '../../src/keys/x25519.js';
import { errorCode, h, PROVIDERS, prng } from './helpers.js';

const SEED = 20240611;
const rnd = prng(SEED);

describe('randomBytes', () => {
  it('returns the requested length, beyond the 65536-byte WebCrypto quota too', () => {
    expect(randomBytes(0)).toHaveLength(0);
    const big = randomBytes(200_000);
    expect(big).toHaveLength(200_000);
    expect(big.subarray(150_000).some((b) => b !== 0)).toBe(true);
    expect(toHex(randomBytes(32))).not.toBe(toHex(randomBytes(32)));
  });

  it('refuses bad lengths with crypto/invalid-input', async () => {
    for (const n of [-1, 1.5, Number.NaN]) expect(await errorCode(() => randomBytes(n))).toBe('crypto/invalid-input');
  });
});

describe('key material import/export', () => {
  const classes = [
    ['SecretKey', SecretKey, 32],
    ['SigningKey', SigningKey, 32],
    ['PrivateKey', PrivateKey, 32],
    ['PublicKey', PublicKey, 32],
  ] as const;

  it.each(classes)('%s.fromBytes checks the length', async (_n, C, len) => {
    for (const bad of [0, len - 1, len + 1, 64]) {
      expect(await errorCode(() => C.fromBytes(new Uint8Array(bad)))).toBe('crypto/invalid-key-length');
    }
    expect(await errorCode(() => C.fromBytes('x'.repeat(len) as unknown as Uint8Array))).toBe('crypto/invalid-input');
  });

  it.each(classes)('%s: fromBytes copies its input and the byte export returns a copy', (_n, C) => {
    const bytes = rnd(32);
    bytes[0] = 9; // keep the X25519/Ed25519 keys ordinary
    const key = C.fromBytes(bytes);
    const read = (): Uint8Array => ('exportSecretBytes' in key ? key.exportSecretBytes() : key.toBytes());
    const original = bytes.slice();
    bytes.fill(0);
    expect(read()).toEqual(original);
    const out = read();
    out.fill(0xff);
    expect(read()).toEqual(original);
  });

  it('equals compares the key bytes', () => {
    const b = rnd(32);
    expect(SecretKey.fromBytes(b).equals(SecretKey.fromBytes(b))).toBe(true);
    expect(SecretKey.fromBytes(b).equals(SecretKey.generate())).toBe(false);
    expect(SigningKey.fromBytes(b).equals(SigningKey.fromBytes(b))).toBe(true);
    expect(PrivateKey.fromBytes(b).equals(PrivateKey.generate())).toBe(false);
    expect(SigningKey.fromBytes(b).verifyKey.equals(SigningKey.fromBytes(b).verifyKey)).toBe(true);
    expect(PublicKey.fromBytes(b).equals(PublicKey.fromBytes(b.slice()))).toBe(true);
  });

  it('VerifyKey copies too', () => {
    const pk = SigningKey.generate().verifyKey.toBytes();
    const vk = VerifyKey.fromBytes(pk);
    pk.fill(0);
    expect(vk.toBytes()).not.toEqual(pk);
  });
});

describe('hash helpers', () => {
  it('sha256, sha256Sync and createSha256 agree with FIPS 180 "abc"', async () => {
    const abc = utf8Encode('abc');
    const want = 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad';
    expect(toHex(await sha256(abc))).toBe(want);
    expect(toHex(sha256Sync(abc))).toBe(want);
    const ctx = createSha256();
    ctx.update(utf8Encode('a'));
    ctx.update(utf8Encode('bc'));
    expect(toHex(ctx.digest())).toBe(want);
    expect(await errorCode(() => ctx.update(abc))).toBe('crypto/invalid-input');
    expect(await errorCode(() => ctx.digest())).toBe('crypto/invalid-input');
  });

  it('hmacSha256 (RFC 4231 test case 2) and hkdfSha256 (RFC 5869 A.1)', async () => {
    expect(toHex(await hmacSha256(utf8Encode('Jefe'), utf8Encode('what do ya want for nothing?')))).toBe(
      '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
    );
    const okm = await hkdfSha256(h('0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b'), h('000102030405060708090a0b0c'), h('f0f1f2f3f4f5f6f7f8f9'), 42);
    expect(toHex(okm)).toBe('3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865');
  });
});

describe.each([...PROVIDERS, autoProvider].map((p) => [p.name, p] as const))('classes under the %s provider', (_name, provider) => {
  let previous = getCryptoProvider();
  beforeAll(() => {
    previous = getCryptoProvider();
    setCryptoProvider(provider);
  });
  afterAll(() => setCryptoProvider(previous));

  describe('SecretKey', () => {
    it('round trip, layout nonce(12) ‖ ct ‖ tag(16), fresh nonce each time', async () => {
      const key = SecretKey.generate();
      const pt = rnd(1000);
      const aad = utf8Encode('realm|vlob|1');
      const a = await key.encrypt(pt, aad);
      const b = await key.encrypt(pt, aad);
      expect(a).toHaveLength(12 + 1000 + 16);
      expect(toHex(a.subarray(0, 12))).not.toBe(toHex(b.subarray(0, 12)));
      expect(await key.decrypt(a, aad)).toEqual(pt);
      expect(await key.decrypt(await key.encrypt(new Uint8Array(0), aad), aad)).toEqual(new Uint8Array(0));
    });

    it('wrong key, wrong AAD, any flipped byte, short blob → crypto/decrypt-failed', async () => {
      const key = SecretKey.generate();
      const aad = utf8Encode('aad');
      const blob = await key.encrypt(rnd(40), aad);
      expect(await errorCode(() => SecretKey.generate().decrypt(blob, aad))).toBe('crypto/decrypt-failed');
      expect(await errorCode(() => key.decrypt(blob, utf8Encode('aae')))).toBe('crypto/decrypt-failed');
      for (let i = 0; i < blob.length; i++) {
        const bad = blob.slice();
        bad[i]! ^= 0x01;
        expect(await errorCode(() => key.decrypt(bad, aad)), `byte ${i}`).toBe('crypto/decrypt-failed');
      }
      for (const n of [0, 11, 27, blob.length - 1]) {
        expect(await errorCode(() => key.decrypt(blob.subarray(0, n), aad)), `length ${n}`).toBe('crypto/decrypt-failed');
      }
    });

    it('deriveKey: DESIGN §2 info layout, distinct per purpose and id, refuses NUL purposes', async () => {
      const parent = SecretKey.fromBytes(h('000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f'));
      const id = h('00112233445566778899aabbccddeeff');
      const info = deriveKeyInfo('block', id);
      expect(toHex(info)).toBe(toHex(concatBytes(utf8Encode('sealsync/1/block'), new Uint8Array([0]), id)));
      const k = await deriveKey(parent, 'block', id);
      expect(k.exportSecretBytes()).toEqual(await hkdfSha256(parent.exportSecretBytes(), new Uint8Array(0), info, 32));
      expect(k.equals(await deriveKey(parent, 'vlob', id))).toBe(false);
      expect(k.equals(await deriveKey(parent, 'block', rnd(16)))).toBe(false);
      expect(k.equals(await deriveKey(parent, 'block', id))).toBe(true);
      expect(await errorCode(() => deriveKey(parent, 'a\0b', id))).toBe('crypto/invalid-input');
      expect(await errorCode(() => deriveKey(parent, '', id))).toBe('crypto/invalid-input');
    });
  });

  describe('SigningKey / VerifyKey / signed documents', () => {
    it('sign → verify, other message / other key / flipped bit → false', async () => {
      const sk = SigningKey.generate();
      const msg = rnd(123);
      const sig = await sk.sign(msg);
      expect(sig).toHaveLength(64);
      expect(await sk.verifyKey.verify(msg, sig)).toBe(true);
      expect(await sk.verifyKey.verify(rnd(123), sig)).toBe(false);
      expect(await SigningKey.generate().verifyKey.verify(msg, sig)).toBe(false);
      const bad = sig.slice();
      bad[63]! ^= 0x10;
      expect(await sk.verifyKey.verify(msg, bad)).toBe(false);
    });

    it('signDocument / openSignedDocument / splitSignedDocument', async () => {
      const sk = SigningKey.generate();
      const body = utf8Encode('{"type":"user"}');
      const signed = await signDocument(sk, body);
      expect(signed).toHaveLength(64 + body.length);
      expect(splitSignedDocument(signed).body).toEqual(body);
      expect(await openSignedDocument(sk.verifyKey, signed)).toEqual(body);
      const tampered = signed.slice();
      tampered[signed.length - 1]! ^= 1;
      const err = await openSignedDocument(sk.verifyKey, tampered).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(CryptoError);
      expect((err as CryptoError).code).toBe('crypto/bad-signature');
      expect(await errorCode(() => openSignedDocument(SigningKey.generate().verifyKey, signed))).toBe('crypto/bad-signature');
      expect(await errorCode(() => openSignedDocument(sk.verifyKey, signed.subarray(0, 63)))).toBe('crypto/invalid-input');
      expect(await errorCode(() => splitSignedDocument(new Uint8Array(10)))).toBe('crypto/invalid-input');
      // An empty body is a valid document.
      expect(await openSignedDocument(sk.verifyKey, await signDocument(sk, new Uint8Array(0)))).toEqual(new Uint8Array(0));
    });

    it('verifyBatch keeps the order of its items', async () => {
      const keys = Array.from({ length: 6 }, () => SigningKey.generate());
      const items = await Promise.all(
        keys.map(async (k, i) => {
          const message = utf8Encode(`m${i}`);
          const signature = await k.sign(message);
          return { key: k.verifyKey, message: i % 3 === 1 ? utf8Encode('other') : message, signature };
        }),
      );
      expect(await verifyBatch(items)).toEqual([true, false, true, true, false, true]);
      expect(await verifyBatch([])).toEqual([]);
      // More items than VERIFY_BATCH_CONCURRENCY: every result lands at its own index.
      const sk = keys[0]!;
      const many = await Promise.all(
        Array.from({ length: 70 }, async (_, i) => {
          const message = utf8Encode(`n${i}`);
          const signature = await sk.sign(message);
          if (i % 7 === 3) signature[0]! ^= 1;
          return { key: sk.verifyKey, message, signature };
        }),
      );
      expect(await verifyBatch(many)).toEqual(many.map((_, i) => i % 7 !== 3));
    });
  });

  describe('PrivateKey / PublicKey', () => {
    it('agree is symmetric and refuses low-order peers', async () => {
      const a = PrivateKey.generate();
      const b = PrivateKey.generate();
      expect(await a.agree(b.publicKey)).toEqual(await b.agree(a.publicKey));
      for (const low of ['0000000000000000000000000000000000000000000000000000000000000000', '0100000000000000000000000000000000000000000000000000000000000000', 'e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800']) {
        expect(await errorCode(() => a.agree(PublicKey.fromBytes(h(low))))).toBe('crypto/weak-shared-secret');
      }
    });
  });
});
