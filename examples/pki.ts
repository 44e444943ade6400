/**
 * PKI enrollment (X.509): the organisation trusts Acme's root CA; Bob, who holds a certificate
 * from Acme's issuing CA, asks to join with a request signed by his certificate's key; an
 * automatic policy on Alice's admin device accepts every `@acme.example` subject, with no SAS
 * step; Bob's poll gives him a device. A certificate from another CA is refused.
 *
 * The demo CA is generated here with `@peculiar/x509` (a development dependency of sealsync; a
 * real deployment has its own PKI and gives sealsync DER certificates and a WebCrypto key).
 *
 *     npx tsx examples/pki.ts
 */
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { pathToFileURL } from 'node:url';
import { bootstrapDevice, Client, submitPkiEnrollment } from '../src/client/index.js';
import { SealsyncError } from '../src/errors.js';
import { SealsyncServer } from '../src/server/index.js';
import { InProcessAnonymousTransport, InProcessTransport } from '../src/transport/index.js';

const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
type Ca = { cert: x509.X509Certificate; keys: CryptoKeyPair };

async function ca(name: string, issuer?: Ca): Promise<Ca> {
  const keys = (await crypto.subtle.generateKey(ALG, true, ['sign', 'verify'])) as CryptoKeyPair;
  const extensions = [new x509.BasicConstraintsExtension(true, undefined, true), new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign, true)];
  const cert = issuer
    ? await x509.X509CertificateGenerator.create({ subject: name, issuer: issuer.cert.subject, publicKey: keys.publicKey, signingKey: issuer.keys.privateKey, signingAlgorithm: ALG, extensions })
    : await x509.X509CertificateGenerator.createSelfSigned({ name, keys, signingAlgorithm: ALG, extensions });
  return { cert, keys };
}

async function person(issuer: Ca, name: string, email: string): Promise<Ca> {
  const keys = (await crypto.subtle.generateKey(ALG, true, ['sign', 'verify'])) as CryptoKeyPair;
  const cert = await x509.X509CertificateGenerator.create({
    subject: `CN=${name}`,
    issuer: issuer.cert.subject,
    publicKey: keys.publicKey,
    signingKey: issuer.keys.privateKey,
    signingAlgorithm: ALG,
    extensions: [new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true), new x509.SubjectAlternativeNameExtension([{ type: 'email', value: email }])],
  });
  return { cert, keys };
}

const der = (c: Ca): Uint8Array => new Uint8Array(c.cert.rawData);

/** Runs the example; `log` receives every printed line. */
export async function main(log: (line: string) => void = console.log): Promise<void> {
  const server = await SealsyncServer.open();
  const clients: Client[] = [];
  try {
    const { organizationId, bootstrapToken } = await server.createOrganization();
    const anonymous = new InProcessAnonymousTransport(server, organizationId);
    const device = await bootstrapDevice({ transport: anonymous, organizationId, bootstrapToken, humanHandle: { email: 'alice@acme.example', label: 'Alice' }, deviceLabel: 'laptop' });
    const alice = await Client.open({ device, transport: new InProcessTransport(server, device) });
    clients.push(alice);

    const root = await ca('CN=Acme Root CA');
    const issuing = await ca('CN=Acme Issuing CA', root);
    await alice.pki.setTrustAnchors([der(root)]);
    log('Acme Root CA is trusted by the organisation.');

    const bobCert = await person(issuing, 'Bob Builder', 'bob@acme.example');
    const request = { transport: anonymous, organizationId, rootVerifyKey: device.rootVerifyKey, deviceLabel: 'Bob’s laptop' };
    const bob = await submitPkiEnrollment({ ...request, chain: [der(bobCert), der(issuing)], privateKey: bobCert.keys.privateKey });
    log(`Bob submits a request signed with his X.509 key; pending: ${(await bob.poll()) === null}`);

    const other = await ca('CN=Other Root CA');
    const mallory = await person(other, 'Mallory', 'mallory@acme.example');
    try {
      await submitPkiEnrollment({ ...request, chain: [der(mallory)], privateKey: mallory.keys.privateKey });
    } catch (err) {
      if (!(err instanceof SealsyncError)) throw err;
      log(`Mallory's certificate from another CA is refused: ${err.code} ${(err as unknown as { reply: { reason: string } }).reply.reason}`);
    }

    const accepted = await alice.pki.acceptMatching({ trustAnchors: [der(root)], policy: (id) => id.email.endsWith('@acme.example') });
    log(`Alice's policy accepts ${accepted.length} request`);
    const bobDevice = (await bob.poll())!;
    const bobClient = await Client.open({ device: bobDevice, transport: new InProcessTransport(server, bobDevice) });
    clients.push(bobClient);
    await bobClient.syncCertificates();
    const me = bobClient.certificates.getUser(bobDevice.userId)!;
    log(`Bob's device works: ${me.humanHandle.label} <${me.humanHandle.email}>, ${me.profile}`);
  } finally {
    for (const c of clients) await c.close();
    await server.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
