/**
 * Realm (workspace) name encryption for the `realm_name` certificate (the certificate rules): the server
 * routes the certificate but must not learn the name.
 *
 *   encryptedName = AEAD(key = HKDF(realm key[k], "realm-name", realm id),
 *                        AAD = realm id ‖ u32be(k), cbor(realm_name_plaintext))
 * @module
 */
import { concatBytes, u32be } from '../bytes.js';
import { defineDocument } from '../codec/document.js';
import { idToBytes, type DeviceId, type RealmId } from '../codec/ids.js';
import type { Schema } from '../codec/schema.js';
import { CodecError, CryptoError, ManifestError } from '../errors.js';
import { signCertificate } from '../certificates/sign.js';
import type { ChainLink, RealmNameCertificate } from '../certificates/types.js';
import type { Timestamp } from '../codec/timestamps.js';
import { deriveKey, type SigningKey } from '../keys/index.js';
import { entryName, type EntryName } from './entry-name.js';
import type { RealmKeyLookup, RealmKeyring } from './realm-keyring.js';

/** A workspace name becomes a folder name on every device, so it follows the entry-name rules. */
const nameSchema: Schema<EntryName> = {
  description: 'entry name',
  encode: (v) => entryName(v),
  decode: (v) => {
    if (typeof v !== 'string') throw new CodecError('codec/schema', 'name: expected text');
    return entryName(v);
  },
};

/** `realm_name_plaintext` v1: what is encrypted inside a `realm_name` certificate. */
export const realmNamePlaintextDocument = defineDocument({
  type: 'realm_name_plaintext',
  version: 1,
  // One entry name (≤ 255 bytes).
  maxSize: 1024,
  fields: { name: nameSchema },
});

function realmNameAad(realmId: RealmId, keyIndex: number): Uint8Array {
  return concatBytes(idToBytes(realmId), u32be(keyIndex));
}

/**
 * Encrypts `name` with the keyring's newest key. Returns the certificate fields `keyIndex` and
 * `encryptedName`. Throws `EntryNameError` for an invalid name, `ManifestError`
 * `manifest/realm-mismatch` for a keyring of another realm.
 */
export async function encryptRealmName(args: {
  name: string;
  realmId: RealmId;
  keyring: RealmKeyring;
}): Promise<{ keyIndex: number; encryptedName: Uint8Array }> {
  const { name, realmId, keyring } = args;
  if (keyring.realmId !== realmId) throw new ManifestError('manifest/realm-mismatch', 'keyring belongs to another realm');
  const plaintext = realmNamePlaintextDocument.encode({ name: entryName(name) });
  const { keyIndex, key } = keyring.latest();
  const nameKey = await deriveKey(key, 'realm-name', idToBytes(realmId));
  return { keyIndex, encryptedName: await nameKey.encrypt(plaintext, realmNameAad(realmId, keyIndex)) };
}

/**
 * Decrypts a `realm_name` certificate's name. Throws `ManifestError` `manifest/unknown-key-index`,
 * `manifest/decrypt-failed`; `CodecError`/`EntryNameError`/`UnsupportedFormatError` for bad content.
 */
export async function decryptRealmName(args: {
  encryptedName: Uint8Array;
  keyIndex: number;
  realmId: RealmId;
  realmKeys: RealmKeyLookup;
}): Promise<EntryName> {
  const { encryptedName, keyIndex, realmId, realmKeys } = args;
  const key = realmKeys.get(keyIndex);
  if (key === undefined) throw new ManifestError('manifest/unknown-key-index', `no realm key ${keyIndex}`);
  const nameKey = await deriveKey(key, 'realm-name', idToBytes(realmId));
  let plaintext: Uint8Array;
  try {
    plaintext = await nameKey.decrypt(encryptedName, realmNameAad(realmId, keyIndex));
  } catch (err) {
    if (err instanceof CryptoError) throw new ManifestError('manifest/decrypt-failed', 'realm name does not decrypt', { cause: err });
    throw err;
  }
  return realmNamePlaintextDocument.decode(plaintext).name;
}

/**
 * Encrypts `name` (see `encryptRealmName`) and signs the `realm_name` certificate with the
 * author device's key (the author must be an OWNER, checked by the certificate store on ingest).
 */
export async function createRealmNameCertificate(args: {
  name: string;
  realmId: RealmId;
  keyring: RealmKeyring;
  author: DeviceId;
  timestamp: Timestamp;
  signingKey: SigningKey;
  /** Where the certificate goes in the realm's topic (`CertificateStore.nextLink`). */
  link: ChainLink;
}): Promise<{ certificate: Uint8Array; fields: RealmNameCertificate }> {
  const { keyIndex, encryptedName } = await encryptRealmName(args);
  const fields: RealmNameCertificate = {
    type: 'realm_name',
    author: args.author,
    timestamp: args.timestamp,
    chain: args.link,
    realmId: args.realmId,
    keyIndex,
    encryptedName,
  };
  return { certificate: await signCertificate(args.signingKey, fields, fields.chain), fields };
}
