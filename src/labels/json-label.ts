/**
 * The JSON shape of a STANAG 4774 label inside the JSON binding data object: the XML element
 * structure with the same names (`ConfidentialityInformation`, `PolicyIdentifier`, `Classification`,
 * `Category` with `Type`, `TagName`, `GenericValue`, `CreationDateTime`, `ReviewDateTime`), each
 * element an object member, repeated elements arrays, attributes members of their element's object
 * (`PolicyIdentifier` is `{ "Value": …, "URI": … }` since it has both text and an attribute).
 * @module
 */
import { LabelError } from '../errors.js';
import { formatDateTime, parseDateTime } from './datetime.js';
import type { LabelCategory } from '../certificates/label.js';
import { CATEGORY_TYPES, isLabelToken, type CategoryType } from '../certificates/label-policy.js';
import { asArray, asObject, asString, type JsonValue } from './json-strict.js';
import type { XmlLabel } from './xml-label.js';

/** The JSON object of `x` (its root name is the member name around it). */
export function labelToJson(x: XmlLabel): { [key: string]: JsonValue } {
  const l = x.label;
  const info: { [key: string]: JsonValue } = {
    PolicyIdentifier: x.policyUri === undefined ? { Value: l.policyId } : { Value: l.policyId, URI: x.policyUri },
    Classification: l.classification,
  };
  if (l.categories.length > 0) {
    info.Category = l.categories.map((c) => ({ Type: c.type, TagName: c.tagName, GenericValue: [...c.values] }));
  }
  const out: { [key: string]: JsonValue } = { ConfidentialityInformation: info, CreationDateTime: formatDateTime(x.creationTime) };
  if (x.reviewTime !== undefined) out.ReviewDateTime = formatDateTime(x.reviewTime);
  return out;
}

function token(v: JsonValue | undefined, path: string): string {
  const s = asString(v, path);
  if (!isLabelToken(s)) throw new LabelError('label/invalid-label', `${path}: not a valid token`);
  return s;
}

/**
 * Reads a label object (under the member name `root`).
 * @throws BindingError `binding/structure`; LabelError `label/invalid-label`, `label/invalid-time`.
 */
export function labelFromJson(v: JsonValue | undefined, root: XmlLabel['root']): XmlLabel {
  const o = asObject(v, root, ['ConfidentialityInformation', 'CreationDateTime', 'ReviewDateTime']);
  const info = asObject(o.ConfidentialityInformation, 'ConfidentialityInformation', ['PolicyIdentifier', 'Classification', 'Category']);
  const pid = asObject(info.PolicyIdentifier, 'PolicyIdentifier', ['Value', 'URI']);
  const categories: LabelCategory[] = (info.Category === undefined ? [] : asArray(info.Category, 'Category')).map((c, i) => {
    const cat = asObject(c, `Category[${i}]`, ['Type', 'TagName', 'GenericValue']);
    const type = asString(cat.Type, 'Type');
    if (!(CATEGORY_TYPES as readonly string[]).includes(type)) throw new LabelError('label/invalid-label', `Category Type "${type.slice(0, 20)}"`);
    const values = asArray(cat.GenericValue, 'GenericValue', 1, 256).map((g) => token(g, 'GenericValue'));
    return { tagName: token(cat.TagName, 'TagName'), type: type as CategoryType, values };
  });
  return {
    root,
    label: { policyId: token(pid.Value, 'PolicyIdentifier'), classification: token(info.Classification, 'Classification'), categories },
    ...(pid.URI === undefined ? {} : { policyUri: asString(pid.URI, 'PolicyIdentifier.URI') }),
    creationTime: parseDateTime(asString(o.CreationDateTime, 'CreationDateTime')),
    ...(o.ReviewDateTime === undefined ? {} : { reviewTime: parseDateTime(asString(o.ReviewDateTime, 'ReviewDateTime')) }),
  };
}
