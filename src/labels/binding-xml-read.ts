/**
 * Import: reads and verifies the XML form of a binding data object (the profile written by
 * `exportBindingXml`). Every element is checked in order; anything outside the profile is refused
 * (an importer must not act on a part of a document it did not verify).
 *
 * Order of checks, each with its own code: structure (`xml/*`, `binding/structure`), algorithms
 * (`binding/unsupported-algorithm`), signer known and not revoked (`binding/unknown-signer`),
 * signature over the canonical `SignedInfo` (`binding/bad-signature`), digest of the canonical
 * `MetadataBinding` (`binding/metadata-mismatch`: a label or reference changed), digest of the data
 * (`binding/data-mismatch`: other bytes than those signed).
 * @module
 */
import type { Element } from '@xmldom/xmldom';
import { BindingError } from '../errors.js';
import { constantTimeEqual, fromHex, utf8Encode } from '../bytes.js';
import { idFromBytes, type DeviceId, type RealmId } from '../codec/ids.js';
import { checkDataDigest, checkReference, fromBase64, resolveSigner, sha384, type FlowLabel, type SignerDirectory, type VerifiedBinding } from './binding-common.js';
import { BINDING_ID, DS_NS, EDDSA_ED25519_URI, EXC_C14N, MB_NS, SEALSYNC_LABELS_NS, SHA384_URI, XMIME_NS } from './binding-xml-write.js';
import { exclusiveC14n } from './xml-c14n.js';
import { readXmlLabel, type XmlLabel } from './xml-label.js';
import { attributes, childElements, isElement, leafText, parseXml, type XmlBudget } from './xml-parse.js';

function structure(message: string): never {
  throw new BindingError('binding/structure', `XML binding: ${message}`);
}

function expect(el: Element | undefined, ns: string, local: string, path: string): Element {
  if (!el || !isElement(el, ns, local)) structure(`${path}: expected ${local}, found ${el?.tagName ?? 'nothing'}`);
  return el;
}

function algorithm(el: Element, expected: string, path: string): void {
  const alg = attributes(el, ['Algorithm'], path).get('Algorithm');
  if (alg !== expected) throw new BindingError('binding/unsupported-algorithm', `${path}: ${alg ?? 'none'} (expected ${expected})`);
  if (childElements(el, path).length > 0) structure(`${path}: unexpected children`);
}

interface XmlReference {
  readonly uri: string;
  readonly digest: Uint8Array;
}

function readReference(el: Element, transform: boolean, path: string): XmlReference {
  const uri = attributes(el, ['URI'], path).get('URI');
  if (uri === undefined) structure(`${path}: URI required`);
  const kids = childElements(el, path);
  let i = 0;
  if (transform) {
    const transforms = childElements(expect(kids[i++], DS_NS, 'Transforms', path), `${path}/Transforms`);
    if (transforms.length !== 1) structure(`${path}: exactly one Transform`);
    algorithm(expect(transforms[0], DS_NS, 'Transform', path), EXC_C14N, `${path}/Transform`);
  }
  algorithm(expect(kids[i++], DS_NS, 'DigestMethod', path), SHA384_URI, `${path}/DigestMethod`);
  const value = expect(kids[i++], DS_NS, 'DigestValue', path);
  if (i !== kids.length) structure(`${path}: unexpected ${kids[i]!.tagName}`);
  return { uri, digest: fromBase64(leafText(value, 'DigestValue'), 48) };
}

function readMetadata(el: Element, path: string): Element {
  attributes(el, [], path);
  const kids = childElements(el, path);
  if (kids.length !== 1) structure(`${path}: exactly one child element (ADatP-4778 §4.3.3)`);
  return kids[0]!;
}

function readFlow(el: Element): FlowLabel {
  const realm = attributes(el, ['Realm'], 'sourceWorkspace').get('Realm');
  if (realm === undefined || !/^[0-9a-f]{32}$/.test(realm)) structure('sourceWorkspace: Realm must be 32 lowercase hex digits');
  const kids = childElements(el, 'sourceWorkspace');
  if (kids.length !== 1) structure('sourceWorkspace: exactly one label');
  return { realmId: idFromBytes<RealmId>(fromHex(realm)), label: readXmlLabel(kids[0]!) };
}

interface ParsedXmlBinding {
  readonly signedInfo: Element;
  readonly signature: Uint8Array;
  readonly signer: DeviceId;
  readonly bindingRef: XmlReference;
  readonly dataRef: XmlReference;
  readonly binding: Element;
  readonly label: XmlLabel;
  readonly flow?: FlowLabel;
  readonly dataUri: string;
  readonly contentType: string;
}

function parse(bytes: Uint8Array, budget?: Partial<XmlBudget>): ParsedXmlBinding {
  const root = parseXml(bytes, budget).documentElement!;
  expect(root, MB_NS, 'BindingInformation', 'root');
  attributes(root, [], 'BindingInformation');
  const top = childElements(root, 'BindingInformation');
  if (top.length !== 2) structure('exactly one ds:Signature then one MetadataBindingContainer');
  const sig = childElements(expect(top[0], DS_NS, 'Signature', 'BindingInformation'), 'Signature');
  const container = childElements(expect(top[1], MB_NS, 'MetadataBindingContainer', 'BindingInformation'), 'MetadataBindingContainer');
  if (sig.length !== 3) structure('Signature: SignedInfo, SignatureValue, KeyInfo');
  const signedInfo = expect(sig[0], DS_NS, 'SignedInfo', 'Signature');
  const info = childElements(signedInfo, 'SignedInfo');
  if (info.length !== 4) structure('SignedInfo: method, method, two references');
  algorithm(expect(info[0], DS_NS, 'CanonicalizationMethod', 'SignedInfo'), EXC_C14N, 'CanonicalizationMethod');
  algorithm(expect(info[1], DS_NS, 'SignatureMethod', 'SignedInfo'), EDDSA_ED25519_URI, 'SignatureMethod');
  const bindingRef = readReference(expect(info[2], DS_NS, 'Reference', 'SignedInfo'), true, 'Reference[1]');
  const dataRef = readReference(expect(info[3], DS_NS, 'Reference', 'SignedInfo'), false, 'Reference[2]');
  const signature = fromBase64(leafText(expect(sig[1], DS_NS, 'SignatureValue', 'Signature'), 'SignatureValue'), 64);
  const keyInfo = childElements(expect(sig[2], DS_NS, 'KeyInfo', 'Signature'), 'KeyInfo');
  if (keyInfo.length !== 1) structure('KeyInfo: exactly one KeyName');
  const keyName = leafText(expect(keyInfo[0], DS_NS, 'KeyName', 'KeyInfo'), 'KeyName');
  if (!/^[0-9a-f]{32}$/.test(keyName)) structure('KeyName: a sealsync device id (32 lowercase hex digits)');

  if (container.length !== 1) structure('exactly one MetadataBinding');
  const binding = expect(container[0], MB_NS, 'MetadataBinding', 'MetadataBindingContainer');
  if (attributes(binding, ['Id'], 'MetadataBinding').get('Id') !== BINDING_ID) structure(`MetadataBinding Id must be ${BINDING_ID}`);
  const parts = childElements(binding, 'MetadataBinding');
  const label = readXmlLabel(readMetadata(expect(parts[0], MB_NS, 'Metadata', 'MetadataBinding'), 'Metadata[1]'));
  if (label.root !== 'originatorConfidentialityLabel') structure('the first Metadata must be an originatorConfidentialityLabel');
  let i = 1;
  let flow: FlowLabel | undefined;
  if (parts[i] && isElement(parts[i]!, MB_NS, 'Metadata')) {
    flow = readFlow(expect(readMetadata(parts[i++]!, 'Metadata[2]'), SEALSYNC_LABELS_NS, 'sourceWorkspace', 'Metadata[2]'));
  }
  const ref = attributes(expect(parts[i++], MB_NS, 'DataReference', 'MetadataBinding'), ['URI', `{${XMIME_NS}}contentType`], 'DataReference');
  if (i !== parts.length) structure('exactly one DataReference, last');
  if (childElements(parts[i - 1]!, 'DataReference').length > 0) structure('DataReference: no Transforms in this profile');
  const dataUri = ref.get('URI') ?? structure('DataReference: URI required');
  const contentType = ref.get(`{${XMIME_NS}}contentType`) ?? structure('DataReference: xmime:contentType required');
  checkReference(dataUri, contentType);
  if (bindingRef.uri !== `#${BINDING_ID}`) structure('Reference[1] must point at the MetadataBinding');
  if (dataRef.uri !== dataUri) structure('Reference[2] must carry the DataReference URI');
  return { signedInfo, signature, signer: keyName as DeviceId, bindingRef, dataRef, binding, label, ...(flow ? { flow } : {}), dataUri, contentType };
}

/**
 * Verifies an XML binding data object against `data` and the organisation's signers. Returns what
 * was bound; does NOT check the label against a policy (see `importBinding`).
 * @throws XmlError `xml/*`; BindingError `binding/structure`, `binding/unsupported-algorithm`,
 *   `binding/unknown-signer`, `binding/bad-signature`, `binding/metadata-mismatch`,
 *   `binding/data-mismatch`, `binding/invalid-reference`; LabelError `label/invalid-label`,
 *   `label/invalid-time`.
 */
export async function verifyBindingXml(
  bytes: Uint8Array,
  data: Uint8Array,
  signers: SignerDirectory,
  budget?: Partial<XmlBudget>,
): Promise<VerifiedBinding> {
  const p = parse(bytes, budget);
  const key = resolveSigner(signers, p.signer, p.label.creationTime);
  if (!(await key.verify(utf8Encode(exclusiveC14n(p.signedInfo)), p.signature))) {
    throw new BindingError('binding/bad-signature', 'the XML signature does not verify');
  }
  if (!constantTimeEqual(await sha384(utf8Encode(exclusiveC14n(p.binding))), p.bindingRef.digest)) {
    throw new BindingError('binding/metadata-mismatch', 'the MetadataBinding (labels or references) is not what was signed');
  }
  const dataDigest = await checkDataDigest(data, p.dataRef.digest);
  return { label: p.label, ...(p.flow ? { flow: p.flow } : {}), dataUri: p.dataUri, contentType: p.contentType, signer: p.signer, dataDigest };
}
