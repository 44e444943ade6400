/**
 * Errors of Shamir recovery (Parsec RFC 1000). Each refusal has its own stable code.
 * @module
 */
import { SealsyncError } from '../errors.js';

/**
 * A Shamir recovery document or step was refused. Codes: `shamir/corrupted` (undecodable or
 * wrong type), `shamir/bad-signature`, `shamir/author-unknown` (no such device of the user at
 * the timestamp), `shamir/author-revoked`, `shamir/bad-threshold` (not 1 ≤ threshold ≤ total
 * weight ≤ 255), `shamir/bad-weight`, `shamir/unknown-recipient`, `shamir/revoked-recipient`,
 * `shamir/author-recipient` (a user cannot hold a share of its own recovery),
 * `shamir/share-mismatch` (a share does not belong to the brief: other author, time, recipient
 * set or weight), `shamir/stale-share` (a share of another — older or deleted — setup),
 * `shamir/not-recipient`, `shamir/setup-exists` (change = delete first), `shamir/no-setup`,
 * `shamir/not-current` (a deletion of a setup that is not the current one),
 * `shamir/not-enough-shares`, `shamir/duplicate-share`, `shamir/bad-secret` (the combined
 * secret does not match the brief's commitment), `shamir/recovery-data` (the sealed recovery
 * device does not decrypt).
 */
export class ShamirError extends SealsyncError {}

export function shamirError(reason: string, message: string, cause?: unknown): ShamirError {
  return new ShamirError(`shamir/${reason}`, message, cause === undefined ? undefined : { cause });
}
