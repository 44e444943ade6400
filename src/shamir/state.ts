/**
 * One user's Shamir setup over time, as data (pure transitions, used by the server and by
 * clients): at most one setup at a time (RFC 1000 §0); changing it means deleting it first.
 * @module
 */
import { constantTimeEqual } from '../bytes.js';
import { shamirError } from './errors.js';
import type { ShamirDeletion } from './types.js';
import type { VerifiedShamirSetup } from './verify.js';

/** A user's current Shamir recovery setup as certificates say: none, or the verified active one. */
export type ShamirState = { readonly kind: 'none' } | { readonly kind: 'active'; readonly setup: VerifiedShamirSetup };

/** The state before any setup, and after a deletion. */
export const NO_SHAMIR_SETUP: ShamirState = { kind: 'none' };

/** A new setup: refused `setup-exists` while one is active (delete it first). */
export function applyShamirSetup(state: ShamirState, setup: VerifiedShamirSetup): ShamirState {
  if (state.kind === 'active') throw shamirError('setup-exists', 'a setup exists: delete it before making another');
  return { kind: 'active', setup };
}

/**
 * A deletion: of the current setup only (`not-current`: another brief, another user, or not
 * later than it), and only when one is active (`no-setup`).
 */
export function applyShamirDeletion(state: ShamirState, deletion: ShamirDeletion): ShamirState {
  if (state.kind === 'none') throw shamirError('no-setup', 'there is no setup to delete');
  const { brief, briefDigest } = state.setup;
  if (deletion.userId !== brief.userId || !constantTimeEqual(deletion.briefDigest, briefDigest) || deletion.timestamp <= brief.timestamp) {
    throw shamirError('not-current', 'this deletion is not about the current setup');
  }
  return NO_SHAMIR_SETUP;
}
