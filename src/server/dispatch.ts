/**
 * The command table of the server: which handler answers each command, and which commands draw on
 * the organisation's invitation budget.
 * @module
 */
import type { AnonymousRequest, AuthenticatedRequest, ReplyMap, RequestOf } from '../transport/commands.js';
import type { AnonymousContext, DeviceContext } from './context.js';
import { blockCreate, blockCreateBatch, blockRead, blockReadBatch } from './handlers/blocks.js';
import {
  certificatesGet,
  deviceCreate,
  organizationBootstrap,
  realmCreate,
  realmGetKeysBundle,
  realmRename,
  realmRotateKey,
  realmShare,
  realmUnshare,
  userCreate,
  userRevoke,
  labelCertificate,
  userUpdate,
} from './handlers/certificates.js';
import { realmUpdateArchiving } from './handlers/archiving.js';
import { eventsListen, ping } from './handlers/events.js';
import { realmReencryptBlock, realmReencryptVlobs } from './handlers/reencrypt.js';
import { pkiEnrollmentAccept, pkiEnrollmentInfo, pkiEnrollmentList, pkiEnrollmentReject, pkiEnrollmentSubmit, pkiTrustAnchorsSet } from './handlers/pki.js';
import { inviteNewShamirRecovery, invitedShamirReveal, shamirRecipientList, shamirSetupCreate, shamirSetupDelete, shamirSetupGet } from './handlers/shamir.js';
import {
  inviteCancel,
  inviteComplete,
  inviteGreeterCancel,
  inviteGreeterJoin,
  inviteGreeterStep,
  inviteNewDevice,
  inviteNewUser,
  invitedCancel,
  invitedInfo,
  invitedJoin,
  invitedStep,
} from './handlers/invitations.js';
import { vlobPollChanges, vlobReadBatch, vlobReadVersions } from './handlers/vlobs.js';
import { vlobCreate, vlobUpdate, vlobWriteBatch } from './handlers/vlob-writes.js';

/** An authenticated command name. */
export type AuthCmd = AuthenticatedRequest['cmd'];
/** An anonymous command name. */
export type AnonCmd = AnonymousRequest['cmd'];

/** The handler of each authenticated command. */
export const AUTH_HANDLERS: { readonly [C in AuthCmd]: (ctx: DeviceContext, req: RequestOf<C>) => Promise<ReplyMap[C]> } = {
  certificates_get: certificatesGet,
  user_create: userCreate,
  user_update: userUpdate,
  user_revoke: userRevoke,
  label_certificate: labelCertificate,
  device_create: deviceCreate,
  realm_create: realmCreate,
  realm_share: realmShare,
  realm_unshare: realmUnshare,
  realm_rotate_key: realmRotateKey,
  realm_get_keys_bundle: realmGetKeysBundle,
  realm_rename: realmRename,
  realm_update_archiving: realmUpdateArchiving,
  realm_reencrypt_vlobs: realmReencryptVlobs,
  realm_reencrypt_block: realmReencryptBlock,
  pki_trust_anchors_set: pkiTrustAnchorsSet,
  pki_enrollment_list: pkiEnrollmentList,
  pki_enrollment_accept: pkiEnrollmentAccept,
  pki_enrollment_reject: pkiEnrollmentReject,
  shamir_setup_create: shamirSetupCreate,
  shamir_setup_delete: shamirSetupDelete,
  shamir_setup_get: shamirSetupGet,
  shamir_recipient_list: shamirRecipientList,
  invite_new_shamir_recovery: inviteNewShamirRecovery,
  vlob_create: vlobCreate,
  vlob_update: vlobUpdate,
  vlob_write_batch: vlobWriteBatch,
  vlob_read_batch: vlobReadBatch,
  vlob_read_versions: vlobReadVersions,
  vlob_poll_changes: vlobPollChanges,
  block_create: blockCreate,
  block_read: blockRead,
  block_create_batch: blockCreateBatch,
  block_read_batch: blockReadBatch,
  invite_new_user: inviteNewUser,
  invite_new_device: inviteNewDevice,
  invite_cancel: inviteCancel,
  invite_greeter_join: inviteGreeterJoin,
  invite_greeter_step: inviteGreeterStep,
  invite_greeter_cancel: inviteGreeterCancel,
  invite_complete: inviteComplete,
  events_listen: eventsListen,
  ping,
};

/** The handler of each anonymous command. */
export const ANON_HANDLERS: { readonly [C in AnonCmd]: (ctx: AnonymousContext, req: RequestOf<C>) => Promise<ReplyMap[C]> } = {
  organization_bootstrap: organizationBootstrap,
  invited_info: invitedInfo,
  invited_shamir_reveal: invitedShamirReveal,
  pki_enrollment_submit: pkiEnrollmentSubmit,
  pki_enrollment_info: pkiEnrollmentInfo,
  invited_join: invitedJoin,
  invited_step: invitedStep,
  invited_cancel: invitedCancel,
};

/**
 * Authenticated commands drawn from the organisation's invitation budget: each makes the server
 * hold an invitation or start a relayed attempt (a step within an attempt is bound by the attempt
 * limit instead).
 */
export const INVITATION_COMMANDS: ReadonlySet<string> = new Set(['invite_new_user', 'invite_new_device', 'invite_cancel', 'invite_greeter_join', 'invite_new_shamir_recovery']);
