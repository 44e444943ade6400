import type { Clearance, ConfidentialityLabel, LabelPolicy } from '../../src/labels/index.js';

/** A national-style policy under the 2.25 (UUID) OID arc: it cannot collide with a real one. */
export const ACME: LabelPolicy = {
  policyId: 'ACME',
  policyUri: 'urn:oid:2.25.311963744520313447712412931305398811905',
  classifications: [
    { name: 'UNCLASSIFIED', lacv: 1 },
    { name: 'RESTRICTED', lacv: 2 },
    { name: 'CONFIDENTIAL', lacv: 3 },
    { name: 'SECRET', lacv: 4 },
  ],
  categories: [
    { tagName: 'Special Handling', type: 'RESTRICTIVE', values: ['ALPHA', 'BRAVO'] },
    { tagName: 'Releasable To', type: 'PERMISSIVE', values: ['XAA', 'XBB', 'XCC'] },
    { tagName: 'Administrative', type: 'INFORMATIVE', values: ['LEGAL', 'HR'] },
  ],
};

export function label(classification: string, categories: ConfidentialityLabel['categories'] = []): ConfidentialityLabel {
  return { policyId: 'ACME', classification, categories };
}

export function clearance(maxClassification: string, categories: Clearance['categories'] = []): Clearance {
  return { policyId: 'ACME', maxClassification, categories };
}

export const SECRET_ALPHA_XAA = label('SECRET', [
  { tagName: 'Special Handling', type: 'RESTRICTIVE', values: ['ALPHA'] },
  { tagName: 'Releasable To', type: 'PERMISSIVE', values: ['XAA', 'XBB'] },
]);
