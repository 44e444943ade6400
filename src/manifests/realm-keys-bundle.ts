/**
 * Realm keys bundle and per-member accesses (the manifest format).
 *
 * The bundle (all of a realm's keys, index order) is signed by an OWNER's device and encrypted
 * with a one-time key; that one-time key is sealed to each member's user public key (an
 * "access"). One bundle per rotation, one small access per member: sharing with one more member
 * costs one sealed box, not a copy of every key.
 *
 * Accesses are not signed: a forged access can only yield a key that fails to decrypt the real
 * bundle, or decrypts a forged bundle that then fails the OWNER signature check.
 * @module
 */
import { concatBytes, utf8Encode } from '../bytes.js';
import { encodeCbor } from '../codec/cbor.js';
import { defineDocument } from '../codec/document.js';
import { idToBytes, type DeviceId, type RealmId, type UserId } from '../codec/ids.js';
import { s } from '../codec/schema.js';
import type { Timestamp } from '../codec/timestamps.js';
import { CryptoError, ManifestError } from '../errors.js';
import { openBox, sealBox, SecretKey, signDocument, type PrivateKey, type PublicKey, type SigningKey } from '../keys/index.js';
import { RealmKeyring, type RealmKeyRotationInfo } from './realm-keyring.js';
import type { ManifestTrust } from './trust.js';
import { verifySignedDocument } from './vlob-crypto.js';

/** `realm_keys_bundle` v1: the realm's keys, index 1..n in order. Signed, then encrypted. */
export const realmKeysBundleDocument = defineDocument({
  type: 'realm_keys_bundle',
  version: 1,
  fields: {
    realm: s.id<RealmId>(),
    author: s.id<DeviceId>(),
    timestamp: s.timestamp(),
    keys: s.array(s.bytes(32), { min: 1 }),
  },
});

/** `realm_keys_access` v1: the bundle's one-time key for one user. Sealed to the user's key. */
export const realmKeysAccessDocument = defineDocument({
  type: 'realm_keys_access',
  version: 1,
  // Two ids and a key: anything bigger is hostile.
  maxSize: 1024,
  fields: { realm: s.id<RealmId>(), user: s.id<UserId>(), key: s.bytes(32) },
});

/** Binds a bundle ciphertext to its realm: a bundle of realm A cannot be passed off as B's. */
export function bundleAad(realmId: RealmId): Uint8Array {
  return concatBytes(utf8Encode('sealsync/1/realm-keys-bundle\0'), idToBytes(realmId));
}

/** Binds an access to its realm and user: Bob cannot be handed Carol's access as his own. */
export function accessAad(realmId: RealmId, userId: UserId): Uint8Array {
  return concatBytes(utf8Encode('sealsync/1/realm-keys-access\0'), idToBytes(realmId), idToBytes(userId));
}

/** A member who receives an access. */
export interface KeysRecipient {
  readonly userId: UserId;
  readonly publicKey: PublicKey;
}

/** What `createRealmKeysBundle` returns. */
export interface RealmKeysBundle {
  /** The encrypted, signed bundle (stored once per realm rotation). */
  readonly bundle: Uint8Array;
  /** The one-time key; keep it only to give access to a new member (`createRealmKeysAccess`). */
  readonly bundleKey: SecretKey;
  /** One sealed access per member. */
  readonly accesses: ReadonlyMap<UserId, Uint8Array>;
}

/**
 * Seals `bundleKey` to one member. Throws `CryptoError` for a weak public key.
 */
export async function createRealmKeysAccess(args: {
  realmId: RealmId;
  member: KeysRecipient;
  bundleKey: SecretKey;
}): Promise<Uint8Array> {
  const { realmId, member, bundleKey } = args;
  const body = realmKeysAccessDocument.encode({ realm: realmId, user: member.userId, key: bundleKey.exportSecretBytes() });
  return sealBox(member.publicKey, body, accessAad(realmId, member.userId));
}

/**
 * Opens this user's access and returns the bundle's one-time key.
 * Throws `ManifestError` `manifest/decrypt-failed` (not for this user/realm, or tampered),
 * `manifest/realm-mismatch`, `manifest/access-mismatch` (sealed for another user), `CodecError`.
 */
export async function openRealmKeysAccess(args: {
  access: Uint8Array;
  realmId: RealmId;
  userId: UserId;
  privateKey: PrivateKey;
}): Promise<SecretKey> {
  const { access, realmId, userId, privateKey } = args;
  let body: Uint8Array;
  try {
    body = await openBox(privateKey, access, accessAad(realmId, userId));
  } catch (err) {
    if (err instanceof CryptoError) throw new ManifestError('manifest/decrypt-failed', 'realm keys access does not open', { cause: err });
    throw err;
  }
  const doc = realmKeysAccessDocument.decode(body);
  if (doc.realm !== realmId) throw new ManifestError('manifest/realm-mismatch', 'access is for another realm');
  if (doc.user !== userId) throw new ManifestError('manifest/access-mismatch', 'access is for another user');
  return SecretKey.fromBytes(doc.key);
}

/**
 * Builds a keys bundle of `keys` (index 1..n) signed by `signingKey` (an OWNER's device
 * `author`), encrypted with a fresh one-time key, with an access for each of `members`.
 * Throws `CodecError` for invalid fields, `CryptoError` for a weak member public key.
 */
export async function createRealmKeysBundle(args: {
  realmId: RealmId;
  keys: readonly SecretKey[];
  author: DeviceId;
  timestamp: Timestamp;
  signingKey: SigningKey;
  members: readonly KeysRecipient[];
}): Promise<RealmKeysBundle> {
  const { realmId, keys, author, timestamp, signingKey, members } = args;
  const body = encodeCbor(
    realmKeysBundleDocument.toCbor({ realm: realmId, author, timestamp, keys: keys.map((k) => k.exportSecretBytes()) }),
  );
  const signed = await signDocument(signingKey, body);
  const bundleKey = SecretKey.generate();
  const bundle = await bundleKey.encrypt(signed, bundleAad(realmId));
  const accesses = new Map<UserId, Uint8Array>();
  for (const member of members) accesses.set(member.userId, await createRealmKeysAccess({ realmId, member, bundleKey }));
  return { bundle, bundleKey, accesses };
}

/** What `openRealmKeysBundle` returns. */
export interface OpenedRealmKeysBundle {
  readonly keyring: RealmKeyring;
  readonly author: DeviceId;
  readonly timestamp: Timestamp;
}

/**
 * Decrypts and verifies a keys bundle. Checks, in order: decrypts (`manifest/decrypt-failed`);
 * author device known and not revoked at the bundle timestamp (`manifest/author-unknown`,
 * `manifest/author-revoked`); signature (`manifest/bad-signature`); decoding (`CodecError`,
 * `UnsupportedFormatError`); realm (`manifest/realm-mismatch`); the author's user was OWNER at
 * the timestamp (`manifest/author-not-owner`: only owners distribute keys, the certificate rules); every key
 * matches its rotation canary (see `RealmKeyring.verified`).
 * `rotations` are the realm's `realm_key_rotation` certificates as validated by the certificate
 * store.
 */
export async function openRealmKeysBundle(args: {
  bundle: Uint8Array;
  bundleKey: SecretKey;
  realmId: RealmId;
  trust: ManifestTrust;
  rotations: readonly RealmKeyRotationInfo[];
}): Promise<OpenedRealmKeysBundle> {
  const { bundle, bundleKey, realmId, trust, rotations } = args;
  let signed: Uint8Array;
  try {
    signed = await bundleKey.decrypt(bundle, bundleAad(realmId));
  } catch (err) {
    if (err instanceof CryptoError) throw new ManifestError('manifest/decrypt-failed', 'realm keys bundle does not decrypt', { cause: err });
    throw err;
  }
  const { value, device } = await verifySignedDocument(signed, trust);
  const doc = realmKeysBundleDocument.fromCbor(value);
  if (doc.realm !== realmId) throw new ManifestError('manifest/realm-mismatch', 'keys bundle is for another realm');
  if (trust.realmRoleAt(realmId, device.userId, doc.timestamp) !== 'OWNER') {
    throw new ManifestError('manifest/author-not-owner', 'keys bundle author was not an OWNER of the realm at its timestamp');
  }
  const keyring = await RealmKeyring.verified(realmId, doc.keys.map((k) => SecretKey.fromBytes(k)), rotations);
  return { keyring, author: doc.author, timestamp: doc.timestamp };
}
