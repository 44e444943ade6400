/**
 * A budgeted, DTD-free XML parser (over `@xmldom/xmldom`).
 *
 * Binding objects come from outside the organisation, so the parser is an attack surface:
 * - any DTD or markup declaration (`<!DOCTYPE`, `<!ENTITY`, …) is refused before parsing: no
 *   external entities (XXE), no entity expansion (billion laughs), no default attributes;
 * - input size, element nesting depth, element count and attributes per element are bounded by a
 *   linear pre-scan, before xmldom builds anything;
 * - every failure, ours or xmldom's (warnings included), is an `XmlError` with a stable code.
 * @module
 */
import { DOMParser, type Document, type Element } from '@xmldom/xmldom';
import { XmlError } from '../errors.js';
import { utf8Decode } from '../bytes.js';

/** Limits of one XML parse. */
export interface XmlBudget {
  /** Largest input, in UTF-8 bytes (characters for a string). Default 1 MiB. */
  readonly maxBytes: number;
  /** Deepest element nesting. Default 32. */
  readonly maxDepth: number;
  /** Most elements in the document. Default 4096. */
  readonly maxElements: number;
  /** Most attributes (namespace declarations included) on one element. Default 32. */
  readonly maxAttributes: number;
}

/** The default {@link XmlBudget}: 1 MiB, depth 32, 4096 elements, 32 attributes per element. */
export const DEFAULT_XML_BUDGET: XmlBudget = Object.freeze({ maxBytes: 1 << 20, maxDepth: 32, maxElements: 4096, maxAttributes: 32 });

function fail(reason: string, message: string, cause?: unknown): never {
  throw new XmlError(`xml/${reason}`, message, cause === undefined ? undefined : { cause });
}

function skipPast(text: string, from: number, end: string, what: string): number {
  const i = text.indexOf(end, from);
  if (i < 0) fail('malformed', `unterminated ${what}`);
  return i + end.length;
}

/** End of a start or end tag starting at `i` (`<`): the index after `>`, quotes respected. */
function tagEnd(text: string, i: number): { end: number; attributes: number; selfClosing: boolean } {
  let quote = '';
  let attributes = 0;
  for (let j = i + 1; j < text.length; j++) {
    const ch = text[j]!;
    if (quote !== '') {
      if (ch === quote) quote = '';
    } else if (ch === '"' || ch === "'") {
      quote = ch;
    } else if (ch === '=') {
      attributes++;
    } else if (ch === '<') {
      fail('malformed', 'unexpected < inside a tag');
    } else if (ch === '>') {
      return { end: j + 1, attributes, selfClosing: text[j - 1] === '/' };
    }
  }
  return fail('malformed', 'unterminated tag');
}

/**
 * Linear pre-scan: refuses markup declarations and enforces depth, element and attribute budgets.
 * It is not a validator (xmldom parses afterwards); it only has to over-approximate what xmldom
 * would build, so that the budget holds whatever the input.
 */
function prescan(text: string, budget: XmlBudget): void {
  let depth = 0;
  let elements = 0;
  let i = text.indexOf('<');
  while (i >= 0) {
    if (text.startsWith('<!--', i)) {
      i = skipPast(text, i + 4, '-->', 'comment');
    } else if (text.startsWith('<![CDATA[', i)) {
      i = skipPast(text, i + 9, ']]>', 'CDATA section');
    } else if (text.startsWith('<!', i)) {
      // DOCTYPE, ENTITY, ELEMENT, ATTLIST, NOTATION: the source of XXE and entity bombs.
      fail('dtd-forbidden', 'DTDs and markup declarations are refused (XXE, entity expansion)');
    } else if (text.startsWith('<?', i)) {
      i = skipPast(text, i + 2, '?>', 'processing instruction');
    } else if (text.startsWith('</', i)) {
      depth--;
      i = tagEnd(text, i).end;
    } else {
      const t = tagEnd(text, i);
      if (++elements > budget.maxElements) fail('too-many-elements', `more than ${budget.maxElements} elements`);
      if (t.attributes > budget.maxAttributes) fail('too-many-attributes', `more than ${budget.maxAttributes} attributes on one element`);
      if (!t.selfClosing && ++depth > budget.maxDepth) fail('too-deep', `elements nested deeper than ${budget.maxDepth}`);
      i = t.end;
    }
    i = text.indexOf('<', i);
  }
}

/**
 * Parses `input` (UTF-8 bytes or a string) into a DOM document, within `budget`.
 * @throws XmlError `xml/too-large`, `xml/dtd-forbidden`, `xml/too-deep`, `xml/too-many-elements`,
 *   `xml/too-many-attributes`, `xml/invalid-utf8`, `xml/malformed`.
 */
export function parseXml(input: Uint8Array | string, budget: Partial<XmlBudget> = {}): Document {
  const b: XmlBudget = { ...DEFAULT_XML_BUDGET, ...budget };
  let text: string;
  if (input instanceof Uint8Array) {
    if (input.length > b.maxBytes) fail('too-large', `XML larger than ${b.maxBytes} bytes`);
    try {
      text = utf8Decode(input);
    } catch (err) {
      fail('invalid-utf8', 'XML is not valid UTF-8', err);
    }
  } else if (typeof input === 'string') {
    if (input.length > b.maxBytes) fail('too-large', `XML longer than ${b.maxBytes} characters`);
    text = input;
  } else {
    return fail('malformed', 'XML input must be bytes or a string');
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  prescan(text, b);
  const parser = new DOMParser({
    onError: (level: string, message: string) => {
      fail('malformed', `XML ${level}: ${message}`);
    },
  });
  let doc: Document;
  try {
    doc = parser.parseFromString(text, 'application/xml');
  } catch (err) {
    if (err instanceof XmlError) throw err;
    // xmldom wraps what our onError threw in its ParseError; keep our code.
    const inner = (err as { cause?: unknown })?.cause;
    if (inner instanceof XmlError) throw inner;
    return fail('malformed', `XML is not well-formed: ${(err as Error)?.message ?? String(err)}`, err);
  }
  if (!doc.documentElement) fail('malformed', 'XML has no root element');
  return doc;
}

/** Node type numbers of the DOM (avoids depending on xmldom's constants at run time). */
export const NODE = { element: 1, attribute: 2, text: 3, cdata: 4, pi: 7, comment: 8 } as const;

/**
 * The element children of `el`, refusing non-whitespace text beside them (no mixed content in a
 * structure that is all elements) and processing instructions.
 * @throws XmlError `xml/structure`.
 */
export function childElements(el: Element, path: string): Element[] {
  const out: Element[] = [];
  for (let n = el.firstChild; n; n = n.nextSibling) {
    if (n.nodeType === NODE.element) out.push(n as Element);
    else if ((n.nodeType === NODE.text || n.nodeType === NODE.cdata) && (n.nodeValue ?? '').trim() !== '') {
      fail('structure', `${path}: unexpected text`);
    } else if (n.nodeType === NODE.pi) fail('structure', `${path}: unexpected processing instruction`);
  }
  return out;
}

/** The text content of a leaf element (no element children allowed). @throws XmlError `xml/structure`. */
export function leafText(el: Element, path: string): string {
  let s = '';
  for (let n = el.firstChild; n; n = n.nextSibling) {
    if (n.nodeType === NODE.text || n.nodeType === NODE.cdata) s += n.nodeValue ?? '';
    else if (n.nodeType !== NODE.comment) fail('structure', `${path}: expected text only`);
  }
  return s;
}

/** `el` is `{ns}local`. */
export function isElement(el: Element, ns: string, local: string): boolean {
  return el.namespaceURI === ns && el.localName === local;
}

/**
 * The attributes of `el` other than namespace declarations, as `{ns}local` → value; refuses
 * any attribute not in `allowed` (keys `local` for no namespace, `{ns}local` otherwise).
 * @throws XmlError `xml/structure`.
 */
export function attributes(el: Element, allowed: readonly string[], path: string): Map<string, string> {
  const out = new Map<string, string>();
  for (let i = 0; i < el.attributes.length; i++) {
    const a = el.attributes.item(i)!;
    if (a.name === 'xmlns' || a.prefix === 'xmlns') continue;
    const key = a.namespaceURI ? `{${a.namespaceURI}}${a.localName}` : (a.localName ?? a.name);
    if (!allowed.includes(key)) fail('structure', `${path}: unexpected attribute ${a.name}`);
    out.set(key, a.value);
  }
  return out;
}
