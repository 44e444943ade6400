/**
 * X.509 chain validation: a good chain passes; expired, not-yet-valid, wrong CA, bad signature,
 * wrong key usage, a non-CA issuer and malformed bytes are each refused with their code.
 */
import { describe, expect, it } from 'vitest';
import { refusalCode } from '../support/caught.js';
import type { OrganizationId } from '../../src/codec/ids.js';
import type { Timestamp } from '../../src/codec/timestamps.js';
import { PrivateKey, SigningKey } from '../../src/keys/index.js';
import { signPkiRequest, validateChain, verifyPkiEnrollment } from '../../src/pki/index.js';
import { ALGORITHMS, issue, pki, root, x509, type KeyAlgorithm } from './chains.js';

const code = refusalCode;

const DAY = 86_400_000;

describe('X.509 chain validation', () => {
  it('a chain up to a trusted root names the leaf and its email; the root may come along', async () => {
    const p = await pki();
    const id = await validateChain(p.chain, [p.root.der], new Date());
    expect(id.email).toBe('bob@example.org');
    expect(id.commonName).toBe('Bob Example');
    expect(id.root).toContain('Acme Root CA');
    expect((await validateChain([...p.chain, p.root.der], [p.root.der], new Date())).email).toBe('bob@example.org');
  });

  it('refusals, each with its code', async () => {
    const p = await pki();
    const now = new Date();
    const roots = [p.root.der];
    // Validity: checked for every certificate, at the given time.
    expect(await code(validateChain(p.chain, roots, new Date(Date.now() + 400 * DAY)))).toBe('pki/expired');
    const expired = await issue(p.intermediate, 'CN=Old', { email: 'old@example.org', notBefore: new Date(Date.now() - 10 * DAY), notAfter: new Date(Date.now() - DAY) });
    expect(await code(validateChain([expired.der, p.intermediate.der], roots, now))).toBe('pki/expired');
    const future = await issue(p.intermediate, 'CN=Soon', { email: 'soon@example.org', notBefore: new Date(Date.now() + DAY) });
    expect(await code(validateChain([future.der, p.intermediate.der], roots, now))).toBe('pki/not-yet-valid');
    // Wrong CA: a root we do not trust, even with the same name.
    const other = await root('CN=Acme Root CA');
    expect(await code(validateChain(p.chain, [other.der], now))).toBe('pki/bad-signature');
    const stranger = await root('CN=Stranger Root');
    expect(await code(validateChain(p.chain, [stranger.der], now))).toBe('pki/untrusted');
    expect(await code(validateChain([p.root.der], roots, now))).toBe('pki/untrusted');
    // Bad signature: a leaf whose signature bytes were altered.
    const altered = p.leaf.der.slice();
    altered[altered.length - 5]! ^= 1;
    expect(await code(validateChain([altered, p.intermediate.der], roots, now))).toBe('pki/bad-signature');
    // Key usage: a leaf that may not sign; an intermediate that may not sign certificates; a non-CA issuer.
    const noSign = await issue(p.intermediate, 'CN=Enc only', { email: 'enc@example.org', usages: x509.KeyUsageFlags.keyEncipherment });
    expect(await code(validateChain([noSign.der, p.intermediate.der], roots, now))).toBe('pki/key-usage');
    const weakCa = await issue(p.root, 'CN=Weak CA', { ca: true, usages: x509.KeyUsageFlags.digitalSignature });
    const underWeak = await issue(weakCa, 'CN=Under weak', { email: 'w@example.org' });
    expect(await code(validateChain([underWeak.der, weakCa.der], roots, now))).toBe('pki/key-usage');
    const notCa = await issue(p.root, 'CN=Not a CA', { usages: x509.KeyUsageFlags.keyCertSign });
    const underNotCa = await issue(notCa, 'CN=Under not CA', { email: 'n@example.org' });
    expect(await code(validateChain([underNotCa.der, notCa.der], roots, now))).toBe('pki/not-a-ca');
    // An intermediate that is not the leaf's issuer, no email, malformed bytes, too long.
    expect(await code(validateChain([p.leaf.der, notCa.der], roots, now))).toBe('pki/issuer-mismatch');
    const anonymous = await issue(p.intermediate, 'CN=Nobody');
    expect(await code(validateChain([anonymous.der, p.intermediate.der], roots, now))).toBe('pki/no-email');
    expect(await code(validateChain([new Uint8Array([0x30, 0x03, 1, 2, 3])], roots, now))).toBe('pki/malformed');
    expect(await code(validateChain(Array(7).fill(p.leaf.der), roots, now))).toBe('pki/chain-too-long');
  });

  it('every supported key algorithm, mixed along one chain: P-256, P-384, RSA (PKCS#1 v1.5) and Ed25519', async () => {
    const now = new Date();
    const orgId = '0123456789abcdef0123456789abcdef' as OrganizationId;
    const algs = Object.keys(ALGORITHMS) as KeyAlgorithm[];
    for (const [i, rootAlg] of algs.entries()) {
      const r = await root('CN=Mixed Root', Date.now(), rootAlg);
      // The intermediate and the leaf use the next algorithms round the list, so each pair of
      // issuer and subject algorithms is met once over the loop.
      const intermediate = await issue(r, 'CN=Mixed CA', { ca: true, alg: algs[(i + 1) % algs.length]! });
      const leafAlg = algs[(i + 2) % algs.length]!;
      const leaf = await issue(intermediate, 'CN=Mixed Leaf', { email: `leaf-${leafAlg}@example.org`, alg: leafAlg });
      const chain = [leaf.der, intermediate.der];
      expect((await validateChain(chain, [r.der], now)).email, `${rootAlg} → ${leafAlg}`).toBe(`leaf-${leafAlg}@example.org`);
      // A request signed by the leaf key verifies; the same request under another key does not.
      const request = { organizationId: orgId, timestamp: (Date.now() * 1000) as Timestamp, userPublicKey: PrivateKey.generate().publicKey, deviceVerifyKey: SigningKey.generate().verifyKey, deviceLabel: 'laptop' };
      const signed = await signPkiRequest(chain, leaf.keys.privateKey, request);
      expect((await verifyPkiEnrollment(signed, [r.der], now, orgId)).identity.email).toBe(`leaf-${leafAlg}@example.org`);
      const forged = await signPkiRequest(chain, (await issue(intermediate, 'CN=Other', { alg: leafAlg })).keys.privateKey, request);
      expect(await code(verifyPkiEnrollment(forged, [r.der], now, orgId)), leafAlg).toBe('pki/bad-request-signature');
    }
  });

  it('an unsupported key algorithm (P-521) is refused with its code, not a crash', async () => {
    const p = await pki();
    const k = (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-521' }, true, ['sign', 'verify'])) as CryptoKeyPair;
    const cert = await x509.X509CertificateGenerator.create({
      subject: 'CN=P-521 leaf',
      issuer: p.intermediate.cert.subject,
      publicKey: k.publicKey,
      signingKey: p.intermediate.keys.privateKey,
      signingAlgorithm: ALGORITHMS['P-256'],
      notBefore: new Date(Date.now() - DAY),
      notAfter: new Date(Date.now() + DAY),
      extensions: [new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true), new x509.SubjectAlternativeNameExtension([{ type: 'email', value: 'p521@example.org' }])],
    });
    const chain = [new Uint8Array(cert.rawData), p.intermediate.der];
    // The chain itself is signed with P-256 and valid; signing a request with the P-521 key is not supported.
    await expect(validateChain(chain, [p.root.der], new Date())).resolves.toBeDefined();
    const request = { organizationId: '0123456789abcdef0123456789abcdef' as OrganizationId, timestamp: (Date.now() * 1000) as Timestamp, userPublicKey: PrivateKey.generate().publicKey, deviceVerifyKey: SigningKey.generate().verifyKey, deviceLabel: 'x' };
    expect(await code(signPkiRequest(chain, k.privateKey, request))).toBe('pki/unsupported-algorithm');
    // A request made some other way is refused by the verifier with the same code.
    const p256 = await signPkiRequest(p.chain, p.leaf.keys.privateKey, request);
    expect(await code(verifyPkiEnrollment({ ...p256, chain }, [p.root.der], new Date(), request.organizationId))).toBe('pki/unsupported-algorithm');
  });
});
