/**
 * The protocol between a client and the (untrusted) server: typed commands, their replies and
 * error replies, as discriminated unions on `cmd` / `status`.
 *
 * The server only ever sees public values: signed certificates, ciphertext blobs, sealed key
 * accesses and SAS exchange steps. Everything it returns is verified again by the client.
 * @module
 */
import type { DeviceId, InvitationToken, OrganizationId, RealmId, UserId, VlobId } from '../codec/ids.js';
import type {
  BlockCreateBatchRep,
  BlockCreateBatchReq,
  BlockCreateReq,
  BlockReadBatchRep,
  BlockReadBatchReq,
  BlockReadRep,
  BlockReadReq,
  VlobCreateReq,
  VlobPollChangesRep,
  VlobPollChangesReq,
  VlobReadBatchRep,
  VlobReadBatchReq,
  VlobReadVersionsRep,
  VlobReadVersionsReq,
  VlobUpdateReq,
  VlobWriteBatchRep,
  VlobWriteBatchReq,
} from './commands-data.js';
import type { ErrorReply, OkRep } from './commands-replies.js';
import type {
  InvitedShamirRevealRep,
  InvitedShamirRevealReq,
  InviteNewShamirRecoveryReq,
  ShamirRecipientListRep,
  ShamirRecipientListReq,
  ShamirSetupCreateReq,
  ShamirSetupDeleteReq,
  ShamirSetupGetRep,
  ShamirSetupGetReq,
} from './commands-shamir.js';
import type {
  PkiEnrollmentAcceptReq,
  PkiEnrollmentInfoRep,
  PkiEnrollmentInfoReq,
  PkiEnrollmentListRep,
  PkiEnrollmentListReq,
  PkiEnrollmentRejectReq,
  PkiEnrollmentSubmitRep,
  PkiEnrollmentSubmitReq,
  PkiTrustAnchorsSetReq,
} from './commands-pki.js';
import type { RealmReencryptBlockReq, RealmReencryptVlobsReq } from './commands-reencrypt.js';
import type { Timestamp } from '../codec/timestamps.js';

export type * from './commands-data.js';
export type * from './commands-replies.js';

/** Certificate topics: `common` or a realm id. */
export type TopicName = 'common' | RealmId;

// ---------------------------------------------------------------------------------------------
// Authenticated commands (sent by an enrolled device, signed: see auth)

/** Fetches the certificates the caller may see, per topic, newer than what it has (the client verifies every one). */
export interface CertificatesGetReq {
  readonly cmd: 'certificates_get';
  /** Per topic, the newest certificate timestamp the client already has (absent = from the start). */
  readonly after: ReadonlyMap<TopicName, Timestamp>;
}
/** Reply of `certificates_get`. */
export interface CertificatesGetRep {
  readonly status: 'ok';
  /** Every topic visible to the caller (common + realms it is or was a member of), in order. */
  readonly topics: ReadonlyMap<TopicName, readonly Uint8Array[]>;
}

/** Uploads a new user's signed `user` and first `device` certificates (admin, after greeting the user by SAS). */
export interface UserCreateReq {
  readonly cmd: 'user_create';
  readonly userCertificate: Uint8Array;
  readonly deviceCertificate: Uint8Array;
}
/** Uploads a signed `user_update` certificate (profile change; admin only). */
export interface UserUpdateReq {
  readonly cmd: 'user_update';
  readonly certificate: Uint8Array;
}
/** Uploads a signed `revoked_user` certificate (admin only); the user's devices are refused from then on. */
export interface UserRevokeReq {
  readonly cmd: 'user_revoke';
  readonly certificate: Uint8Array;
}
/**
 * A labelling certificate: `label_policy` or `clearance` (common topic, by an ADMIN) or
 * `realm_label` (the realm's topic, by an OWNER). Same rules as every certificate.
 */
export interface LabelCertificateReq {
  readonly cmd: 'label_certificate';
  readonly certificate: Uint8Array;
}
/** Uploads a new device's signed `device` certificate (by another device of the same user, after SAS). */
export interface DeviceCreateReq {
  readonly cmd: 'device_create';
  readonly certificate: Uint8Array;
}

/** First certificate of a realm: the author's self-signed OWNER role, and its first keys bundle. */
export interface RealmCreateReq {
  readonly cmd: 'realm_create';
  readonly roleCertificate: Uint8Array;
  readonly keyRotationCertificate: Uint8Array;
  readonly keysBundle: Uint8Array;
  /** The author's own sealed access to the keys bundle. */
  readonly keysBundleAccess: Uint8Array;
}
/** Give a role; `keysBundleAccess` is the recipient's sealed access to the current keys bundle. */
export interface RealmShareReq {
  readonly cmd: 'realm_share';
  readonly roleCertificate: Uint8Array;
  readonly keysBundleAccess: Uint8Array;
}
/** Uploads a role certificate with role `null`: removes a member (the client then rotates the key). */
export interface RealmUnshareReq {
  readonly cmd: 'realm_unshare';
  readonly roleCertificate: Uint8Array;
}
/** Uploads a key rotation certificate with the new keys bundle, sealed to every current member. */
export interface RealmRotateKeyReq {
  readonly cmd: 'realm_rotate_key';
  readonly keyRotationCertificate: Uint8Array;
  readonly keysBundle: Uint8Array;
  /** One sealed access per current member (the server refuses a set that misses a member). */
  readonly keysBundleAccesses: ReadonlyMap<UserId, Uint8Array>;
}
/** Fetches the keys bundle of key index `keyIndex` of a realm, with the caller's sealed access to it. */
export interface RealmGetKeysBundleReq {
  readonly cmd: 'realm_get_keys_bundle';
  readonly realmId: RealmId;
  readonly keyIndex: number;
}
/** Reply of `realm_get_keys_bundle`: both opaque to the server; the client opens and verifies them. */
export interface RealmGetKeysBundleRep {
  readonly status: 'ok';
  readonly keysBundle: Uint8Array;
  readonly keysBundleAccess: Uint8Array;
}
/** Uploads a signed realm name certificate (the name is encrypted under the realm key). */
export interface RealmRenameReq {
  readonly cmd: 'realm_rename';
  readonly nameCertificate: Uint8Array;
}
/** Archive, plan the deletion of, or make available again a realm (RFC 1028); OWNER only. */
export interface RealmUpdateArchivingReq {
  readonly cmd: 'realm_update_archiving';
  readonly archivingCertificate: Uint8Array;
}

/** Creates a user invitation for `email` (admin only); the reply's token goes into the invitation link. */
export interface InviteNewUserReq {
  readonly cmd: 'invite_new_user';
  readonly email: string;
}
/** Creates an invitation for a new device of the caller's own user. */
export interface InviteNewDeviceReq {
  readonly cmd: 'invite_new_device';
}
/** Reply of the `invite_new_*` commands: the new invitation's token. */
export interface InviteNewRep {
  readonly status: 'ok';
  readonly token: InvitationToken;
}
/** Cancels an invitation for good (its greeter or an admin); both sides see `invitation_cancelled`. */
export interface InviteCancelReq {
  readonly cmd: 'invite_cancel';
  readonly token: InvitationToken;
}
/**
 * Joins the current attempt of the exchange, or opens a new one (relay rules, the SAS protocol): a side
 * that already joined the current attempt, or finds it cancelled, starts the next one (bounded
 * number of attempts). The claimer uses `invited_join`.
 */
export interface InviteGreeterJoinReq {
  readonly cmd: 'invite_greeter_join';
  readonly token: InvitationToken;
}
/** Reply of `invite_greeter_join` / `invited_join`: the attempt number now joined. */
export interface InviteJoinRep {
  readonly status: 'ok';
  readonly attempt: number;
}
/**
 * Greeter side of one SAS exchange step (the SAS protocol); the claimer uses `invited_step`.
 * `payload: null` only reads the peer's part (the greeter reads the claimer's acknowledgement
 * before posting its own at step 8). `waitMs` (bounded by the server) turns the call into a long
 * poll that returns as soon as the peer's part exists or the attempt is cancelled.
 */
export interface InviteGreeterStepReq {
  readonly cmd: 'invite_greeter_step';
  readonly token: InvitationToken;
  readonly attempt: number;
  readonly step: number;
  readonly payload: Uint8Array | null;
  readonly waitMs?: number;
}
/** The greeter cancels one attempt (a wrong code pick, a timeout); the peer sees it. */
export interface InviteGreeterCancelReq {
  readonly cmd: 'invite_greeter_cancel';
  readonly token: InvitationToken;
  readonly attempt: number;
  readonly reason: string;
}
/** Reply of `invite_greeter_step` / `invited_step`. */
export interface InviteStepRep {
  readonly status: 'ok';
  /** The peer's payload for this step, or `null` while the peer has not sent it yet. */
  readonly peerPayload: Uint8Array | null;
}
/** Marks an invitation used once enrollment succeeded; it cannot be claimed again. */
export interface InviteCompleteReq {
  readonly cmd: 'invite_complete';
  readonly token: InvitationToken;
}

/** A change the server announces through `events_listen`; a hint to fetch and verify, never trusted as such. */
export type ServerEvent =
  | { readonly event: 'certificates'; readonly topic: TopicName; readonly timestamp: Timestamp }
  | { readonly event: 'vlob'; readonly realmId: RealmId; readonly checkpoint: number; readonly vlobId: VlobId; readonly version: number }
  | { readonly event: 'invitation'; readonly token: InvitationToken; readonly status: 'ready' | 'step' | 'cancelled' | 'finished' };
/** Long poll: returns as soon as events newer than `after` exist, or after `waitMs` with none. */
export interface EventsListenReq {
  readonly cmd: 'events_listen';
  readonly after: number;
  readonly waitMs: number;
}
/** Reply of `events_listen`: events after `after`, and `last`, the cursor for the next call. */
export interface EventsListenRep {
  readonly status: 'ok';
  readonly last: number;
  readonly events: readonly ServerEvent[];
}

/** Checks that the device is accepted (authentication, not revoked, not frozen); replies `ok`. */
export interface PingReq {
  readonly cmd: 'ping';
}

// ---------------------------------------------------------------------------------------------
// Anonymous / invited commands (no device yet)

/** Creates the organisation's trust state: root verify key + first admin's user and device certs. */
export interface OrganizationBootstrapReq {
  readonly cmd: 'organization_bootstrap';
  readonly bootstrapToken: Uint8Array;
  readonly rootVerifyKey: Uint8Array;
  readonly userCertificate: Uint8Array;
  readonly deviceCertificate: Uint8Array;
}
/** Claimer: what an invitation is for and who greets it, before joining. */
export interface InvitedInfoReq {
  readonly cmd: 'invited_info';
  readonly token: InvitationToken;
}
/** Reply of `invited_info`; unsigned hints, checked later against the greeter's certificates. */
export interface InvitedInfoRep {
  readonly status: 'ok';
  readonly kind: 'user' | 'device' | 'shamir';
  /** For a Shamir recovery, the user to recover. */
  readonly userId?: UserId;
  /** For a user invitation, the email it was made for. */
  readonly email: string | null;
  readonly greeterUserId: UserId;
  readonly greeterDeviceId: DeviceId;
}
/** Claimer: joins the current attempt of the exchange, or opens the next one; see `InviteGreeterJoinReq`. */
export interface InvitedJoinReq {
  readonly cmd: 'invited_join';
  readonly token: InvitationToken;
}
/** Claimer side of one exchange step; see `InviteGreeterStepReq`. */
export interface InvitedStepReq {
  readonly cmd: 'invited_step';
  readonly token: InvitationToken;
  readonly attempt: number;
  readonly step: number;
  readonly payload: Uint8Array | null;
  readonly waitMs?: number;
}
/** Claimer: cancels one attempt with a reason the greeter sees. */
export interface InvitedCancelReq {
  readonly cmd: 'invited_cancel';
  readonly token: InvitationToken;
  readonly attempt: number;
  readonly reason: string;
}

/** Every command an enrolled device sends, signed with its key (see `Transport`). */
export type AuthenticatedRequest =
  | CertificatesGetReq
  | UserCreateReq
  | UserUpdateReq
  | UserRevokeReq
  | LabelCertificateReq
  | DeviceCreateReq
  | RealmCreateReq
  | RealmShareReq
  | RealmUnshareReq
  | RealmRotateKeyReq
  | RealmGetKeysBundleReq
  | RealmRenameReq
  | RealmUpdateArchivingReq
  | VlobCreateReq
  | VlobUpdateReq
  | VlobWriteBatchReq
  | VlobReadBatchReq
  | VlobReadVersionsReq
  | VlobPollChangesReq
  | BlockCreateReq
  | BlockReadReq
  | BlockCreateBatchReq
  | BlockReadBatchReq
  | RealmReencryptVlobsReq
  | RealmReencryptBlockReq
  | PkiTrustAnchorsSetReq
  | PkiEnrollmentListReq
  | PkiEnrollmentAcceptReq
  | PkiEnrollmentRejectReq
  | ShamirSetupCreateReq
  | ShamirSetupDeleteReq
  | ShamirSetupGetReq
  | ShamirRecipientListReq
  | InviteNewShamirRecoveryReq
  | InviteNewUserReq
  | InviteNewDeviceReq
  | InviteCancelReq
  | InviteGreeterJoinReq
  | InviteGreeterStepReq
  | InviteGreeterCancelReq
  | InviteCompleteReq
  | EventsListenReq
  | PingReq;

/** Every command sent without a device: bootstrap, the claimer's side of invitations, PKI enrollment submissions (see `AnonymousTransport`). */
export type AnonymousRequest = OrganizationBootstrapReq | InvitedInfoReq | InvitedJoinReq | InvitedStepReq | InvitedCancelReq | InvitedShamirRevealReq | PkiEnrollmentSubmitReq | PkiEnrollmentInfoReq;

/** Any command. */
export type Request = AuthenticatedRequest | AnonymousRequest;

/** Success reply of each command. */
export interface ReplyMap {
  certificates_get: CertificatesGetRep;
  user_create: OkRep;
  user_update: OkRep;
  user_revoke: OkRep;
  label_certificate: OkRep;
  device_create: OkRep;
  realm_create: OkRep;
  realm_share: OkRep;
  realm_unshare: OkRep;
  realm_rotate_key: OkRep;
  realm_get_keys_bundle: RealmGetKeysBundleRep;
  realm_rename: OkRep;
  realm_update_archiving: OkRep;
  vlob_create: OkRep;
  vlob_update: OkRep;
  vlob_write_batch: VlobWriteBatchRep;
  vlob_read_batch: VlobReadBatchRep;
  vlob_read_versions: VlobReadVersionsRep;
  vlob_poll_changes: VlobPollChangesRep;
  block_create: OkRep;
  block_read: BlockReadRep;
  block_create_batch: BlockCreateBatchRep;
  block_read_batch: BlockReadBatchRep;
  realm_reencrypt_vlobs: OkRep;
  realm_reencrypt_block: OkRep;
  pki_trust_anchors_set: OkRep;
  pki_enrollment_list: PkiEnrollmentListRep;
  pki_enrollment_accept: OkRep;
  pki_enrollment_reject: OkRep;
  shamir_setup_create: OkRep;
  shamir_setup_delete: OkRep;
  shamir_setup_get: ShamirSetupGetRep;
  shamir_recipient_list: ShamirRecipientListRep;
  invite_new_shamir_recovery: InviteNewRep;
  invite_new_user: InviteNewRep;
  invite_new_device: InviteNewRep;
  invite_cancel: OkRep;
  invite_greeter_join: InviteJoinRep;
  invite_greeter_step: InviteStepRep;
  invite_greeter_cancel: OkRep;
  invite_complete: OkRep;
  events_listen: EventsListenRep;
  ping: OkRep;
  organization_bootstrap: OkRep;
  invited_info: InvitedInfoRep;
  invited_join: InviteJoinRep;
  invited_step: InviteStepRep;
  invited_cancel: OkRep;
  invited_shamir_reveal: InvitedShamirRevealRep;
  pki_enrollment_submit: PkiEnrollmentSubmitRep;
  pki_enrollment_info: PkiEnrollmentInfoRep;
}

/** The reply to command `C`: its success reply, or an error reply. */
export type Reply<C extends Request['cmd']> = ReplyMap[C] | ErrorReply;
/** The request type of command `C`. */
export type RequestOf<C extends Request['cmd']> = Extract<Request, { cmd: C }>;

/** Who sends an authenticated request (checked by the server against its certificates). */
export interface RequestAuth {
  readonly organizationId: OrganizationId;
  readonly deviceId: DeviceId;
}
