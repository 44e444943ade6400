/** Frozen vectors of sealsync/labels: committed data, checked here, never regenerated. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Element } from '@xmldom/xmldom';
import { fromHex, utf8Decode, utf8Encode } from '../../src/bytes.js';
import { SecretKey, SigningKey, splitSignedDocument, VerifyKey } from '../../src/keys/index.js';
import type { DeviceId, RealmId, UserId, VlobId } from '../../src/codec/ids.js';
import { encodeManifest } from '../../src/manifests/manifest-format.js';
import { RealmKeyring } from '../../src/manifests/realm-keyring.js';
import type { ManifestTrust } from '../../src/manifests/trust.js';
import { decryptManifest } from '../../src/manifests/vlob-crypto.js';
import { SECRET_ALPHA_XAA } from './fixtures.js';
import { exclusiveC14n, exportBinding, importBinding, parseXml } from '../../src/labels/index.js';
import { encodeCertificate, readCertificate } from '../../src/certificates/index.js';
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

describe('label certificate vectors (certificate format v2)', () => {
  const v = read('labels-certificates-v2.json') as { verify_key: string; vectors: { type: string; signed: string; body: string }[] };
  it('cover the three types', () => {
    expect(new Set(v.vectors.map((x) => x.type))).toEqual(new Set(['label_policy', 'clearance', 'realm_label']));
  });
  for (const [i, x] of v.vectors.entries()) {
    it(`#${i} ${x.type}: decodes to the frozen certificate, verifies, and encodes back byte for byte`, async () => {
      const { certificate, body, signature } = readCertificate(fromHex(x.signed));
      expect(certificate).toEqual(LABEL_CERTIFICATES[i]);
      expect(await VerifyKey.fromBytes(fromHex(v.verify_key)).verify(body, signature)).toBe(true);
      expect(encodeCertificate(certificate)).toEqual(fromHex(x.body));
      // a flipped signature byte no longer verifies; a broken CBOR head is corrupted
      const badSig = fromHex(x.signed);
      badSig[0]! ^= 1;
      const r = readCertificate(badSig);
      expect(await VerifyKey.fromBytes(fromHex(v.verify_key)).verify(r.body, r.signature)).toBe(false);
      const badBody = fromHex(x.signed);
      badBody[64] = 0xff;
      expect(() => readCertificate(badBody)).toThrow(expect.objectContaining({ code: 'certificate/corrupted' }));
    });
  }
});

describe('a labelled file manifest (labels-manifest-v2.json; v1 refused)', () => {
  async function readLabelled(version: 1 | 2) {
    const M = read(`manifests-v${version}.json`);
    const L = read(`labels-manifest-v${version}.json`) as { keyIndex: number; signed: string; blob: string };
    const realmId = M.realmId as RealmId;
    const ownerKey = SigningKey.fromBytes(fromHex(M.owner.signingSeed));
    const trust: ManifestTrust = {
      deviceAt: (d, t) => (d === M.owner.deviceId && t >= M.owner.ownerSince ? { userId: M.owner.userId as UserId, verifyKey: ownerKey.verifyKey } : undefined),
      isUserRevokedAt: () => false,
      realmRoleAt: (r, u, t) => (r === realmId && u === M.owner.userId && t >= M.owner.ownerSince ? 'OWNER' : null),
    };
    const rotations = M.rotations.map((r: { keyIndex: number; suite: string; keyCanary: string }) => ({ ...r, keyCanary: fromHex(r.keyCanary) }));
    const keyring = await RealmKeyring.verified(realmId, (M.realmKeys as string[]).map((k) => SecretKey.fromBytes(fromHex(k))), rotations);
    const t = M.owner.ownerSince + 6_000_000;
    const out = decryptManifest({
      blob: fromHex(L.blob), realmId, realmKeys: keyring, trust,
      expected: { id: 'f2f2f2f2f2f2f2f2f2f2f2f2f2f2f2f2' as VlobId, version: 1, author: M.owner.deviceId as DeviceId, timestamp: t, keyIndex: L.keyIndex },
    });
    return { out, L };
  }

  it('v1 (no certificate heads) is refused: UnsupportedFormatError format/unsafe-version', async () => {
    await expect((await readLabelled(1)).out).rejects.toMatchObject({ code: 'format/unsafe-version' });
  });

  it('decrypts, verifies and decodes with its label; re-encoding gives the signed body; the label is covered by the signature', async () => {
    const { out: read2, L } = await readLabelled(2);
    const out = await read2;
    expect(out.manifest.type === 'file' && out.manifest.label).toEqual({ revision: 1, label: SECRET_ALPHA_XAA });
    expect(encodeManifest(out.manifest)).toEqual(splitSignedDocument(out.signed).body);
    expect(out.signed).toEqual(fromHex(L.signed));
  });
});
