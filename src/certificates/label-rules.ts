/**
 * The labelling rules of the certificate engine (STANAG 4774 policies, clearances, workspace
 * labels), applied by every client and by the server like every other chain-of-trust rule:
 *
 * - `label_policy` (common topic): by an ADMIN; well formed; revisions go 1, 2, 3… per policy id
 *   (a change is a new revision, older labels keep naming theirs);
 * - `clearance` (common topic): by an ADMIN about another existing, non-revoked user; fits the
 *   newest revision of its policy; changes something. Change and withdrawal (`null`) as for roles;
 * - `realm_label` (realm topic): by an OWNER (checked by the caller); the label fits the policy
 *   revision it names, published at that time; every current member is cleared for it;
 * - `realm_role` giving a role in a labelled realm: the user is cleared for the label at that time
 *   (`not-cleared`). So a server cannot hand a key to an uncleared user: every client refuses the
 *   certificate, and the honest server refuses it first.
 * @module
 */
import type { RealmId, UserId } from '../codec/ids.js';
import type { Timestamp } from '../codec/timestamps.js';
import { clearanceVerdict } from './dominance.js';
import { checkClearance, checkLabel, labelsEqual, type Clearance } from './label.js';
import { checkPolicy, type LabelPolicy } from './label-policy.js';
import { certificateError, REASONS } from './reasons.js';
import { clearanceKey, lastAtOrBefore, profileAt, revokedAt, roleAt, type Draft, type RealmRecord, type StateView, type UserRecord } from './state.js';
import type { ClearanceCertificate, LabelPolicyCertificate, RealmLabelCertificate, RevisedLabel } from './types.js';

/** What the label rules read of the author (see `rules.ts`). */
interface Author {
  readonly user: UserRecord | null;
}

type LabelView = Pick<StateView, 'policyRevisions' | 'clearanceHistory'>;

function requireAdmin(author: Author, t: Timestamp, what: string, index: number): UserRecord {
  if (author.user === null || profileAt(author.user, t) !== 'ADMIN') throw certificateError(REASONS.authorNotAdmin, `only an ADMIN ${what}`, index);
  return author.user;
}

/** Revision `revision` of `policyId` if published at or before `t`. */
export function policyRevisionAt(view: LabelView, policyId: string, revision: number, t: Timestamp): LabelPolicy | undefined {
  const e = view.policyRevisions(policyId)[revision - 1];
  return e && e.timestamp <= t ? e.policy : undefined;
}

/** The newest revision of `policyId` published at or before `t`, with its number. */
export function newestPolicyAt(view: LabelView, policyId: string, t: Timestamp): { revision: number; policy: LabelPolicy } | undefined {
  const list = view.policyRevisions(policyId);
  const i = lastAtOrBefore(list, t, (e) => e.timestamp);
  return i < 0 ? undefined : { revision: i + 1, policy: list[i]!.policy };
}

/** The user's clearance under `policyId` at `t` (`null`: none). */
export function clearanceAt(view: LabelView, userId: UserId, policyId: string, t: Timestamp): Clearance | null {
  const list = view.clearanceHistory(clearanceKey(userId, policyId));
  const i = lastAtOrBefore(list, t, (e) => e.timestamp);
  return i < 0 ? null : list[i]!.clearance;
}

/** The workspace label of `realm` at `t` (`null`: unlabelled). */
export function realmLabelAt(realm: RealmRecord | undefined, t: Timestamp): RevisedLabel | null {
  const list = realm?.labels ?? [];
  const i = lastAtOrBefore(list, t, (c) => c.timestamp);
  return i < 0 ? null : list[i]!.label;
}

/**
 * `null` if `userId`'s clearance at `t` dominates `label` (under the policy revision the label
 * names), else why not. A clearance naming a classification or value the label's revision lacks
 * cannot be compared: not cleared (fail closed).
 */
export function clearanceProblem(view: LabelView, userId: UserId, label: RevisedLabel, t: Timestamp): string | null {
  const policy = view.policyRevisions(label.label.policyId)[label.revision - 1]?.policy;
  if (!policy) return `policy ${label.label.policyId} revision ${label.revision} is unknown`;
  const clearance = clearanceAt(view, userId, label.label.policyId, t);
  if (clearance === null) return `no clearance under ${label.label.policyId}`;
  try {
    return clearanceVerdict(clearance, label.label, policy)?.message ?? null;
  } catch (err) {
    return `the clearance does not read under revision ${label.revision}: ${(err as Error).message}`;
  }
}

export function applyLabelPolicy(draft: Draft, cert: LabelPolicyCertificate, author: Author, index: number): void {
  requireAdmin(author, cert.timestamp, 'publishes a label policy', index);
  let policy: LabelPolicy;
  try {
    policy = checkPolicy(cert.policy);
  } catch (err) {
    throw certificateError(REASONS.labelPolicyInvalid, (err as Error).message, index, err);
  }
  const expected = draft.policyRevisions(policy.policyId).length + 1;
  if (cert.revision !== expected) {
    throw certificateError(REASONS.labelPolicyRevisionNotNext, `policy ${policy.policyId}: revision ${cert.revision}, expected ${expected}`, index);
  }
  draft.addPolicyRevision(policy.policyId, { timestamp: cert.timestamp, policy });
}

function sameClearance(a: Clearance | null, b: Clearance | null): boolean {
  if (a === null || b === null) return a === b;
  const cats = (c: Clearance) => JSON.stringify(c.categories.map((x) => [x.tagName, x.values]));
  return a.maxClassification === b.maxClassification && cats(a) === cats(b);
}

export function applyClearance(draft: Draft, cert: ClearanceCertificate, author: Author, index: number): void {
  const admin = requireAdmin(author, cert.timestamp, 'sets clearances', index);
  // As for profiles: an admin raising its own clearance would need nobody's agreement.
  if (admin.certificate.userId === cert.userId) throw certificateError(REASONS.selfTargeted, 'an admin cannot set its own clearance', index);
  const target = draft.user(cert.userId);
  if (!target || target.certificate.timestamp > cert.timestamp) throw certificateError(REASONS.userNotFound, `user ${cert.userId} does not exist`, index);
  if (revokedAt(target, cert.timestamp)) throw certificateError(REASONS.userAlreadyRevoked, `user ${cert.userId} is revoked`, index);
  const newest = newestPolicyAt(draft, cert.policyId, cert.timestamp);
  if (!newest) throw certificateError(REASONS.unknownLabelPolicy, `no policy ${cert.policyId} at ${cert.timestamp}`, index);
  let clearance: Clearance | null = null;
  if (cert.clearance !== null) {
    try {
      clearance = checkClearance(cert.clearance, newest.policy);
    } catch (err) {
      throw certificateError(REASONS.clearanceInvalid, (err as Error).message, index, err);
    }
  }
  const key = clearanceKey(cert.userId, cert.policyId);
  if (sameClearance(clearanceAt(draft, cert.userId, cert.policyId, cert.timestamp), clearance)) {
    throw certificateError(REASONS.clearanceUnchanged, 'the clearance certificate changes nothing', index);
  }
  draft.addClearance(key, { timestamp: cert.timestamp, clearance, certificate: cert });
}

/** Members of `realmId` at `t` (roles not null, users not revoked). */
function membersAt(draft: Draft, realm: RealmRecord, t: Timestamp): UserId[] {
  const out: UserId[] = [];
  for (const [userId, history] of realm.roles) {
    const user = draft.user(userId);
    if (roleAt(history, t) !== null && user && !revokedAt(user, t)) out.push(userId);
  }
  return out;
}

/** Applies a `realm_label` certificate (the caller checked the author is OWNER). */
export function applyRealmLabel(draft: Draft, cert: RealmLabelCertificate, index: number): void {
  const realm = draft.mutableRealm(cert.realmId as RealmId)!;
  let label: RevisedLabel | null = null;
  if (cert.label !== null) {
    const policy = policyRevisionAt(draft, cert.label.label.policyId, cert.label.revision, cert.timestamp);
    if (!policy) throw certificateError(REASONS.unknownLabelPolicy, `no policy ${cert.label.label.policyId} revision ${cert.label.revision} at ${cert.timestamp}`, index);
    try {
      label = { revision: cert.label.revision, label: checkLabel(cert.label.label, policy) };
    } catch (err) {
      throw certificateError(REASONS.labelInvalid, (err as Error).message, index, err);
    }
    for (const userId of membersAt(draft, realm, cert.timestamp)) {
      const problem = clearanceProblem(draft, userId, label, cert.timestamp);
      if (problem !== null) throw certificateError(REASONS.membersNotCleared, `member ${userId} is not cleared for the label: ${problem}`, index);
    }
  }
  const before = realmLabelAt(realm, cert.timestamp);
  const same = before === null || label === null ? before === label : before.revision === label.revision && labelsEqual(before.label, label.label);
  if (same) throw certificateError(REASONS.realmLabelUnchanged, 'the workspace label certificate changes nothing', index);
  realm.labels.push({ ...cert, label });
}

/** A role given in a labelled realm requires a clearance dominating the label at that time. */
export function checkRoleCleared(draft: Draft, realm: RealmRecord, userId: UserId, t: Timestamp, index: number): void {
  const label = realmLabelAt(realm, t);
  if (label === null) return;
  const problem = clearanceProblem(draft, userId, label, t);
  if (problem !== null) throw certificateError(REASONS.notCleared, `user ${userId} is not cleared for the ${label.label.classification} workspace: ${problem}`, index);
}
