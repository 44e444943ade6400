/**
 * Errors of PKI enrollment (X.509). Each refusal has its own stable code.
 * @module
 */
import { SealsyncError } from '../errors.js';

/**
 * An X.509 certificate, chain or enrollment request was refused. Codes: `pki/malformed` (not a
 * DER certificate we can read, or over the size budget), `pki/chain-too-long`, `pki/expired`,
 * `pki/not-yet-valid`, `pki/untrusted` (the chain does not end at a trusted root: wrong CA),
 * `pki/issuer-mismatch` (a certificate's issuer is not the next one's subject),
 * `pki/bad-signature` (a certificate signature does not verify), `pki/not-a-ca` (an issuer
 * without basicConstraints cA), `pki/key-usage` (an issuer without keyCertSign, or a leaf without
 * digitalSignature), `pki/unsupported-algorithm`, `pki/no-email` (the leaf names no email),
 * `pki/bad-request-signature`, `pki/wrong-organization`, `pki/not-pending`, `pki/rejected` (an
 * admin refused the request), `pki/inconsistent` (the certificates the admin signed are not about our keys).
 */
export class PkiError extends SealsyncError {}

export function pkiError(reason: string, message: string, cause?: unknown): PkiError {
  return new PkiError(`pki/${reason}`, message, cause === undefined ? undefined : { cause });
}
