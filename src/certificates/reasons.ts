/**
 * The stable `reason` of every chain-of-trust rule (the certificate rules). A `CertificateError` carries one
 * of these; its `code` is `certificate/<reason>`. Reasons are public API: never change a meaning.
 * @module
 */
import { CertificateError } from '../errors.js';

/** Every rule's stable reason string, by name; `CertificateError.reason` is one of the values. */
export const REASONS = {
  /** Bytes that are not a well-formed signed certificate (CBOR, schema, length). */
  corrupted: 'corrupted',
  /** A well-formed certificate of another type than the one asked for. */
  wrongType: 'wrong-type',
  /** The certificate declares a format version newer than this library knows. */
  unsupportedFormat: 'unsupported-format',
  /** The signature does not verify with the author's key. */
  badSignature: 'bad-signature',
  /** The author device does not exist. */
  unknownAuthor: 'unknown-author',
  /** The author device was created after the certificate's timestamp (back-dating). */
  authorNewerThanCertificate: 'author-newer-than-certificate',
  /** The author's user is revoked at the certificate's timestamp. */
  revokedAuthor: 'revoked-author',
  /** The root key signed something other than the bootstrap. */
  rootOutsideBootstrap: 'root-outside-bootstrap',
  /** The bootstrap user is not an ADMIN. */
  bootstrapNotAdmin: 'bootstrap-not-admin',
  /** Timestamps of a topic do not strictly increase. */
  timestampNotIncreasing: 'timestamp-not-increasing',
  /** A common certificate is older than a realm certificate already accepted (global order). */
  olderThanRealmCertificate: 'older-than-realm-certificate',
  /** Creating users, changing profiles or revoking by a non-ADMIN. */
  authorNotAdmin: 'author-not-admin',
  /** An admin action (profile change, revocation) about the author's own user. */
  selfTargeted: 'self-targeted',
  /** A user certificate not immediately followed by its first device (same author, timestamp). */
  firstDeviceMismatch: 'first-device-mismatch',
  /** A later device signed by a device of another user. */
  deviceSignedByOtherUser: 'device-signed-by-other-user',
  duplicateUser: 'duplicate-user',
  duplicateDevice: 'duplicate-device',
  /** Human handle (email) already used by a non-revoked user. */
  duplicateHumanHandle: 'duplicate-human-handle',
  /** The user a certificate is about does not exist (at its timestamp). */
  userNotFound: 'user-not-found',
  /** The user a certificate is about is already revoked. */
  userAlreadyRevoked: 'user-already-revoked',
  /** A profile update that does not change the profile. */
  profileUnchanged: 'profile-unchanged',
  /** A common-topic certificate in a realm topic, a realm certificate in another topic. */
  topicMismatch: 'topic-mismatch',
  /** A realm's first certificate is not the author giving itself OWNER. */
  realmFirstNotSelfOwner: 'realm-first-not-self-owner',
  /** The author has no role in the realm. */
  authorNoRealmRole: 'author-no-realm-role',
  /** OWNER/MANAGER given or taken, key rotated, name or archiving set, by a non-OWNER. */
  authorNotOwner: 'author-not-owner',
  /** CONTRIBUTOR/READER given or taken by someone neither OWNER nor MANAGER. */
  authorNotOwnerOrManager: 'author-not-owner-or-manager',
  /** A realm member changing its own role (after the realm's creation). */
  selfRoleChange: 'self-role-change',
  /** An OUTSIDER made OWNER or MANAGER. */
  outsiderElevated: 'outsider-elevated',
  /** A role given to a revoked user. */
  revokedUserRole: 'revoked-user-role',
  /** A role certificate that does not change the role. */
  roleUnchanged: 'role-unchanged',
  /** A key rotation whose index is not the last index + 1. */
  keyIndexNotNext: 'key-index-not-next',
  /** A realm name encrypted with a key index the realm does not have yet. */
  unknownKeyIndex: 'unknown-key-index',
  /** A deletion planned at or before the certificate's own timestamp. */
  deletionDateNotAfter: 'deletion-date-not-after',
  /** Chain (format v2): a topic's certificates delivered out of position order. */
  chainReordered: 'chain-reordered',
  /** Chain: a position beyond head + 1 (a certificate was dropped or withheld). */
  chainGap: 'chain-gap',
  /** Chain: a position already accepted, delivered again byte-identical. */
  chainReplayed: 'chain-replayed',
  /** Chain: a position already accepted, with another certificate (a rewritten past). */
  chainReplaced: 'chain-replaced',
  /** Chain: `prev` is not the digest of the head (an inserted certificate, or a fork). */
  chainPrevMismatch: 'chain-prev-mismatch',
  /** Chain: a common certificate naming a common head, or a realm certificate without one. */
  commonHeadInvalid: 'common-head-invalid',
  /** Chain: a realm certificate binds a common head this device has not verified. */
  commonHeadUnknown: 'common-head-unknown',
  /** Chain: a realm certificate binds a common head whose digest differs from ours (fork). */
  commonHeadMismatch: 'common-head-mismatch',
  /** Chain: a realm certificate binds an older common head than the certificate before it. */
  commonHeadRegressed: 'common-head-regressed',
  /** Chain: a realm certificate dated at or before the common certificate it says its author saw. */
  olderThanCommonHead: 'older-than-common-head',
  /**
   * A new certificate in a realm this device already follows, by a user whose revocation this
   * device had already verified (a revoked author with a colluding server back-dating).
   */
  revokedAuthorAlreadySeen: 'revoked-author-already-seen',
  /** Labels: a label policy that is not well formed (see `checkPolicy`). */
  labelPolicyInvalid: 'label-policy-invalid',
  /** Labels: a policy revision that is not the last revision + 1. */
  labelPolicyRevisionNotNext: 'label-policy-revision-not-next',
  /** Labels: a clearance or label under a policy (revision) not published at its timestamp. */
  unknownLabelPolicy: 'unknown-label-policy',
  /** Labels: a clearance that does not fit its policy (unknown classification, category, value). */
  clearanceInvalid: 'clearance-invalid',
  /** Labels: a clearance certificate that does not change the clearance. */
  clearanceUnchanged: 'clearance-unchanged',
  /** Labels: a workspace label that does not fit its policy revision. */
  labelInvalid: 'label-invalid',
  /** Labels: a workspace label certificate that does not change the label. */
  realmLabelUnchanged: 'realm-label-unchanged',
  /** Labels: a workspace label that a current member's clearance does not dominate. */
  membersNotCleared: 'members-not-cleared',
  /** Labels: a role given in a labelled workspace to a user not cleared for its label. */
  notCleared: 'not-cleared',
} as const;

/** One of the values of {@link REASONS}. */
export type CertificateReason = (typeof REASONS)[keyof typeof REASONS];

/** Builds the `CertificateError` for `reason`; `index` locates the certificate in its batch. */
export function certificateError(reason: CertificateReason, message: string, index?: number, cause?: unknown): CertificateError {
  const where = index === undefined ? '' : `certificate #${index}: `;
  return new CertificateError(reason, `${where}${message}`, cause === undefined ? undefined : { cause });
}
