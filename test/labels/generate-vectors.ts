/**
 * Writes the frozen vectors of `sealsync/labels` (run once per format version, never regenerated):
 *   npx tsx test/labels/generate-vectors.ts
 * - `labels-bdo-v1.json`: XML and JSON binding data objects exported from the fixture;
 * - `labels-certificates-v2.json`: label policy, clearance and workspace label certificates;
 * - `labels-c14n-v1.json`: exclusive canonical forms of element subtrees computed by libxml2 (through
 *   Debian's python3-lxml: `apt-get install python3-lxml`), the oracle our `exclusiveC14n` is held to.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { toHex, utf8Decode } from '../../src/bytes.js';
import { exportBinding } from '../../src/labels/index.js';
import { encodeCertificate, signCertificate, type Certificate } from '../../src/certificates/index.js';
import { CONTENT, DATA, SIGNER } from './gateway-fixture.js';
import { LABEL_CERTIFICATES } from './certificate-vectors.js';

const out = (name: string, v: unknown) => writeFileSync(new URL(`../vectors/formats/${name}`, import.meta.url), `${JSON.stringify(v, null, 2)}\n`);

const xml = utf8Decode(await exportBinding('xml', DATA, CONTENT, SIGNER));
const json = utf8Decode(await exportBinding('json', DATA, CONTENT, SIGNER));
out('labels-bdo-v1.json', {
  description: 'STANAG 4778 binding data objects (XML + XML Signature, JSON + detached JWS EdDSA) of test/labels/gateway-fixture.ts',
  signer_device_id: SIGNER.deviceId,
  signer_verify_key: toHex(SIGNER.signingKey.verifyKey.toBytes()),
  data: toHex(DATA),
  xml,
  json,
});

out('labels-certificates-v2.json', {
  description: 'label_policy, clearance and realm_label certificates, format v2 (signature ‖ CBOR body with chain link), signed by the fixture device',
  verify_key: toHex(SIGNER.signingKey.verifyKey.toBytes()),
  vectors: await Promise.all(
    LABEL_CERTIFICATES.map(async (c: Certificate) => {
      const { chain, ...content } = c;
      return { type: c.type, signed: toHex(await signCertificate(SIGNER.signingKey, content, chain)), body: toHex(encodeCertificate(c)) };
    }),
  ),
});

// Each case: a document and the index (document order) of the element whose subtree is canonicalised.
const cases: { xml: string; element: number }[] = [
  { xml, element: 0 },
  { xml, element: 1 }, // ds:Signature
  { xml, element: 2 }, // ds:SignedInfo
  { xml: xml, element: xml.slice(0, xml.indexOf('<mb:MetadataBinding ')).split(/<[A-Za-z]/).length - 1 },
  { xml: '<a xmlns="urn:a" xmlns:u="urn:unused"><b><c xmlns="">text</c></b></a>', element: 1 },
  { xml: '<a xmlns="urn:a"><c xmlns="">t</c></a>', element: 1 },
  { xml: '<p:a xmlns:p="urn:p" xmlns:q="urn:q"><p:b q:z="1" y="2" a="3" p:y="4"/></p:a>', element: 1 },
  { xml: '<r a="&#9;x&#10;y&#13;&lt;&amp;&quot;\'">t&amp;&lt;&gt;&#13;"\'<!-- gone --><![CDATA[<raw>&]]></r>', element: 0 },
  { xml: '<r xml:lang="fr" xmlns:p="urn:p"><p:s xmlns:p="urn:p"><p:t xmlns:p="urn:p2"/></p:s></r>', element: 1 },
  { xml: '<r>\n  <s>  spaced  </s>\n</r>', element: 0 },
  { xml: '<r xmlns:a="urn:a" xmlns:b="urn:a"><a:x b:y="1"/></r>', element: 1 },
  { xml: '<é xmlns="urn:u">ünïcödé ✓</é>', element: 0 },
];
const oracle = `
import json, sys
from lxml import etree
cases = json.load(sys.stdin)
res = []
for c in cases:
    doc = etree.fromstring(c['xml'].encode('utf-8'))
    el = [e for e in doc.iter() if isinstance(e.tag, str)][c['element']]
    res.append(etree.tostring(el, method='c14n', exclusive=True, with_comments=False).decode('utf-8'))
print(json.dumps(res))
`;
const canon = JSON.parse(execFileSync('/usr/bin/python3', ['-c', oracle], { input: JSON.stringify(cases) }).toString()) as string[];
out('labels-c14n-v1.json', {
  description: 'exclusive XML canonicalization without comments (xml-exc-c14n#) of element subtrees, computed by libxml2 via lxml',
  vectors: cases.map((c, i) => ({ ...c, c14n: canon[i] })),
});
