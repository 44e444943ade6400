import { describe, expect, it } from 'vitest';
import { AEAD_OVERHEAD, blockAad, decryptBlock, encryptBlock } from '../../src/blocks/index.js';
import type { BlockId, RealmId } from '../../src/codec/ids.js';
import { idToBytes, newId } from '../../src/codec/ids.js';
import { IntegrityError } from '../../src/errors.js';
import { SecretKey, deriveKey, sha256 } from '../../src/keys/index.js';
import type { BlockRef } from '../../src/manifests/types.js';
import { newRealm } from './fixtures.js';
import { testBytes } from './helpers.js';

async function encrypted(n = 1000) {
  const realm = newRealm(3);
  const plaintext = testBytes(n, n);
  const enc = await encryptBlock(plaintext, realm);
  const ref: BlockRef = { id: enc.id, offset: 0, size: enc.size, digest: enc.digest };
  return { realm, plaintext, enc, ref };
}

describe('block encryption', () => {
  it('uses a random 16-byte id, SHA-256 of the plaintext, and round-trips', async () => {
    const { realm, plaintext, enc, ref } = await encrypted();
    expect(enc.id).toMatch(/^[0-9a-f]{32}$/);
    expect(enc.digest).toEqual(await sha256(plaintext));
    expect(enc.ciphertext.length).toBe(plaintext.length + AEAD_OVERHEAD);
    expect(await decryptBlock(ref, enc.ciphertext, realm)).toEqual(plaintext);
    const other = await encryptBlock(plaintext, realm);
    expect(other.id).not.toBe(enc.id);
  });

  it('encrypts under HKDF(realm key, "block", id) with AAD realm id ‖ block id ‖ u32be(k) (DESIGN §7)', async () => {
    const { realm, plaintext, enc } = await encrypted();
    const aad = blockAad(realm.realmId, enc.id, realm.keyIndex);
    expect(aad).toEqual(new Uint8Array([...idToBytes(realm.realmId), ...idToBytes(enc.id), 0, 0, 0, 3]));
    const key = await deriveKey(realm.realmKey, 'block', idToBytes(enc.id));
    expect(await key.decrypt(enc.ciphertext, aad)).toEqual(plaintext);
  });

  it('refuses another realm id, key index or realm key (integrity/block-decrypt)', async () => {
    const { realm, enc, ref } = await encrypted();
    for (const opts of [
      { ...realm, realmId: newId<RealmId>() },
      { ...realm, keyIndex: 4 },
      { ...realm, realmKey: SecretKey.generate() },
    ]) {
      await expect(decryptBlock(ref, enc.ciphertext, opts)).rejects.toMatchObject({ code: 'integrity/block-decrypt' });
    }
  });

  it('refuses a ciphertext fetched for another block id (integrity/block-decrypt)', async () => {
    const { realm, enc, ref } = await encrypted();
    const err = await decryptBlock({ ...ref, id: newId<BlockId>() }, enc.ciphertext, realm).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IntegrityError);
    expect(err).toMatchObject({ code: 'integrity/block-decrypt' });
  });

  it('refuses a block re-encrypted under the same id with other content by a key holder (integrity/block-digest)', async () => {
    const { realm, enc, ref } = await encrypted();
    const forged = testBytes(1000, 99);
    const again = await encryptBlock(forged, realm, enc.id);
    await expect(decryptBlock(ref, again.ciphertext, realm)).rejects.toMatchObject({ code: 'integrity/block-digest' });
  });

  it('refuses a size that does not match the manifest (integrity/block-size)', async () => {
    const { realm, enc, ref } = await encrypted();
    await expect(decryptBlock({ ...ref, size: ref.size - 1 }, enc.ciphertext, realm)).rejects.toMatchObject({ code: 'integrity/block-size' });
    await expect(decryptBlock(ref, enc.ciphertext.subarray(0, enc.ciphertext.length - 1), realm)).rejects.toMatchObject({
      code: 'integrity/block-size',
    });
  });

  it('reports nothing fetched as integrity/block-missing', async () => {
    const { realm, ref } = await encrypted();
    for (const nothing of [undefined, null, 'x' as unknown as Uint8Array]) {
      await expect(decryptBlock(ref, nothing, realm)).rejects.toMatchObject({ code: 'integrity/block-missing' });
    }
  });

  it('refuses a key index outside [1, 2^32-1]', async () => {
    const { realm, plaintext } = await encrypted();
    for (const keyIndex of [0, -1, 1.5, 2 ** 32]) {
      await expect(encryptBlock(plaintext, { ...realm, keyIndex })).rejects.toMatchObject({ code: 'blocks/invalid-key-index' });
    }
  });
});
