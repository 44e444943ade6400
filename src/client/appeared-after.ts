/**
 * "A version that appears after this device had verified a later state, dated before it, is
 * refused" (the back-dated manifest attack).
 *
 * A writer revoked or downgraded at `R` can, with a colluding server, sign a next version dated
 * just before `R`, where its role still allowed it; along a chain whose newest version is itself
 * dated before `R`, "timestamps increase" does not stop it, and dates alone cannot tell it from an
 * honest write made before `R` that this device had not fetched yet. What can: WHEN it appeared.
 * An honest server refuses every write by a revoked user and every write by a member without a
 * writing role at the time it receives it, and it dates nothing before its newest realm
 * certificate. So if this device had verified the removal before it started a poll of the realm
 * that did not deliver the version (the poll mark: the certificate positions verified when that
 * complete poll started), the version was stored after the removal: a lie.
 *
 * The first poll of a realm has no mark, so a device joining a realm accepts its legitimate
 * older history (versions written before a removal, fetched for the first time).
 * @module
 */
import type { RealmId } from '../codec/ids.js';
import type { CertificateStore } from '../certificates/store.js';
import { COMMON_TOPIC } from '../certificates/types.js';
import { ManifestError } from '../errors.js';
import { WRITE_ROLES } from '../manifests/trust.js';
import type { Manifest } from '../manifests/types.js';

/** Certificate positions (common topic, realm topic) this device had verified when a complete poll of a realm started. */
export interface PollMark {
  readonly common: number;
  readonly realm: number;
}

/** The mark to record for a poll starting now: the verified heads' positions. */
export function currentMark(certs: CertificateStore, realmId: RealmId): PollMark {
  return { common: certs.topicHead(COMMON_TOPIC)?.position ?? 0, realm: certs.topicHead(realmId)?.position ?? 0 };
}

/**
 * Refuses `m`, a version this device fetches for the first time after its complete poll marked
 * `mark` (not delivered by that poll, so stored after it), when its author had no right to write
 * at the state this device had verified at the mark and the version is dated before that state:
 * revoked by a common certificate at or before `mark.common`, or without a writing role after the
 * realm certificates up to `mark.realm`. A version dated after the mark is judged by the ordinary
 * read checks (a member re-shared later writes again). Throws `ManifestError`
 * `manifest/appeared-after-removal`.
 */
export function checkNotAppearedAfterRemoval(certs: CertificateStore, realmId: RealmId, mark: PollMark | null, m: Manifest): void {
  if (mark === null) return;
  const device = certs.getDevice(m.author);
  if (device === undefined) return; // refused by the read checks (author-unknown)
  const commonAt = mark.common === 0 ? undefined : certs.timestampAt(COMMON_TOPIC, mark.common);
  if (commonAt !== undefined && m.timestamp < commonAt && certs.isRevoked(device.userId, commonAt)) {
    throw new ManifestError(
      'manifest/appeared-after-removal',
      `vlob ${m.id} version ${m.version} by a user whose revocation this device had verified before its last poll appeared only now, dated before it`,
    );
  }
  const realmAt = mark.realm === 0 ? undefined : certs.timestampAt(realmId, mark.realm);
  if (realmAt !== undefined && m.timestamp < realmAt) {
    const role = certs.getRealmRole(realmId, device.userId, realmAt);
    if (role === null || !WRITE_ROLES.has(role)) {
      throw new ManifestError(
        'manifest/appeared-after-removal',
        `vlob ${m.id} version ${m.version} by a user without a writing role at the state this device had verified before its last poll appeared only now, dated before it`,
      );
    }
  }
}
