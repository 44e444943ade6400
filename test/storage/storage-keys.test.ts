import { describe, expect, it } from 'vitest';
import { concatBytes, toHex, utf8Encode } from '../../src/bytes.js';
import { CryptoError } from '../../src/errors.js';
import { SecretKey, deriveKey, hmacSha256, hkdfSha256, deriveKeyInfo } from '../../src/keys/index.js';
import { LruCache } from '../../src/storage/lru.js';
import { StorageKeys } from '../../src/storage/storage-keys.js';
import { ArgumentError } from '../../src/errors.js';

const key = SecretKey.fromBytes(Uint8Array.from({ length: 32 }, (_, i) => 200 - i));

describe('StorageKeys (synchronous derivation)', () => {
  it('itemKey is byte-identical to deriveKey and to a full RFC 5869 HKDF', async () => {
    const sk = new StorageKeys(key);
    for (const [purpose, id] of [
      ['storage-item', utf8Encode('ns\0key')],
      ['storage-name', utf8Encode('ns\0' + 'ab'.repeat(32))],
      ['storage-item', new Uint8Array(0)],
      ['x', new Uint8Array(300).fill(7)],
    ] as const) {
      const ours = sk.itemKey(purpose, id);
      expect(ours.equals(await deriveKey(key, purpose, id))).toBe(true);
      expect(toHex(ours.exportSecretBytes())).toBe(toHex(await hkdfSha256(key.exportSecretBytes(), new Uint8Array(0), deriveKeyInfo(purpose, id), 32)));
    }
  });

  it('mac is HMAC-SHA256 under deriveKey(localKey, "storage-names", empty) of label ‖ 0 ‖ data', async () => {
    const sk = new StorageKeys(key);
    const nameKey = (await deriveKey(key, 'storage-names', new Uint8Array(0))).exportSecretBytes();
    const data = utf8Encode('docs\0a');
    expect(sk.mac('key', data)).toBe(toHex(await hmacSha256(nameKey, concatBytes(utf8Encode('key'), new Uint8Array([0]), data))));
    // Repeated calls reuse the precomputed state without being altered by it.
    expect(sk.mac('key', data)).toBe(sk.mac('key', data));
    expect(sk.mac('key', data)).not.toBe(sk.mac('ns-data', data));
  });

  it('different local keys give unrelated results; a NUL purpose is refused as deriveKey refuses it', () => {
    const a = new StorageKeys(key);
    const b = new StorageKeys(SecretKey.fromBytes(new Uint8Array(32).fill(1)));
    expect(a.mac('key', utf8Encode('x'))).not.toBe(b.mac('key', utf8Encode('x')));
    expect(a.itemKey('p', utf8Encode('x')).equals(b.itemKey('p', utf8Encode('x')))).toBe(false);
    expect(() => a.itemKey('a\0b', new Uint8Array(0))).toThrow(CryptoError);
  });
});

describe('LruCache', () => {
  it('evicts the least recently used entry; get refreshes', () => {
    const c = new LruCache<string, number>(2);
    c.set('a', 1);
    c.set('b', 2);
    expect(c.get('a')).toBe(1); // b is now the oldest
    c.set('c', 3);
    expect(c.get('b')).toBeUndefined();
    expect(c.get('a')).toBe(1);
    expect(c.get('c')).toBe(3);
    expect(c.size).toBe(2);
    expect(c.delete('a')).toBe(true);
    expect(c.delete('a')).toBe(false);
    c.set('c', 4);
    expect(c.size).toBe(1);
    expect(c.get('c')).toBe(4);
  });

  it('refuses a capacity that is not a positive integer', () => {
    for (const n of [0, -1, 2.5, Number.NaN, Infinity]) expect(() => new LruCache(n)).toThrow(ArgumentError);
  });
});
