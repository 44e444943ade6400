/**
 * `sealsync/pki`: PKI enrollment (X.509): certificates read with `@peculiar/asn1-x509`, chains
 * validated against the organisation's trusted roots, enrollment requests signed with the X.509
 * key and verified, one `PkiError` code per refusal.
 * @module
 */
export { PkiError } from './errors.js';
export { MAX_CERTIFICATE_DER, parseCertificate, type ParsedCertificate } from './x509.js';
export { MAX_CHAIN_LENGTH, validateChain, type PkiIdentity } from './chain.js';
export { decodePkiRequest, encodePkiRequest, signPkiRequest, verifyPkiEnrollment, type PkiEnrollmentRequest, type SignedPkiEnrollment, type VerifiedPkiEnrollment } from './request.js';
