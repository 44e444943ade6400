/**
 * Workspace archiving and deletion on the client (Parsec RFC 1028): the state comes from the
 * realm's verified `realm_archiving` certificates and the local clock (a workspace is deleted as
 * soon as its date is reached, even offline and before the server purges it); writes are refused
 * locally while it is not available, so nothing piles up that the server would refuse anyway.
 * @module
 */
import type { RealmId } from '../codec/ids.js';
import type { Timestamp } from '../codec/timestamps.js';
import { signCertificate } from '../certificates/sign.js';
import type { RealmArchivingConfiguration } from '../certificates/types.js';
import { ArgumentError } from '../errors.js';
import type { ClientContext } from './context.js';
import { WorkspaceError } from './errors.js';
import { sendRealmCertificate } from './membership.js';

/** What a client shows of a workspace's archiving state. */
export type WorkspaceArchiving =
  | { readonly status: 'available' }
  /** Read only for every member, whatever its role. */
  | { readonly status: 'archived' }
  /** Read only, and deleted at `deletionDate` unless an OWNER cancels before. */
  | { readonly status: 'deletion_planned'; readonly deletionDate: Timestamp }
  /** The deletion date has passed: nothing is served any more. */
  | { readonly status: 'deleted'; readonly deletionDate: Timestamp };

/** The state shown at `now` for the configuration in force. */
export function archivingState(conf: RealmArchivingConfiguration, now: Timestamp): WorkspaceArchiving {
  if (conf.status !== 'deletion_planned') return conf;
  return { status: now >= conf.deletionDate ? 'deleted' : 'deletion_planned', deletionDate: conf.deletionDate };
}

/** Throws `WorkspaceError` `workspace/archived` (archived or deletion planned) or `workspace/deleted` unless `state` is available. */
export function requireAvailable(state: WorkspaceArchiving): void {
  if (state.status === 'deleted') throw new WorkspaceError('workspace/deleted', 'the workspace was deleted');
  if (state.status !== 'available') throw new WorkspaceError('workspace/archived', `the workspace is ${state.status.replace('_', ' ')}: read only`);
}

/**
 * Sends an OWNER's `realm_archiving` certificate with `configuration`. The caller checked the
 * OWNER role. Throws `ArgumentError` for a deletion date not in the future, `WorkspaceError`
 * `workspace/deleted`, `TransportError` (`archiving_period_too_short`: sooner than the
 * organisation's minimum period; `realm_deleted`).
 */
export async function setWorkspaceArchiving(ctx: ClientContext, realmId: RealmId, configuration: RealmArchivingConfiguration): Promise<void> {
  if (archivingState(ctx.certs.getArchiving(realmId), ctx.clock()).status === 'deleted') throw new WorkspaceError('workspace/deleted', 'the workspace was deleted');
  if (configuration.status === 'deletion_planned' && !(configuration.deletionDate > ctx.clock())) {
    throw new ArgumentError('argument/invalid', 'a deletion date must be in the future');
  }
  await sendRealmCertificate(ctx, async (timestamp) => ({
    cmd: 'realm_update_archiving',
    archivingCertificate: await signCertificate(ctx.device.signingKey, { type: 'realm_archiving', author: ctx.device.deviceId, timestamp, realmId, configuration }, ctx.certs.nextLink(realmId)),
  }));
}
