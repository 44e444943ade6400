/**
 * Realm key rotation (the manifest format): after a member is unshared or revoked, an OWNER appends a fresh
 * key, announces it with a `realm_key_rotation` certificate (index, suite, canary) and
 * distributes a new keys bundle to the members that remain. New data is encrypted with the new
 * key only, so the removed member, who kept the old keys, cannot read anything written later.
 * Creating a realm is the rotation to key index 1.
 * @module
 */
import type { DeviceId, RealmId, UserId } from '../codec/ids.js';
import type { Timestamp } from '../codec/timestamps.js';
import { ArgumentError } from '../errors.js';
import { signCertificate } from '../certificates/sign.js';
import type { ChainLink, RealmKeyRotationCertificate } from '../certificates/types.js';
import { SecretKey, type SigningKey } from '../keys/index.js';
import { keyCanary, REALM_KEY_SUITE_V1 } from './key-canary.js';
import { RealmKeyring, type RealmKeyRotationInfo } from './realm-keyring.js';
import { createRealmKeysBundle, type KeysRecipient } from './realm-keys-bundle.js';


/** What `rotateRealmKey` returns. */
export interface RealmKeyRotation {
  /** The `realm_key_rotation` certificate (index, suite, canary of the new key). */
  readonly rotation: RealmKeyRotationCertificate;
  /** The same, signed by `author`: ingest it in the realm's topic before using the new key. */
  readonly certificate: Uint8Array;
  /** The keyring including the new key (the rotation's own canary already checked). */
  readonly keyring: RealmKeyring;
  readonly bundle: Uint8Array;
  /** The bundle's one-time key, to give access to members added later. */
  readonly bundleKey: SecretKey;
  /** One access per member passed in: the *current* members only. */
  readonly accesses: ReadonlyMap<UserId, Uint8Array>;
}

/**
 * Appends a fresh random key to `currentKeys` (`null` when creating the realm), computes its
 * canary, signs the `realm_key_rotation` certificate and builds the new bundle signed by `signingKey` (device `author`, who must be an
 * OWNER for readers to accept it) with accesses for `members`. The caller passes only the
 * members that remain: whoever is left out gets nothing of the new key.
 * Throws `ArgumentError` if `currentKeys` is of another realm or `members` is empty.
 */
export async function rotateRealmKey(args: {
  realmId: RealmId;
  currentKeys: RealmKeyring | null;
  members: readonly KeysRecipient[];
  author: DeviceId;
  signingKey: SigningKey;
  timestamp: Timestamp;
  /** Where the rotation certificate goes in the realm's topic (`CertificateStore.nextLink`). */
  link: ChainLink;
  /** Rotation certificates of the current keys, to re-verify them into the new keyring. */
  currentRotations?: readonly RealmKeyRotationInfo[];
}): Promise<RealmKeyRotation> {
  const { realmId, currentKeys, members, author, signingKey, timestamp } = args;
  if (currentKeys !== null && currentKeys.realmId !== realmId) {
    throw new ArgumentError('argument/invalid', 'current keys belong to another realm');
  }
  if (members.length === 0) throw new ArgumentError('argument/invalid', 'a realm keeps at least one member (its owner)');
  const oldKeys = currentKeys?.toArray() ?? [];
  const newKey = SecretKey.generate();
  const keyIndex = oldKeys.length + 1;
  const rotation: RealmKeyRotationCertificate = {
    type: 'realm_key_rotation',
    realmId,
    author,
    timestamp,
    chain: args.link,
    keyIndex,
    suite: REALM_KEY_SUITE_V1,
    keyCanary: await keyCanary(realmId, keyIndex, newKey),
  };
  const keys = [...oldKeys, newKey];
  // Old keys were verified when `currentKeys` was built; recompute their canaries so the new
  // keyring is built through the single verifying constructor.
  const rotations: RealmKeyRotationInfo[] = [];
  for (let i = 0; i < oldKeys.length; i++) {
    rotations.push({ keyIndex: i + 1, suite: REALM_KEY_SUITE_V1, keyCanary: await keyCanary(realmId, i + 1, oldKeys[i]!) });
  }
  rotations.push(rotation);
  const keyring = await RealmKeyring.verified(realmId, keys, rotations);
  const { bundle, bundleKey, accesses } = await createRealmKeysBundle({ realmId, keys, author, timestamp, signingKey, members });
  const certificate = await signCertificate(signingKey, rotation, rotation.chain);
  return { rotation, certificate, keyring, bundle, bundleKey, accesses };
}
