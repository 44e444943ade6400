/**
 * Hostile input through every public key import and every open/verify function, under each
 * provider: random lengths and random bytes must give a `CryptoError` (or `false` from a verify),
 * never a TypeError/RangeError from a typed array or a crypto library, never a crash.
 *
 * Runs: SEALSYNC_FUZZ_RUNS (default 150), seed SEALSYNC_FUZZ_SEED (default 11), printed on failure.
 */
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { CryptoError } from '../../src/errors.js';
import {
  PrivateKey,
  PublicKey,
  SecretKey,
  SigningKey,
  VerifyKey,
  checkArgon2Params,
  deriveKey,
  openBox,
  openSignedDocument,
  sealBox,
  splitSignedDocument,
  type Argon2Params,
} from '../../src/keys/index.js';
import { argon2idRaw, autoProvider, ed25519VerifyStrict, nobleProvider, setCryptoProvider, type CryptoProvider } from '../../src/keys/hazmat.js';
import { PROVIDERS } from './helpers.js';

const RUNS = Number(process.env['SEALSYNC_FUZZ_RUNS'] ?? 150);
const SEED = Number(process.env['SEALSYNC_FUZZ_SEED'] ?? 11);

/** Runs `f`; passes if it returns or throws a `CryptoError`, rethrows anything else. */
async function typed(f: () => unknown, where: string): Promise<unknown> {
  try {
    return await f();
  } catch (err) {
    if (err instanceof CryptoError) return err;
    throw new Error(`${where} (seed ${SEED}) threw a non-CryptoError: ${String(err)}`, { cause: err });
  }
}

afterAll(() => setCryptoProvider(autoProvider));

describe('keys: hostile input', () => {
  it('key imports refuse every wrong length and weak key with a CryptoError', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 70 }), async (b) => {
        for (const [name, f] of [
          ['VerifyKey', () => VerifyKey.fromBytes(b)],
          ['SigningKey', () => SigningKey.fromBytes(b)],
          ['PublicKey', () => PublicKey.fromBytes(b)],
          ['PrivateKey', () => PrivateKey.fromBytes(b)],
          ['SecretKey', () => SecretKey.fromBytes(b)],
        ] as const) {
          const r = await typed(f, `${name}.fromBytes(${b.length} bytes)`);
          if (b.length !== 32) expect(r, `${name} accepted ${b.length} bytes`).toBeInstanceOf(CryptoError);
        }
      }),
      { numRuns: RUNS, seed: SEED },
    );
    // Not bytes at all (a decoded field of the wrong type reaching an import).
    for (const v of [undefined, null, 'x'.repeat(32), 32, [...new Uint8Array(32)]]) {
      expect(await typed(() => VerifyKey.fromBytes(v as unknown as Uint8Array), 'VerifyKey(non-bytes)')).toBeInstanceOf(CryptoError);
      expect(await typed(() => SecretKey.fromBytes(v as unknown as Uint8Array), 'SecretKey(non-bytes)')).toBeInstanceOf(CryptoError);
    }
  });

  for (const provider of PROVIDERS) {
    describe(`under the ${provider.name} provider`, () => {
      const signer = SigningKey.fromBytes(new Uint8Array(32).fill(1));
      const secret = SecretKey.fromBytes(new Uint8Array(32).fill(2));
      const recipient = PrivateKey.fromBytes(new Uint8Array(32).fill(3));

      it('verify answers false (never throws) for signatures of any length and content', async () => {
        setCryptoProvider(provider);
        await fc.assert(
          fc.asyncProperty(fc.uint8Array({ maxLength: 40 }), fc.uint8Array({ maxLength: 80 }), async (msg, sig) => {
            expect(await signer.verifyKey.verify(msg, sig), `seed ${SEED}`).toBe(false);
          }),
          { numRuns: RUNS, seed: SEED },
        );
      });

      it('opening random or mutated sealed data gives a CryptoError', async () => {
        setCryptoProvider(provider);
        const aad = new Uint8Array([9]);
        const blob = await secret.encrypt(new Uint8Array(20), aad);
        const box = await sealBox(recipient.publicKey, new Uint8Array(20), aad);
        const signed = new Uint8Array([...(await signer.sign(new Uint8Array([0xa0]))), 0xa0]);
        await fc.assert(
          fc.asyncProperty(fc.uint8Array({ maxLength: 100 }), fc.nat(), fc.nat(255), async (random, pos, val) => {
            for (const [name, f] of [
              ['decrypt(random)', () => secret.decrypt(random, aad)],
              ['openBox(random)', () => openBox(recipient, random, aad)],
              ['openSignedDocument(random)', () => openSignedDocument(signer.verifyKey, random)],
              ['splitSignedDocument(random)', () => splitSignedDocument(random)],
            ] as const) {
              await typed(f, name);
            }
            for (const [name, good, open] of [
              ['decrypt', blob, (b: Uint8Array) => secret.decrypt(b, aad)],
              ['openBox', box, (b: Uint8Array) => openBox(recipient, b, aad)],
              ['openSignedDocument', signed, (b: Uint8Array) => openSignedDocument(signer.verifyKey, b)],
            ] as const) {
              const m = good.slice();
              const i = pos % m.length;
              if (m[i] === val) continue;
              m[i] = val;
              expect(await typed(() => open(m), `${name}(mutated at ${i})`), `${name} accepted a mutated input`).toBeInstanceOf(CryptoError);
              expect(await typed(() => open(good.subarray(0, i)), `${name}(truncated to ${i})`)).toBeInstanceOf(CryptoError);
            }
          }),
          { numRuns: RUNS, seed: SEED },
        );
      });
    });
  }

  it('key objects of the wrong class (e.g. a decoded field where a key was expected) are CryptoErrors', async () => {
    // A lookalike object must not reach a provider, where it would fail with a TypeError or,
    // worse, be used as raw key material.
    const raw = { toBytes: () => new Uint8Array(32) };
    for (const [name, f] of [
      ['sealBox', () => sealBox(raw as unknown as PublicKey, new Uint8Array(1))],
      ['openBox', () => openBox(raw as unknown as PrivateKey, new Uint8Array(80))],
      ['deriveKey', () => deriveKey(raw as unknown as SecretKey, 'block', new Uint8Array(16))],
      ['agree', () => PrivateKey.generate().agree(raw as unknown as PublicKey)],
    ] as const) {
      expect(await typed(f, name), name).toMatchObject({ code: 'crypto/invalid-input' });
    }
  });

  it('strictness is sealsync\'s, not the provider\'s: a permissive provider still cannot pass S >= L or an all-zero secret', async () => {
    // DESIGN §2 consensus: every device must reach the same verdict whatever library it runs on, so
    // the rules run before (and after) the provider. A provider that accepts anything proves it.
    const permissive: CryptoProvider = {
      ...nobleProvider,
      name: 'permissive',
      ed25519Verify: async () => true,
      x25519: async () => new Uint8Array(32),
    };
    const signer = SigningKey.fromBytes(new Uint8Array(32).fill(4));
    const msg = new Uint8Array([1, 2, 3]);
    const sig = await signer.sign(msg);
    const highS = sig.slice();
    highS.fill(0xff, 32); // S = 2^256 - 1 >= L (RFC 8032 §5.1.7 requires S < L: malleability)
    try {
      setCryptoProvider(permissive);
      expect(await ed25519VerifyStrict(signer.verifyKey.toBytes(), msg, highS, permissive)).toBe(false);
      expect(await signer.verifyKey.verify(msg, highS)).toBe(false);
      expect(await signer.verifyKey.verify(msg, sig)).toBe(true);
      // RFC 7748 §6.1: an all-zero shared secret (low-order peer) is known to everyone.
      expect(await typed(() => PrivateKey.generate().agree(PrivateKey.generate().publicKey), 'agree')).toMatchObject({ code: 'crypto/weak-shared-secret' });
    } finally {
      setCryptoProvider(autoProvider);
    }
  });

  it('Argon2: parameters that are not an object, and output lengths out of 4..1024, are crypto/invalid-input', async () => {
    for (const p of [null, undefined, 'm=19456', 7]) {
      const err = await typed(() => checkArgon2Params(p as unknown as Argon2Params), 'checkArgon2Params(non-object)');
      expect(err).toMatchObject({ code: 'crypto/invalid-input', message: expect.stringContaining('must be an object') });
    }
    const params = { memoryKiB: 8, iterations: 1, parallelism: 1, salt: new Uint8Array(16) };
    for (const length of [3, 1025]) {
      const err = await typed(() => argon2idRaw(new Uint8Array(1), params, { length, allowWeak: true }), `argon2idRaw(length ${length})`);
      expect(err).toMatchObject({ code: 'crypto/invalid-input', message: expect.stringContaining('output length') });
    }
  });

  it('stored Argon2 parameters of any shape are refused with a CryptoError unless valid', async () => {
    const value = fc.oneof(fc.integer({ min: -5, max: 1 << 21 }), fc.double(), fc.string({ maxLength: 4 }), fc.constant(null), fc.uint8Array({ maxLength: 20 }));
    await fc.assert(
      fc.asyncProperty(fc.record({ memoryKiB: value, iterations: value, parallelism: value, salt: value }, { requiredKeys: [] }), async (params) => {
        await typed(() => checkArgon2Params(params as unknown as Argon2Params), `checkArgon2Params(${JSON.stringify(params)})`);
      }),
      { numRuns: RUNS, seed: SEED },
    );
  });
});
