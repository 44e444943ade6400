/**
 * X.509 chains the tests generate (root → intermediate → leaf) with `@peculiar/x509` (a test
 * dependency; it needs the reflect-metadata polyfill, which sealsync itself never loads).
 */
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';

/** The key algorithms the tests issue certificates with (WebCrypto parameters, for keys and signatures). */
export const ALGORITHMS = {
  'P-256': { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' },
  'P-384': { name: 'ECDSA', namedCurve: 'P-384', hash: 'SHA-384' },
  RSA: { name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' },
  Ed25519: { name: 'Ed25519' },
} as const;
export type KeyAlgorithm = keyof typeof ALGORITHMS;
const DAY = 86_400_000;

export interface Issued {
  readonly cert: x509.X509Certificate;
  readonly der: Uint8Array;
  readonly keys: CryptoKeyPair;
  readonly alg: KeyAlgorithm;
}

export const der = (c: x509.X509Certificate): Uint8Array => new Uint8Array(c.rawData);

function keys(alg: KeyAlgorithm): Promise<CryptoKeyPair> {
  return crypto.subtle.generateKey(ALGORITHMS[alg], true, ['sign', 'verify']) as Promise<CryptoKeyPair>;
}

export async function root(name = 'CN=Acme Root CA', now = Date.now(), alg: KeyAlgorithm = 'P-256'): Promise<Issued> {
  const k = await keys(alg);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    name,
    keys: k,
    signingAlgorithm: ALGORITHMS[alg],
    notBefore: new Date(now - DAY),
    notAfter: new Date(now + 3650 * DAY),
    extensions: [new x509.BasicConstraintsExtension(true, undefined, true), new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true)],
  });
  return { cert, der: der(cert), keys: k, alg };
}

export interface IssueOptions {
  readonly ca?: boolean;
  readonly usages?: number;
  readonly notBefore?: Date;
  readonly notAfter?: Date;
  readonly email?: string;
  /** The time validity defaults are around (ms); default now. */
  readonly now?: number;
  /** The subject's key algorithm; default P-256. */
  readonly alg?: KeyAlgorithm;
}

export async function issue(issuer: Issued, subject: string, o: IssueOptions = {}): Promise<Issued> {
  const alg = o.alg ?? 'P-256';
  const k = await keys(alg);
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
    signingAlgorithm: ALGORITHMS[issuer.alg],
    notBefore: o.notBefore ?? new Date(now - DAY),
    notAfter: o.notAfter ?? new Date(now + 365 * DAY),
    extensions,
  });
  return { cert, der: der(cert), keys: k, alg };
}

/** A CA, its intermediate, and a leaf for `email`. */
export async function pki(email = 'bob@example.org', now = Date.now()): Promise<{ root: Issued; intermediate: Issued; leaf: Issued; chain: Uint8Array[] }> {
  const r = await root('CN=Acme Root CA', now);
  const intermediate = await issue(r, 'CN=Acme Issuing CA', { ca: true, now });
  const leaf = await issue(intermediate, `CN=Bob Example`, { email, now });
  return { root: r, intermediate, leaf, chain: [leaf.der, intermediate.der] };
}

export { x509 };
