/**
 * Workspace archiving and deletion (Parsec RFC 1028): `realm_update_archiving` stores an OWNER's
 * `realm_archiving` certificate (store rules: author is OWNER), with the one rule only the server
 * can apply — a planned deletion date at least the organisation's minimum archiving period after
 * the certificate, so a stolen OWNER device cannot erase a workspace before its members notice.
 * Before the date an OWNER may cancel (a new `available` or `archived` certificate); from the date
 * on the realm is `realm_deleted` for every command, and `purgeDeletedRealms` removes its data.
 * @module
 */
import type { RealmId } from '../../codec/ids.js';
import type { Timestamp } from '../../codec/timestamps.js';
import type { StorageOp } from '../../storage/index.js';
import type { OkRep, RealmUpdateArchivingReq } from '../../transport/commands.js';
import { checkRealmNotDeleted } from '../checks.js';
import type { DeviceContext } from '../context.js';
import type { Org } from '../org.js';
import { blockRecord, vlobKey } from '../records.js';
import { refuse } from '../reply-error.js';
import { accept, one, realmExists } from './certificates.js';

/** RFC 1028's default minimum archiving period: 30 days, in µs. */
export const DEFAULT_MINIMUM_ARCHIVING_PERIOD = 30 * 24 * 3600 * 1_000_000;

/** `realm_update_archiving`: archive, plan the deletion of, or make available again a realm. */
export function realmUpdateArchiving(ctx: DeviceContext, req: RealmUpdateArchivingReq): Promise<OkRep> {
  return ctx.org.lock.run(async () => {
    const archiving = one(req.archivingCertificate, 'realm_archiving');
    const { realmId, configuration, timestamp } = archiving.cert;
    realmExists(ctx.store, realmId);
    // Once the date is reached the deletion is final: no certificate brings the realm back.
    checkRealmNotDeleted(ctx.store, realmId, ctx.now);
    await accept(ctx, ctx.store, [archiving], {
      author: ctx.deviceId,
      check: () => {
        if (configuration.status === 'deletion_planned' && configuration.deletionDate - timestamp < ctx.config.minimumArchivingPeriod) {
          refuse({
            code: 'archiving_period_too_short',
            message: `the deletion date must be at least ${ctx.config.minimumArchivingPeriod} µs after the certificate`,
          });
        }
      },
    });
    return { status: 'ok' };
  });
}

/** The storage operations removing every vlob version and keys bundle of `realmId`, and its blocks. */
async function purgeOps(org: Org, realmId: RealmId): Promise<{ ops: StorageOp[]; blocks: string[] }> {
  const ops: StorageOp[] = [];
  const blocks: string[] = [];
  for (const [vlobId, entry] of org.vlobs) {
    if (entry.realmId !== realmId) continue;
    for (const v of entry.versions) ops.push({ op: 'delete', ns: org.ns.vlobs, key: vlobKey(vlobId, v.version) });
  }
  for (const key of await org.blocks.list(org.id)) {
    const bytes = await org.blocks.get(org.id, key);
    if (bytes !== undefined && blockRecord.decode(bytes).realmId === realmId) blocks.push(key);
  }
  for (const key of await org.storage.list(org.ns.keys)) if (key.startsWith(`${realmId}-`)) ops.push({ op: 'delete', ns: org.ns.keys, key });
  return { ops, blocks };
}

/**
 * Removes the data of every realm of `org` whose deletion date is at or before `now`, each realm
 * in one atomic batch (certificates are kept, RFC 1028 §4.3). Returns the realms it removed
 * something from.
 */
export async function purgeDeletedRealms(org: Org, now: Timestamp): Promise<RealmId[]> {
  const store = org.store;
  if (store === null) return [];
  return org.lock.run(async () => {
    const purged: RealmId[] = [];
    for (const realmId of store.listRealms()) {
      const conf = store.getArchiving(realmId);
      if (conf.status !== 'deletion_planned' || now < conf.deletionDate) continue;
      const { ops, blocks } = await purgeOps(org, realmId);
      if (ops.length === 0 && blocks.length === 0) continue;
      // Metadata first: a crash in between leaves unreferenced blocks, removed by the next purge.
      await org.storage.batch(ops);
      await org.blocks.delete(org.id, blocks);
      for (const [vlobId, entry] of org.vlobs) if (entry.realmId === realmId) org.vlobs.delete(vlobId);
      org.realmLogs.delete(realmId);
      purged.push(realmId);
    }
    return purged;
  });
}
