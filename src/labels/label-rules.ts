/**
 * The labelling rules, as small functions over the verified certificates (a `LabelView`: a `CertificateStore` fits), each with its refusal code:
 *
 * - `label/not-cleared`: a workspace is shared only with users cleared for its label (a `realm_role`
 *   certificate that gives a role to a user whose clearance does not dominate the workspace label at
 *   that time is refused: by the certificate engine of every client and by the server);
 * - `label/exceeds-workspace`: a file label does not exceed its workspace's label (and a file label
 *   needs a labelled workspace: an unlabelled workspace admits anyone, so it cannot hold labelled data);
 * - `label/clearance-insufficient`: a reader whose clearance no longer dominates the workspace or file
 *   label is refused by the client before any plaintext is returned.
 * @module
 */
import { LabelError } from '../errors.js';
import type { RealmId, UserId } from '../codec/ids.js';
import type { Timestamp } from '../codec/timestamps.js';
import { labelBoundVerdict } from '../certificates/dominance.js';
import { checkLabel } from '../certificates/label.js';
import type { CertificateStore, RevisedLabel } from '../certificates/index.js';

/** What the labelling rules read of the organisation's verified certificates (a `CertificateStore` fits). */
export type LabelView = Pick<CertificateStore, 'getRealmLabel' | 'getLabelPolicy' | 'clearanceProblem'>;

/**
 * Refuses giving `userId` a role in `realmId` at `t` unless cleared for the workspace label.
 * @throws LabelError `label/not-cleared`.
 */
export function assertShareAllowed(registry: LabelView, realmId: RealmId, userId: UserId, t: Timestamp): void {
  const label = registry.getRealmLabel(realmId, t);
  if (label === null) return;
  const problem = registry.clearanceProblem(userId, label, t);
  if (problem !== null) throw new LabelError('label/not-cleared', `user ${userId} cannot be given access to a ${label.label.classification} workspace: ${problem}`);
}

/**
 * Refuses a file label that exceeds the workspace label at `t` (or any file label in an unlabelled
 * workspace). Returns the checked, normalised file label.
 * @throws LabelError `label/exceeds-workspace`, `label/unknown-policy`, and `checkLabel` codes.
 */
export function assertFileLabelAllowed(registry: LabelView, realmId: RealmId, file: RevisedLabel, t: Timestamp): RevisedLabel {
  const ws = registry.getRealmLabel(realmId, t);
  if (ws === null) throw new LabelError('label/exceeds-workspace', 'a file label needs a labelled workspace');
  const policy = registry.getLabelPolicy(file.label.policyId, file.revision);
  if (!policy) throw new LabelError('label/unknown-policy', `no policy ${file.label.policyId} revision ${file.revision}`);
  const checked = checkLabel(file.label, policy);
  // Compare under the workspace label's revision: the ceiling is what members were cleared against.
  const wsPolicy = registry.getLabelPolicy(ws.label.policyId, ws.revision)!;
  let verdict;
  try {
    verdict = labelBoundVerdict(ws.label, checkLabel(checked, wsPolicy), wsPolicy);
  } catch (err) {
    throw new LabelError('label/exceeds-workspace', 'the file label does not exist under the workspace label policy', { cause: err });
  }
  if (verdict !== null) throw new LabelError('label/exceeds-workspace', `file label exceeds the workspace label: ${verdict.message}`);
  return { revision: file.revision, label: checked };
}

/**
 * Refuses a read by `userId` at `t` when its clearance does not dominate the workspace label or the
 * file label. Call it before decrypting or returning anything.
 * @throws LabelError `label/clearance-insufficient`.
 */
export function assertReadAllowed(registry: LabelView, realmId: RealmId, userId: UserId, t: Timestamp, file?: RevisedLabel | null): void {
  for (const label of [registry.getRealmLabel(realmId, t), file ?? null]) {
    if (label === null) continue;
    const problem = registry.clearanceProblem(userId, label, t);
    if (problem !== null) throw new LabelError('label/clearance-insufficient', `not cleared to read ${label.label.classification} data: ${problem}`);
  }
}
