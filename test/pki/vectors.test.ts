/**
 * Frozen PKI enrollment vectors (test/vectors/formats/pki-v1.json): every request verifies at the
 * frozen instant under its root, re-encodes byte for byte, and is refused once tampered with or
 * checked at an instant outside its certificates' validity.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../../src/bytes.js';
import type { OrganizationId } from '../../src/codec/ids.js';
import { refusalCode } from '../support/caught.js';
import { decodePkiRequest, encodePkiRequest, verifyPkiEnrollment } from '../../src/pki/index.js';

const vectors = JSON.parse(readFileSync(new URL('../vectors/formats/pki-v1.json', import.meta.url), 'utf8')) as {
  organization_id: OrganizationId;
  verify_at: string;
  requests: { algorithms: { root: string; intermediate: string; leaf: string }; email: string; root: string; chain: string[]; request: string; signature: string }[];
};

const code = refusalCode;

describe('PKI enrollment vectors v1', () => {
  const at = new Date(vectors.verify_at);
  const orgId = vectors.organization_id;

  it('cover every supported key algorithm as leaf, intermediate and root', () => {
    for (const role of ['root', 'intermediate', 'leaf'] as const) {
      expect(new Set(vectors.requests.map((r) => r.algorithms[role]))).toEqual(new Set(['P-256', 'P-384', 'RSA', 'Ed25519']));
    }
  });

  it('each request verifies, names its leaf email, and re-encodes to the same bytes', async () => {
    for (const v of vectors.requests) {
      const signed = { chain: v.chain.map(fromHex), request: fromHex(v.request), signature: fromHex(v.signature) };
      const verified = await verifyPkiEnrollment(signed, [fromHex(v.root)], at, orgId);
      expect(verified.identity.email, JSON.stringify(v.algorithms)).toBe(v.email);
      expect(toHex(encodePkiRequest(decodePkiRequest(signed.request)))).toBe(v.request);
    }
  });

  it('tampered request, signature or chain, another root, another instant or organisation: refused with its code', async () => {
    for (const v of vectors.requests) {
      const roots = [fromHex(v.root)];
      const base = { chain: v.chain.map(fromHex), request: fromHex(v.request), signature: fromHex(v.signature) };
      // Another device label, same length: still a well-formed request, no longer the signed one.
      const request = base.request.slice();
      const label = Buffer.from(request).indexOf('device ');
      expect(label).toBeGreaterThan(0);
      request[label]! = 'D'.charCodeAt(0);
      expect(await code(verifyPkiEnrollment({ ...base, request }, roots, at, orgId))).toBe('pki/bad-request-signature');
      const signature = base.signature.slice();
      signature[signature.length - 1]! ^= 1;
      expect(['pki/bad-request-signature', 'pki/bad-signature']).toContain(await code(verifyPkiEnrollment({ ...base, signature }, roots, at, orgId)));
      const leaf = base.chain[0]!.slice();
      leaf[leaf.length - 3]! ^= 1; // inside the issuer's signature over the leaf
      expect(await code(verifyPkiEnrollment({ ...base, chain: [leaf, base.chain[1]!] }, roots, at, orgId))).toBe('pki/bad-signature');
      const other = vectors.requests.find((o) => o !== v)!;
      expect(await code(verifyPkiEnrollment(base, [fromHex(other.root)], at, orgId))).toBe('pki/untrusted');
      expect(await code(verifyPkiEnrollment(base, roots, new Date('2030-01-01T00:00:00Z'), orgId))).toBe('pki/expired');
      expect(await code(verifyPkiEnrollment(base, roots, new Date('2026-01-01T00:00:00Z'), orgId))).toBe('pki/not-yet-valid');
      expect(await code(verifyPkiEnrollment(base, roots, at, 'ab'.repeat(16) as OrganizationId))).toBe('pki/wrong-organization');
    }
  });
});
