/**
 * `ServerAdmin`: the operator's view of a `SealsyncServer` (Parsec's administration API): create
 * and list organisations, settings, freeze/unfreeze users, statistics. It is reached with its own
 * token over `createAdminHttpHandler`, never with a device key, and it cannot read or forge
 * anything of an organisation's data (all of it is encrypted and signed client-side).
 * @module
 */
import type { OrganizationId, UserId } from '../../codec/ids.js';
import { isId } from '../../codec/ids.js';
import type { Timestamp } from '../../codec/timestamps.js';
import { ArgumentError } from '../../errors.js';
import type { Org } from '../org.js';
import { blockRecord, vlobKey, vlobRecord } from '../records.js';
import type { CreatedOrganization, SealsyncServer } from '../server.js';
import { FROZEN_PREFIX, MAX_ACTIVE_USER_LIMIT, SETTINGS_KEY, activeUsers, settingsRecord, type OrganizationSettings } from './settings.js';

/** One organisation as the operator sees it. */
export interface OrganizationSummary {
  readonly organizationId: OrganizationId;
  readonly bootstrapped: boolean;
  readonly createdOn: Timestamp;
  readonly settings: OrganizationSettings;
}

/** Counts of an organisation (Parsec's statistics). */
export interface OrganizationStats {
  readonly users: number;
  readonly activeUsers: number;
  readonly frozenUsers: number;
  readonly devices: number;
  readonly realms: number;
  readonly vlobs: number;
  readonly vlobVersions: number;
  /** Bytes of every stored vlob version (ciphertext). */
  readonly vlobBytes: number;
  readonly blocks: number;
  /** Bytes of every stored block (ciphertext). */
  readonly blockBytes: number;
}

/** A change of settings: absent fields keep their value. */
export type SettingsChange = Partial<OrganizationSettings>;

/** Administration of one server. */
export class ServerAdmin {
  /**
   * Administration of `server`.
   * @param server - the server to administer, in this process (`createHttpHandler` also exposes it to operators' tools).
   */
  constructor(private readonly server: SealsyncServer) {}

  /** Creates an organisation (see `SealsyncServer.createOrganization`), with `settings` if given. */
  async createOrganization(organizationId?: OrganizationId, settings?: SettingsChange): Promise<CreatedOrganization> {
    if (settings !== undefined) checkSettings(settings);
    const created = await this.server.createOrganization(organizationId);
    if (settings !== undefined) await this.updateSettings(created.organizationId, settings);
    return created;
  }

  /** Every organisation, sorted by id. */
  listOrganizations(): OrganizationSummary[] {
    return this.server
      .organizations()
      .sort()
      .map((id) => this.summary(id));
  }

  /** One organisation. @throws ArgumentError `argument/not-found` */
  summary(organizationId: OrganizationId): OrganizationSummary {
    const org = this.org(organizationId);
    return { organizationId, bootstrapped: org.rootVerifyKey !== null, createdOn: org.createdOn, settings: org.settings };
  }

  /**
   * Changes settings (stored before they apply).
   * @throws ArgumentError `argument/invalid` for a bad value, `argument/not-found` for an unknown organisation.
   */
  async updateSettings(organizationId: OrganizationId, change: SettingsChange): Promise<OrganizationSettings> {
    checkSettings(change);
    const org = this.org(organizationId);
    return org.lock.run(async () => {
      const next: OrganizationSettings = {
        outsidersAllowed: change.outsidersAllowed ?? org.settings.outsidersAllowed,
        activeUserLimit: change.activeUserLimit !== undefined ? change.activeUserLimit : org.settings.activeUserLimit,
        expiresOn: change.expiresOn !== undefined ? change.expiresOn : org.settings.expiresOn,
      };
      await org.storage.put(org.ns.admin, SETTINGS_KEY, settingsRecord.encode(next));
      org.settings = next;
      return next;
    });
  }

  /**
   * Freezes (`true`) or unfreezes a user: its devices are refused (`user_frozen`) while frozen.
   * @throws ArgumentError `argument/not-found` for an unknown organisation or user.
   */
  async setFrozen(organizationId: OrganizationId, userId: UserId, frozen: boolean): Promise<void> {
    const org = this.org(organizationId);
    if (!isId(userId) || org.store?.getUser(userId) === undefined) throw new ArgumentError('argument/not-found', 'no such user');
    await org.lock.run(async () => {
      if (frozen) await org.storage.put(org.ns.admin, `${FROZEN_PREFIX}${userId}`, new Uint8Array(0));
      else await org.storage.delete(org.ns.admin, `${FROZEN_PREFIX}${userId}`);
      if (frozen) org.frozen.add(userId);
      else org.frozen.delete(userId);
    });
  }

  /**
   * Removes now the data of every realm whose planned deletion date has passed (RFC 1028 §4.3),
   * in every organisation; the server also does it periodically (`startServer`'s
   * `purgeIntervalMs`). Returns the ids of the realms it removed something from.
   */
  async purgeDeletedRealms(): Promise<string[]> {
    return this.server.purgeDeletedRealms();
  }

  /** Users currently frozen. */
  frozenUsers(organizationId: OrganizationId): UserId[] {
    return [...this.org(organizationId).frozen].sort();
  }

  /** Counts of the organisation (reads the stored sizes: not free on a large organisation). */
  async stats(organizationId: OrganizationId): Promise<OrganizationStats> {
    const org = this.org(organizationId);
    const store = org.store;
    const users = store?.listUsers() ?? [];
    let devices = 0;
    for (const u of users) devices += store!.listDevices(u.userId).length;
    let vlobVersions = 0;
    let vlobBytes = 0;
    for (const [vlobId, v] of org.vlobs) {
      for (const meta of v.versions) {
        vlobVersions++;
        const bytes = await org.storage.get(org.ns.vlobs, vlobKey(vlobId, meta.version));
        if (bytes !== undefined) vlobBytes += vlobRecord.decode(bytes).blob.length;
      }
    }
    let blocks = 0;
    let blockBytes = 0;
    for (const key of await org.blocks.list(org.id)) {
      const bytes = await org.blocks.get(org.id, key);
      if (bytes === undefined) continue;
      blocks++;
      blockBytes += blockRecord.decode(bytes).block.length;
    }
    return {
      users: users.length,
      activeUsers: store === null ? 0 : activeUsers(store),
      frozenUsers: org.frozen.size,
      devices,
      realms: store?.listRealms().length ?? 0,
      vlobs: org.vlobs.size,
      vlobVersions,
      vlobBytes,
      blocks,
      blockBytes,
    };
  }

  private org(organizationId: OrganizationId): Org {
    const org = isId(organizationId) ? this.server.organization(organizationId) : undefined;
    if (org === undefined) throw new ArgumentError('argument/not-found', 'no such organisation');
    return org;
  }
}

/** @throws ArgumentError `argument/invalid` for a value out of its domain. */
function checkSettings(change: SettingsChange): void {
  const { outsidersAllowed, activeUserLimit, expiresOn } = change;
  if (outsidersAllowed !== undefined && typeof outsidersAllowed !== 'boolean') throw new ArgumentError('argument/invalid', 'outsidersAllowed is a boolean');
  if (activeUserLimit !== undefined && activeUserLimit !== null && (!Number.isSafeInteger(activeUserLimit) || activeUserLimit < 0 || activeUserLimit > MAX_ACTIVE_USER_LIMIT)) {
    throw new ArgumentError('argument/invalid', `activeUserLimit is null or an integer in 0..${MAX_ACTIVE_USER_LIMIT}`);
  }
  if (expiresOn !== undefined && expiresOn !== null && (!Number.isSafeInteger(expiresOn) || expiresOn < 0)) throw new ArgumentError('argument/invalid', 'expiresOn is null or a timestamp (µs)');
}
