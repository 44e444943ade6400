/** Frozen format v1 vectors: committed data, decoded and verified here, never regenerated. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fromHex } from '../../src/bytes.js';
import { VerifyKey } from '../../src/keys/index.js';
import { CERTIFICATE_TYPES, openCertificate, REASONS, type CertificateType } from '../../src/certificates/index.js';
import { CertificateError } from '../../src/errors.js';
import { toJson } from './vector-json.js';

interface Vector {
  type: CertificateType;
  verify_key: string;
  signed: string;
  expected: Record<string, unknown>;
}

const doc = JSON.parse(readFileSync(new URL('../vectors/formats/certificates-v1.json', import.meta.url), 'utf8')) as { vectors: Vector[] };

describe('certificate format v1 vectors', () => {
  it('cover every certificate type', () => {
    expect(new Set(doc.vectors.map((v) => v.type))).toEqual(new Set(CERTIFICATE_TYPES));
  });

  for (const [i, v] of doc.vectors.entries()) {
    it(`#${i} ${v.type}: decodes, verifies and matches`, async () => {
      const key = VerifyKey.fromBytes(fromHex(v.verify_key));
      const cert = await openCertificate(fromHex(v.signed), key, v.type);
      expect(toJson(cert)).toEqual(v.expected);
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
