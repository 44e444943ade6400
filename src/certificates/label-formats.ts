/**
 * CBOR schemas of the labelling data carried by certificates (label policies, clearances, revised
 * labels) and by file manifests (a file's label). Names follow ADatP-4774.1 Table 10.
 * @module
 */
import { s, type Schema } from '../codec/index.js';
import type { Clearance } from './label.js';
import { CATEGORY_TYPES, POLICY_LIMITS, type LabelPolicy } from './label-policy.js';
import type { RevisedLabel } from './types.js';

const token = s.text({ minBytes: 1, maxBytes: POLICY_LIMITS.maxNameBytes });
const values = s.array(token, { max: POLICY_LIMITS.maxValuesPerCategory });
const categoryType = s.oneOf(CATEGORY_TYPES);

/** A 4774 token (policy id, classification, tag or value name) on the wire. */
export const labelTokenSchema: Schema<string> = token;

/** A label policy (the SPIF data sealsync uses). */
export const labelPolicySchema: Schema<LabelPolicy> = s.transform(
  s.struct({
    policy_id: token,
    policy_uri: s.optional(s.text({ minBytes: 1, maxBytes: 256 })),
    classifications: s.array(s.struct({ name: token, lacv: s.uint() }), { max: POLICY_LIMITS.maxClassifications }),
    categories: s.array(s.struct({ tag_name: token, type: categoryType, values }), { max: POLICY_LIMITS.maxCategories }),
  }),
  {
    description: 'label policy',
    decode: (p) => ({
      policyId: p.policy_id,
      ...(p.policy_uri === undefined ? {} : { policyUri: p.policy_uri }),
      classifications: p.classifications.map((x) => ({ name: x.name, lacv: x.lacv })),
      categories: p.categories.map((x) => ({ tagName: x.tag_name, type: x.type, values: x.values })),
    }),
    encode: (p) => ({
      policy_id: p.policyId,
      ...(p.policyUri === undefined ? {} : { policy_uri: p.policyUri }),
      classifications: p.classifications.map((x) => ({ name: x.name, lacv: x.lacv })),
      categories: p.categories.map((x) => ({ tag_name: x.tagName, type: x.type, values: [...x.values] })),
    }),
  },
);

/** A confidentiality label with the policy revision it is read under. */
export const revisedLabelSchema: Schema<RevisedLabel> = s.transform(
  s.struct({
    policy_id: token,
    revision: s.uint({ min: 1 }),
    classification: token,
    categories: s.array(s.struct({ tag_name: token, type: categoryType, values }), { max: POLICY_LIMITS.maxCategories }),
  }),
  {
    description: 'confidentiality label',
    decode: (l) => ({
      revision: l.revision,
      label: { policyId: l.policy_id, classification: l.classification, categories: l.categories.map((c) => ({ tagName: c.tag_name, type: c.type, values: c.values })) },
    }),
    encode: (r) => ({
      policy_id: r.label.policyId,
      revision: r.revision,
      classification: r.label.classification,
      categories: r.label.categories.map((c) => ({ tag_name: c.tagName, type: c.type, values: [...c.values] })),
    }),
  },
);

/** The body of a clearance (its policy id is a field of the certificate). */
export const clearanceBodySchema = s.struct({
  max_classification: token,
  categories: s.array(s.struct({ tag_name: token, values }), { max: POLICY_LIMITS.maxCategories }),
});

/** Clearance → wire body. */
export function clearanceToWire(c: Clearance | null): { max_classification: string; categories: { tag_name: string; values: string[] }[] } | null {
  if (c === null) return null;
  return { max_classification: c.maxClassification, categories: c.categories.map((x) => ({ tag_name: x.tagName, values: [...x.values] })) };
}

/** Wire body → clearance under `policyId`. */
export function clearanceFromWire(policyId: string, c: { max_classification: string; categories: readonly { tag_name: string; values: readonly string[] }[] } | null): Clearance | null {
  if (c === null) return null;
  return { policyId, maxClassification: c.max_classification, categories: c.categories.map((x) => ({ tagName: x.tag_name, values: x.values })) };
}
