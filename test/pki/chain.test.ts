/**
 * X.509 chain validation: a good chain passes; expired, not-yet-valid, wrong CA, bad signature,
 * wrong key usage, a non-CA issuer and malformed bytes are each refused with their code.
 */
import { describe, expect, it } from 'vitest';
import { SealsyncError } from '../../src/errors.js';
import { validateChain } from '../../src/pki/index.js';
import { issue, pki, root, x509 } from './chains.js';

async function code(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    if (err instanceof SealsyncError) return err.code;
    throw err;
  }
  return 'accepted';
}

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
});
