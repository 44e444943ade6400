/**
 * JWS (RFC 7515) compact serialization with a detached payload (Appendix F) and the EdDSA
 * algorithm over Ed25519 (RFC 8037 §3.1), on sealsync's own strict Ed25519 and base64url.
 *
 * Why not a JOSE library: the signature must get the same verdict on every device (sealsync's
 * strict, cofactorless Ed25519 rules, applied before any provider); a library would verify with its
 * own rules. The format part is a few lines: a protected header, `.`, an empty payload, `.`, the
 * signature. The header is parsed strictly (duplicate keys refused) and only `alg: EdDSA` is
 * accepted, so `none`, HMAC or key-confusion tricks cannot apply; no `crit` extension is understood,
 * so a header that carries one is refused.
 * @module
 */
import { BindingError } from '../errors.js';
import { fromBase64Url, toBase64Url, utf8Encode } from '../bytes.js';
import type { SigningKey, VerifyKey } from '../keys/index.js';
import { asObject, asString, canonicalJson, parseStrictJson } from './json-strict.js';

/** The protected header sealsync writes and reads. */
export interface JwsHeader {
  readonly alg: 'EdDSA';
  /** The signer's key id (a sealsync device id). */
  readonly kid: string;
  /** The media type of the signed object. */
  readonly typ: string;
}

function signingInput(encodedHeader: string, payload: Uint8Array): Uint8Array {
  return utf8Encode(`${encodedHeader}.${toBase64Url(payload)}`);
}

/** Signs `payload` and returns `header..signature` (payload detached). */
export async function signDetachedJws(payload: Uint8Array, header: Omit<JwsHeader, 'alg'>, key: SigningKey): Promise<string> {
  const encodedHeader = toBase64Url(utf8Encode(canonicalJson({ alg: 'EdDSA', kid: header.kid, typ: header.typ })));
  const signature = await key.sign(signingInput(encodedHeader, payload));
  return `${encodedHeader}..${toBase64Url(signature)}`;
}

/** The header of a detached JWS, read without verifying. @throws BindingError `binding/structure`, `binding/unsupported-algorithm`. */
export function readDetachedJws(jws: string): { header: JwsHeader; encodedHeader: string; signature: Uint8Array } {
  const parts = typeof jws === 'string' ? jws.split('.') : [];
  if (parts.length !== 3 || parts[1] !== '' || parts[0]!.length > 1024) {
    throw new BindingError('binding/structure', 'expected a compact JWS with a detached payload (header..signature)');
  }
  let headerBytes: Uint8Array;
  let signature: Uint8Array;
  try {
    headerBytes = fromBase64Url(parts[0]!);
    signature = fromBase64Url(parts[2]!);
  } catch (cause) {
    throw new BindingError('binding/structure', 'JWS parts are not canonical base64url', { cause });
  }
  const h = asObject(parseStrictJson(headerBytes, { maxBytes: 1024, maxDepth: 1 }), 'JWS header', ['alg', 'kid', 'typ']);
  if (h.alg !== 'EdDSA') throw new BindingError('binding/unsupported-algorithm', `JWS alg ${String(h.alg).slice(0, 20)} (only EdDSA)`);
  if (signature.length !== 64) throw new BindingError('binding/structure', 'an Ed25519 signature is 64 bytes');
  return { header: { alg: 'EdDSA', kid: asString(h.kid, 'kid'), typ: asString(h.typ, 'typ') }, encodedHeader: parts[0]!, signature };
}

/** Verifies a detached JWS over `payload` with `key`. */
export async function verifyDetachedJws(parsed: { encodedHeader: string; signature: Uint8Array }, payload: Uint8Array, key: VerifyKey): Promise<boolean> {
  return key.verify(signingInput(parsed.encodedHeader, payload), parsed.signature);
}
