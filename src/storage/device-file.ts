/**
 * Device files: a local device (ids, keys, root verify key, local storage key) saved under a
 * password (crypto suite v1 password KDF, the sync model "encrypted with a local key from the device file").
 *
 * Format v1 (frozen by test vectors in the repository), a CBOR document:
 * `{ type: 'device_file', v: 1, argon2: { m, t, p, salt }, check, ciphertext }` where, with
 * `pw = Argon2id(NFC(password), argon2)`:
 * - `check` = first 16 bytes of `deriveKey(pw, 'device-file-check', ∅)`: tells a wrong password
 *   apart from a damaged file. It gives an attacker nothing the AEAD tag would not (both need the
 *   full Argon2id per guess);
 * - `ciphertext` = AES-256-GCM under `deriveKey(pw, 'device-file-encryption', ∅)` of the `device`
 *   payload document, with AAD = the canonical CBOR of the header (the document without
 *   `ciphertext`), so weakening the stored parameters or swapping the check is detected.
 *
 * The stored parameters are checked BEFORE Argon2id runs: parameters weaker than
 * `MIN_ARGON2_PARAMS` are refused (an attacker who can write the file must not be able to make
 * the next save-after-load cheap to crack), absurd ones too (m = 4 TiB would exhaust memory).
 * @module
 */
import { checkDeviceFileKdf, type Argon2Costs } from './device-file-kdf.js';
import { constantTimeEqual } from '../bytes.js';
import { defineDocument, s } from '../codec/index.js';
import type { DeviceId, OrganizationId, UserId } from '../codec/ids.js';
import { ArgumentError, CryptoError, SealsyncError, StorageError, UnsupportedFormatError } from '../errors.js';
import {
  type Argon2Params,
  PrivateKey,
  SecretKey,
  SigningKey,
  VerifyKey,
  deriveKey,
  deriveKeyFromPassword,
  newArgon2Params,
} from '../keys/index.js';

/** Everything a device needs to act for its user, as kept in its device file. */
export interface LocalDevice {
  readonly organizationId: OrganizationId;
  readonly userId: UserId;
  readonly deviceId: DeviceId;
  readonly deviceLabel: string;
  readonly humanHandle: { readonly email: string; readonly label: string };
  /** The device's Ed25519 key: everything it writes is signed with it. */
  readonly signingKey: SigningKey;
  /** The user's X25519 key, shared by all the user's devices (receives sealed secrets). */
  readonly userPrivateKey: PrivateKey;
  /** The organisation's root verify key: the pinned trust anchor (the certificate rules). */
  readonly rootVerifyKey: VerifyKey;
  /** The key `EncryptedStorage` derives every at-rest key from. */
  readonly localStorageKey: SecretKey;
  readonly serverUrl?: string;
}

const CHECK_LENGTH = 16;
const MAX_CIPHERTEXT = 64 * 1024;
const MAX_FILE = MAX_CIPHERTEXT + 1024;

const argon2Fields = {
  m: s.uint({ max: 0xffffffff }),
  t: s.uint({ max: 0xffffffff }),
  p: s.uint({ max: 0xffffffff }),
  salt: s.bytes({ min: 8, max: 64 }),
};

const headerFields = { argon2: s.struct(argon2Fields), check: s.bytes(CHECK_LENGTH) };

/** The header alone: its canonical encoding is the AAD of the ciphertext. */
const DeviceFileHeader = defineDocument({ type: 'device_file', version: 1, fields: headerFields });

const DeviceFileDoc = defineDocument({
  type: 'device_file',
  version: 1,
  fields: { ...headerFields, ciphertext: s.bytes({ max: MAX_CIPHERTEXT }) },
});

const DevicePayload = defineDocument({
  type: 'device',
  version: 1,
  fields: {
    organizationId: s.id<OrganizationId>(),
    userId: s.id<UserId>(),
    deviceId: s.id<DeviceId>(),
    deviceLabel: s.text({ maxBytes: 1024 }),
    humanHandle: s.struct({ email: s.text({ maxBytes: 1024 }), label: s.text({ maxBytes: 1024 }) }),
    signingKey: s.bytes(32),
    userPrivateKey: s.bytes(32),
    rootVerifyKey: s.bytes(32),
    localStorageKey: s.bytes(32),
    serverUrl: s.optional(s.text({ maxBytes: 4096 })),
  },
});

/** Options of `saveDeviceFile` / `DeviceFileStore.save`: how hard the password is stretched. */
export interface SaveDeviceFileOptions {
  /** Argon2id parameters (default `DEFAULT_ARGON2_PARAMS` and a fresh random salt). */
  readonly argon2?: Partial<Argon2Params>;
  /** Tests only: accept parameters weaker than `MIN_ARGON2_PARAMS`. */
  readonly allowWeak?: boolean;
}

/**
 * Options of `loadDeviceFile` / `DeviceFileStore.load`. The stored Argon2 parameters come from
 * the file, which an attacker may have written: they are bounded before any work is done.
 */
export interface LoadDeviceFileOptions {
  /** Tests only: accept stored parameters weaker than `MIN_ARGON2_PARAMS`. */
  readonly allowWeak?: boolean;
  /** Strongest accepted stored parameters; default `MAX_DEVICE_FILE_ARGON2` (and its work cap). */
  readonly maxArgon2?: Readonly<Argon2Costs>;
}

/** Maps a KDF refusal to the device-file vocabulary; other errors pass through. */
function kdfError(e: unknown, corruptOnInvalid: boolean): unknown {
  if (e instanceof CryptoError && e.code === 'crypto/weak-kdf-params') {
    return new StorageError('storage/weak-kdf-params', e.message, { cause: e });
  }
  if (corruptOnInvalid && e instanceof CryptoError && e.code === 'crypto/invalid-input') {
    return new StorageError('storage/corrupt', `device file has unusable Argon2 parameters: ${e.message}`, { cause: e });
  }
  return e;
}

async function passwordKeys(
  password: string,
  params: Argon2Params,
  allowWeak: boolean,
  onLoad: boolean,
): Promise<{ encryption: SecretKey; check: Uint8Array }> {
  let pw: SecretKey;
  try {
    pw = await deriveKeyFromPassword(password, params, { allowWeak });
  } catch (e) {
    throw kdfError(e, onLoad);
  }
  const [encryption, check] = await Promise.all([
    deriveKey(pw, 'device-file-encryption', new Uint8Array(0)),
    deriveKey(pw, 'device-file-check', new Uint8Array(0)),
  ]);
  return { encryption, check: check.exportSecretBytes().slice(0, CHECK_LENGTH) };
}

function checkPassword(password: unknown): asserts password is string {
  if (typeof password !== 'string' || password.length === 0) {
    throw new ArgumentError('argument/invalid', 'password must be a non-empty string');
  }
}

/**
 * Encrypts `device` under `password` and returns the device file bytes.
 * Throws `ArgumentError` for an empty password or a key of the wrong class, `CodecError`
 * (`codec/schema`) for ids/labels that break the format, `StorageError` `storage/weak-kdf-params`
 * for Argon2 parameters below the minimum (unless `allowWeak`), `storage/excessive-kdf-params` above
 * `MAX_DEVICE_FILE_ARGON2`.
 */
export async function saveDeviceFile(device: LocalDevice, password: string, options: SaveDeviceFileOptions = {}): Promise<Uint8Array> {
  checkPassword(password);
  if (
    !(device.signingKey instanceof SigningKey) ||
    !(device.userPrivateKey instanceof PrivateKey) ||
    !(device.rootVerifyKey instanceof VerifyKey) ||
    !(device.localStorageKey instanceof SecretKey)
  ) {
    throw new ArgumentError('argument/invalid', 'device keys must be SigningKey, PrivateKey, VerifyKey and SecretKey instances');
  }
  const params = newArgon2Params(options.argon2);
  // Never write a file that loadDeviceFile would refuse.
  checkDeviceFileKdf(params);
  const payload = DevicePayload.encode({
    organizationId: device.organizationId,
    userId: device.userId,
    deviceId: device.deviceId,
    deviceLabel: device.deviceLabel,
    humanHandle: { email: device.humanHandle.email, label: device.humanHandle.label },
    signingKey: device.signingKey.exportSecretBytes(),
    userPrivateKey: device.userPrivateKey.exportSecretBytes(),
    rootVerifyKey: device.rootVerifyKey.toBytes(),
    localStorageKey: device.localStorageKey.exportSecretBytes(),
    serverUrl: device.serverUrl,
  });
  const keys = await passwordKeys(password, params, options.allowWeak === true, false);
  const header = {
    argon2: { m: params.memoryKiB, t: params.iterations, p: params.parallelism, salt: params.salt },
    check: keys.check,
  };
  const ciphertext = await keys.encryption.encrypt(payload, DeviceFileHeader.encode(header));
  payload.fill(0);
  return DeviceFileDoc.encode({ ...header, ciphertext });
}

/**
 * Decrypts a device file. Rejects with:
 * - `StorageError` `storage/wrong-password` when the password does not match;
 * - `StorageError` `storage/excessive-kdf-params` when the stored Argon2 parameters ask for more
 *   than `MAX_DEVICE_FILE_ARGON2` (checked before any KDF work);
 * - `StorageError` `storage/weak-kdf-params` when the stored Argon2 parameters are below
 *   `MIN_ARGON2_PARAMS` (checked before any Argon2 work; `allowWeak` is for tests only);
 * - `StorageError` `storage/corrupt` for bytes that are not a well-formed device file, a
 *   ciphertext or header that fails authentication under the right password, or keys that do not
 *   decode (the underlying `CodecError`/`CryptoError` is the `cause`);
 * - `UnsupportedFormatError` `format/unsupported-version` for a newer format version;
 * - `ArgumentError` for an empty password.
 */
export async function loadDeviceFile(bytes: Uint8Array, password: string, options: LoadDeviceFileOptions = {}): Promise<LocalDevice> {
  checkPassword(password);
  let doc: ReturnType<typeof DeviceFileDoc.decode>;
  try {
    doc = DeviceFileDoc.decode(bytes, { maxSize: MAX_FILE });
  } catch (e) {
    if (e instanceof UnsupportedFormatError) throw e;
    throw new StorageError('storage/corrupt', 'not a well-formed device file', { cause: e });
  }
  const header = { argon2: doc.argon2, check: doc.check };
  const params: Argon2Params = {
    memoryKiB: doc.argon2.m,
    iterations: doc.argon2.t,
    parallelism: doc.argon2.p,
    salt: doc.argon2.salt,
  };
  checkDeviceFileKdf(params, options.maxArgon2);
  const keys = await passwordKeys(password, params, options.allowWeak === true, true);
  if (!constantTimeEqual(keys.check, doc.check)) {
    throw new StorageError('storage/wrong-password', 'wrong password for this device file');
  }
  let payload: Uint8Array;
  try {
    payload = await keys.encryption.decrypt(doc.ciphertext, DeviceFileHeader.encode(header));
  } catch (e) {
    throw new StorageError('storage/corrupt', 'device file failed authentication (the password is right: the file was altered)', {
      cause: e,
    });
  }
  try {
    const p = DevicePayload.decode(payload);
    const device: LocalDevice = {
      organizationId: p.organizationId,
      userId: p.userId,
      deviceId: p.deviceId,
      deviceLabel: p.deviceLabel,
      humanHandle: { email: p.humanHandle.email, label: p.humanHandle.label },
      signingKey: SigningKey.fromBytes(p.signingKey),
      userPrivateKey: PrivateKey.fromBytes(p.userPrivateKey),
      rootVerifyKey: VerifyKey.fromBytes(p.rootVerifyKey),
      localStorageKey: SecretKey.fromBytes(p.localStorageKey),
      ...(p.serverUrl === undefined ? {} : { serverUrl: p.serverUrl }),
    };
    return device;
  } catch (e) {
    if (e instanceof UnsupportedFormatError) throw e;
    if (e instanceof SealsyncError) throw new StorageError('storage/corrupt', 'device file payload is malformed', { cause: e });
    throw e;
  } finally {
    payload.fill(0);
  }
}

