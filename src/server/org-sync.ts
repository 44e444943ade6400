/**
 * Bringing a node's in-memory organisation up to date with a storage that other nodes write
 * (several servers on one database): incrementally from the list of keys they changed when it can
 * (vlob versions, invitations, administration), else by reloading the whole organisation in place
 * (certificates are then re-validated: storage is trusted no more than the network). Handlers hold
 * references to the `Org` object, its maps and its notifiers, so a reload replaces their contents,
 * never the object.
 * @module
 */
import type { InvitationToken, RealmId, VlobId } from '../codec/ids.js';
import { StorageError } from '../errors.js';
import type { Invitation } from './invitation-rules.js';
import { Org } from './org.js';
import { invitationRecord, ORGS_NAMESPACE, vlobRecord, type VersionMeta } from './records.js';

/** A key another node wrote. */
export interface KeyChange {
  readonly ns: string;
  readonly key: string;
  readonly deleted: boolean;
}

function replace<K, V>(target: Map<K, V>, source: ReadonlyMap<K, V>): void {
  target.clear();
  for (const [k, v] of source) target.set(k, v);
}

/**
 * Reloads `org` from its storage, in place. Throws `StorageError` (`storage/corrupt`, …) or
 * `CertificateError` for inconsistent stored data; `org` is then unchanged.
 */
export async function reloadOrg(org: Org): Promise<void> {
  const record = await org.storage.get(ORGS_NAMESPACE, org.id);
  if (record === undefined) throw new StorageError('storage/corrupt', `organisation ${org.id} vanished from storage`);
  const fresh = await Org.load(org.storage, org.id, record, 1);
  // From here on, synchronous: no request sees a half-replaced organisation.
  org.rootVerifyKey = fresh.rootVerifyKey;
  org.store = fresh.store;
  org.certStorage = fresh.certStorage;
  replace(org.vlobs, fresh.vlobs);
  replace(org.realmLogs, fresh.realmLogs);
  replace(org.participants, fresh.participants);
  replace(org.invitations, fresh.invitations);
  replace(org.shamir, fresh.shamir);
  replace(org.pki, fresh.pki);
  org.pkiAnchors = fresh.pkiAnchors;
  org.settings = fresh.settings;
  org.frozen.clear();
  for (const u of fresh.frozen) org.frozen.add(u);
  org.stale = false;
  // Long polls re-read their invitation.
  for (const n of org.invitationChanges.values()) n.notify();
}

/** Namespaces whose changes are applied incrementally; any other change reloads the organisation. */
function incremental(org: Org, c: KeyChange): boolean {
  if (c.ns === org.ns.blocks || c.ns === org.ns.keys || c.ns === org.ns.admin || c.ns === org.ns.invites) return true;
  return c.ns === org.ns.vlobs && !c.deleted;
}

/**
 * Applies the changes other nodes made (in commit order). Falls back to `reloadOrg` for what it
 * cannot apply piecewise (certificates, Shamir, PKI, deletions of vlobs) or anything unexpected.
 */
export async function applyChanges(org: Org, changes: readonly KeyChange[]): Promise<void> {
  if (org.stale || changes.some((c) => c.ns === ORGS_NAMESPACE || !incremental(org, c))) return reloadOrg(org);
  const vlobs: { realmId: RealmId; vlobId: VlobId; meta: VersionMeta }[] = [];
  const invitations = new Map<InvitationToken, Invitation | null>();
  let admin = false;
  for (const c of changes) {
    if (c.ns === org.ns.admin) admin = true;
    else if (c.ns === org.ns.invites) {
      const bytes = c.deleted ? undefined : await org.storage.get(c.ns, c.key);
      invitations.set(c.key as InvitationToken, bytes === undefined ? null : (invitationRecord.decode(bytes) as Invitation));
    } else if (c.ns === org.ns.vlobs) {
      const bytes = await org.storage.get(c.ns, c.key);
      if (bytes === undefined) return reloadOrg(org);
      const r = vlobRecord.decode(bytes);
      vlobs.push({ realmId: r.realmId, vlobId: r.vlobId, meta: { version: r.version, keyIndex: r.keyIndex, author: r.author, timestamp: r.timestamp, checkpoint: r.checkpoint } });
    }
  }
  vlobs.sort((a, b) => a.meta.checkpoint - b.meta.checkpoint);
  // Check everything before changing anything: versions and checkpoints must continue exactly.
  const nextVersion = new Map<VlobId, number>();
  const nextCheckpoint = new Map<RealmId, number>();
  for (const { realmId, vlobId, meta } of vlobs) {
    const entry = org.vlobs.get(vlobId);
    if (entry !== undefined && entry.realmId !== realmId) return reloadOrg(org);
    const version = nextVersion.get(vlobId) ?? (entry?.versions.length ?? 0) + 1;
    const checkpoint = nextCheckpoint.get(realmId) ?? (org.realmLogs.get(realmId)?.length ?? 0) + 1;
    if (meta.version !== version || meta.checkpoint !== checkpoint) return reloadOrg(org);
    nextVersion.set(vlobId, version + 1);
    nextCheckpoint.set(realmId, checkpoint + 1);
  }
  if (admin) await org.loadAdmin();
  for (const { realmId, vlobId, meta } of vlobs) {
    let entry = org.vlobs.get(vlobId);
    if (!entry) org.vlobs.set(vlobId, (entry = { realmId: realmId, versions: [] }));
    entry.versions.push(meta);
    let log = org.realmLogs.get(realmId);
    if (!log) org.realmLogs.set(realmId, (log = []));
    log.push({ vlobId, version: meta.version });
  }
  for (const [token, inv] of invitations) {
    if (inv === null) org.invitations.delete(token);
    else org.invitations.set(token, inv);
    org.invitationChanges.get(token)?.notify();
  }
}
