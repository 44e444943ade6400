/**
 * The dominance relation of STANAG 4774 labels (ADatP-4774.1; the RFC 2634 / X.841 access rules).
 *
 * A clearance dominates a label when its classification is at least the label's and, per category
 * type: RESTRICTIVE — the clearance holds every value the label carries; PERMISSIVE — the clearance
 * holds at least one of the label's values (a release list: being in one of the named communities is
 * enough); INFORMATIVE — no effect on access.
 *
 * A label `upper` bounds a label `lower` (used for "a file label does not exceed its workspace
 * label") when every clearance that dominates `upper` also dominates `lower`. Per type this is:
 * classification(lower) ≤ classification(upper); RESTRICTIVE values of lower ⊆ those of upper;
 * every PERMISSIVE category of lower is also in upper with upper's values ⊆ lower's (a narrower
 * release list in the file would exclude someone the workspace admits). The rule is sound and
 * tight: if it fails, a clearance exists that opens the workspace but not the file.
 *
 * Pure functions over normalised labels (see `checkLabel`); verdicts say why, for refusals.
 * @module
 */
import { LabelError } from '../errors.js';
import type { Clearance, ConfidentialityLabel } from './label.js';
import { classificationRank, type LabelPolicy } from './label-policy.js';

/** Why a dominance check failed. */
export type DominanceFailure =
  | { readonly reason: 'policy'; readonly message: string }
  | { readonly reason: 'classification'; readonly message: string }
  | { readonly reason: 'restrictive'; readonly tagName: string; readonly missing: readonly string[]; readonly message: string }
  | { readonly reason: 'permissive'; readonly tagName: string; readonly message: string };

/** `null` when dominated, else the first failure found (classification first, then categories in policy order). */
export type DominanceVerdict = DominanceFailure | null;

function rank(policy: LabelPolicy, name: string): number {
  const r = classificationRank(policy, name);
  if (r < 0) throw new LabelError('label/unknown-classification', `policy ${policy.policyId} has no classification "${name}"`);
  return r;
}

/**
 * Does `clearance` dominate `label` under `policy`? Returns `null` if so, else why not.
 * @throws LabelError `label/unknown-classification` if a name is not in `policy` (check inputs first).
 */
export function clearanceVerdict(clearance: Clearance, label: ConfidentialityLabel, policy: LabelPolicy): DominanceVerdict {
  if (clearance.policyId !== label.policyId || label.policyId !== policy.policyId) {
    return { reason: 'policy', message: `clearance policy ${clearance.policyId} cannot read a ${label.policyId} label` };
  }
  if (rank(policy, clearance.maxClassification) < rank(policy, label.classification)) {
    return { reason: 'classification', message: `cleared up to ${clearance.maxClassification}, label is ${label.classification}` };
  }
  for (const cat of label.categories) {
    const held = new Set(clearance.categories.find((c) => c.tagName === cat.tagName)?.values ?? []);
    if (cat.type === 'RESTRICTIVE') {
      const missing = cat.values.filter((v) => !held.has(v));
      if (missing.length > 0) {
        return { reason: 'restrictive', tagName: cat.tagName, missing, message: `${cat.tagName}: not cleared for ${missing.join(', ')}` };
      }
    } else if (cat.type === 'PERMISSIVE') {
      if (!cat.values.some((v) => held.has(v))) {
        return { reason: 'permissive', tagName: cat.tagName, message: `${cat.tagName}: cleared for none of ${cat.values.join(', ')}` };
      }
    }
    // INFORMATIVE: no effect on access (ADatP-4774 Table 8).
  }
  return null;
}

/** `clearanceVerdict(...) === null`. */
export function clearanceDominates(clearance: Clearance, label: ConfidentialityLabel, policy: LabelPolicy): boolean {
  return clearanceVerdict(clearance, label, policy) === null;
}

/**
 * Does `upper` bound `lower` (every clearance that dominates `upper` dominates `lower`)? `null` if
 * so, else why not.
 * @throws LabelError `label/unknown-classification` if a name is not in `policy`.
 */
export function labelBoundVerdict(upper: ConfidentialityLabel, lower: ConfidentialityLabel, policy: LabelPolicy): DominanceVerdict {
  if (upper.policyId !== lower.policyId || upper.policyId !== policy.policyId) {
    return { reason: 'policy', message: `a ${lower.policyId} label cannot sit under a ${upper.policyId} label` };
  }
  if (rank(policy, lower.classification) > rank(policy, upper.classification)) {
    return { reason: 'classification', message: `${lower.classification} is above ${upper.classification}` };
  }
  for (const cat of lower.categories) {
    const up = upper.categories.find((c) => c.tagName === cat.tagName);
    if (cat.type === 'RESTRICTIVE') {
      const allowed = new Set(up?.values ?? []);
      const missing = cat.values.filter((v) => !allowed.has(v));
      if (missing.length > 0) {
        return { reason: 'restrictive', tagName: cat.tagName, missing, message: `${cat.tagName}: ${missing.join(', ')} not in the upper label` };
      }
    } else if (cat.type === 'PERMISSIVE') {
      const mine = new Set(cat.values);
      if (!up || !up.values.every((v) => mine.has(v))) {
        return { reason: 'permissive', tagName: cat.tagName, message: `${cat.tagName}: narrower release than the upper label` };
      }
    }
  }
  return null;
}

/** `labelBoundVerdict(...) === null`. */
export function labelBounds(upper: ConfidentialityLabel, lower: ConfidentialityLabel, policy: LabelPolicy): boolean {
  return labelBoundVerdict(upper, lower, policy) === null;
}
