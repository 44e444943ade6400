/**
 * Manifests bind what their author knew (manifest format v2, issue 12): every version names the
 * common and realm certificate heads its author had verified, and readers check them against
 * their own verified chains. Pure rules over the certificate store; each refusal is its own
 * `ManifestError` code, thrown before anything of the version is applied.
 *
 * Why: the read checks judge the author's rights at the version's timestamp, which the author
 * chooses. The heads say which history the author claims to have seen; a reader can check that
 * history (it must be a prefix of its own: otherwise the server showed the two devices different
 * histories, and this is where SUNDR's fork consistency comes from), that the version is dated
 * after it, and that the author had the right to write at that state.
 * @module
 */
import { equalBytes } from '../bytes.js';
import type { RealmId } from '../codec/ids.js';
import type { CertificateStore } from '../certificates/store.js';
import { COMMON_TOPIC, type Topic } from '../certificates/types.js';
import { ManifestError } from '../errors.js';
import { WRITE_ROLES } from '../manifests/trust.js';
import type { Manifest, ManifestChainHead, ManifestHeads } from '../manifests/types.js';

function fail(code: string, message: string): never {
  throw new ManifestError(`manifest/${code}`, message);
}

/** The heads a writer binds now: this device's verified common and realm heads. */
export function currentHeads(certs: CertificateStore, realmId: RealmId): ManifestHeads {
  const common = certs.topicHead(COMMON_TOPIC);
  const realm = certs.topicHead(realmId);
  // A device writes in a realm only once it verified the realm's first certificates.
  if (common === null || realm === null) fail('heads-unknown', `realm ${realmId} has no verified certificates on this device`);
  return { common, realm };
}

/** The newest timestamp among the certificates at `heads` (a version must be dated after it). */
export function headsTimestamp(certs: CertificateStore, realmId: RealmId, heads: ManifestHeads): number {
  return Math.max(certs.timestampAt(COMMON_TOPIC, heads.common.position) ?? 0, certs.timestampAt(realmId, heads.realm.position) ?? 0);
}

function resolve(certs: CertificateStore, topic: Topic, head: ManifestChainHead, what: string): number {
  const mine = certs.entryAt(topic, head.position);
  // Beyond what this device verified: the server withholds certificates the author had seen
  // (after a certificate sync, see REFRESHABLE in sync-engine.ts).
  if (mine === undefined) fail('heads-unknown', `the ${what} head the author verified (position ${head.position}) is beyond this device's verified chain`);
  // Same position, other certificate: the server showed the author another history (a fork).
  if (!equalBytes(mine.digest, head.digest)) fail('heads-fork', `the ${what} certificate at position ${head.position} the author verified differs from the one this device verified (forked history)`);
  return mine.timestamp;
}

/**
 * Checks the heads `m` binds (each its own code):
 * - `heads-unknown`: a head beyond this device's verified chain (or none bound);
 * - `heads-fork`: a head whose digest differs from this device's certificate at that position;
 * - `older-than-heads`: `m` dated at or before a certificate its author says it had seen;
 * - `heads-contradict-role`: at the bound state the author's user was revoked, or had no
 *   writing role in the realm (it knew it could not write);
 * - `heads-regressed`: a head behind the one `previous` (the version it follows) bound: along a
 *   vlob's chain what the writers knew only grows.
 */
export function checkHeads(certs: CertificateStore, realmId: RealmId, m: Manifest, previous?: Manifest): void {
  const heads = m.heads;
  if (heads === undefined) fail('heads-unknown', `vlob ${m.id} version ${m.version} binds no certificate heads`);
  const commonAt = resolve(certs, COMMON_TOPIC, heads.common, 'common');
  const realmAt = resolve(certs, realmId, heads.realm, 'realm');
  if (m.timestamp <= Math.max(commonAt, realmAt)) {
    fail('older-than-heads', `vlob ${m.id} version ${m.version} is dated ${m.timestamp}, not after the certificates its author had verified`);
  }
  const device = certs.getDevice(m.author, m.timestamp);
  if (device !== undefined) {
    const role = certs.getRealmRole(realmId, device.userId, realmAt);
    if (certs.isRevoked(device.userId, commonAt) || role === null || !WRITE_ROLES.has(role)) {
      fail('heads-contradict-role', `vlob ${m.id} version ${m.version}: at the state its author had verified, it could not write (revoked, or role ${role ?? 'none'})`);
    }
  }
  const before = previous?.heads;
  if (before !== undefined && (heads.common.position < before.common.position || heads.realm.position < before.realm.position)) {
    fail('heads-regressed', `vlob ${m.id} version ${m.version} binds older certificate heads than version ${previous!.version}`);
  }
}
