/**
 * X.509 chain validation (RFC 5280 §6, the subset an enrollment needs): the chain is given leaf
 * first; every certificate is within its validity period at `at`, is signed by the next one (or,
 * for the last, by a trusted root), whose subject is its issuer, that is a CA (basicConstraints
 * cA) allowed to sign certificates (keyUsage keyCertSign when present); the leaf may sign
 * (keyUsage digitalSignature when present). Roots are trusted by their exact DER.
 * @module
 */
import { constantTimeEqual, equalBytes } from '../bytes.js';
import { pkiError } from './errors.js';
import { verifyX509Signature } from './signature.js';
import { parseCertificate, type ParsedCertificate } from './x509.js';

/** Longest chain accepted (leaf + intermediates), roots aside. */
export const MAX_CHAIN_LENGTH = 6;

const DIGITAL_SIGNATURE = 1;
const KEY_CERT_SIGN = 32;

/** Who a validated chain names. */
export interface PkiIdentity {
  /** The leaf's subject, e.g. `2.5.4.3=Bob,1.2.840.113549.1.9.1=bob@example.org`. */
  readonly subject: string;
  readonly commonName: string | null;
  /** From the subjectAltName rfc822Name, else the subject's emailAddress. */
  readonly email: string;
  /** The trusted root the chain ends at (its subject). */
  readonly root: string;
  readonly leaf: ParsedCertificate;
}

function checkValidity(c: ParsedCertificate, at: Date): void {
  if (at.getTime() < c.notBefore.getTime()) throw pkiError('not-yet-valid', `${c.subject} is valid from ${c.notBefore.toISOString()}`);
  if (at.getTime() > c.notAfter.getTime()) throw pkiError('expired', `${c.subject} expired on ${c.notAfter.toISOString()}`);
}

function checkIssuerCanSign(issuer: ParsedCertificate): void {
  if (issuer.isCa !== true) throw pkiError('not-a-ca', `${issuer.subject} is not a CA`);
  if (issuer.keyUsage !== null && (issuer.keyUsage & KEY_CERT_SIGN) === 0) throw pkiError('key-usage', `${issuer.subject} may not sign certificates`);
}

async function checkSignedBy(c: ParsedCertificate, issuer: ParsedCertificate): Promise<void> {
  if (!equalBytes(c.issuerDer, issuer.subjectDer)) throw pkiError('issuer-mismatch', `${c.subject} is not issued by ${issuer.subject}`);
  checkIssuerCanSign(issuer);
  if (!(await verifyX509Signature(issuer, c.signatureAlgorithm, c.tbs, c.signature))) throw pkiError('bad-signature', `the signature of ${c.subject} does not verify`);
}

/**
 * Validates `chain` (DER, leaf first, intermediates after, the root optional) against `roots`
 * (DER of the trusted root certificates) at `at`. Returns the leaf's identity.
 * @throws `PkiError` (`malformed`, `chain-too-long`, `expired`, `not-yet-valid`, `untrusted`,
 *   `issuer-mismatch`, `bad-signature`, `not-a-ca`, `key-usage`, `unsupported-algorithm`, `no-email`).
 */
export async function validateChain(chain: readonly Uint8Array[], roots: readonly Uint8Array[], at: Date): Promise<PkiIdentity> {
  if (chain.length === 0 || chain.length > MAX_CHAIN_LENGTH) throw pkiError('chain-too-long', `a chain has 1 to ${MAX_CHAIN_LENGTH} certificates`);
  const anchors = roots.map(parseCertificate);
  // A root sent along is dropped: trust comes from our list, never from the chain itself.
  const certs = chain.map(parseCertificate).filter((c) => !anchors.some((a) => constantTimeEqual(a.der, c.der)));
  if (certs.length === 0) throw pkiError('untrusted', 'the chain is only a root');
  const leaf = certs[0]!;
  if (leaf.keyUsage !== null && (leaf.keyUsage & DIGITAL_SIGNATURE) === 0) throw pkiError('key-usage', `${leaf.subject} may not sign (no digitalSignature)`);
  for (const c of certs) checkValidity(c, at);
  for (let i = 0; i + 1 < certs.length; i++) await checkSignedBy(certs[i]!, certs[i + 1]!);
  const top = certs.at(-1)!;
  const root = anchors.find((a) => equalBytes(a.subjectDer, top.issuerDer));
  if (root === undefined) throw pkiError('untrusted', `${top.subject} is not issued by a trusted root`);
  checkValidity(root, at);
  await checkSignedBy(top, root);
  if (leaf.email === null) throw pkiError('no-email', `${leaf.subject} names no email address`);
  return { subject: leaf.subject, commonName: leaf.commonName, email: leaf.email, root: root.subject, leaf };
}
