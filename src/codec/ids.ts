/**
 * Ids are 16 random bytes on the wire and lowercase hex strings in the API, branded per kind so
 * that a `UserId` cannot be passed where a `RealmId` is expected (the encoding rules).
 * @module
 */
import { toHex } from '../bytes.js';
import { CodecError } from '../errors.js';
import { fillRandom } from '../keys/random.js';
import { idHexToBytes } from './id-hex.js';

declare const brand: unique symbol;
/**
 * `T` with a compile-time-only tag `B`: a `UserId` is a string at run time, but the compiler refuses
 * it where a `RealmId` is expected, so a swapped argument fails to build instead of reaching the wire.
 */
export type Branded<T, B extends string> = T & { readonly [brand]: B };

/** Identifies an organisation on a server (chosen at bootstrap, printed by `sealsync-server`). */
export type OrganizationId = Branded<string, 'OrganizationId'>;
/** Identifies a user (a human or a profile) inside an organisation; every device of the user shares it. */
export type UserId = Branded<string, 'UserId'>;
/** Identifies one device (one signing key) of a user. */
export type DeviceId = Branded<string, 'DeviceId'>;
/** Identifies a realm: the unit of sharing and of key rotation (a workspace is one realm). */
export type RealmId = Branded<string, 'RealmId'>;
/** Identifies a vlob: a versioned, encrypted, signed blob in a realm (one per manifest). */
export type VlobId = Branded<string, 'VlobId'>;
/** Identifies an encrypted block of file content. */
export type BlockId = Branded<string, 'BlockId'>;
/** The token of a pending invitation (carried by the invitation link). */
export type InvitationToken = Branded<string, 'InvitationToken'>;
/** Any of the id kinds above. */
export type AnyId = OrganizationId | UserId | DeviceId | RealmId | VlobId | BlockId | InvitationToken;

/** Length of an id in bytes (16 random bytes, so 32 hex characters in the API). */
export const ID_LENGTH = 16;
const ID_RE = /^[0-9a-f]{32}$/;

/** True for a 32-char lowercase hex string (the only accepted spelling: ids are compared as strings). */
export function isId(s: unknown): s is AnyId {
  return typeof s === 'string' && ID_RE.test(s);
}

/** Parses and brands an id string; uppercase or wrong length is a `CodecError` (`codec/invalid-id`). */
export function parseId<T extends AnyId>(s: string): T {
  if (!isId(s)) throw new CodecError('codec/invalid-id', 'an id is 32 lowercase hex characters');
  return s as T;
}

/** The 16 bytes of an id; anything but 32 lowercase hex characters is `codec/invalid-id`. */
export function idToBytes(id: AnyId): Uint8Array {
  const b = idHexToBytes(id);
  if (b === undefined) throw new CodecError('codec/invalid-id', 'an id is 32 lowercase hex characters');
  return b;
}

/**
 * The hex id of 16 bytes, branded as `T`.
 * @throws {@link CodecError} `codec/invalid-id` when `b` is not a `Uint8Array` of {@link ID_LENGTH} bytes.
 */
export function idFromBytes<T extends AnyId>(b: Uint8Array): T {
  if (!(b instanceof Uint8Array) || b.length !== ID_LENGTH) {
    throw new CodecError('codec/invalid-id', `an id is ${ID_LENGTH} bytes`);
  }
  return toHex(b) as T;
}

/** A fresh random id from the platform CSPRNG (through sealsync's pooled small-request CSPRNG buffer). */
export function newId<T extends AnyId>(): T {
  return toHex(fillRandom(new Uint8Array(ID_LENGTH))) as T;
}
