/**
 * Exclusive XML Canonicalization 1.0 without comments (W3C `xml-exc-c14n#`), for the element
 * subtrees sealsync signs in a binding object (ADatP-4778.2 Annex A allows Exclusive C14N; the
 * Annex D examples use it).
 *
 * Scope: element, attribute and text nodes of a parsed, DTD-free document (comments dropped,
 * processing instructions refused inside a signed subtree: none of ours has one), no
 * `InclusiveNamespaces` prefix list. Rules implemented (exc-c14n §3, c14n §2.3):
 * - a namespace declaration is output on an element when the element or one of its attributes
 *   visibly uses the prefix and the nearest output ancestor did not already declare it with the
 *   same URI; the default namespace is "used" by an unprefixed element, and `xmlns=""` is output
 *   when an unprefixed element has no namespace under an output ancestor that declared one;
 * - namespace declarations sorted by prefix (default first), attributes by (namespace URI, local
 *   name), unqualified attributes first;
 * - empty elements as start-end pairs; text escapes `& < > \r`, attribute escapes
 *   `& < " \t \n \r`.
 * @module
 */
import type { Attr, Element, Node } from '@xmldom/xmldom';
import { XmlError } from '../errors.js';
import { NODE } from './xml-parse.js';

/** Escapes character data for canonical text nodes. */
export function escapeText(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\r/g, '&#xD;');
}

/** Escapes an attribute value for canonical attribute nodes. */
export function escapeAttribute(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/"/g, '&quot;')
    .replace(/\t/g, '&#x9;')
    .replace(/\n/g, '&#xA;')
    .replace(/\r/g, '&#xD;');
}

const XML_NS = 'http://www.w3.org/XML/1998/namespace';

function isNamespaceDeclaration(a: Attr): boolean {
  return a.name === 'xmlns' || a.prefix === 'xmlns';
}

function compareAttributes(a: Attr, b: Attr): number {
  const na = a.namespaceURI ?? '';
  const nb = b.namespaceURI ?? '';
  if (na !== nb) return na < nb ? -1 : 1;
  const la = a.localName ?? a.name;
  const lb = b.localName ?? b.name;
  return la < lb ? -1 : la > lb ? 1 : 0;
}

function render(el: Element, rendered: ReadonlyMap<string, string>, out: string[]): void {
  const prefix = el.prefix ?? '';
  const qname = el.tagName;
  const attrs: Attr[] = [];
  for (let i = 0; i < el.attributes.length; i++) {
    const a = el.attributes.item(i)!;
    if (!isNamespaceDeclaration(a)) attrs.push(a);
  }
  // Prefixes visibly utilised here: the element's own (default = ''), and its attributes' (never default).
  const used = new Map<string, string>();
  used.set(prefix, el.namespaceURI ?? '');
  for (const a of attrs) {
    if (a.prefix && a.namespaceURI !== XML_NS) used.set(a.prefix, a.namespaceURI ?? '');
  }
  const next = new Map(rendered);
  const decls: [string, string][] = [];
  for (const [p, uri] of [...used].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const before = rendered.get(p) ?? '';
    if (before === uri) continue; // also skips xmlns="" when nothing was declared above
    decls.push([p, uri]);
    next.set(p, uri);
  }
  out.push('<', qname);
  for (const [p, uri] of decls) out.push(p === '' ? ' xmlns="' : ` xmlns:${p}="`, escapeAttribute(uri), '"');
  for (const a of attrs.sort(compareAttributes)) out.push(' ', a.name, '="', escapeAttribute(a.value), '"');
  out.push('>');
  for (let n: Node | null = el.firstChild; n; n = n.nextSibling) {
    if (n.nodeType === NODE.element) render(n as Element, next, out);
    else if (n.nodeType === NODE.text || n.nodeType === NODE.cdata) out.push(escapeText(n.nodeValue ?? ''));
    else if (n.nodeType === NODE.pi) throw new XmlError('xml/structure', 'processing instruction inside a signed element');
    // comments: dropped (the "without comments" variant)
  }
  out.push('</', qname, '>');
}

/**
 * The exclusive canonical form (without comments) of the subtree rooted at `el`, as a string (its
 * UTF-8 encoding is what is digested). @throws XmlError `xml/structure` for a processing instruction.
 */
export function exclusiveC14n(el: Element): string {
  const out: string[] = [];
  render(el, new Map(), out);
  return out.join('');
}
