/**
 * Confidentiality labels and clearances (STANAG 4774 semantics) and their checks against a policy.
 *
 * A label is what data carries (classification + categories); a clearance is what a user holds
 * (highest classification + category values). Both name the policy they are read under. Checked
 * labels are normalised: categories in policy order, values in policy order, so that two equal
 * labels have one encoding (their signed bytes compare equal).
 * @module
 */
import { LabelError } from '../errors.js';
import { classificationRank, isLabelToken, policyCategory, type CategoryType, type LabelPolicy } from './label-policy.js';

/** One category of a label: the tag and the values the data carries. */
export interface LabelCategory {
  readonly tagName: string;
  /** The 4774 `Type`; must equal the policy's type for the tag. */
  readonly type: CategoryType;
  readonly values: readonly string[];
}

/** A confidentiality label (the `ConfidentialityInformation` of a 4774 label). */
export interface ConfidentialityLabel {
  readonly policyId: string;
  readonly classification: string;
  readonly categories: readonly LabelCategory[];
}

/** A category of a clearance: the values the user is cleared for. */
export interface ClearanceCategory {
  readonly tagName: string;
  readonly values: readonly string[];
}

/** A clearance under a policy: the highest classification and the category values held. */
export interface Clearance {
  readonly policyId: string;
  readonly maxClassification: string;
  readonly categories: readonly ClearanceCategory[];
}

function fail(reason: string, message: string): never {
  throw new LabelError(`label/${reason}`, message);
}

function checkPolicyName(policy: LabelPolicy, policyId: unknown): void {
  if (!isLabelToken(policyId)) fail('invalid-label', 'policyId: expected a token');
  if (policyId !== policy.policyId) fail('policy-mismatch', `label policy "${policyId}" is not "${policy.policyId}"`);
}

/** Checks and sorts the values of one category against the policy; drops nothing silently. */
function checkValues(policy: LabelPolicy, tagName: unknown, values: unknown): { tagName: string; values: string[]; type: CategoryType } {
  if (!isLabelToken(tagName)) fail('invalid-label', 'category tagName: expected a token');
  const cat = policyCategory(policy, tagName);
  if (!cat) fail('unknown-category', `policy ${policy.policyId} has no category "${tagName}"`);
  if (!Array.isArray(values) || values.length === 0) fail('invalid-label', `category ${tagName}: at least one value`);
  const seen = new Set<string>();
  for (const v of values) {
    if (typeof v !== 'string' || !cat.values.includes(v)) fail('unknown-value', `category ${tagName}: unknown value "${String(v)}"`);
    if (seen.has(v)) fail('invalid-label', `category ${tagName}: duplicate value "${v}"`);
    seen.add(v);
  }
  return { tagName, type: cat.type, values: cat.values.filter((v) => seen.has(v)) };
}

function sortByPolicy<T extends { tagName: string }>(policy: LabelPolicy, items: T[]): T[] {
  const seen = new Set<string>();
  for (const c of items) {
    if (seen.has(c.tagName)) fail('invalid-label', `category ${c.tagName} appears twice`);
    seen.add(c.tagName);
  }
  const order = (t: string) => policy.categories.findIndex((c) => c.tagName === t);
  return items.sort((a, b) => order(a.tagName) - order(b.tagName));
}

/**
 * Checks `label` against `policy` and returns its normalised, frozen form.
 * @throws LabelError `label/policy-mismatch`, `label/unknown-classification`,
 *   `label/unknown-category`, `label/unknown-value`, `label/category-type-mismatch`,
 *   `label/invalid-label`.
 */
export function checkLabel(label: ConfidentialityLabel, policy: LabelPolicy): ConfidentialityLabel {
  if (typeof label !== 'object' || label === null) fail('invalid-label', 'a label is an object');
  checkPolicyName(policy, label.policyId);
  if (classificationRank(policy, label.classification) < 0) {
    fail('unknown-classification', `policy ${policy.policyId} has no classification "${String(label.classification)}"`);
  }
  if (!Array.isArray(label.categories)) fail('invalid-label', 'categories: expected an array');
  const cats = label.categories.map((c) => {
    const checked = checkValues(policy, c?.tagName, c?.values);
    if (c.type !== checked.type) fail('category-type-mismatch', `category ${checked.tagName} is ${checked.type}, not ${String(c.type)}`);
    return Object.freeze({ tagName: checked.tagName, type: checked.type, values: Object.freeze(checked.values) });
  });
  return Object.freeze({ policyId: label.policyId, classification: label.classification, categories: Object.freeze(sortByPolicy(policy, cats)) });
}

/**
 * Checks `clearance` against `policy` and returns its normalised, frozen form.
 * @throws LabelError like `checkLabel` (`label/unknown-classification`, `label/unknown-value`, …).
 */
export function checkClearance(clearance: Clearance, policy: LabelPolicy): Clearance {
  if (typeof clearance !== 'object' || clearance === null) fail('invalid-label', 'a clearance is an object');
  checkPolicyName(policy, clearance.policyId);
  if (classificationRank(policy, clearance.maxClassification) < 0) {
    fail('unknown-classification', `policy ${policy.policyId} has no classification "${String(clearance.maxClassification)}"`);
  }
  if (!Array.isArray(clearance.categories)) fail('invalid-label', 'categories: expected an array');
  const cats = clearance.categories.map((c) => {
    const { tagName, values } = checkValues(policy, c?.tagName, c?.values);
    return Object.freeze({ tagName, values: Object.freeze(values) });
  });
  return Object.freeze({
    policyId: clearance.policyId,
    maxClassification: clearance.maxClassification,
    categories: Object.freeze(sortByPolicy(policy, cats)),
  });
}

/** Structural equality of two normalised labels. */
export function labelsEqual(a: ConfidentialityLabel, b: ConfidentialityLabel): boolean {
  return (
    a.policyId === b.policyId &&
    a.classification === b.classification &&
    a.categories.length === b.categories.length &&
    a.categories.every((c, i) => {
      const d = b.categories[i]!;
      return c.tagName === d.tagName && c.type === d.type && c.values.length === d.values.length && c.values.every((v, j) => v === d.values[j]);
    })
  );
}
