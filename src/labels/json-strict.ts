/**
 * Strict, budgeted JSON for binding objects and JWS headers, and the canonical form that is signed.
 *
 * `JSON.parse` alone keeps the last of duplicate keys, where another reader may keep the first:
 * two verifiers would then disagree on what was signed. A linear pre-scan refuses duplicate keys,
 * nesting deeper than the budget and oversized input before `JSON.parse` runs. Numbers, `true`,
 * `false` and `null` are refused too: no binding field needs them, and leaving them out makes the
 * canonical form below exactly RFC 8785 (JCS) without its number rules.
 * @module
 */
import { BindingError } from '../errors.js';
import { utf8Decode } from '../bytes.js';

/** A JSON value as binding objects use it: strings, arrays and objects only. */
export type JsonValue = string | JsonValue[] | { [key: string]: JsonValue };

/** Bounds of the strict JSON parser (hostile input is parsed under a budget, never unbounded). */
export interface JsonBudget {
  /** Largest input in UTF-8 bytes. Default 1 MiB. */
  readonly maxBytes: number;
  /** Deepest nesting of arrays and objects. Default 16. */
  readonly maxDepth: number;
}

/** The default {@link JsonBudget}: 1 MiB, depth 16. */
export const DEFAULT_JSON_BUDGET: JsonBudget = Object.freeze({ maxBytes: 1 << 20, maxDepth: 16 });

function fail(reason: string, message: string, cause?: unknown): never {
  throw new BindingError(`binding/${reason}`, message, cause === undefined ? undefined : { cause });
}

/** Index after the string literal starting at `i` (a `"`). */
function stringEnd(text: string, i: number): number {
  for (let j = i + 1; j < text.length; j++) {
    const ch = text[j];
    if (ch === '\\') j++;
    else if (ch === '"') return j + 1;
  }
  return fail('malformed-json', 'unterminated string');
}

function prescan(text: string, budget: JsonBudget): void {
  // One key set per open object (null for arrays).
  const stack: (Set<string> | null)[] = [];
  let expectKey = false;
  for (let i = 0; i < text.length; ) {
    const ch = text[i]!;
    if (ch === '"') {
      const end = stringEnd(text, i);
      const top = stack[stack.length - 1];
      if (expectKey && top) {
        let key: string;
        try {
          key = JSON.parse(text.slice(i, end)) as string;
        } catch (err) {
          fail('malformed-json', 'invalid string literal', err);
        }
        if (top.has(key)) fail('malformed-json', `duplicate key "${key.slice(0, 40)}"`);
        top.add(key);
      }
      expectKey = false;
      i = end;
      continue;
    }
    if (ch === '{' || ch === '[') {
      stack.push(ch === '{' ? new Set() : null);
      if (stack.length > budget.maxDepth) fail('too-deep', `JSON nested deeper than ${budget.maxDepth}`);
      expectKey = ch === '{';
    } else if (ch === '}' || ch === ']') {
      stack.pop();
      expectKey = false;
    } else if (ch === ',') {
      expectKey = stack[stack.length - 1] instanceof Set;
    } else if (ch !== ':' && ch !== ' ' && ch !== '\n' && ch !== '\r' && ch !== '\t') {
      fail('malformed-json', 'only strings, arrays and objects are allowed');
    }
    i++;
  }
}

/**
 * Parses UTF-8 JSON within `budget`, refusing duplicate keys and non-string scalars.
 * @throws BindingError `binding/too-large`, `binding/too-deep`, `binding/malformed-json`.
 */
export function parseStrictJson(input: Uint8Array, budget: Partial<JsonBudget> = {}): JsonValue {
  const b = { ...DEFAULT_JSON_BUDGET, ...budget };
  if (!(input instanceof Uint8Array)) fail('malformed-json', 'JSON input must be bytes');
  if (input.length > b.maxBytes) fail('too-large', `JSON larger than ${b.maxBytes} bytes`);
  let text: string;
  try {
    text = utf8Decode(input);
  } catch (err) {
    fail('malformed-json', 'JSON is not valid UTF-8', err);
  }
  prescan(text, b);
  try {
    return JSON.parse(text) as JsonValue;
  } catch (err) {
    return fail('malformed-json', 'JSON is not well-formed', err);
  }
}

/**
 * RFC 8785 (JCS) canonical form of a strings-arrays-objects value: object members sorted by UTF-16
 * code units, no whitespace, strings as ECMAScript `JSON.stringify` writes them.
 */
export function canonicalJson(v: JsonValue): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  const keys = Object.keys(v).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(v[k]!)}`).join(',')}}`;
}

/** A JSON object (not an array), else `binding/structure`. */
export function asObject(v: JsonValue | undefined, path: string, allowed: readonly string[]): { [key: string]: JsonValue } {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail('structure', `${path}: expected an object`);
  for (const k of Object.keys(v)) if (!allowed.includes(k)) fail('structure', `${path}: unexpected member "${k.slice(0, 40)}"`);
  return v;
}

/** A JSON array of at least `min` items, else `binding/structure`. */
export function asArray(v: JsonValue | undefined, path: string, min = 1, max = 64): JsonValue[] {
  if (!Array.isArray(v) || v.length < min || v.length > max) fail('structure', `${path}: expected ${min} to ${max} items`);
  return v;
}

/** A JSON string, else `binding/structure`. */
export function asString(v: JsonValue | undefined, path: string): string {
  if (typeof v !== 'string') fail('structure', `${path}: expected a string`);
  return v;
}
