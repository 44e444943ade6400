/**
 * X.509 chains the tests generate (root → intermediate → leaf) with `@peculiar/x509` (a test
 * dependency; it needs the reflect-metadata polyfill, which sealsync itself never loads).
 */
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';

const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const DAY = 86_400_000;

export interface Issued {
  readonly cert: x509.X509Certificate;
  readonly der: Uint8Array;
  readonly keys: CryptoKeyPair;
}

export const der = (c: x509.X509Certificate): Uint8Array => new Uint8Array(c.rawData);

function keys(): Promise<CryptoKeyPair> {
  return crypto.subtle.generateKey(ALG, true, ['sign', 'verify']) as Promise<CryptoKeyPair>;
}

export async function root(name = 'CN=Acme Root CA', now = Date.now()): Promise<Issued> {
  const k = await keys();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    name,
    keys: k,
    signingAlgorithm: ALG,
    notBefore: new Date(now - DAY),
    notAfter: new Date(now + 3650 * DAY),
    extensions: [new x509.BasicConstraintsExtension(true, undefined, true), new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true)],
  });
  return { cert, der: der(cert), keys: k };
}

export interface IssueOptions {
  readonly ca?: boolean;
  readonly usages?: number;
  readonly notBefore?: Date;
  readonly notAfter?: Date;
  readonly email?: string;
  /** The time validity defaults are around (ms); default now. */
  readonly now?: number;
}

export async function issue(issuer: Issued, subject: string, o: IssueOptions = {}): Promise<Issued> {
  const k = await keys();
  const now = o.now ?? Date.now();
  const extensions: x509.Extension[] = [];
  if (o.ca) extensions.push(new x509.BasicConstraintsExtension(true, 0, true));
  extensions.push(new x509.KeyUsagesExtension(o.usages ?? (o.ca ? x509.KeyUsageFlags.keyCertSign : x509.KeyUsageFlags.digitalSignature), true));
  if (o.email) extensions.push(new x509.SubjectAlternativeNameExtension([{ type: 'email', value: o.email }]));
  const cert = await x509.X509CertificateGenerator.create({
    subject,
    issuer: issuer.cert.subject,
    publicKey: k.publicKey,
    signingKey: issuer.keys.privateKey,
    signingAlgorithm: ALG,
    notBefore: o.notBefore ?? new Date(now - DAY),
    notAfter: o.notAfter ?? new Date(now + 365 * DAY),
    extensions,
  });
  return { cert, der: der(cert), keys: k };
}

/** A CA, its intermediate, and a leaf for `email`. */
export async function pki(email = 'bob@example.org', now = Date.now()): Promise<{ root: Issued; intermediate: Issued; leaf: Issued; chain: Uint8Array[] }> {
  const r = await root('CN=Acme Root CA', now);
  const intermediate = await issue(r, 'CN=Acme Issuing CA', { ca: true, now });
  const leaf = await issue(intermediate, `CN=Bob Example`, { email, now });
  return { root: r, intermediate, leaf, chain: [leaf.der, intermediate.der] };
}

export { x509 };
