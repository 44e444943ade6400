import { describe, expect, it } from 'vitest';
import { utf8Encode } from '../../src/bytes.js';
import { BindingError, XmlError } from '../../src/errors.js';
import { parseStrictJson, parseXml, readXmlLabel, importBinding } from '../../src/labels/index.js';
import { DATA, POLICY, SIGNERS } from './gateway-fixture.js';

const xmlCode = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(XmlError);
    return (e as XmlError).code;
  }
  throw new Error('expected a refusal');
};

describe('XML parser budget and DTD refusal', () => {
  it('XXE: an external entity is refused before anything is resolved', () => {
    const xxe = '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>';
    expect(xmlCode(() => parseXml(xxe))).toBe('xml/dtd-forbidden');
  });
  it('billion laughs: internal entity expansion is refused', () => {
    let dtd = '<!ENTITY l0 "ha">';
    for (let i = 1; i < 10; i++) dtd += `<!ENTITY l${i} "${`&l${i - 1};`.repeat(10)}">`;
    expect(xmlCode(() => parseXml(`<!DOCTYPE r [${dtd}]><r>&l9;</r>`))).toBe('xml/dtd-forbidden');
  });
  it('any markup declaration is refused, even without DOCTYPE', () => {
    expect(xmlCode(() => parseXml('<r><!ELEMENT r ANY></r>'))).toBe('xml/dtd-forbidden');
  });
  it('an undeclared entity reference is malformed', () => {
    expect(xmlCode(() => parseXml('<r>&x;</r>'))).toBe('xml/malformed');
  });
  it('depth, element count, attributes and size are bounded', () => {
    expect(xmlCode(() => parseXml(`${'<a>'.repeat(100_000)}${'</a>'.repeat(100_000)}`))).toBe('xml/too-deep');
    expect(xmlCode(() => parseXml(`<r>${'<a/>'.repeat(5000)}</r>`))).toBe('xml/too-many-elements');
    expect(xmlCode(() => parseXml(`<r ${Array.from({ length: 40 }, (_, i) => `a${i}="1"`).join(' ')}/>`))).toBe('xml/too-many-attributes');
    expect(xmlCode(() => parseXml(utf8Encode(`<r>${'x'.repeat(2 << 20)}</r>`)))).toBe('xml/too-large');
    expect(xmlCode(() => parseXml('<r/>', { maxBytes: 3 }))).toBe('xml/too-large');
    // quoted '>' and '/' inside attribute values do not fool the depth count
    expect(xmlCode(() => parseXml(`${'<a x="/>">'.repeat(40)}${'</a>'.repeat(40)}`))).toBe('xml/too-deep');
    expect(parseXml(`${'<a x="/>">'.repeat(30)}${'</a>'.repeat(30)}`).documentElement?.localName).toBe('a');
  });
  it('malformed input and bad UTF-8 are typed errors', () => {
    for (const bad of ['', 'text', '<a><b></a>', '<a>', '<a x="1>', '<a/><b/>', '<!-- x', '<a><![CDATA[x</a>']) {
      expect(xmlCode(() => parseXml(bad)), bad).toMatch(/^xml\/(malformed)$/);
    }
    expect(xmlCode(() => parseXml(new Uint8Array([0x3c, 0x61, 0xff, 0x3e])))).toBe('xml/invalid-utf8');
  });
  it('importing a hostile document is a typed refusal', async () => {
    const bomb = utf8Encode('<!DOCTYPE r [<!ENTITY a "aaaaaaaaaa">]><r>&a;</r>');
    await expect(importBinding(bomb, DATA, { signers: SIGNERS, policy: POLICY })).rejects.toMatchObject({ code: 'xml/dtd-forbidden' });
  });
});

describe('strict JSON', () => {
  const code = (s: string, budget?: object) => {
    try {
      parseStrictJson(utf8Encode(s), budget);
    } catch (e) {
      expect(e).toBeInstanceOf(BindingError);
      return (e as BindingError).code;
    }
    return 'accepted';
  };
  it('refuses duplicate keys (two readers would see two documents)', () => {
    expect(code('{"a":"1","a":"2"}')).toBe('binding/malformed-json');
    expect(code('{"a":{"b":"1"},"c":{"b":"2"}}')).toBe('accepted');
    expect(code('{"a\\u0062":"1","ab":"2"}')).toBe('binding/malformed-json');
  });
  it('refuses numbers, booleans and null, deep nesting and oversized input', () => {
    for (const s of ['{"a":1}', '{"a":true}', '[null]']) expect(code(s)).toBe('binding/malformed-json');
    expect(code('['.repeat(100_000) + ']'.repeat(100_000))).toBe('binding/too-deep');
    expect(code('"x"', { maxBytes: 2 })).toBe('binding/too-large');
    expect(code('{"a":"1"')).toBe('binding/malformed-json');
    expect(code('{"a":"1}')).toBe('binding/malformed-json');
  });
});

describe('4774 label element structure', () => {
  const SLAB = 'urn:nato:stanag:4774:confidentialitymetadatalabel:1:0';
  const wrap = (info: string, after = '<slab:CreationDateTime>2026-09-26T12:00:00Z</slab:CreationDateTime>', attrs = '') =>
    parseXml(`<slab:originatorConfidentialityLabel xmlns:slab="${SLAB}"${attrs}><slab:ConfidentialityInformation>${info}</slab:ConfidentialityInformation>${after}</slab:originatorConfidentialityLabel>`).documentElement!;
  const BASE = '<slab:PolicyIdentifier>ACME</slab:PolicyIdentifier><slab:Classification>SECRET</slab:Classification>';
  const structure = (el: ReturnType<typeof wrap>) => xmlCode(() => readXmlLabel(el));

  it('reads a schema-valid label with review time, originator id, privacy mark and categories', () => {
    const el = parseXml(`<?xml version="1.0" encoding="UTF-8"?>
<slab:originatorConfidentialityLabel xmlns:slab="${SLAB}" ReviewDateTime="2031-09-26T00:00:00Z">
  <slab:ConfidentialityInformation>
    <slab:PolicyIdentifier URI="urn:oid:2.25.1">ACME</slab:PolicyIdentifier>
    <slab:Classification>  SECRET </slab:Classification>
    <slab:PrivacyMark>STAFF</slab:PrivacyMark>
    <slab:Category Type="PERMISSIVE" TagName="Releasable To" URI="urn:oid:2.25.1.2">
      <slab:GenericValue>XAA</slab:GenericValue>
      <!-- a comment is not content -->
      <slab:GenericValue>XBB</slab:GenericValue>
    </slab:Category>
  </slab:ConfidentialityInformation>
  <slab:OriginatorID IDType="rfc822Name">author@example.org</slab:OriginatorID>
  <slab:CreationDateTime>2026-09-26T14:00:00.5+02:00</slab:CreationDateTime>
</slab:originatorConfidentialityLabel>`).documentElement!;
    const x = readXmlLabel(el);
    expect(x.label).toEqual({ policyId: 'ACME', classification: 'SECRET', categories: [{ tagName: 'Releasable To', type: 'PERMISSIVE', values: ['XAA', 'XBB'] }] });
    expect(x.policyUri).toBe('urn:oid:2.25.1');
    expect(x.creationTime).toBe(Date.UTC(2026, 8, 26, 12) * 1000 + 500_000);
    expect(x.reviewTime).toBe(Date.UTC(2031, 8, 26) * 1000);
  });
  it('CreationDateTime is required', () => {
    expect(structure(wrap(BASE, ''))).toBe('xml/structure');
  });
  it('elements must come in schema order', () => {
    expect(structure(wrap('<slab:Classification>SECRET</slab:Classification><slab:PolicyIdentifier>ACME</slab:PolicyIdentifier>'))).toBe('xml/structure');
  });
  it('Type is case-sensitive and required; TagName required', () => {
    expect(structure(wrap(`${BASE}<slab:Category Type="permissive" TagName="R"><slab:GenericValue>X</slab:GenericValue></slab:Category>`))).toBe('xml/structure');
    expect(structure(wrap(`${BASE}<slab:Category TagName="R"><slab:GenericValue>X</slab:GenericValue></slab:Category>`))).toBe('xml/structure');
    expect(structure(wrap(`${BASE}<slab:Category Type="PERMISSIVE"><slab:GenericValue>X</slab:GenericValue></slab:Category>`))).toBe('xml/structure');
  });
  it('IntegerValue, BitStringValue and Classification/@URI SHALL NOT be used', () => {
    expect(structure(wrap(`${BASE}<slab:Category Type="PERMISSIVE" TagName="R"><slab:IntegerValue>1</slab:IntegerValue></slab:Category>`))).toBe('xml/structure');
    expect(structure(wrap(`${BASE}<slab:Category Type="PERMISSIVE" TagName="R"><slab:BitStringValue>1</slab:BitStringValue></slab:Category>`))).toBe('xml/structure');
    expect(structure(wrap('<slab:PolicyIdentifier>ACME</slab:PolicyIdentifier><slab:Classification URI="urn:oid:1.2">SECRET</slab:Classification>'))).toBe('xml/structure');
  });
  it('elements in no namespace or another namespace are not a label', () => {
    expect(xmlCode(() => readXmlLabel(parseXml('<originatorConfidentialityLabel><ConfidentialityInformation/></originatorConfidentialityLabel>').documentElement!))).toBe('xml/structure');
    const el = parseXml(`<slab:originatorConfidentialityLabel xmlns:slab="${SLAB}"><x:ConfidentialityInformation xmlns:x="urn:other">${BASE}</x:ConfidentialityInformation><slab:CreationDateTime>2026-09-26T12:00:00Z</slab:CreationDateTime></slab:originatorConfidentialityLabel>`).documentElement!;
    expect(structure(el)).toBe('xml/structure');
  });
  it('a succession or extension element is refused rather than ignored', () => {
    expect(structure(wrap(BASE, '<slab:CreationDateTime>2026-09-26T12:00:00Z</slab:CreationDateTime><slab:SuccessionHandling/>'))).toBe('xml/structure');
    expect(structure(wrap(`${BASE}<x:Marking xmlns:x="urn:ext">M</x:Marking>`))).toBe('xml/structure');
  });
  it('a time without a zone is refused', () => {
    expect(() => readXmlLabel(wrap(BASE, '<slab:CreationDateTime>2026-09-26T12:00:00</slab:CreationDateTime>'))).toThrow(expect.objectContaining({ code: 'label/invalid-time' }));
  });
});
