/**
 * PKI enrollment requests (Parsec RFC 1020/1023 on sealsync's formats): the newcomer makes its
 * user and device keys, puts their public halves in a request, and signs the request with the key
 * of its X.509 certificate. The request binds the organisation and a timestamp; the signature is
 * over a domain-separated message, so no other document signed by that key passes for one.
 * @module
 */
import { concatBytes, utf8Encode } from '../bytes.js';
import { defineDocument, s } from '../codec/index.js';
import type { OrganizationId } from '../codec/ids.js';
import type { Timestamp } from '../codec/timestamps.js';
import { SealsyncError } from '../errors.js';
import { PublicKey, VerifyKey } from '../keys/index.js';
import { validateChain, type PkiIdentity } from './chain.js';
import { pkiError } from './errors.js';
import { requestAlgorithm, signX509, verifyX509Signature } from './signature.js';
import { parseCertificate } from './x509.js';

const REQUEST_DOMAIN = utf8Encode('sealsync/1/pki-enrollment-request');

/** What the newcomer asks for. */
export interface PkiEnrollmentRequest {
  readonly organizationId: OrganizationId;
  readonly timestamp: Timestamp;
  readonly userPublicKey: PublicKey;
  readonly deviceVerifyKey: VerifyKey;
  readonly deviceLabel: string;
}

const requestCodec = defineDocument({
  type: 'pki_enrollment_request',
  version: 1,
  fields: {
    organization_id: s.id<OrganizationId>(),
    timestamp: s.timestamp(),
    user_public_key: s.bytes(32),
    device_verify_key: s.bytes(32),
    device_label: s.text({ minBytes: 1, maxBytes: 255 }),
  },
});

/** A request as submitted: the X.509 chain (leaf first), the request bytes, the leaf key's signature. */
export interface SignedPkiEnrollment {
  readonly chain: readonly Uint8Array[];
  readonly request: Uint8Array;
  readonly signature: Uint8Array;
}

/**
 * The canonical CBOR of an enrollment request: the bytes `signPkiRequest` signs (after a domain prefix) and the server stores.
 * @throws {@link CodecError} `codec/schema` when a field is out of its schema.
 */
export function encodePkiRequest(r: PkiEnrollmentRequest): Uint8Array {
  return requestCodec.encode({
    organization_id: r.organizationId,
    timestamp: r.timestamp,
    user_public_key: r.userPublicKey.toBytes(),
    device_verify_key: r.deviceVerifyKey.toBytes(),
    device_label: r.deviceLabel,
  });
}

/** Decodes a request. Throws `PkiError` `pki/malformed`. */
export function decodePkiRequest(bytes: Uint8Array): PkiEnrollmentRequest {
  try {
    const v = requestCodec.decode(bytes, { maxSize: 4096 });
    return { organizationId: v.organization_id, timestamp: v.timestamp, userPublicKey: PublicKey.fromBytes(v.user_public_key), deviceVerifyKey: VerifyKey.fromBytes(v.device_verify_key), deviceLabel: v.device_label };
  } catch (err) {
    if (!(err instanceof SealsyncError)) throw err;
    throw pkiError('malformed', 'not an enrollment request', err);
  }
}

/** Signs a request with the private key of the chain's leaf certificate (WebCrypto `CryptoKey`). */
export async function signPkiRequest(chain: readonly Uint8Array[], privateKey: CryptoKey, request: PkiEnrollmentRequest): Promise<SignedPkiEnrollment> {
  const leaf = parseCertificate(chain[0] ?? new Uint8Array());
  const bytes = encodePkiRequest(request);
  const signature = await signX509(privateKey, requestAlgorithm(leaf), concatBytes(REQUEST_DOMAIN, bytes));
  return { chain, request: bytes, signature };
}

/** A request whose chain and signature verified. */
export interface VerifiedPkiEnrollment {
  readonly identity: PkiIdentity;
  readonly request: PkiEnrollmentRequest;
}

/**
 * Verifies a submitted request as the server and every accepting admin must: the chain against
 * `roots` at `at`, the request signed by the leaf key, for `organizationId`.
 * @throws `PkiError` (every `validateChain` code, `bad-request-signature`, `wrong-organization`, `malformed`).
 */
export async function verifyPkiEnrollment(e: SignedPkiEnrollment, roots: readonly Uint8Array[], at: Date, organizationId: OrganizationId): Promise<VerifiedPkiEnrollment> {
  const identity = await validateChain(e.chain, roots, at);
  const request = decodePkiRequest(e.request);
  const ok = await verifyX509Signature(identity.leaf, requestAlgorithm(identity.leaf), concatBytes(REQUEST_DOMAIN, e.request), e.signature);
  if (!ok) throw pkiError('bad-request-signature', 'the request is not signed by the certificate key');
  if (request.organizationId !== organizationId) throw pkiError('wrong-organization', 'the request is for another organisation');
  return { identity, request };
}
