import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LabelError } from '../../src/errors.js';
import {
  checkClearance,
  checkLabel,
  checkPolicy,
  clearanceDominates,
  clearanceVerdict,
  labelBoundVerdict,
  labelBounds,
  type Clearance,
  type ConfidentialityLabel,
} from '../../src/labels/index.js';
import { ACME, SECRET_ALPHA_XAA, clearance, label } from './fixtures.js';

const policy = checkPolicy(ACME);
const code = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(LabelError);
    return (e as LabelError).code;
  }
  throw new Error('did not throw');
};

describe('policy checks', () => {
  it('accepts the fixture and freezes it', () => {
    expect(Object.isFrozen(policy.categories[0]!.values)).toBe(true);
  });
  it.each([
    ['empty id', { ...ACME, policyId: '' }],
    ['padded id', { ...ACME, policyId: ' ACME' }],
    ['bad uri', { ...ACME, policyUri: 'http://x' }],
    ['no classification', { ...ACME, classifications: [] }],
    ['duplicate classification', { ...ACME, classifications: [{ name: 'A', lacv: 1 }, { name: 'A', lacv: 2 }] }],
    ['duplicate lacv', { ...ACME, classifications: [{ name: 'A', lacv: 1 }, { name: 'B', lacv: 1 }] }],
    ['bad type', { ...ACME, categories: [{ tagName: 'X', type: 'permissive', values: ['a'] }] }],
    ['no values', { ...ACME, categories: [{ tagName: 'X', type: 'PERMISSIVE', values: [] }] }],
    ['duplicate value', { ...ACME, categories: [{ tagName: 'X', type: 'PERMISSIVE', values: ['a', 'a'] }] }],
    ['duplicate tag', { ...ACME, categories: [ACME.categories[0], ACME.categories[0]] }],
    ['control char', { ...ACME, policyId: 'A\u0000' }],
  ])('refuses a policy with %s (label/invalid-policy)', (_, p) => {
    expect(code(() => checkPolicy(p as never))).toBe('label/invalid-policy');
  });
});

describe('label checks', () => {
  it('normalises category and value order to the policy order', () => {
    const l = checkLabel(
      label('SECRET', [
        { tagName: 'Releasable To', type: 'PERMISSIVE', values: ['XBB', 'XAA'] },
        { tagName: 'Special Handling', type: 'RESTRICTIVE', values: ['ALPHA'] },
      ]),
      policy,
    );
    expect(l).toEqual(checkLabel(SECRET_ALPHA_XAA, policy));
  });
  it.each([
    ['label/policy-mismatch', { ...label('SECRET'), policyId: 'OTHER' }],
    ['label/unknown-classification', label('TOP SECRET')],
    ['label/unknown-category', label('SECRET', [{ tagName: 'Nope', type: 'PERMISSIVE', values: ['XAA'] }])],
    ['label/unknown-value', label('SECRET', [{ tagName: 'Releasable To', type: 'PERMISSIVE', values: ['XZZ'] }])],
    ['label/category-type-mismatch', label('SECRET', [{ tagName: 'Releasable To', type: 'RESTRICTIVE', values: ['XAA'] }])],
    ['label/invalid-label', label('SECRET', [{ tagName: 'Releasable To', type: 'PERMISSIVE', values: [] }])],
    ['label/invalid-label', label('SECRET', [{ tagName: 'Releasable To', type: 'PERMISSIVE', values: ['XAA', 'XAA'] }])],
    [
      'label/invalid-label',
      label('SECRET', [
        { tagName: 'Releasable To', type: 'PERMISSIVE', values: ['XAA'] },
        { tagName: 'Releasable To', type: 'PERMISSIVE', values: ['XBB'] },
      ]),
    ],
  ])('refuses with %s', (expected, l) => {
    expect(code(() => checkLabel(l as ConfidentialityLabel, policy))).toBe(expected);
  });
  it('refuses a clearance above the policy', () => {
    expect(code(() => checkClearance(clearance('COSMIC'), policy))).toBe('label/unknown-classification');
  });
});

describe('dominance by category type', () => {
  const ok = clearance('SECRET', [
    { tagName: 'Special Handling', values: ['ALPHA'] },
    { tagName: 'Releasable To', values: ['XBB'] },
  ]);
  it('a clearance that holds every restrictive value and one permissive value dominates', () => {
    expect(clearanceVerdict(ok, SECRET_ALPHA_XAA, policy)).toBeNull();
  });
  it('classification: cleared below the label is refused', () => {
    expect(clearanceVerdict({ ...ok, maxClassification: 'CONFIDENTIAL' }, SECRET_ALPHA_XAA, policy)?.reason).toBe('classification');
  });
  it('restrictive: every value is required', () => {
    const l = label('RESTRICTED', [{ tagName: 'Special Handling', type: 'RESTRICTIVE', values: ['ALPHA', 'BRAVO'] }]);
    const v = clearanceVerdict(ok, l, policy);
    expect(v).toMatchObject({ reason: 'restrictive', tagName: 'Special Handling', missing: ['BRAVO'] });
  });
  it('permissive: one value is enough, none is refused', () => {
    const none = clearance('SECRET', [{ tagName: 'Special Handling', values: ['ALPHA'] }, { tagName: 'Releasable To', values: ['XCC'] }]);
    expect(clearanceVerdict(none, SECRET_ALPHA_XAA, policy)?.reason).toBe('permissive');
  });
  it('informative: no effect', () => {
    const l = label('UNCLASSIFIED', [{ tagName: 'Administrative', type: 'INFORMATIVE', values: ['LEGAL', 'HR'] }]);
    expect(clearanceDominates(clearance('UNCLASSIFIED'), l, policy)).toBe(true);
  });
  it('another policy never dominates', () => {
    expect(clearanceVerdict({ ...ok, policyId: 'OTHER' }, SECRET_ALPHA_XAA, policy)?.reason).toBe('policy');
  });
});

// Random labels and clearances of the fixture policy (normalised).
const valuesOf = (tag: number) => fc.subarray([...ACME.categories[tag]!.values], { minLength: 1 });
const labelArb = fc
  .record({
    c: fc.constantFrom(...ACME.classifications.map((c) => c.name)),
    cats: fc.tuple(fc.option(valuesOf(0)), fc.option(valuesOf(1)), fc.option(valuesOf(2))),
  })
  .map(({ c, cats }) =>
    checkLabel(
      label(
        c,
        cats.flatMap((v, i) => (v === null ? [] : [{ tagName: ACME.categories[i]!.tagName, type: ACME.categories[i]!.type, values: v }])),
      ),
      policy,
    ),
  );
/** Every clearance of the fixture policy (informative categories have no effect): 4 × 4 × 8. */
function allClearances(): Clearance[] {
  const subsets = <T,>(xs: readonly T[]): T[][] => xs.reduce<T[][]>((acc, x) => acc.concat(acc.map((s) => [...s, x])), [[]]);
  const out: Clearance[] = [];
  for (const c of ACME.classifications)
    for (const sh of subsets(ACME.categories[0]!.values))
      for (const rel of subsets(ACME.categories[1]!.values)) {
        const cats = [];
        if (sh.length) cats.push({ tagName: 'Special Handling', values: sh });
        if (rel.length) cats.push({ tagName: 'Releasable To', values: rel });
        out.push(checkClearance(clearance(c.name, cats), policy));
      }
  return out;
}

describe('label bound (file label ≤ workspace label)', () => {
  it('named cases', () => {
    const ws = SECRET_ALPHA_XAA;
    expect(labelBounds(ws, label('RESTRICTED'), policy)).toBe(true);
    expect(labelBoundVerdict(ws, label('SECRET', [{ tagName: 'Special Handling', type: 'RESTRICTIVE', values: ['BRAVO'] }]), policy)?.reason).toBe('restrictive');
    // a file releasable to fewer parties than its workspace would lock out a workspace reader
    expect(labelBoundVerdict(ws, label('SECRET', [{ tagName: 'Releasable To', type: 'PERMISSIVE', values: ['XAA'] }]), policy)?.reason).toBe('permissive');
    expect(labelBounds(ws, label('SECRET', [{ tagName: 'Releasable To', type: 'PERMISSIVE', values: ['XAA', 'XBB', 'XCC'] }]), policy)).toBe(true);
  });
  it('is sound and tight: bounds(ws, f) ⇔ every clearance dominating ws dominates f', () => {
    const clearances = allClearances();
    expect(clearances).toHaveLength(128);
    fc.assert(
      fc.property(labelArb, labelArb, (ws, f) => {
        const bound = labelBounds(ws, f, policy);
        const counter = clearances.some((c) => clearanceDominates(c, ws, policy) && !clearanceDominates(c, f, policy));
        expect(counter).toBe(!bound);
      }),
      { numRuns: 300, seed: 17 },
    );
  });
  it('is reflexive and transitive', () => {
    fc.assert(
      fc.property(labelArb, labelArb, labelArb, (a, b, c) => {
        expect(labelBounds(a, a, policy)).toBe(true);
        if (labelBounds(a, b, policy) && labelBounds(b, c, policy)) expect(labelBounds(a, c, policy)).toBe(true);
      }),
      { numRuns: 300, seed: 18 },
    );
  });
});
