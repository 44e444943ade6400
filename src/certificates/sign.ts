/**
 * Signing and opening single certificates: `signature(64) ‖ cbor body` (crypto suite v1, the certificate rules).
 * @module
 */
import { CertificateError } from '../errors.js';
import { signDocument, splitSignedDocument, type SigningKey, type VerifyKey } from '../keys/index.js';
import { asCertificateError, decodeCertificate, encodeCertificate } from './formats.js';
import { certificateError, REASONS } from './reasons.js';
import type { Certificate, CertificateContent, CertificateOf, CertificateType, ChainLink } from './types.js';

/** Ed25519 signature length, the prefix of every signed certificate. */
export const SIGNATURE_LENGTH = 64;

/**
 * Encodes and signs `content` placed at `link` in its topic (format v2) with `key`, which must be
 * the key of `content.author` (the device's signing key, or the root signing key when `author` is
 * `null`): the store checks it on ingest. Take `link` from `CertificateStore.nextLink(topic)`
 * (after syncing certificates), or `linkAfter` for the next certificate of the same request.
 * Throws `CodecError` if a field does not fit the format.
 * @example
 * const signed = await signCertificate(device.signingKey, { type: 'revoked_user', author, timestamp, userId }, store.nextLink('common'));
 */
export async function signCertificate(key: SigningKey, content: CertificateContent, link: ChainLink): Promise<Uint8Array> {
  return signDocument(key, encodeCertificate({ ...content, chain: link } as Certificate));
}

/** A signed certificate split and decoded, not yet verified. */
export interface UnverifiedCertificate<T extends CertificateType = CertificateType> {
  readonly certificate: CertificateOf<T>;
  readonly body: Uint8Array;
  readonly signature: Uint8Array;
}

/**
 * Splits and decodes signed certificate bytes WITHOUT checking the signature (to find the
 * author first). Throws `CertificateError` `corrupted` / `wrong-type` / `unsupported-format`.
 */
export function readCertificate<T extends CertificateType = CertificateType>(signed: Uint8Array, expected?: T): UnverifiedCertificate<T> {
  if (!(signed instanceof Uint8Array) || signed.length <= SIGNATURE_LENGTH) {
    throw certificateError(REASONS.corrupted, 'a signed certificate is a 64-byte signature followed by a body');
  }
  let parts: { signature: Uint8Array; body: Uint8Array };
  try {
    parts = splitSignedDocument(signed);
  } catch (err) {
    throw asCertificateError(err);
  }
  return { certificate: decodeCertificate(parts.body, expected), body: parts.body, signature: parts.signature };
}

/**
 * Decodes `signed` and verifies its signature with `key` (the author's key). Returns the
 * certificate; throws `CertificateError` `bad-signature`, or a decoding reason. This checks
 * only the signature: chain-of-trust rules are the store's job.
 */
export async function openCertificate<T extends CertificateType = CertificateType>(
  signed: Uint8Array,
  key: VerifyKey,
  expected?: T,
): Promise<CertificateOf<T>> {
  const { certificate, body, signature } = readCertificate(signed, expected);
  let ok: boolean;
  try {
    ok = await key.verify(body, signature);
  } catch (err) {
    if (err instanceof CertificateError) throw err;
    ok = false;
  }
  if (!ok) throw certificateError(REASONS.badSignature, `the ${certificate.type} certificate signature does not verify`);
  return certificate;
}
