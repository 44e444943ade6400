/**
 * Ids are 16 random bytes on the wire and lowercase hex strings in the API, branded per kind so
 * that a `UserId` cannot be passed where a `RealmId` is expected (the encoding rules).
 * @module
 */
import { toHex } from '../bytes.js';
import { CodecError } from '../errors.js';
import { idHexToBytes } from './id-hex.js';

declare const brand: unique symbol;
export type Branded<T, B extends string> = T & { readonly [brand]: B };

export type OrganizationId = Branded<string, 'OrganizationId'>;
export type UserId = Branded<string, 'UserId'>;
export type DeviceId = Branded<string, 'DeviceId'>;
export type RealmId = Branded<string, 'RealmId'>;
export type VlobId = Branded<string, 'VlobId'>;
export type BlockId = Branded<string, 'BlockId'>;
export type InvitationToken = Branded<string, 'InvitationToken'>;
/** Any of the id kinds above. */
export type AnyId = OrganizationId | UserId | DeviceId | RealmId | VlobId | BlockId | InvitationToken;

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

export function idFromBytes<T extends AnyId>(b: Uint8Array): T {
  if (!(b instanceof Uint8Array) || b.length !== ID_LENGTH) {
    throw new CodecError('codec/invalid-id', `an id is ${ID_LENGTH} bytes`);
  }
  return toHex(b) as T;
}

/** A fresh random id from the platform CSPRNG. */
export function newId<T extends AnyId>(): T {
  const b = new Uint8Array(ID_LENGTH);
  globalThis.crypto.getRandomValues(b);
  return toHex(b) as T;
}
