/**
 * Certificate data types (the certificate rules): the API shape of every signed trust statement.
 *
 * A certificate is a discriminated union on `type`. Every certificate carries `author` (the
 * device that signed it, or `null` for the organisation root key, which only signs the
 * bootstrap) and `timestamp` (µs since the Unix epoch).
 * @module
 */
import type { DeviceId, RealmId, UserId } from '../codec/ids.js';
import type { Timestamp } from '../codec/timestamps.js';
import type { PublicKey, VerifyKey } from '../keys/index.js';
import type { Clearance, ConfidentialityLabel } from './label.js';
import type { LabelPolicy } from './label-policy.js';

/** Name of the v1 cryptographic suite (crypto suite v1), written in every key-rotation certificate. */
export const SUITE_V1 = 'sealsync-v1';

/** User profiles (the data model). */
export const PROFILES = ['ADMIN', 'STANDARD', 'OUTSIDER'] as const;
/** A user's profile: `ADMIN` manages users and invitations, `STANDARD` is a member, `OUTSIDER` cannot own or manage realms. */
export type UserProfile = (typeof PROFILES)[number];

/** Realm roles (the data model), strongest first. */
export const REALM_ROLES = ['OWNER', 'MANAGER', 'CONTRIBUTOR', 'READER'] as const;
/** A member's role in a realm: `OWNER` and `MANAGER` share, `CONTRIBUTOR` writes, `READER` reads. */
export type RealmRole = (typeof REALM_ROLES)[number];

/** Archiving states of a realm. */
export const ARCHIVING_STATUSES = ['available', 'archived', 'deletion_planned'] as const;
/** A realm's archiving state: `available` (read-write), `archived` (read-only), `deletion_planned` (read-only, then deleted). */
export type RealmArchivingStatus = (typeof ARCHIVING_STATUSES)[number];

/** The certificate `type` values (v1). */
export const CERTIFICATE_TYPES = [
  'user',
  'device',
  'user_update',
  'revoked_user',
  'realm_role',
  'realm_key_rotation',
  'realm_name',
  'realm_archiving',
  'label_policy',
  'clearance',
  'realm_label',
] as const;
/** One of {@link CERTIFICATE_TYPES}. */
export type CertificateType = (typeof CERTIFICATE_TYPES)[number];

/** The common topic; every realm has its own topic named by its realm id. */
export const COMMON_TOPIC = 'common';
/** A certificate topic: `common` (users, devices) or a realm id (roles, keys, name, archiving). */
export type Topic = typeof COMMON_TOPIC | RealmId;

/** Who a user is, for humans: shown in invitations and listings, signed inside the user certificate. */
export interface HumanHandle {
  /** Email address: unique among the organisation's non-revoked users (compared after NFC and lowercasing). */
  readonly email: string;
  /** Display name. */
  readonly label: string;
}

/** A topic's head: the position of its newest certificate and the SHA-256 of its signed bytes. */
export interface ChainHead {
  readonly position: number;
  readonly digest: Uint8Array;
}

/**
 * Where a certificate sits in its topic, signed inside every certificate (format v2): topics are hash chains, so nothing can be dropped, reordered or inserted unseen.
 */
export interface ChainLink {
  /** 1 for the first certificate of the topic, then +1 each. */
  readonly position: number;
  /** SHA-256 of the signed certificate at `position - 1` of the same topic; `null` at position 1. */
  readonly prev: Uint8Array | null;
  /** Realm topics: the common topic's head the author had verified. Common topic: `null`. */
  readonly commonHead: ChainHead | null;
}

interface Base {
  /** Signing device, or `null` for the root key (bootstrap only). */
  readonly author: DeviceId | null;
  readonly timestamp: Timestamp;
  /** Position in the topic, previous certificate's digest, common head (format v2). */
  readonly chain: ChainLink;
}

/** A user exists, with its X25519 public key and profile. */
export interface UserCertificate extends Base {
  readonly type: 'user';
  readonly userId: UserId;
  readonly humanHandle: HumanHandle;
  readonly publicKey: PublicKey;
  readonly profile: UserProfile;
}

/** A device belongs to a user, with its Ed25519 verify key. */
export interface DeviceCertificate extends Base {
  readonly type: 'device';
  readonly userId: UserId;
  readonly deviceId: DeviceId;
  readonly deviceLabel: string;
  readonly verifyKey: VerifyKey;
}

/** A user's profile changes. */
export interface UserUpdateCertificate extends Base {
  readonly type: 'user_update';
  readonly userId: UserId;
  readonly newProfile: UserProfile;
}

/** A user is revoked, with all its devices, from `timestamp` on. */
export interface RevokedUserCertificate extends Base {
  readonly type: 'revoked_user';
  readonly userId: UserId;
}

/** A user's role in a realm is set (`null` = unshared). */
export interface RealmRoleCertificate extends Base {
  readonly type: 'realm_role';
  readonly realmId: RealmId;
  readonly userId: UserId;
  readonly role: RealmRole | null;
}

/** A new realm key (index 1, 2, 3…) is in use from `timestamp` on. */
export interface RealmKeyRotationCertificate extends Base {
  readonly type: 'realm_key_rotation';
  readonly realmId: RealmId;
  readonly keyIndex: number;
  /** Cryptographic suite of the key, `SUITE_V1` today. */
  readonly suite: string;
  /** Lets every member check the key it received (computed by the manifests module). */
  readonly keyCanary: Uint8Array;
}

/** The realm's name, encrypted with the realm key `keyIndex`. */
export interface RealmNameCertificate extends Base {
  readonly type: 'realm_name';
  readonly realmId: RealmId;
  readonly keyIndex: number;
  readonly encryptedName: Uint8Array;
}

/** The archiving state a `realm_archiving` certificate sets; `deletionDate` (µs) is when the server may delete the realm. */
export type RealmArchivingConfiguration =
  | { readonly status: 'available' }
  | { readonly status: 'archived' }
  | { readonly status: 'deletion_planned'; readonly deletionDate: Timestamp };

/** The realm's archiving state changes. */
export interface RealmArchivingCertificate extends Base {
  readonly type: 'realm_archiving';
  readonly realmId: RealmId;
  readonly configuration: RealmArchivingConfiguration;
}

/** A confidentiality label together with the revision of the policy it is read under. */
export interface RevisedLabel {
  readonly revision: number;
  readonly label: ConfidentialityLabel;
}

/**
 * An admin publishes revision `revision` of a label policy (1, 2, 3… per policy identifier). A
 * policy change is a new revision; a label names the revision it was written under, so old labels
 * stay interpretable.
 */
export interface LabelPolicyCertificate extends Base {
  readonly type: 'label_policy';
  readonly revision: number;
  readonly policy: LabelPolicy;
}

/**
 * An admin gives a user a clearance under a policy (`null`: withdraws it). The newest at a time is
 * the user's clearance then, as for realm roles.
 */
export interface ClearanceCertificate extends Base {
  readonly type: 'clearance';
  readonly userId: UserId;
  readonly policyId: string;
  readonly clearance: Clearance | null;
}

/** A realm OWNER sets the workspace label, its ceiling (`null`: unlabelled from `timestamp` on). */
export interface RealmLabelCertificate extends Base {
  readonly type: 'realm_label';
  readonly realmId: RealmId;
  readonly label: RevisedLabel | null;
}

/** A certificate of the `common` topic. */
export type CommonCertificate =
  | UserCertificate
  | DeviceCertificate
  | UserUpdateCertificate
  | RevokedUserCertificate
  | LabelPolicyCertificate
  | ClearanceCertificate;
/** A certificate of a realm's topic. */
export type RealmCertificate =
  | RealmRoleCertificate
  | RealmKeyRotationCertificate
  | RealmNameCertificate
  | RealmArchivingCertificate
  | RealmLabelCertificate;
/** Any verified certificate, discriminated by `type`. */
export type Certificate = CommonCertificate | RealmCertificate;

/** Omit that distributes over a union. */
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/**
 * A certificate before it is placed in its topic: what `signCertificate` takes, together with the
 * `ChainLink` (from `CertificateStore.nextLink(topic)`).
 */
export type CertificateContent = DistributiveOmit<Certificate, 'chain'>;

/** The certificate type named `T`. */
export type CertificateOf<T extends CertificateType> = Extract<Certificate, { type: T }>;

/** The topic a certificate belongs to: its realm's, or common for certificates without a realm. */
export function certificateTopic(c: CertificateContent | Certificate): Topic {
  return 'realmId' in c ? c.realmId : COMMON_TOPIC;
}

/** True for the certificate types that live in the common topic. */
export function isCommonCertificate(c: Certificate): c is CommonCertificate {
  return !('realmId' in c);
}
