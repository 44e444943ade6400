/**
 * What the server asks of a database shared by several server nodes (any request may reach any
 * node): per-organisation coherence (`OrgCoordinator`), organisations created or first seen on
 * another node, a shared replay guard, and change notifications between nodes. The PostgreSQL
 * backend (`pg/`) implements it.
 * @module
 */
import type { OrganizationId } from '../codec/ids.js';
import type { Org, OrgCoordinator } from './org.js';

/**
 * A database shared by several server nodes (option `database` of `SealsyncServer.open`); the
 * PostgreSQL backend provides one. Not meant to be implemented outside sealsync: it hands out the
 * server's internal organisation state.
 */
export interface SharedDatabase extends OrgCoordinator {
  /**
   * The organisation as stored now (loaded and re-validated, its change sequence noted), or
   * `undefined` if the database has none with this id. Throws `StorageError` / `CertificateError`.
   */
  loadOrganization(id: OrganizationId, eventCapacity?: number): Promise<Org | undefined>;
  /** Ids of the stored organisations. */
  listOrganizations(): Promise<OrganizationId[]>;
  /** Stores a new organisation's record, unless one exists with this id (then `false`). */
  createOrganization(id: OrganizationId, record: Uint8Array): Promise<boolean>;
  /**
   * The shared replay guard: `true` the first time `key` is seen (it is then remembered until
   * `expires`, µs), `false` for a replay, whichever node saw it first.
   */
  firstSeen(key: string, expires: number, now: number): Promise<boolean>;
  /** Registers the function called with each organisation another node changed. */
  onChange(listener: (organizationId: OrganizationId) => void): void;
}
