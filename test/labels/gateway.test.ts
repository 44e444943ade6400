import { describe, expect, it } from 'vitest';
import { utf8Decode, utf8Encode } from '../../src/bytes.js';
import { BindingError, LabelError, SealsyncError } from '../../src/errors.js';
import { CertificateStore, COMMON_TOPIC } from '../../src/certificates/index.js';
import {
  certificateStoreSigners,
  checkPolicy,
  exportBinding,
  importBinding,
  type BindingFormat,
  type LabelPolicy,
} from '../../src/labels/index.js';
import { Builder } from '../certificates/builder.js';
import { ACME } from './fixtures.js';
import { CONTENT, CONTENT_RESTRICTED, DATA, POLICY, REALM, SIGNER, SIGNERS } from './gateway-fixture.js';

async function rejects(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(SealsyncError);
    return (e as SealsyncError).code;
  }
  throw new Error('expected a refusal');
}

const edit = (b: Uint8Array, from: string | RegExp, to: string) => {
  const s = utf8Decode(b);
  const t = s.replace(from, to);
  expect(t).not.toBe(s);
  return utf8Encode(t);
};

describe.each<BindingFormat>(['xml', 'json'])('%s binding data object', (format) => {
  it('round trip: the importer gets the label, the flow label, the reference and the signer', async () => {
    const bdo = await exportBinding(format, DATA, CONTENT, SIGNER);
    const r = await importBinding(bdo, DATA, { signers: SIGNERS, policy: POLICY });
    expect(r.format).toBe(format);
    expect(r.label).toEqual(CONTENT.label);
    expect(r.flow).toEqual(CONTENT.flow);
    expect(r.flow?.realmId).toBe(REALM);
    expect([r.dataUri, r.contentType, r.signer]).toEqual([CONTENT.dataUri, CONTENT.contentType, SIGNER.deviceId]);
    expect(r.localLabel).toEqual(CONTENT.label.label);
    // without a flow label too
    const plain = await importBinding(await exportBinding(format, DATA, CONTENT_RESTRICTED, SIGNER), DATA, { signers: SIGNERS, policy: POLICY });
    expect(plain.flow).toBeUndefined();
    expect(plain.localLabel.classification).toBe('RESTRICTED');
  });

  it('tamper: a changed label is refused', async () => {
    const bdo = await exportBinding(format, DATA, CONTENT, SIGNER);
    const forged = edit(bdo, format === 'xml' ? '<slab:Classification>SECRET<' : '"Classification": "SECRET"', format === 'xml' ? '<slab:Classification>RESTRICTED<' : '"Classification": "RESTRICTED"');
    expect(await rejects(importBinding(forged, DATA, { signers: SIGNERS, policy: POLICY }))).toBe(format === 'xml' ? 'binding/metadata-mismatch' : 'binding/bad-signature');
    // dropping a restrictive category is a label change too
    const dropped = edit(bdo, format === 'xml' ? /<slab:Category TagName="Special Handling"[^]*?<\/slab:Category>/ : /\{\s*"Type": "RESTRICTIVE"[^]*?\]\s*\},/, '');
    expect(await rejects(importBinding(dropped, DATA, { signers: SIGNERS, policy: POLICY }))).toMatch(/^binding\/(metadata-mismatch|bad-signature)$/);
  });

  it('tamper: changed data is refused', async () => {
    const bdo = await exportBinding(format, DATA, CONTENT, SIGNER);
    const other = DATA.slice();
    other[0]! ^= 1;
    expect(await rejects(importBinding(bdo, other, { signers: SIGNERS, policy: POLICY }))).toBe('binding/data-mismatch');
  });

  it('tamper: a signature moved to another binding is refused', async () => {
    const a = utf8Decode(await exportBinding(format, DATA, CONTENT, SIGNER));
    const otherData = utf8Encode('another document');
    const b = utf8Decode(await exportBinding(format, otherData, CONTENT, SIGNER));
    const sigOf = (s: string) => (format === 'xml' ? /<ds:SignatureValue>[^<]*<\/ds:SignatureValue>/ : /"Signature": \[\s*"[^"]*"/).exec(s)![0];
    const moved = utf8Encode(b.replace(sigOf(b), sigOf(a)));
    expect(await rejects(importBinding(moved, otherData, { signers: SIGNERS, policy: POLICY }))).toBe('binding/bad-signature');
    // the whole signature element/JWS moved with its data digest: the data no longer matches
    if (format === 'xml') {
      const whole = (s: string) => /<ds:Signature [^]*<\/ds:Signature>/.exec(s)![0];
      const movedAll = utf8Encode(b.replace(whole(b), whole(a)));
      expect(await rejects(importBinding(movedAll, otherData, { signers: SIGNERS, policy: POLICY }))).toBe('binding/data-mismatch');
    }
  });

  it('refuses a signer the organisation does not know', async () => {
    const bdo = await exportBinding(format, DATA, CONTENT, SIGNER);
    expect(await rejects(importBinding(bdo, DATA, { signers: { verifyKeyAt: () => undefined }, policy: POLICY }))).toBe('binding/unknown-signer');
  });

  it('refuses a label the importer policy cannot map, accepts it through a mapping', async () => {
    const bdo = await exportBinding(format, DATA, CONTENT, SIGNER);
    const partner: LabelPolicy = checkPolicy({
      policyId: 'PARTNER',
      classifications: [{ name: 'PUBLIC', lacv: 0 }, { name: 'GEHEIM', lacv: 5 }],
      categories: [
        { tagName: 'Sonder', type: 'RESTRICTIVE', values: ['A'] },
        { tagName: 'Freigabe', type: 'PERMISSIVE', values: ['AA', 'BB'] },
      ],
    });
    const err = await importBinding(bdo, DATA, { signers: SIGNERS, policy: partner }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LabelError);
    expect((err as LabelError).code).toBe('label/unmappable');
    const noCategory = { fromPolicyId: 'ACME', classifications: { SECRET: 'GEHEIM' } };
    expect(await rejects(importBinding(bdo, DATA, { signers: SIGNERS, policy: partner, mappings: [noCategory] }))).toBe('label/unmappable');
    const mapping = {
      fromPolicyId: 'ACME',
      classifications: { SECRET: 'GEHEIM' },
      categories: { 'Special Handling': { tagName: 'Sonder', values: { ALPHA: 'A' } }, 'Releasable To': { tagName: 'Freigabe', values: { XAA: 'AA', XBB: 'BB' } } },
    };
    const r = await importBinding(bdo, DATA, { signers: SIGNERS, policy: partner, mappings: [mapping] });
    expect(r.localLabel).toEqual({
      policyId: 'PARTNER',
      classification: 'GEHEIM',
      categories: [
        { tagName: 'Sonder', type: 'RESTRICTIVE', values: ['A'] },
        { tagName: 'Freigabe', type: 'PERMISSIVE', values: ['AA', 'BB'] },
      ],
    });
    // a prototype key is not a mapping
    const proto = { fromPolicyId: 'ACME', classifications: {} as Record<string, string> };
    expect(await rejects(importBinding(bdo, DATA, { signers: SIGNERS, policy: partner, mappings: [proto] }))).toBe('label/unmappable');
  });
});

describe('algorithms outside the profile', () => {
  it('XML: another SignatureMethod or DigestMethod is refused', async () => {
    const bdo = await exportBinding('xml', DATA, CONTENT, SIGNER);
    const rsa = edit(bdo, 'xmldsig-more#eddsa-ed25519', 'xmldsig-more#rsa-sha256');
    expect(await rejects(importBinding(rsa, DATA, { signers: SIGNERS, policy: POLICY }))).toBe('binding/unsupported-algorithm');
    const sha1 = edit(bdo, 'http://www.w3.org/2001/04/xmldsig-more#sha384', 'http://www.w3.org/2000/09/xmldsig#sha1');
    expect(await rejects(importBinding(sha1, DATA, { signers: SIGNERS, policy: POLICY }))).toBe('binding/unsupported-algorithm');
  });
  it('JSON: alg "none" and HMAC are refused', async () => {
    const bdo = utf8Decode(await exportBinding('json', DATA, CONTENT, SIGNER));
    for (const alg of ['none', 'HS256']) {
      const header = Buffer.from(JSON.stringify({ alg, kid: SIGNER.deviceId, typ: 'application/vnd.nato.bindingdataobject+json' })).toString('base64url');
      const forged = bdo.replace(/"Signature": \[\s*"[^.]*\./, `"Signature": [\n      "${header}.`);
      expect(await rejects(importBinding(utf8Encode(forged), DATA, { signers: SIGNERS, policy: POLICY }))).toBe('binding/unsupported-algorithm');
    }
  });
  it('neither form', async () => {
    expect(await rejects(importBinding(utf8Encode('PK\u0003\u0004'), DATA, { signers: SIGNERS, policy: POLICY }))).toBe('binding/unknown-format');
  });
});

describe('signers from the organisation certificates', () => {
  it('a device of the organisation verifies; after its user is revoked, its exports are refused', async () => {
    const b = new Builder(17);
    const admin = await b.bootstrap();
    const bob = await b.user(admin.dev);
    const store = await CertificateStore.open({ rootVerifyKey: b.root.verifyKey });
    await store.ingest(COMMON_TOPIC, [...admin.certs, ...bob.certs]);
    const signer = { deviceId: bob.dev.deviceId, signingKey: bob.dev.key };
    const content = { ...CONTENT, label: { ...CONTENT.label, creationTime: b.tick() } };
    for (const format of ['xml', 'json'] as const) {
      const bdo = await exportBinding(format, DATA, content, signer);
      const ok = await importBinding(bdo, DATA, { signers: certificateStoreSigners(store), policy: checkPolicy(ACME) });
      expect(ok.signer).toBe(bob.dev.deviceId);
    }
    // a label dated before the device existed is refused
    const early = { ...CONTENT, label: { ...CONTENT.label, creationTime: 1_600_000_000_000_000 } };
    const e1 = await importBinding(await exportBinding('json', DATA, early, signer), DATA, { signers: certificateStoreSigners(store), policy: POLICY }).catch((e: unknown) => e);
    expect((e1 as BindingError).code).toBe('binding/unknown-signer');
    await store.ingest(COMMON_TOPIC, [await b.revoke(admin.dev, bob.dev.userId)]);
    for (const format of ['xml', 'json'] as const) {
      const bdo = await exportBinding(format, DATA, content, signer);
      expect(await rejects(importBinding(bdo, DATA, { signers: certificateStoreSigners(store), policy: POLICY }))).toBe('binding/unknown-signer');
    }
  });
});
