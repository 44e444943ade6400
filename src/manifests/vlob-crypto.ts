/**
 * Write and read paths of manifests (the manifest format): sign-then-encrypt, and the read checks, each
 * failing with its own `ManifestError` code.
 *
 *   blob = AEAD(key = HKDF(realm key[k], "vlob", vlob id),
 *               AAD = realm id ‖ vlob id ‖ u32be(k) ‖ u32be(version),
 *               signature(64) ‖ cbor(manifest))
 *
 * Sign-then-encrypt: the signature (who wrote it) is hidden from the server along with the
 * content. The AAD binds the ciphertext to its place, so the server cannot serve a valid blob as
 * another vlob, another version or another realm's; the signed body repeats id, version, author
 * and timestamp so that even a realm member holding the key cannot re-encrypt someone else's
 * signed manifest into a different place unnoticed.
 * @module
 */
import { concatBytes, constantTimeEqual, u32be } from '../bytes.js';
import { decodeCbor, encodeCbor } from '../codec/cbor.js';
import type { CborValue } from '../codec/cbor-value.js';
import { idToBytes, type DeviceId, type RealmId, type VlobId } from '../codec/ids.js';
import type { Timestamp } from '../codec/timestamps.js';
import { CryptoError, ManifestError } from '../errors.js';
import { deriveKey, sha256, signDocument, splitSignedDocument, type SecretKey, type SigningKey } from '../keys/index.js';
import type { VerifiedManifest } from './history.js';
import { manifestFromCbor, manifestToCbor, MAX_MANIFEST_SIZE, peekAuthorAndTimestamp } from './manifest-format.js';
import { checkRootRule } from './manifest-rules.js';
import type { RealmKeyLookup, RealmKeyring } from './realm-keyring.js';
import { WRITE_ROLES, type ManifestTrust, type TrustedDevice } from './trust.js';
import type { Manifest } from './types.js';

/** AAD of a manifest blob: realm id ‖ vlob id ‖ u32be(key index) ‖ u32be(version). */
export function vlobAad(realmId: RealmId, vlobId: VlobId, keyIndex: number, version: number): Uint8Array {
  return concatBytes(idToBytes(realmId), idToBytes(vlobId), u32be(keyIndex), u32be(version));
}

/** The per-vlob key: each vlob's versions are the only messages ever encrypted under it. */
export async function vlobKey(realmKey: SecretKey, vlobId: VlobId): Promise<SecretKey> {
  return deriveKey(realmKey, 'vlob', idToBytes(vlobId));
}

/** What `encryptManifest` returns. */
export interface EncryptedManifest {
  /** What the server stores. */
  readonly blob: Uint8Array;
  /** `signature ‖ body`; SHA-256 of it is the next version's `prev`. */
  readonly signed: Uint8Array;
  /** The key index used (the keyring's newest): the server records it beside the blob. */
  readonly keyIndex: number;
}

/**
 * Write path: checks `manifest` (structure, root rule), encodes it canonically, signs it with the
 * author device's key and encrypts it with the keyring's newest key (the manifest format: new data always
 * uses the newest key, so members removed by a rotation cannot read it).
 * Throws `CodecError`/`EntryNameError` for an invalid manifest, `ManifestError`
 * `manifest/bad-root` or `manifest/realm-mismatch` (keyring of another realm).
 */
export async function encryptManifest(args: {
  manifest: Manifest;
  realmId: RealmId;
  keyring: RealmKeyring;
  signingKey: SigningKey;
}): Promise<EncryptedManifest> {
  const { manifest, realmId, keyring, signingKey } = args;
  if (keyring.realmId !== realmId) throw new ManifestError('manifest/realm-mismatch', 'keyring belongs to another realm');
  checkRootRule(manifest, realmId);
  const body = encodeCbor(manifestToCbor(manifest));
  const signed = await signDocument(signingKey, body);
  const { keyIndex, key } = keyring.latest();
  const vk = await vlobKey(key, manifest.id);
  const blob = await vk.encrypt(signed, vlobAad(realmId, manifest.id, keyIndex, manifest.version));
  return { blob, signed, keyIndex };
}

/** What the server said about a blob; the read path checks the signed content agrees. */
export interface ManifestClaims {
  readonly id: VlobId;
  readonly version: number;
  readonly author: DeviceId;
  readonly timestamp: Timestamp;
  readonly keyIndex: number;
}

function fail(code: string, message: string, cause?: unknown): never {
  throw new ManifestError(`manifest/${code}`, message, cause === undefined ? undefined : { cause });
}

/**
 * Decrypts `signed` from a blob. The server-claimed key index picks the key; an index this
 * client never received is reported apart from a failed decryption, because it usually means
 * "fetch the new keys bundle", not "attack".
 */
async function openBlob(blob: Uint8Array, realmId: RealmId, claims: ManifestClaims, realmKeys: RealmKeyLookup): Promise<Uint8Array> {
  const realmKey = realmKeys.get(claims.keyIndex);
  if (realmKey === undefined) fail('unknown-key-index', `no realm key ${claims.keyIndex}`);
  // The AAD holds the version as a u32: a claim outside that range can name no blob we could have
  // written, so it is the server's claim that is wrong, not a programming error of the caller.
  if (!Number.isSafeInteger(claims.version) || claims.version < 1 || claims.version > 0xffffffff) {
    fail('version-mismatch', `server-claimed version ${claims.version} is outside 1..2^32-1`);
  }
  const vk = await vlobKey(realmKey, claims.id);
  try {
    return await vk.decrypt(blob, vlobAad(realmId, claims.id, claims.keyIndex, claims.version));
  } catch (err) {
    if (err instanceof CryptoError) fail('decrypt-failed', 'manifest blob does not decrypt (wrong key or place, or tampered)', err);
    throw err;
  }
}

/**
 * Checks the author device at the document's own timestamp, then the signature. Shared with the
 * keys-bundle reader. Returns the decoded (unverified-until-now) CBOR value and the device.
 * Throws `ManifestError` `manifest/author-unknown`, `manifest/author-revoked`,
 * `manifest/bad-signature`, or `CodecError` for a body that is not canonical CBOR.
 */
export async function verifySignedDocument(
  signed: Uint8Array,
  trust: ManifestTrust,
): Promise<{ value: CborValue; body: Uint8Array; author: DeviceId; timestamp: Timestamp; device: TrustedDevice }> {
  let parts: { signature: Uint8Array; body: Uint8Array };
  try {
    parts = splitSignedDocument(signed);
  } catch (err) {
    if (err instanceof CryptoError) fail('bad-signature', 'signed document shorter than a signature', err);
    throw err;
  }
  // Strict decode of still-unverified bytes is safe (bounded, typed errors) and needed to learn
  // which key must have signed them.
  const value = decodeCbor(parts.body, { maxSize: MAX_MANIFEST_SIZE });
  const { author, timestamp } = peekAuthorAndTimestamp(value);
  const device = trust.deviceAt(author, timestamp);
  if (device === undefined) fail('author-unknown', `device ${author} did not exist at ${timestamp}`);
  // Judged at the document's timestamp: a revoked user's later writes are refused, earlier ones
  // stay valid history. Backdating is bounded by the server's clock check (the sync model).
  if (trust.isUserRevokedAt(device.userId, timestamp)) fail('author-revoked', `user of device ${author} was revoked at ${timestamp}`);
  if (!(await device.verifyKey.verify(parts.body, parts.signature))) fail('bad-signature', `signature of ${author} does not verify`);
  return { value, body: parts.body, author, timestamp, device };
}

/**
 * Read path. Checks, in this order, each with its own `ManifestError` code:
 * `unknown-key-index`, `decrypt-failed`, `author-unknown` (device not known at the manifest's
 * timestamp), `author-revoked`, `bad-signature`, then full decoding (`CodecError`,
 * `EntryNameError`, `UnsupportedFormatError`), `id-mismatch`, `version-mismatch`,
 * `author-mismatch`, `timestamp-mismatch` (signed content vs the server's claims), `bad-root`,
 * `no-write-role` (author's user was not OWNER/MANAGER/CONTRIBUTOR at the timestamp), and
 * `prev-mismatch` when `previousSigned` (the signed bytes of version − 1, as verified by this
 * client) is given.
 */
export async function decryptManifest(args: {
  blob: Uint8Array;
  realmId: RealmId;
  expected: ManifestClaims;
  realmKeys: RealmKeyLookup;
  trust: ManifestTrust;
  previousSigned?: Uint8Array;
}): Promise<VerifiedManifest> {
  const { blob, realmId, expected, realmKeys, trust, previousSigned } = args;
  const signed = await openBlob(blob, realmId, expected, realmKeys);
  const { value, device } = await verifySignedDocument(signed, trust);
  const manifest = manifestFromCbor(value);
  if (manifest.id !== expected.id) fail('id-mismatch', `signed id ${manifest.id}, server said ${expected.id}`);
  if (manifest.version !== expected.version) fail('version-mismatch', `signed version ${manifest.version}, server said ${expected.version}`);
  if (manifest.author !== expected.author) fail('author-mismatch', `signed author ${manifest.author}, server said ${expected.author}`);
  if (manifest.timestamp !== expected.timestamp) {
    fail('timestamp-mismatch', `signed timestamp ${manifest.timestamp}, server said ${expected.timestamp}`);
  }
  checkRootRule(manifest, realmId);
  const role = trust.realmRoleAt(realmId, device.userId, manifest.timestamp);
  if (role === null || !WRITE_ROLES.has(role)) fail('no-write-role', `author had role ${role ?? 'none'} at ${manifest.timestamp}`);
  if (previousSigned !== undefined) {
    const digest = await sha256(previousSigned);
    if (manifest.prev === null || !constantTimeEqual(manifest.prev, digest)) {
      fail('prev-mismatch', `version ${manifest.version} does not link to the previous version this client knows`);
    }
  }
  return { manifest, signed };
}
