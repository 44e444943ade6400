/** Frozen vectors of sealsync/labels: committed data, checked here, never regenerated. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Element } from '@xmldom/xmldom';
import { fromHex, utf8Decode, utf8Encode } from '../../src/bytes.js';
import { VerifyKey } from '../../src/keys/index.js';
import type { DeviceId } from '../../src/codec/ids.js';
import { encodeLabelCertificate, exclusiveC14n, exportBinding, importBinding, parseXml, readLabelCertificate } from '../../src/labels/index.js';
import { LABEL_CERTIFICATES } from './certificate-vectors.js';
import { CONTENT, DATA, POLICY, SIGNER } from './gateway-fixture.js';

const read = (name: string) => JSON.parse(readFileSync(new URL(`../vectors/formats/${name}`, import.meta.url), 'utf8'));

describe('binding data object vectors (v1)', () => {
  const v = read('labels-bdo-v1.json') as { signer_device_id: string; signer_verify_key: string; data: string; xml: string; json: string };
  const key = VerifyKey.fromBytes(fromHex(v.signer_verify_key));
  const signers = { verifyKeyAt: (d: DeviceId) => (d === v.signer_device_id ? key : undefined) };
  for (const format of ['xml', 'json'] as const) {
    it(`${format}: the frozen object imports with the frozen label, and the exporter still writes it byte for byte`, async () => {
      const r = await importBinding(utf8Encode(v[format]), fromHex(v.data), { signers, policy: POLICY });
      expect(r.label).toEqual(CONTENT.label);
      expect(r.flow).toEqual(CONTENT.flow);
      expect(r.signer).toBe(v.signer_device_id);
      expect(utf8Decode(await exportBinding(format, DATA, CONTENT, SIGNER))).toBe(v[format]);
    });
  }
});

describe('exclusive c14n against libxml2', () => {
  const v = read('labels-c14n-v1.json') as { vectors: { xml: string; element: number; c14n: string }[] };
  const elements = (root: Element): Element[] => {
    const out: Element[] = [];
    const walk = (e: Element) => {
      out.push(e);
      for (let n = e.firstChild; n; n = n.nextSibling) if (n.nodeType === 1) walk(n as Element);
    };
    walk(root);
    return out;
  };
  for (const [i, c] of v.vectors.entries()) {
    it(`#${i}`, () => {
      const el = elements(parseXml(c.xml).documentElement!)[c.element]!;
      expect(exclusiveC14n(el)).toBe(c.c14n);
    });
  }
});

describe('label certificate vectors (v1)', () => {
  const v = read('labels-certificates-v1.json') as { verify_key: string; vectors: { type: string; signed: string; body: string }[] };
  it('cover the three types', () => {
    expect(new Set(v.vectors.map((x) => x.type))).toEqual(new Set(['label_policy', 'clearance', 'realm_label']));
  });
  for (const [i, x] of v.vectors.entries()) {
    it(`#${i} ${x.type}: decodes to the frozen certificate, verifies, and encodes back byte for byte`, async () => {
      const { certificate, body, signature } = readLabelCertificate(fromHex(x.signed));
      expect(certificate).toEqual(LABEL_CERTIFICATES[i]);
      expect(await VerifyKey.fromBytes(fromHex(v.verify_key)).verify(body, signature)).toBe(true);
      expect(encodeLabelCertificate(certificate)).toEqual(fromHex(x.body));
      // a flipped signature byte no longer verifies; a broken CBOR head is corrupted
      const badSig = fromHex(x.signed);
      badSig[0]! ^= 1;
      const r = readLabelCertificate(badSig);
      expect(await VerifyKey.fromBytes(fromHex(v.verify_key)).verify(r.body, r.signature)).toBe(false);
      const badBody = fromHex(x.signed);
      badBody[64] = 0xff;
      expect(() => readLabelCertificate(badBody)).toThrow(expect.objectContaining({ code: 'label/corrupted' }));
    });
  }
});
