/**
 * `sealsync/labels`: data-centric security. STANAG 4774 confidentiality labels under an
 * organisation's label policy, clearances and their dominance relation, and the STANAG 4778
 * export/import gateway (XML and JSON binding data objects signed by a device of the organisation).
 * @module
 */
export * from '../certificates/label-policy.js';
export * from '../certificates/label.js';
export * from '../certificates/dominance.js';
export * from './datetime.js';
export { parseXml, DEFAULT_XML_BUDGET, type XmlBudget } from './xml-parse.js';
export { exclusiveC14n } from './xml-c14n.js';
export * from './xml-label.js';
export {
  BDO_JSON_MEDIA_TYPE,
  BDO_XML_MEDIA_TYPE,
  certificateStoreSigners,
  type BindingContent,
  type BindingSigner,
  type FlowLabel,
  type SignerDirectory,
  type SignerStore,
  type VerifiedBinding,
} from './binding-common.js';
export { exportBindingXml, MB_NS, DS_NS, SEALSYNC_LABELS_NS } from './binding-xml-write.js';
export { verifyBindingXml } from './binding-xml-read.js';
export { exportBindingJson, verifyBindingJson } from './binding-json.js';
export { parseStrictJson, canonicalJson, DEFAULT_JSON_BUDGET, type JsonBudget, type JsonValue } from './json-strict.js';
export { labelToJson, labelFromJson } from './json-label.js';
export { signDetachedJws, readDetachedJws, verifyDetachedJws, type JwsHeader } from './jws.js';
export * from './gateway.js';
export * from './label-rules.js';
export * from './workspace-flow.js';
