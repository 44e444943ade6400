/** Argon2id password keys (small parameters only: no 64 MiB run in unit tests). */
import { describe, expect, it } from 'vitest';
import { toHex, utf8Encode } from '../../src/bytes.js';
import {
  argon2idRaw,
  checkArgon2Params,
  DEFAULT_ARGON2_PARAMS,
  deriveKeyFromPassword,
  MIN_ARGON2_PARAMS,
  newArgon2Params,
  type Argon2Params,
} from '../../src/keys/argon2.js';
import { errorCode } from './helpers.js';

const fast = (salt = new Uint8Array(16).fill(7)): Argon2Params => ({ memoryKiB: 64, iterations: 1, parallelism: 1, salt });

describe('Argon2id', () => {
  it('RFC 9106 §5.3 test vector (secret and associated data included)', async () => {
    const tag = await argon2idRaw(
      new Uint8Array(32).fill(1),
      { memoryKiB: 32, iterations: 3, parallelism: 4, salt: new Uint8Array(16).fill(2) },
      { secret: new Uint8Array(8).fill(3), associatedData: new Uint8Array(12).fill(4), length: 32, allowWeak: true },
    );
    expect(toHex(tag)).toBe('0d640df58d78766c08c037a34a8b53c9d01ef0452d75b65eb52520e96b01e659');
  });

  it('deterministic for the same password and params; salt and password matter', async () => {
    const a = await deriveKeyFromPassword('correct horse', fast(), { allowWeak: true });
    expect(a.equals(await deriveKeyFromPassword('correct horse', fast(), { allowWeak: true }))).toBe(true);
    expect(a.equals(await deriveKeyFromPassword('correct horsf', fast(), { allowWeak: true }))).toBe(false);
    expect(a.equals(await deriveKeyFromPassword('correct horse', fast(new Uint8Array(16).fill(8)), { allowWeak: true }))).toBe(false);
    expect(a.exportSecretBytes()).toEqual(await argon2idRaw(utf8Encode('correct horse'), fast(), { allowWeak: true }));
  });

  it('normalises the password to NFC', async () => {
    const composed = await deriveKeyFromPassword('caf\u00e9', fast(), { allowWeak: true });
    const decomposed = await deriveKeyFromPassword('cafe\u0301', fast(), { allowWeak: true });
    expect(composed.equals(decomposed)).toBe(true);
  });

  it('refuses parameters weaker than MIN without allowWeak (crypto/weak-kdf-params)', async () => {
    expect(await errorCode(() => deriveKeyFromPassword('pw', fast()))).toBe('crypto/weak-kdf-params');
    const salt = new Uint8Array(16);
    expect(await errorCode(() => checkArgon2Params({ ...MIN_ARGON2_PARAMS, memoryKiB: MIN_ARGON2_PARAMS.memoryKiB - 1, salt }))).toBe('crypto/weak-kdf-params');
    expect(await errorCode(() => checkArgon2Params({ ...MIN_ARGON2_PARAMS, iterations: 1, salt }))).toBe('crypto/weak-kdf-params');
    expect(await errorCode(() => checkArgon2Params({ ...MIN_ARGON2_PARAMS, salt }))).toBeNull();
    expect(await errorCode(() => checkArgon2Params({ ...DEFAULT_ARGON2_PARAMS, salt }))).toBeNull();
  });

  it('refuses malformed or absurd (hostile) parameters with crypto/invalid-input', async () => {
    const salt = new Uint8Array(16);
    const bad: Argon2Params[] = [
      { memoryKiB: 2 ** 32, iterations: 3, parallelism: 1, salt },
      { memoryKiB: 65536, iterations: 1e9, parallelism: 1, salt },
      { memoryKiB: 65536, iterations: 3, parallelism: 0, salt },
      { memoryKiB: 65536, iterations: 3, parallelism: 1.5, salt },
      { memoryKiB: 16, iterations: 3, parallelism: 4, salt }, // m < 8p
      { memoryKiB: 65536, iterations: 3, parallelism: 1, salt: new Uint8Array(7) },
      { memoryKiB: 65536, iterations: 3, parallelism: 1, salt: 'salt' as unknown as Uint8Array },
    ];
    for (const p of bad) expect(await errorCode(() => checkArgon2Params(p, true)), JSON.stringify(p)).toBe('crypto/invalid-input');
    expect(await errorCode(() => deriveKeyFromPassword(42 as unknown as string, fast(), { allowWeak: true }))).toBe('crypto/invalid-input');
  });

  it('newArgon2Params: defaults, a fresh 16-byte salt, overrides', () => {
    const a = newArgon2Params();
    const b = newArgon2Params({ iterations: 4 });
    expect(a).toMatchObject({ memoryKiB: 65536, iterations: 3, parallelism: 1 });
    expect(a.salt).toHaveLength(16);
    expect(toHex(a.salt)).not.toBe(toHex(b.salt));
    expect(b.iterations).toBe(4);
  });
});
