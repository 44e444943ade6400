/**
 * Frozen certificate format vectors: committed data, decoded and verified here, never regenerated.
 * v2 (topics are hash chains) is read; v1 is refused as unsafe (no chain position: a store could
 * not see a certificate dropped before it).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../../src/bytes.js';
import { VerifyKey } from '../../src/keys/index.js';
import { CERTIFICATE_TYPES, certificateDigest, openCertificate, REASONS, type CertificateType } from '../../src/certificates/index.js';
import { CertificateError, UnsupportedFormatError } from '../../src/errors.js';
import { toJson } from './vector-json.js';

interface Vector {
  type: CertificateType;
  verify_key: string;
  signed: string;
  digest?: string;
  expected: Record<string, unknown>;
}

const load = (name: string) => JSON.parse(readFileSync(new URL(`../vectors/formats/${name}`, import.meta.url), 'utf8')) as { vectors: Vector[] };
const v2 = load('certificates-v2.json');
const v1 = load('certificates-v1.json');

describe('certificate format v2 vectors', () => {
  it('cover every certificate type (the label types in labels-certificates-v2.json, test/labels/vectors.test.ts)', () => {
    const labels = load('labels-certificates-v2.json').vectors;
    expect(new Set([...v2.vectors, ...labels].map((v) => v.type))).toEqual(new Set(CERTIFICATE_TYPES));
  });

  it('chain: each prev is the digest of the previous vector of its topic', () => {
    const heads = new Map<string, string>();
    for (const v of v2.vectors) {
      const e = v.expected as { realmId?: string; chain: { position: number; prev: string | null } };
      const topic = e.realmId ?? 'common';
      expect(e.chain.prev).toBe(heads.get(topic) ?? null);
      heads.set(topic, v.digest!);
    }
  });

  for (const [i, v] of v2.vectors.entries()) {
    it(`#${i} ${v.type}: decodes, verifies and matches`, async () => {
      const key = VerifyKey.fromBytes(fromHex(v.verify_key));
      const cert = await openCertificate(fromHex(v.signed), key, v.type);
      expect(toJson(cert)).toEqual(v.expected);
      expect(toHex(certificateDigest(fromHex(v.signed)))).toBe(v.digest);
      // a wrong expected type is refused
      const other = CERTIFICATE_TYPES.find((t) => t !== v.type)!;
      await expect(openCertificate(fromHex(v.signed), key, other)).rejects.toMatchObject({ reason: REASONS.wrongType });
      // and a flipped byte is a bad signature or a corrupted certificate, never something else
      const bad = fromHex(v.signed);
      bad[bad.length - 1]! ^= 1;
      const err = await openCertificate(bad, key).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(CertificateError);
    });
  }
});

describe('certificate format v1 vectors (refused)', () => {
  for (const [i, v] of v1.vectors.entries()) {
    it(`#${i} ${v.type}: refused as unsupported-format, cause UnsupportedFormatError format/unsafe-version`, async () => {
      const key = VerifyKey.fromBytes(fromHex(v.verify_key));
      const err = await openCertificate(fromHex(v.signed), key).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(CertificateError);
      expect((err as CertificateError).reason).toBe(REASONS.unsupportedFormat);
      expect((err as CertificateError).cause).toBeInstanceOf(UnsupportedFormatError);
      expect(((err as CertificateError).cause as UnsupportedFormatError).code).toBe('format/unsafe-version');
    });
  }
});
