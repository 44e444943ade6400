/**
 * STANAG 4774 XML confidentiality labels (ADatP-4774 App. 1: namespace
 * `urn:nato:stanag:4774:confidentialitymetadatalabel:1:0`, schema 1.3).
 *
 * Writing: an `slab:originatorConfidentialityLabel` with `ConfidentialityInformation`
 * (`PolicyIdentifier` [@URI], `Classification`, `Category` @Type @TagName with `GenericValue`s),
 * then `CreationDateTime` (required by the schema) and `ReviewDateTime` when given.
 * Reading checks the element structure of the schema, in order, and the prose rules that matter
 * here: `Classification/@URI` SHALL NOT be used; `IntegerValue` / `BitStringValue` SHALL NOT be
 * used; `Type` is one of the three upper-case values (the enumeration is case-sensitive).
 * `OriginatorID` and `PrivacyMark` (no access semantics) are read past. Elements the schema allows
 * but that would change what the label means (`SuccessionHandling`, extension elements) are refused
 * rather than silently dropped: an importer must not act on half a label.
 * @module
 */
import type { Element } from '@xmldom/xmldom';
import { LabelError, XmlError } from '../errors.js';
import type { Timestamp } from '../codec/timestamps.js';
import { formatDateTime, parseDateTime } from './datetime.js';
import type { ConfidentialityLabel, LabelCategory } from '../certificates/label.js';
import { CATEGORY_TYPES, isLabelToken, type CategoryType } from '../certificates/label-policy.js';
import { escapeAttribute, escapeText } from './xml-c14n.js';
import { attributes, childElements, isElement, leafText } from './xml-parse.js';

/** The ADatP-4774 label namespace. */
export const SLAB_NS = 'urn:nato:stanag:4774:confidentialitymetadatalabel:1:0';

/** The standard label roots (ADatP-4774 App. 1 p. App 1-1). */
export const LABEL_ROOTS = ['originatorConfidentialityLabel', 'alternativeConfidentialityLabel', 'metadataConfidentialityLabel'] as const;
/** One of {@link LABEL_ROOTS}: the root element name of a STANAG 4774 XML label. */
export type LabelRoot = (typeof LABEL_ROOTS)[number];

/** A label as a 4774 XML element carries it. */
export interface XmlLabel {
  readonly root: LabelRoot;
  readonly label: ConfidentialityLabel;
  /** `PolicyIdentifier/@URI`. */
  readonly policyUri?: string;
  readonly creationTime: Timestamp;
  readonly reviewTime?: Timestamp;
}

/** The XML text of `label` (prefix `slab`, namespace declared on the root). */
export function writeXmlLabel(x: XmlLabel): string {
  const l = x.label;
  const out: string[] = [`<slab:${x.root} xmlns:slab="${SLAB_NS}"`];
  if (x.reviewTime !== undefined) out.push(` ReviewDateTime="${formatDateTime(x.reviewTime)}"`);
  out.push('><slab:ConfidentialityInformation>');
  out.push('<slab:PolicyIdentifier', x.policyUri === undefined ? '' : ` URI="${escapeAttribute(x.policyUri)}"`, '>');
  out.push(escapeText(l.policyId), '</slab:PolicyIdentifier>');
  out.push('<slab:Classification>', escapeText(l.classification), '</slab:Classification>');
  for (const c of l.categories) {
    out.push(`<slab:Category TagName="${escapeAttribute(c.tagName)}" Type="${c.type}">`);
    for (const v of c.values) out.push('<slab:GenericValue>', escapeText(v), '</slab:GenericValue>');
    out.push('</slab:Category>');
  }
  out.push('</slab:ConfidentialityInformation>');
  out.push('<slab:CreationDateTime>', formatDateTime(x.creationTime), '</slab:CreationDateTime>');
  out.push(`</slab:${x.root}>`);
  return out.join('');
}

function structure(message: string): never {
  throw new XmlError('xml/structure', `4774 label: ${message}`);
}

/** `xs:token` value space: collapse whitespace; then our token rules. */
function token(raw: string, path: string): string {
  const t = raw.replace(/[\t\n\r ]+/g, ' ').trim();
  if (!isLabelToken(t)) throw new LabelError('label/invalid-label', `${path}: not a valid token`);
  return t;
}

function slab(el: Element | undefined, local: string): boolean {
  return el !== undefined && isElement(el, SLAB_NS, local);
}

function readCategory(el: Element): LabelCategory {
  const attrs = attributes(el, ['Type', 'TagName', 'URI'], 'Category');
  const type = attrs.get('Type');
  const tagName = attrs.get('TagName');
  if (type === undefined || tagName === undefined) structure('Category requires Type and TagName');
  if (!(CATEGORY_TYPES as readonly string[]).includes(type)) structure(`Category Type "${type}" is not RESTRICTIVE, PERMISSIVE or INFORMATIVE`);
  const values: string[] = [];
  for (const v of childElements(el, 'Category')) {
    if (slab(v, 'IntegerValue') || slab(v, 'BitStringValue')) structure('IntegerValue and BitStringValue SHALL NOT be used');
    if (!slab(v, 'GenericValue')) structure(`unexpected ${v.tagName} in Category`);
    attributes(v, [], 'GenericValue');
    values.push(token(leafText(v, 'GenericValue'), 'GenericValue'));
  }
  return { tagName: token(tagName, 'TagName'), type: type as CategoryType, values };
}

/**
 * Reads a 4774 label element, checking the element structure (see the module comment).
 * @throws XmlError `xml/structure`; LabelError `label/invalid-label`, `label/invalid-time`.
 */
export function readXmlLabel(el: Element): XmlLabel {
  const root = LABEL_ROOTS.find((r) => isElement(el, SLAB_NS, r));
  if (!root) structure(`root is {${el.namespaceURI ?? ''}}${el.localName ?? ''}, not a 4774 label`);
  const rootAttrs = attributes(el, ['Id', 'ReviewDateTime'], root);
  const kids = childElements(el, root);
  let i = 0;
  const info = kids[i++];
  if (!slab(info, 'ConfidentialityInformation')) structure('ConfidentialityInformation must come first');
  if (slab(kids[i], 'OriginatorID')) i++;
  const created = kids[i++];
  if (!slab(created, 'CreationDateTime')) structure('CreationDateTime is required after ConfidentialityInformation');
  if (i !== kids.length) structure(`unsupported element ${kids[i]!.tagName} after CreationDateTime`);
  attributes(created!, [], 'CreationDateTime');

  const parts = childElements(info!, 'ConfidentialityInformation');
  let j = 0;
  const pid = parts[j++];
  if (!slab(pid, 'PolicyIdentifier')) structure('PolicyIdentifier must come first');
  const policyUri = attributes(pid!, ['URI'], 'PolicyIdentifier').get('URI');
  const cls = parts[j++];
  if (!slab(cls, 'Classification')) structure('Classification must follow PolicyIdentifier');
  if (attributes(cls!, ['URI'], 'Classification').has('URI')) structure('Classification/@URI SHALL NOT be used');
  if (slab(parts[j], 'PrivacyMark')) j++;
  const categories: LabelCategory[] = [];
  for (; j < parts.length; j++) {
    if (!slab(parts[j], 'Category')) structure(`unsupported element ${parts[j]!.tagName} in ConfidentialityInformation`);
    categories.push(readCategory(parts[j]!));
  }
  const review = rootAttrs.get('ReviewDateTime');
  return {
    root,
    label: { policyId: token(leafText(pid!, 'PolicyIdentifier'), 'PolicyIdentifier'), classification: token(leafText(cls!, 'Classification'), 'Classification'), categories },
    ...(policyUri === undefined ? {} : { policyUri }),
    creationTime: parseDateTime(leafText(created!, 'CreationDateTime').trim()),
    ...(review === undefined ? {} : { reviewTime: parseDateTime(review.trim()) }),
  };
}
