/**
 * Label policies: the data of an organisation's SPIF (Security Policy Information File) that
 * sealsync needs to read and compare STANAG 4774 confidentiality labels.
 *
 * A policy names itself (`policyId`, the 4774 `PolicyIdentifier`), lists its classifications from
 * lowest to highest (the order IS the hierarchy) and its categories, each with a tag name, a type and
 * the values it allows. Mapping follows ADatP-4774.1 Table 10: `PolicyIdentifier` = policy name,
 * `Classification` = classification name, `TagName` = category tag set name, `GenericValue` = value
 * name (never the binary `lacv`).
 * @module
 */
import { LabelError } from '../errors.js';

/** The three STANAG 4774 category types (the `Type` attribute of `slab:Category`). */
export const CATEGORY_TYPES = ['RESTRICTIVE', 'PERMISSIVE', 'INFORMATIVE'] as const;
/** One of {@link CATEGORY_TYPES}: restrictive (all values needed), permissive (any value suffices) or informative (not checked). */
export type CategoryType = (typeof CATEGORY_TYPES)[number];

/** One classification of a policy. */
export interface PolicyClassification {
  /** The `Classification` text, e.g. `SECRET`. */
  readonly name: string;
  /** The SPIF's label and cert value (binary encodings); kept for mapping, never compared. */
  readonly lacv: number;
}

/** One category (security category tag set) of a policy. */
export interface PolicyCategory {
  readonly tagName: string;
  readonly type: CategoryType;
  /** The values the category allows (its `tagCategory` names). */
  readonly values: readonly string[];
}

/** The data of a label policy (published by an admin in a label policy certificate). */
export interface LabelPolicy {
  /** The 4774 `PolicyIdentifier` text, e.g. `ACME`. */
  readonly policyId: string;
  /** Optional `urn:oid:` URI of the policy (ADatP-4774 Table 5). */
  readonly policyUri?: string;
  /** Lowest first; the position is the hierarchy. */
  readonly classifications: readonly PolicyClassification[];
  readonly categories: readonly PolicyCategory[];
}

/** Bounds of a policy: every name is small, so that a hostile policy cannot make checks slow. */
export const POLICY_LIMITS = {
  maxNameBytes: 128,
  maxClassifications: 64,
  maxCategories: 64,
  maxValuesPerCategory: 256,
} as const;

const encoder = new TextEncoder();

/**
 * True for a 4774 token: non-empty, at most `POLICY_LIMITS.maxNameBytes` UTF-8 bytes, no control
 * characters, no leading/trailing/double spaces (`xs:token` collapses those, so two spellings would
 * name one thing).
 */
export function isLabelToken(s: unknown): s is string {
  if (typeof s !== 'string' || s.length === 0) return false;
  if (encoder.encode(s).length > POLICY_LIMITS.maxNameBytes) return false;
  if (s !== s.normalize('NFC')) return false;
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f-\u009f]/.test(s)) return false;
  return !(s.startsWith(' ') || s.endsWith(' ') || s.includes('  '));
}

const URI_RE = /^urn:oid:[0-2](\.(0|[1-9][0-9]*))+$/;

function fail(reason: string, message: string): never {
  throw new LabelError(`label/${reason}`, message);
}

function checkUnique(names: readonly string[], what: string): void {
  const seen = new Set<string>();
  for (const n of names) {
    if (seen.has(n)) fail('invalid-policy', `duplicate ${what} "${n}"`);
    seen.add(n);
  }
}

/**
 * Checks that `policy` is well formed and returns a frozen copy.
 * @throws LabelError `label/invalid-policy` (bad token, duplicate name, bad type or URI, limits).
 */
export function checkPolicy(policy: LabelPolicy): LabelPolicy {
  if (typeof policy !== 'object' || policy === null) fail('invalid-policy', 'a policy is an object');
  if (!isLabelToken(policy.policyId)) fail('invalid-policy', 'policyId: expected a non-empty token');
  if (policy.policyUri !== undefined && (typeof policy.policyUri !== 'string' || !URI_RE.test(policy.policyUri))) {
    fail('invalid-policy', 'policyUri: expected urn:oid:<dotted OID> (ADatP-4774 Table 5)');
  }
  const cls = policy.classifications;
  if (!Array.isArray(cls) || cls.length === 0 || cls.length > POLICY_LIMITS.maxClassifications) {
    fail('invalid-policy', `classifications: 1 to ${POLICY_LIMITS.maxClassifications} expected`);
  }
  for (const c of cls) {
    if (!isLabelToken(c?.name)) fail('invalid-policy', 'classification name: expected a token');
    if (!Number.isSafeInteger(c.lacv) || c.lacv < 0) fail('invalid-policy', `classification ${c.name}: lacv must be a uint`);
  }
  checkUnique(cls.map((c) => c.name), 'classification');
  checkUnique(cls.map((c) => String(c.lacv)), 'classification lacv');
  const cats = policy.categories;
  if (!Array.isArray(cats) || cats.length > POLICY_LIMITS.maxCategories) {
    fail('invalid-policy', `categories: at most ${POLICY_LIMITS.maxCategories}`);
  }
  for (const c of cats) {
    if (!isLabelToken(c?.tagName)) fail('invalid-policy', 'category tagName: expected a token');
    if (!CATEGORY_TYPES.includes(c.type)) fail('invalid-policy', `category ${c.tagName}: unknown type`);
    if (!Array.isArray(c.values) || c.values.length === 0 || c.values.length > POLICY_LIMITS.maxValuesPerCategory) {
      fail('invalid-policy', `category ${c.tagName}: 1 to ${POLICY_LIMITS.maxValuesPerCategory} values`);
    }
    for (const v of c.values) if (!isLabelToken(v)) fail('invalid-policy', `category ${c.tagName}: value is not a token`);
    checkUnique(c.values, `value of ${c.tagName}`);
  }
  checkUnique(cats.map((c) => c.tagName), 'category');
  return Object.freeze({
    policyId: policy.policyId,
    ...(policy.policyUri === undefined ? {} : { policyUri: policy.policyUri }),
    classifications: Object.freeze(cls.map((c) => Object.freeze({ name: c.name, lacv: c.lacv }))),
    categories: Object.freeze(
      cats.map((c) => Object.freeze({ tagName: c.tagName, type: c.type, values: Object.freeze([...c.values]) })),
    ),
  });
}

/** Position of `classification` in `policy` (0 = lowest), or -1 if the policy does not know it. */
export function classificationRank(policy: LabelPolicy, classification: string): number {
  return policy.classifications.findIndex((c) => c.name === classification);
}

/** The category named `tagName`, or `undefined`. */
export function policyCategory(policy: LabelPolicy, tagName: string): PolicyCategory | undefined {
  return policy.categories.find((c) => c.tagName === tagName);
}
