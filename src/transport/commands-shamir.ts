/**
 * Shamir recovery commands (Parsec RFC 1000 on sealsync's documents, see `sealsync/shamir`).
 * @module
 */
import type { InvitationToken, UserId } from '../codec/ids.js';

/**
 * The requesting device's own setup: signed brief, one signed share certificate per recipient,
 * the recovery data ciphered with the split key, the reveal token the server asks before handing
 * that data out, and the certificate of the recovery device (stored together, or not at all).
 */
export interface ShamirSetupCreateReq {
  readonly cmd: 'shamir_setup_create';
  readonly brief: Uint8Array;
  readonly shares: readonly Uint8Array[];
  readonly cipheredData: Uint8Array;
  readonly revealToken: Uint8Array;
  readonly recoveryDeviceCertificate: Uint8Array;
}
/** Deletes the requesting user's current setup (a signed deletion). */
export interface ShamirSetupDeleteReq {
  readonly cmd: 'shamir_setup_delete';
  readonly deletion: Uint8Array;
}
/** Fetches the requesting user's current Shamir recovery brief. */
export interface ShamirSetupGetReq {
  readonly cmd: 'shamir_setup_get';
}
/** Reply of `shamir_setup_get`. */
export interface ShamirSetupGetRep {
  readonly status: 'ok';
  /** The requesting user's current signed brief, or `null` (a hint: verify it). */
  readonly brief: Uint8Array | null;
}
/** The current setups the requesting user holds shares of. */
export interface ShamirRecipientListReq {
  readonly cmd: 'shamir_recipient_list';
}
/** Reply of `shamir_recipient_list`: per setup, its signed brief and the caller's signed share certificate (verify both). */
export interface ShamirRecipientListRep {
  readonly status: 'ok';
  readonly items: readonly { readonly brief: Uint8Array; readonly share: Uint8Array }[];
}
/** A recipient of `userId`'s current setup opens a recovery invitation (it greets the claimer). */
export interface InviteNewShamirRecoveryReq {
  readonly cmd: 'invite_new_shamir_recovery';
  readonly userId: UserId;
}
/** The claimer trades the recombined reveal token for the ciphered recovery data (after its SAS exchange). */
export interface InvitedShamirRevealReq {
  readonly cmd: 'invited_shamir_reveal';
  readonly token: InvitationToken;
  readonly revealToken: Uint8Array;
}
/** Reply of `invited_shamir_reveal`: the recovery data, still encrypted under the key recombined from the shares. */
export interface InvitedShamirRevealRep {
  readonly status: 'ok';
  readonly cipheredData: Uint8Array;
}
