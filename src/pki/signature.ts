/**
 * X.509 signatures checked with the platform's WebCrypto (Node ≥ 20, every current browser):
 * ECDSA P-256 / P-384 with SHA-256 / SHA-384, RSASSA-PKCS1-v1_5 with SHA-256, Ed25519.
 * @module
 */
import { AsnConvert } from '@peculiar/asn1-schema';
import { ECDSASigValue } from '@peculiar/asn1-ecc';
import { pkiError } from './errors.js';
import type { ParsedCertificate } from './x509.js';

const CURVES: Readonly<Record<string, { name: string; size: number }>> = {
  '06082a8648ce3d030107': { name: 'P-256', size: 32 },
  '06052b81040022': { name: 'P-384', size: 48 },
};
const OID_EC_KEY = '1.2.840.10045.2.1';
const OID_RSA_KEY = '1.2.840.113549.1.1.1';
const OID_ED25519 = '1.3.101.112';
const SIGNATURES: Readonly<Record<string, { kind: 'ecdsa' | 'rsa' | 'ed25519'; hash?: string }>> = {
  '1.2.840.10045.4.3.2': { kind: 'ecdsa', hash: 'SHA-256' },
  '1.2.840.10045.4.3.3': { kind: 'ecdsa', hash: 'SHA-384' },
  '1.2.840.113549.1.1.11': { kind: 'rsa', hash: 'SHA-256' },
  [OID_ED25519]: { kind: 'ed25519' },
};

/** WebCrypto's typings want ArrayBuffer-backed views; ours always are. */
const bs = (b: Uint8Array): Uint8Array<ArrayBuffer> => b as Uint8Array<ArrayBuffer>;

/** The signature algorithm a key signs enrollment requests with (the one its certificate implies). */
export function requestAlgorithm(key: Pick<ParsedCertificate, 'keyAlgorithm' | 'keyParameters'>): string {
  if (key.keyAlgorithm === OID_EC_KEY) {
    // Only the curves `verifyX509Signature` accepts: an EC key on another curve (P-521, brainpool)
    // would sign a request nobody can verify.
    const curve = CURVES[key.keyParameters ?? '']?.name;
    if (curve === undefined) throw pkiError('unsupported-algorithm', 'an EC key that is not on P-256 or P-384');
    return curve === 'P-384' ? '1.2.840.10045.4.3.3' : '1.2.840.10045.4.3.2';
  }
  if (key.keyAlgorithm === OID_RSA_KEY) return '1.2.840.113549.1.1.11';
  if (key.keyAlgorithm === OID_ED25519) return OID_ED25519;
  throw pkiError('unsupported-algorithm', `unsupported key algorithm ${key.keyAlgorithm}`);
}

/** ECDSA in X.509 is DER (r, s); WebCrypto wants r ‖ s, each `size` bytes. */
function ecdsaRaw(der: Uint8Array, size: number): Uint8Array {
  const v = AsnConvert.parse(der, ECDSASigValue);
  const out = new Uint8Array(2 * size);
  for (const [i, part] of [new Uint8Array(v.r), new Uint8Array(v.s)].entries()) {
    let b = part;
    while (b.length > size && b[0] === 0) b = b.subarray(1);
    if (b.length > size) throw pkiError('bad-signature', 'an ECDSA signature component is too long');
    out.set(b, i * size + size - b.length);
  }
  return out;
}

/**
 * True when `signature` (algorithm `algorithm`, X.509 encoding) over `data` verifies with the key
 * of `signer`. Throws `PkiError` `unsupported-algorithm`, `malformed`.
 */
export async function verifyX509Signature(signer: Pick<ParsedCertificate, 'spki' | 'keyAlgorithm' | 'keyParameters'>, algorithm: string, data: Uint8Array, signature: Uint8Array): Promise<boolean> {
  const sig = SIGNATURES[algorithm];
  if (sig === undefined) throw pkiError('unsupported-algorithm', `unsupported signature algorithm ${algorithm}`);
  const subtle = globalThis.crypto.subtle;
  try {
    if (sig.kind === 'ecdsa') {
      const curve = CURVES[signer.keyParameters ?? ''];
      if (signer.keyAlgorithm !== OID_EC_KEY || curve === undefined) throw pkiError('unsupported-algorithm', 'ECDSA signature from a key that is not P-256 or P-384');
      const key = await subtle.importKey('spki', bs(signer.spki), { name: 'ECDSA', namedCurve: curve.name }, false, ['verify']);
      return await subtle.verify({ name: 'ECDSA', hash: sig.hash! }, key, bs(ecdsaRaw(signature, curve.size)), bs(data));
    }
    if (sig.kind === 'rsa') {
      if (signer.keyAlgorithm !== OID_RSA_KEY) throw pkiError('unsupported-algorithm', 'RSA signature from a non-RSA key');
      const key = await subtle.importKey('spki', bs(signer.spki), { name: 'RSASSA-PKCS1-v1_5', hash: sig.hash! }, false, ['verify']);
      return await subtle.verify('RSASSA-PKCS1-v1_5', key, bs(signature), bs(data));
    }
    if (signer.keyAlgorithm !== OID_ED25519) throw pkiError('unsupported-algorithm', 'Ed25519 signature from a non-Ed25519 key');
    const key = await subtle.importKey('spki', bs(signer.spki), { name: 'Ed25519' }, false, ['verify']);
    return await subtle.verify('Ed25519', key, bs(signature), bs(data));
  } catch (err) {
    if (err instanceof Error && err.name === 'PkiError') throw err;
    if (err instanceof Error && (err as { code?: string }).code?.startsWith('pki/')) throw err;
    // A key or signature WebCrypto cannot even parse is a signature that does not verify.
    return false;
  }
}

/** Signs `data` with `privateKey` (WebCrypto) in the X.509 encoding of `algorithm` (the claimer side). */
export async function signX509(privateKey: CryptoKey, algorithm: string, data: Uint8Array): Promise<Uint8Array> {
  const sig = SIGNATURES[algorithm];
  if (sig === undefined) throw pkiError('unsupported-algorithm', `unsupported signature algorithm ${algorithm}`);
  const subtle = globalThis.crypto.subtle;
  if (sig.kind === 'ecdsa') {
    const raw = new Uint8Array(await subtle.sign({ name: 'ECDSA', hash: sig.hash! }, privateKey, bs(data)));
    const half = raw.length / 2;
    return new Uint8Array(AsnConvert.serialize(new ECDSASigValue({ r: positive(raw.subarray(0, half)), s: positive(raw.subarray(half)) })));
  }
  return new Uint8Array(await subtle.sign(sig.kind === 'rsa' ? 'RSASSA-PKCS1-v1_5' : 'Ed25519', privateKey, bs(data)));
}

/** An unsigned big-endian integer as a DER INTEGER body (leading zero when the top bit is set). */
function positive(b: Uint8Array): ArrayBuffer {
  let i = 0;
  while (i < b.length - 1 && b[i] === 0 && b[i + 1]! < 0x80) i++;
  const v = b.subarray(i);
  const out = v[0]! >= 0x80 ? new Uint8Array([0, ...v]) : v.slice();
  return out.buffer;
}
