/** Frozen Shamir vectors (test/vectors/formats/shamir-v1.json): decoded, verified, re-encoded byte for byte. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { combine } from 'shamir-secret-sharing';
import { fromHex, toHex } from '../../src/bytes.js';
import { VerifyKey } from '../../src/keys/index.js';
import { decodeShareData, encodeShamirDocument, encodeShareData, readShamirDocument, type ShamirDocument } from '../../src/shamir/index.js';

const vectors = JSON.parse(readFileSync(new URL('../vectors/formats/shamir-v1.json', import.meta.url), 'utf8')) as {
  verify_key: string;
  documents: { type: ShamirDocument['type']; signed: string }[];
  share_data: string;
  split: { secret: string; threshold: number; shares: string[] };
};

describe('Shamir format vectors v1', () => {
  it('every signed document decodes, verifies and re-encodes to the same bytes', async () => {
    const key = VerifyKey.fromBytes(fromHex(vectors.verify_key));
    expect(vectors.documents.map((d) => d.type)).toEqual(['shamir_brief', 'shamir_share', 'shamir_deletion']);
    for (const v of vectors.documents) {
      const { document, body, signature } = readShamirDocument(fromHex(v.signed), v.type);
      expect(await key.verify(body, signature)).toBe(true);
      expect(toHex(encodeShamirDocument(document))).toBe(toHex(body));
    }
    const brief = readShamirDocument(fromHex(vectors.documents[0]!.signed), 'shamir_brief').document;
    expect(brief.threshold).toBe(3);
    expect([...brief.recipients.values()]).toEqual([2, 1]);
  });

  it('share data round-trips; the stored GF(256) split recombines from any threshold subset', async () => {
    const data = decodeShareData(fromHex(vectors.share_data));
    expect(toHex(encodeShareData(data))).toBe(vectors.share_data);
    const shares = vectors.split.shares.map(fromHex);
    expect(toHex(await combine([shares[0]!, shares[1]!]))).toBe(vectors.split.secret);
    expect(toHex(await combine([shares[2]!, shares[0]!]))).toBe(vectors.split.secret);
    expect(toHex(await combine([shares[1]!, shares[2]!]))).toBe(vectors.split.secret);
  });
});
