/**
 * Local block records after issue 14's copy removal: a stored block is handed over to the
 * storage (no copy on the way in) and read back as a view into the storage's fresh copy (no
 * second copy on the way out). What a reader gets must still never alias what is stored.
 */
import { describe, expect, it } from 'vitest';
import { newId, type BlockId, type RealmId } from '../../src/codec/ids.js';
import { EncryptedStorage, MemoryStorage } from '../../src/storage/index.js';
import { SecretKey } from '../../src/keys/index.js';
import { isBlocksNamespace, LocalStore } from '../../src/client/local-store.js';

function store(): LocalStore {
  return new LocalStore(new EncryptedStorage(new MemoryStorage(), SecretKey.generate(), { opaqueNamespaces: isBlocksNamespace }));
}

describe('LocalStore blocks', () => {
  it('a block read back and changed by its reader leaves the stored block intact; so does the writer changing its ciphertext', async () => {
    const s = store();
    const realm = newId<RealmId>();
    const id = newId<BlockId>();
    const ciphertext = new Uint8Array(600 * 1024).fill(8);
    await s.storage.batch(s.blockOps(realm, id, { keyIndex: 2, ciphertext }));
    ciphertext.fill(0);
    const first = (await s.getBlock(realm, id))!;
    expect(first.keyIndex).toBe(2);
    expect(first.ciphertext.every((b) => b === 8)).toBe(true);
    first.ciphertext.fill(1);
    const second = (await s.getBlock(realm, id))!;
    expect(second.ciphertext.length).toBe(600 * 1024);
    expect(second.ciphertext.every((b) => b === 8)).toBe(true);
    expect(second.ciphertext.buffer).not.toBe(first.ciphertext.buffer);
  });

  it('blockOps hands over a fresh document, never the ciphertext array itself', () => {
    const s = store();
    const ciphertext = new Uint8Array(8192).fill(3);
    const [op] = s.blockOps(newId<RealmId>(), newId<BlockId>(), { keyIndex: 1, ciphertext });
    expect(op!.op === 'put' && op!.handOver).toBe(true);
    expect(op!.op === 'put' && op!.value.buffer).not.toBe(ciphertext.buffer);
  });
});
