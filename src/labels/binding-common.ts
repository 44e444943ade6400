/**
 * What both forms of a STANAG 4778 binding data object (BDO) carry, how sealsync signs them and how
 * an importer finds the signer.
 *
 * One binding per BDO (ADatP-4778 §4.3: "all of the Metadata … is bound to all of the Data
 * Objects" of a `MetadataBinding`): the originator confidentiality label, optionally the label of
 * the workspace the data came from (the "flow" label, in a sealsync extension element), and one
 * detached `DataReference` whose SHA-384 digest (ADatP-4778.2 Table 2-3: SHA-384 mandatory) is
 * covered by the signature, so the label is bound to the exact bytes exported.
 * @module
 */
import { sha384 as nobleSha384 } from '@noble/hashes/sha2.js';
import { BindingError } from '../errors.js';
import { constantTimeEqual } from '../bytes.js';
import type { DeviceId, RealmId } from '../codec/ids.js';
import type { Timestamp } from '../codec/timestamps.js';
import type { CertificateStore } from '../certificates/index.js';
import type { SigningKey, VerifyKey } from '../keys/index.js';
import type { XmlLabel } from './xml-label.js';

/** Media type of the JSON form (IANA, ADatP-4778). */
export const BDO_JSON_MEDIA_TYPE = 'application/vnd.nato.bindingdataobject+json';
/** Media type of the XML form (IANA, ADatP-4778). */
export const BDO_XML_MEDIA_TYPE = 'application/vnd.nato.bindingdataobject+xml';

/** The workspace label an export came from (DCS "flow" labelling). */
export interface FlowLabel {
  readonly realmId: RealmId;
  readonly label: XmlLabel;
}

/** What an export binds together. */
export interface BindingContent {
  /** The originator confidentiality label (root `originatorConfidentialityLabel`). */
  readonly label: XmlLabel;
  /** The workspace label the data flowed through, when exported from a workspace. */
  readonly flow?: FlowLabel;
  /** The `DataReference` URI: a relative name such as `report.pdf` (detached BDO). */
  readonly dataUri: string;
  /** The data's media type (`xmime:contentType`). */
  readonly contentType: string;
}

/** Who signs an export: a device of the organisation and its signing key. */
export interface BindingSigner {
  readonly deviceId: DeviceId;
  readonly signingKey: SigningKey;
}

/**
 * How an importer resolves a signer: the verify key of `deviceId` if that device existed at `at`
 * (the label's creation time) and its user is not revoked (as the importer knows the organisation's
 * certificates now), else `undefined`. `certificateStoreSigners` builds one from a `CertificateStore`.
 */
export interface SignerDirectory {
  /** The verify key of `deviceId` if it may have signed at `at` (see the interface), else `undefined`. */
  verifyKeyAt(deviceId: DeviceId, at: Timestamp): VerifyKey | undefined;
}

/** The part of a `CertificateStore` a signer directory needs. */
export type SignerStore = Pick<CertificateStore, 'getDevice' | 'isRevoked'>;

/**
 * A `SignerDirectory` over an organisation's verified certificates: the device must exist at the
 * signing time and its user must not be revoked now (a revoked device's key could back-date a label).
 */
export function certificateStoreSigners(store: SignerStore): SignerDirectory {
  return {
    verifyKeyAt(deviceId, at) {
      const device = store.getDevice(deviceId, at);
      if (!device || store.isRevoked(device.userId)) return undefined;
      return device.verifyKey;
    },
  };
}

/** A verified import: what was bound, by whom. */
export interface VerifiedBinding extends BindingContent {
  readonly signer: DeviceId;
  /** SHA-384 of the data, as signed. */
  readonly dataDigest: Uint8Array;
}

/** The signer's key, or `binding/unknown-signer`. */
export function resolveSigner(signers: SignerDirectory, deviceId: DeviceId, at: Timestamp): VerifyKey {
  const key = signers.verifyKeyAt(deviceId, at);
  if (!key) throw new BindingError('binding/unknown-signer', `device ${deviceId} is not a valid signer of this organisation at the label's creation time`);
  return key;
}

/** SHA-384 of `data` if it equals the signed `digest`, else `binding/data-mismatch`. */
export async function checkDataDigest(data: Uint8Array, digest: Uint8Array): Promise<Uint8Array> {
  const actual = await sha384(data);
  if (!constantTimeEqual(actual, digest)) throw new BindingError('binding/data-mismatch', 'the data is not the data that was signed');
  return actual;
}

/** Bounds of a data reference URI: short, printable, no spaces or quotes. */
const URI_RE = /^[A-Za-z0-9._~!$&'()*+,;=:@/%-]{1,512}$/;
const MEDIA_TYPE_RE = /^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}\/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}$/;

/** @throws BindingError `binding/invalid-reference` for a URI or media type outside the profile. */
export function checkReference(uri: string, contentType: string): void {
  if (typeof uri !== 'string' || !URI_RE.test(uri) || uri.startsWith('#')) {
    throw new BindingError('binding/invalid-reference', 'data URI: 1 to 512 URI characters, not a same-document reference');
  }
  if (typeof contentType !== 'string' || !MEDIA_TYPE_RE.test(contentType)) {
    throw new BindingError('binding/invalid-reference', 'contentType: expected type/subtype');
  }
}

/** SHA-384 (WebCrypto when present, else noble). */
export async function sha384(data: Uint8Array): Promise<Uint8Array> {
  const subtle = globalThis.crypto?.subtle;
  if (subtle) {
    try {
      return new Uint8Array(await subtle.digest('SHA-384', data as Uint8Array<ArrayBuffer>));
    } catch {
      // fall through to noble
    }
  }
  return nobleSha384(data);
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** Standard padded base64 (RFC 4648 §4), as XML Signature writes digests and signatures. */
export function toBase64(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i += 3) {
    const n = (b[i]! << 16) | ((b[i + 1] ?? 0) << 8) | (b[i + 2] ?? 0);
    s += B64[n >> 18]! + B64[(n >> 12) & 63]! + (i + 1 < b.length ? B64[(n >> 6) & 63]! : '=') + (i + 2 < b.length ? B64[n & 63]! : '=');
  }
  return s;
}

/** Strict padded base64: canonical only (re-encoding gives the same text). @throws BindingError `binding/structure`. */
export function fromBase64(s: string, length: number): Uint8Array {
  if (typeof s !== 'string' || s.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(s)) {
    throw new BindingError('binding/structure', 'expected canonical base64');
  }
  const pad = s.endsWith('==') ? 2 : s.endsWith('=') ? 1 : 0;
  const out = new Uint8Array((s.length / 4) * 3 - pad);
  for (let i = 0, o = 0; i < s.length; i += 4) {
    const n = (B64.indexOf(s[i]!) << 18) | (B64.indexOf(s[i + 1]!) << 12) | (Math.max(0, B64.indexOf(s[i + 2]!)) << 6) | Math.max(0, B64.indexOf(s[i + 3]!));
    for (const shift of [16, 8, 0]) if (o < out.length) out[o++] = (n >> shift) & 255;
  }
  if (out.length !== length || toBase64(out) !== s) throw new BindingError('binding/structure', `expected canonical base64 of ${length} bytes`);
  return out;
}
