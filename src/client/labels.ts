/**
 * Labelling through the client (STANAG 4774 policies, clearances, workspace and file labels):
 * thin shells that sign a label certificate, send it and confirm it in the verified chain, and the
 * client-side rules applied before anything is signed, written or returned:
 *
 * - share: refused unless the user is cleared for the workspace label (`label/not-cleared`, the
 *   same rule the certificate engine applies to the role certificate on every client and on the
 *   server);
 * - write: a file label must fit its policy and not exceed the workspace label
 *   (`label/exceeds-workspace`);
 * - read: refused before any block is fetched or decrypted unless this user's clearance, as this
 *   device verified it, dominates the workspace label and the file label
 *   (`label/clearance-insufficient`).
 * @module
 */
import type { RealmId, UserId } from '../codec/ids.js';
import type { Timestamp } from '../codec/timestamps.js';
import { signCertificate } from '../certificates/sign.js';
import { certificateTopic, type CertificateContent, type RevisedLabel } from '../certificates/types.js';
import { checkClearance, checkLabel, type Clearance, type ConfidentialityLabel } from '../certificates/label.js';
import { checkPolicy, type LabelPolicy } from '../certificates/label-policy.js';
import { LabelError } from '../errors.js';
import { assertFileLabelAllowed, assertReadAllowed, assertShareAllowed } from '../labels/label-rules.js';
import type { FileManifest } from '../manifests/types.js';
import type { ClientContext } from './context.js';
import { sendAndConfirm } from './send-certificate.js';

type LabelContent = Extract<CertificateContent, { type: 'label_policy' | 'clearance' | 'realm_label' }>;
type Draft = LabelContent extends infer C ? (C extends LabelContent ? Omit<C, 'author' | 'timestamp'> : never) : never;

/** Signs `draft` now on the head of its topic, sends it, returns once it is in the verified chain. */
async function sendLabelCertificate(ctx: ClientContext, draft: Draft): Promise<void> {
  await sendAndConfirm(ctx, async (timestamp) => {
    const content = { ...draft, author: ctx.device.deviceId, timestamp } as LabelContent;
    return { cmd: 'label_certificate', certificate: await signCertificate(ctx.device.signingKey, content, ctx.certs.nextLink(certificateTopic(content))) };
  });
}

/**
 * Publishes `policy` as the next revision of its identifier (ADMIN only). Returns the revision.
 * @throws LabelError `label/invalid-policy`; TransportError (`transport/invalid_certificate`, …).
 */
export async function publishLabelPolicy(ctx: ClientContext, policy: LabelPolicy): Promise<number> {
  const checked = checkPolicy(policy);
  await ctx.syncCertificates();
  const revision = (ctx.certs.getNewestLabelPolicy(checked.policyId)?.revision ?? 0) + 1;
  await sendLabelCertificate(ctx, { type: 'label_policy', revision, policy: checked });
  return revision;
}

/**
 * Sets (or withdraws, `null`) `userId`'s clearance under `policyId` (ADMIN only, never oneself).
 * @throws LabelError `label/unknown-policy` and the `checkClearance` codes; TransportError.
 */
export async function setClearance(ctx: ClientContext, userId: UserId, policyId: string, clearance: Omit<Clearance, 'policyId'> | null): Promise<void> {
  await ctx.syncCertificates();
  const newest = ctx.certs.getNewestLabelPolicy(policyId);
  if (!newest) throw new LabelError('label/unknown-policy', `no label policy ${policyId}`);
  const checked = clearance === null ? null : checkClearance({ ...clearance, policyId }, newest.policy);
  await sendLabelCertificate(ctx, { type: 'clearance', userId, policyId, clearance: checked });
}

/**
 * The label `label` under the newest revision of its policy, checked and normalised.
 * @throws LabelError `label/unknown-policy` and the `checkLabel` codes.
 */
export function reviseLabel(ctx: ClientContext, label: ConfidentialityLabel): RevisedLabel {
  const newest = ctx.certs.getNewestLabelPolicy(label.policyId);
  if (!newest) throw new LabelError('label/unknown-policy', `no label policy ${label.policyId}`);
  return { revision: newest.revision, label: checkLabel(label, newest.policy) };
}

/**
 * Sets the workspace label (its ceiling) or removes it (`null`). The caller checked OWNER.
 * @throws LabelError (see `reviseLabel`); TransportError `transport/invalid_certificate`
 *   (`members-not-cleared`: a current member's clearance does not dominate the label).
 */
export async function setWorkspaceLabel(ctx: ClientContext, realmId: RealmId, label: ConfidentialityLabel | null): Promise<RevisedLabel | null> {
  await ctx.syncCertificates();
  const revised = label === null ? null : reviseLabel(ctx, label);
  await sendLabelCertificate(ctx, { type: 'realm_label', realmId, label: revised });
  return revised;
}

/**
 * The file label to write in `realmId` at `t`: checked against its policy and bounded by the
 * workspace label.
 * @throws LabelError `label/exceeds-workspace`, `label/unknown-policy`, the `checkLabel` codes.
 */
export function fileLabelFor(ctx: ClientContext, realmId: RealmId, label: ConfidentialityLabel, t: Timestamp): RevisedLabel {
  return assertFileLabelAllowed(ctx.certs, realmId, reviseLabel(ctx, label), t);
}

/** Refuses sharing `realmId` with `userId` unless cleared for its label. @throws LabelError `label/not-cleared`. */
export function checkShare(ctx: ClientContext, realmId: RealmId, userId: UserId): void {
  assertShareAllowed(ctx.certs, realmId, userId, ctx.clock());
}

/** Whether `checkRead` (now) accepts `file`: false for a `LabelError`, any other error thrown. */
export function canRead(ctx: ClientContext, realmId: RealmId, file: FileManifest): boolean {
  try {
    checkRead(ctx, realmId, file);
    return true;
  } catch (e) {
    if (e instanceof LabelError) return false;
    throw e;
  }
}

/**
 * Refuses reading `file` (a version of a file of `realmId`, read as of `at`, default now) unless
 * this user is cleared now for the workspace label now and then, and for the file label, and the
 * file label did not exceed the workspace label when the version was signed.
 * @throws LabelError `label/clearance-insufficient`, `label/exceeds-workspace`.
 */
export function checkRead(ctx: ClientContext, realmId: RealmId, file: FileManifest, at?: Timestamp): void {
  const now = ctx.clock();
  const userId = ctx.device.userId;
  // Every client checks what it reads, not only what it writes: a version labelled above the
  // workspace label in force when it was signed (a hostile or outdated writer) is refused, whoever
  // the reader is cleared for.
  // A working copy keeps its base version's timestamp until uploaded; `updated` is when it changed.
  if (file.label !== undefined) assertFileLabelAllowed(ctx.certs, realmId, file.label, Math.max(file.timestamp, file.updated));
  assertReadAllowed(ctx.certs, realmId, userId, now, file.label ?? null);
  if (at !== undefined) {
    const then = ctx.certs.getRealmLabel(realmId, at);
    const problem = then === null ? null : ctx.certs.clearanceProblem(userId, then, now);
    if (problem !== null) throw new LabelError('label/clearance-insufficient', `not cleared to read ${then!.label.classification} data: ${problem}`);
  }
}
