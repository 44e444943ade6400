/**
 * Reading X.509 certificates (RFC 5280) with `@peculiar/asn1-x509` (a maintained ASN.1 schema,
 * no global side effects), within a size budget; only what chain validation needs is kept.
 * @module
 */
import { AsnConvert } from '@peculiar/asn1-schema';
import {
  BasicConstraints,
  Certificate,
  id_ce_basicConstraints,
  id_ce_keyUsage,
  id_ce_subjectAltName,
  KeyUsage,
  SubjectAlternativeName,
  type Name,
} from '@peculiar/asn1-x509';
import { toHex } from '../bytes.js';
import { pkiError } from './errors.js';

/** Largest DER certificate accepted. */
export const MAX_CERTIFICATE_DER = 16 * 1024;

const OID_COMMON_NAME = '2.5.4.3';
const OID_EMAIL_ADDRESS = '1.2.840.113549.1.9.1';

/** What chain validation reads of one certificate. */
export interface ParsedCertificate {
  readonly der: Uint8Array;
  /** The exact signed bytes (the first element of the outer SEQUENCE). */
  readonly tbs: Uint8Array;
  readonly signatureAlgorithm: string;
  readonly signature: Uint8Array;
  /** DER of the subject and issuer names (compared byte for byte). */
  readonly subjectDer: Uint8Array;
  readonly issuerDer: Uint8Array;
  readonly subject: string;
  readonly commonName: string | null;
  readonly email: string | null;
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** SubjectPublicKeyInfo DER, its algorithm OID and the hex DER of its parameters (a named curve), if any. */
  readonly spki: Uint8Array;
  readonly keyAlgorithm: string;
  readonly keyParameters: string | null;
  /** `null` when the extension is absent. */
  readonly isCa: boolean | null;
  readonly keyUsage: number | null;
}

/** The value bytes of a DER TLV at `offset`: returns [start of the whole TLV, end]. */
function tlv(der: Uint8Array, offset: number): { start: number; contentStart: number; end: number } {
  if (offset + 2 > der.length) throw pkiError('malformed', 'truncated DER');
  let len = der[offset + 1]!;
  let p = offset + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 3 || p + n > der.length) throw pkiError('malformed', 'bad DER length');
    len = 0;
    for (let i = 0; i < n; i++) len = (len << 8) | der[p++]!;
  }
  if (p + len > der.length) throw pkiError('malformed', 'truncated DER');
  return { start: offset, contentStart: p, end: p + len };
}

function nameString(name: Name): string {
  return name.map((rdn) => rdn.map((a) => `${a.type}=${a.value.toString()}`).join('+')).join(',');
}

function attribute(name: Name, oid: string): string | null {
  for (const rdn of name) for (const a of rdn) if (a.type === oid) return a.value.toString();
  return null;
}

/** Parses one DER certificate. Throws `PkiError` `pki/malformed`. */
export function parseCertificate(der: Uint8Array): ParsedCertificate {
  if (!(der instanceof Uint8Array) || der.length === 0 || der.length > MAX_CERTIFICATE_DER) throw pkiError('malformed', `a certificate is 1 to ${MAX_CERTIFICATE_DER} bytes of DER`);
  let cert: Certificate;
  try {
    cert = AsnConvert.parse(der, Certificate);
  } catch (err) {
    throw pkiError('malformed', 'not a DER X.509 certificate', err);
  }
  const outer = tlv(der, 0);
  if (der[0] !== 0x30 || outer.end !== der.length) throw pkiError('malformed', 'trailing bytes after the certificate');
  const tbsTlv = tlv(der, outer.contentStart);
  const tbs = cert.tbsCertificate;
  let isCa: boolean | null = null;
  let keyUsage: number | null = null;
  let email: string | null = attribute(tbs.subject, OID_EMAIL_ADDRESS);
  try {
    for (const ext of tbs.extensions ?? []) {
      const value = ext.extnValue.buffer;
      if (ext.extnID === id_ce_basicConstraints) isCa = AsnConvert.parse(value, BasicConstraints).cA;
      else if (ext.extnID === id_ce_keyUsage) keyUsage = AsnConvert.parse(value, KeyUsage).toNumber();
      else if (ext.extnID === id_ce_subjectAltName) email = AsnConvert.parse(value, SubjectAlternativeName).find((n) => n.rfc822Name !== undefined)?.rfc822Name ?? email;
    }
  } catch (err) {
    throw pkiError('malformed', 'an extension does not parse', err);
  }
  const spkiAlg = tbs.subjectPublicKeyInfo.algorithm;
  const keyParameters = spkiAlg.parameters ? toHex(new Uint8Array(spkiAlg.parameters)) : null;
  return {
    der,
    tbs: der.slice(tbsTlv.start, tbsTlv.end),
    signatureAlgorithm: cert.signatureAlgorithm.algorithm,
    signature: new Uint8Array(cert.signatureValue),
    subjectDer: new Uint8Array(AsnConvert.serialize(tbs.subject)),
    issuerDer: new Uint8Array(AsnConvert.serialize(tbs.issuer)),
    subject: nameString(tbs.subject),
    commonName: attribute(tbs.subject, OID_COMMON_NAME),
    email,
    notBefore: tbs.validity.notBefore.getTime(),
    notAfter: tbs.validity.notAfter.getTime(),
    spki: new Uint8Array(AsnConvert.serialize(tbs.subjectPublicKeyInfo)),
    keyAlgorithm: spkiAlg.algorithm,
    keyParameters,
    isCa,
    keyUsage,
  };
}
