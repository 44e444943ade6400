/**
 * `EncryptedStorage` opaque namespaces (issue 14): values already end-to-end encrypted (the
 * client's realm-encrypted blocks) are stored as given, once, while names stay MACed and index
 * entries sealed; values sealed by an earlier version stay readable.
 */
import { describe, expect, it, vi } from 'vitest';
import { toHex, utf8Encode } from '../../src/bytes.js';
import { SecretKey } from '../../src/keys/index.js';
import { getCryptoProvider } from '../../src/keys/hazmat.js';
import { EncryptedStorage } from '../../src/storage/encrypted.js';
import { MemoryStorage } from '../../src/storage/memory.js';
import { storageContract } from './storage-contract.js';

const fixedKey = (): SecretKey => SecretKey.fromBytes(Uint8Array.from({ length: 32 }, (_, i) => i + 7));
const opaque = (ns: string): boolean => ns.startsWith('blk');

// The Storage contract holds whatever the namespaces: every one opaque here.
storageContract('EncryptedStorage(MemoryStorage), every namespace opaque', {
  make: async () => new EncryptedStorage(new MemoryStorage(), fixedKey(), { opaqueNamespaces: () => true }),
});

/** Records every inner put. */
function recording(): { inner: MemoryStorage; puts: { ns: string; key: string; value: Uint8Array }[] } {
  const inner = new MemoryStorage();
  const puts: { ns: string; key: string; value: Uint8Array }[] = [];
  const orig = inner.batch.bind(inner);
  inner.batch = async (ops) => {
    for (const op of ops) if (op.op === 'put') puts.push({ ns: op.ns, key: op.key, value: op.value });
    return orig(ops);
  };
  return { inner, puts };
}

describe('opaque namespaces', () => {
  it('store the value as given, without a local-key encryption; names stay hidden, the index entry sealed', async () => {
    const { inner, puts } = recording();
    const enc = new EncryptedStorage(inner, fixedKey(), { opaqueNamespaces: opaque });
    const value = utf8Encode('already end-to-end encrypted bytes');
    const provider = getCryptoProvider();
    const seal = vi.spyOn(provider, 'aesGcmSeal');
    await enc.put('blk-realm', 'block-1', value);
    // One encryption: the index entry (the name), none for the value.
    expect(seal).toHaveBeenCalledTimes(1);
    expect(seal.mock.calls[0]![2]).toEqual(utf8Encode('block-1'));
    seal.mockRestore();
    const stored = puts.filter((p) => toHex(p.value) === toHex(value));
    expect(stored).toHaveLength(1);
    expect(stored[0]!.ns).not.toContain('blk');
    expect(stored[0]!.key).not.toContain('block-1');
    for (const p of puts) expect(`${p.ns} ${p.key} ${toHex(p.value)}`).not.toContain(toHex(utf8Encode('block-1')));
    expect(await enc.get('blk-realm', 'block-1')).toEqual(value);
    expect(await enc.list('blk-realm')).toEqual(['block-1']);
  });

  it('other namespaces are still sealed', async () => {
    const { inner, puts } = recording();
    const enc = new EncryptedStorage(inner, fixedKey(), { opaqueNamespaces: opaque });
    const value = utf8Encode('a local entry in clear');
    await enc.put('entries', 'e', value);
    expect(puts.some((p) => toHex(p.value).includes(toHex(value)))).toBe(false);
    expect(await enc.get('entries', 'e')).toEqual(value);
  });

  it('a value sealed before the namespace became opaque is still read; a put stores it opaque; delete removes both', async () => {
    const { inner, puts } = recording();
    const before = new EncryptedStorage(inner, fixedKey());
    await before.put('blk-realm', 'old', utf8Encode('sealed by an earlier version'));
    const enc = new EncryptedStorage(inner, fixedKey(), { opaqueNamespaces: opaque });
    expect(await enc.get('blk-realm', 'old')).toEqual(utf8Encode('sealed by an earlier version'));
    expect(await enc.list('blk-realm')).toEqual(['old']);
    await enc.put('blk-realm', 'old', utf8Encode('rewritten'));
    expect(await enc.get('blk-realm', 'old')).toEqual(utf8Encode('rewritten'));
    expect(await enc.delete('blk-realm', 'old')).toBe(true);
    expect(await enc.get('blk-realm', 'old')).toBeUndefined();
    expect(await enc.list('blk-realm')).toEqual([]);
    // Nothing left in the inner storage: neither the sealed copy nor the opaque one.
    const touched = new Set(puts.map((p) => p.ns));
    expect(touched.size).toBe(3); // sealed values, index, opaque values
    for (const ns of touched) expect(await inner.list(ns)).toEqual([]);
    expect(await new EncryptedStorage(inner, fixedKey()).get('blk-realm', 'old')).toBeUndefined();
  });

  it('an opaque value is handed back as stored: tampering is for the reader to detect (no local AEAD on it)', async () => {
    const { inner, puts } = recording();
    const enc = new EncryptedStorage(inner, fixedKey(), { opaqueNamespaces: opaque });
    await enc.put('blk-realm', 'b', new Uint8Array([1, 2, 3]));
    const where = puts.find((p) => p.value.length === 3)!;
    await inner.put(where.ns, where.key, new Uint8Array([9, 9, 9]));
    expect(await enc.get('blk-realm', 'b')).toEqual(new Uint8Array([9, 9, 9]));
  });
});

describe('handOver through EncryptedStorage', () => {
  it('an opaque value handed over reaches the inner storage as the same array; one not handed over as a copy', async () => {
    const { inner, puts } = recording();
    const enc = new EncryptedStorage(inner, fixedKey(), { opaqueNamespaces: opaque });
    const given = new Uint8Array(8192).fill(5);
    const lent = new Uint8Array(8192).fill(6);
    await enc.batch([
      { op: 'put', ns: 'blk-realm', key: 'given', value: given, handOver: true },
      { op: 'put', ns: 'blk-realm', key: 'lent', value: lent },
    ]);
    expect(puts.some((p) => p.value === given)).toBe(true);
    expect(puts.some((p) => p.value === lent)).toBe(false);
    lent.fill(0);
    expect((await enc.get('blk-realm', 'lent'))!.every((b) => b === 6)).toBe(true);
    // Reads are copies whatever the write: changing one changes nothing stored.
    const got = (await enc.get('blk-realm', 'given'))!;
    got.fill(0);
    expect((await enc.get('blk-realm', 'given'))!.every((b) => b === 5)).toBe(true);
  });

  it('a sealed value is handed to the inner storage as its fresh ciphertext; the plaintext array is never stored', async () => {
    const { inner, puts } = recording();
    const enc = new EncryptedStorage(inner, fixedKey());
    const value = new Uint8Array(8192).fill(4);
    await enc.batch([{ op: 'put', ns: 'entries', key: 'e', value, handOver: true }]);
    expect(puts.some((p) => p.value === value)).toBe(false);
    expect(await enc.get('entries', 'e')).toEqual(new Uint8Array(8192).fill(4));
  });
});
