/**
 * Export: the XML form of a STANAG 4778 binding data object, signed with XML Signature.
 *
 * Profile (ADatP-4778 §4.3 structure, ADatP-4778.2 Annex A references):
 * ```
 * mb:BindingInformation
 *   ds:Signature
 *     ds:SignedInfo  exc-c14n, EdDSA-Ed25519 (RFC 9231 §2.3.1)
 *       ds:Reference URI="#<binding Id>"  exc-c14n transform, SHA-384   (the labels + reference list)
 *       ds:Reference URI="<data URI>"     SHA-384 of the exact data bytes
 *     ds:SignatureValue
 *     ds:KeyInfo/ds:KeyName  sealsync device id of the signer
 *   mb:MetadataBindingContainer
 *     mb:MetadataBinding Id
 *       mb:Metadata  slab:originatorConfidentialityLabel
 *       mb:Metadata  ss:sourceWorkspace (the flow label), when exported from a workspace
 *       mb:DataReference URI xmime:contentType
 * ```
 * Digests are computed over the canonical form of the parsed document, the same code path the
 * importer runs, so what is signed is what will be checked.
 * @module
 */
import type { Element } from '@xmldom/xmldom';
import { utf8Encode } from '../bytes.js';
import { idToBytes } from '../codec/ids.js';
import { toHex } from '../bytes.js';
import { checkReference, sha384, toBase64, type BindingContent, type BindingSigner } from './binding-common.js';
import { escapeAttribute, escapeText, exclusiveC14n } from './xml-c14n.js';
import { writeXmlLabel } from './xml-label.js';
import { parseXml } from './xml-parse.js';

/** XML namespace of STANAG 4778 binding information (`mb:`). */
export const MB_NS = 'urn:nato:stanag:4778:bindinginformation:1:0';
/** XML namespace of XML Signature (`ds:`, W3C xmldsig-core). */
export const DS_NS = 'http://www.w3.org/2000/09/xmldsig#';
export const XMIME_NS = 'http://www.w3.org/2005/05/xmlmime';
/** sealsync's extension namespace (4778 allows any element in `mb:Metadata`). */
export const SEALSYNC_LABELS_NS = 'urn:sealsync:labels:1';
export const EXC_C14N = 'http://www.w3.org/2001/10/xml-exc-c14n#';
export const SHA384_URI = 'http://www.w3.org/2001/04/xmldsig-more#sha384';
export const EDDSA_ED25519_URI = 'http://www.w3.org/2021/04/xmldsig-more#eddsa-ed25519';
/** The `Id` of the one `MetadataBinding` sealsync writes. */
export const BINDING_ID = 'sealsync-binding';

function metadataBinding(c: BindingContent): string {
  const flow = c.flow
    ? `<mb:Metadata><ss:sourceWorkspace xmlns:ss="${SEALSYNC_LABELS_NS}" Realm="${toHex(idToBytes(c.flow.realmId))}">${writeXmlLabel(c.flow.label)}</ss:sourceWorkspace></mb:Metadata>`
    : '';
  return (
    `<mb:MetadataBinding Id="${BINDING_ID}">` +
    `<mb:Metadata>${writeXmlLabel(c.label)}</mb:Metadata>${flow}` +
    `<mb:DataReference xmlns:xmime="${XMIME_NS}" URI="${escapeAttribute(c.dataUri)}" xmime:contentType="${escapeAttribute(c.contentType)}"></mb:DataReference>` +
    `</mb:MetadataBinding>`
  );
}

function reference(uri: string, digest: Uint8Array, transform: boolean): string {
  return (
    `<ds:Reference URI="${escapeAttribute(uri)}">` +
    (transform ? `<ds:Transforms><ds:Transform Algorithm="${EXC_C14N}"></ds:Transform></ds:Transforms>` : '') +
    `<ds:DigestMethod Algorithm="${SHA384_URI}"></ds:DigestMethod><ds:DigestValue>${toBase64(digest)}</ds:DigestValue></ds:Reference>`
  );
}

function document(binding: string, signature: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<mb:BindingInformation xmlns:mb="${MB_NS}">${signature}<mb:MetadataBindingContainer>${binding}</mb:MetadataBindingContainer></mb:BindingInformation>\n`;
}

function firstByName(doc: { getElementsByTagNameNS(ns: string, local: string): { item(i: number): Element | null } }, ns: string, local: string): Element {
  return doc.getElementsByTagNameNS(ns, local).item(0)!;
}

/**
 * Builds and signs the XML binding data object of `data` (UTF-8 bytes of the document).
 * @throws BindingError `binding/invalid-reference`; LabelError from label times.
 */
export async function exportBindingXml(data: Uint8Array, content: BindingContent, signer: BindingSigner): Promise<Uint8Array> {
  checkReference(content.dataUri, content.contentType);
  const binding = metadataBinding(content);
  const unsigned = parseXml(document(binding, ''));
  const bindingDigest = await sha384(utf8Encode(exclusiveC14n(firstByName(unsigned, MB_NS, 'MetadataBinding'))));
  const signedInfo =
    `<ds:SignedInfo><ds:CanonicalizationMethod Algorithm="${EXC_C14N}"></ds:CanonicalizationMethod>` +
    `<ds:SignatureMethod Algorithm="${EDDSA_ED25519_URI}"></ds:SignatureMethod>` +
    reference(`#${BINDING_ID}`, bindingDigest, true) +
    reference(content.dataUri, await sha384(data), false) +
    `</ds:SignedInfo>`;
  const keyInfo = `<ds:KeyInfo><ds:KeyName>${escapeText(signer.deviceId)}</ds:KeyName></ds:KeyInfo>`;
  const template = (value: string) => `<ds:Signature xmlns:ds="${DS_NS}">${signedInfo}<ds:SignatureValue>${value}</ds:SignatureValue>${keyInfo}</ds:Signature>`;
  const withInfo = parseXml(document(binding, template('')));
  const signature = await signer.signingKey.sign(utf8Encode(exclusiveC14n(firstByName(withInfo, DS_NS, 'SignedInfo'))));
  return utf8Encode(document(binding, template(toBase64(signature))));
}
