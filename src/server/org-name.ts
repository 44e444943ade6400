/**
 * Organisation ids from human names (`--org acme`, admin `name`): stable, so restarting with the
 * same name reaches the same organisation.
 * @module
 */
import { toHex, utf8Encode } from '../bytes.js';
import { isId, type OrganizationId } from '../codec/ids.js';
import { ArgumentError } from '../errors.js';
import { sha256Sync } from '../keys/index.js';

/** The organisation id for NAME: NAME itself if it is an id, else derived from it. @throws ArgumentError */
export function organizationIdFromName(name: string): OrganizationId {
  if (isId(name)) return name as OrganizationId;
  if (name.length === 0) throw new ArgumentError('argument/invalid', 'an organisation name is not empty');
  return toHex(sha256Sync(utf8Encode(`sealsync/1/organization-name\0${name}`)).subarray(0, 16)) as OrganizationId;
}
