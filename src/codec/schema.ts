/**
 * A small schema layer between API values and the CBOR value model (the encoding rules).
 *
 * A `Schema<T>` checks and converts both ways: `encode` (API value → `CborValue`, so writers
 * cannot emit a document readers would refuse) and `decode` (`CborValue` → API value). Every
 * mismatch is a `CodecError` `codec/schema` whose message names the field path, e.g.
 * `blocks[2].digest: expected 32 bytes, got 31`.
 *
 * Structs ignore unknown extra fields when decoding: a newer writer may add fields and older
 * readers keep working (format evolution; the extra bytes stay covered by the signature since
 * verification is over the bytes).
 * @module
 */
import { ArgumentError, CodecError } from '../errors.js';
import { utf8Encode } from '../bytes.js';
import { idHexToBytes } from './id-hex.js';
import { ID_LENGTH, idFromBytes, type AnyId } from './ids.js';
import type { Timestamp } from './timestamps.js';
import type { CborMap, CborValue } from './cbor-value.js';

/** Converts and checks one value in both directions. `path` is only used in error messages. */
export interface Schema<T> {
  /** Short human description used in error messages ("uint", "32 bytes", …). */
  readonly description: string;
  /** API value → CBOR value. Throws `CodecError` `codec/schema` if `value` does not fit. */
  encode(value: T, path?: string): CborValue;
  /** CBOR value → API value. Throws `CodecError` `codec/schema` if `value` does not fit. */
  decode(value: CborValue, path?: string): T;
}

/** A schema that may be absent from a struct (absent on the wire ⇔ `undefined` in the API). */
export interface OptionalSchema<T> extends Schema<T | undefined> {
  readonly optional: true;
  readonly inner: Schema<T>;
}

/** The API type a schema decodes to. */
export type Infer<S> = S extends Schema<infer T> ? T : never;

/** Field name → schema, for `s.struct` and documents. */
export type Fields = { readonly [name: string]: Schema<any> };

type OptionalKeys<F extends Fields> = { [K in keyof F]: F[K] extends OptionalSchema<any> ? K : never }[keyof F];
type RequiredKeys<F extends Fields> = Exclude<keyof F, OptionalKeys<F>>;
type Simplify<T> = { [K in keyof T]: T[K] } & {};

/** The API type of a struct with fields `F`: optional schemas become optional properties. */
export type StructOf<F extends Fields> = Simplify<
  { readonly [K in RequiredKeys<F>]: Infer<F[K]> } & {
    readonly [K in OptionalKeys<F>]?: F[K] extends OptionalSchema<infer T> ? T : never;
  }
>;

function where(path: string | undefined): string {
  return path === undefined || path === '' ? '(root)' : path;
}

/** Builds the `codec/schema` error for `path`. */
export function schemaError(path: string | undefined, message: string, cause?: unknown): CodecError {
  return new CodecError('codec/schema', `${where(path)}: ${message}`, cause === undefined ? undefined : { cause });
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (v instanceof Uint8Array) return `${v.length} bytes`;
  if (v instanceof Map) return 'map';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'string') return 'text';
  if (typeof v === 'number') return Number.isSafeInteger(v) ? 'integer' : 'non-integer number';
  return typeof v;
}

function expected(path: string | undefined, what: string, got: unknown): CodecError {
  return schemaError(path, `expected ${what}, got ${describe(got)}`);
}

function child(path: string | undefined, name: string): string {
  return path === undefined || path === '' ? name : `${path}.${name}`;
}

/**
 * Runs a child's conversion without building its path, and builds the path only if it fails:
 * `run` is pure, so running it again with the real path throws the same error, now naming the
 * full field path. Building a path string per item (`children["…"]` through `JSON.stringify`,
 * `blocks[12]`) cost more than the conversion itself on large documents. If the second run
 * unexpectedly succeeds, the first error is thrown.
 */
function atPath<T>(run: (path: string | undefined) => T, path: () => string): T {
  try {
    return run(undefined);
  } catch (first) {
    run(path());
    throw first;
  }
}

function checkLimit(name: string, n: number | undefined): void {
  if (n !== undefined && (!Number.isSafeInteger(n) || n < 0)) {
    throw new ArgumentError('argument/out-of-range', `schema option ${name} must be a non-negative integer`);
  }
}

/** Options of `s.bytes`: either an exact `length` or a `min`/`max` range. */
export interface BytesOptions {
  min?: number;
  max?: number;
}

function bytes(lengthOrOptions?: number | BytesOptions): Schema<Uint8Array> {
  const exact = typeof lengthOrOptions === 'number' ? lengthOrOptions : undefined;
  const range = typeof lengthOrOptions === 'object' ? lengthOrOptions : {};
  checkLimit('length', exact);
  checkLimit('min', range.min);
  checkLimit('max', range.max);
  const description = exact !== undefined ? `${exact} bytes` : 'bytes';
  const check = (v: unknown, path?: string): Uint8Array => {
    if (!(v instanceof Uint8Array)) throw expected(path, description, v);
    if (exact !== undefined && v.length !== exact) throw expected(path, description, v);
    if (range.min !== undefined && v.length < range.min) throw schemaError(path, `at least ${range.min} bytes expected`);
    if (range.max !== undefined && v.length > range.max) throw schemaError(path, `at most ${range.max} bytes expected`);
    return v;
  };
  return { description, encode: check, decode: check };
}

/** Options of `s.uint`/`s.int`: inclusive bounds. */
export interface IntOptions {
  min?: number;
  max?: number;
}

function integer(description: string, floor: number, options: IntOptions = {}): Schema<number> {
  const min = Math.max(floor, options.min ?? floor);
  const max = options.max ?? Number.MAX_SAFE_INTEGER;
  const check = (v: unknown, path?: string): number => {
    if (typeof v !== 'number' || !Number.isSafeInteger(v)) throw expected(path, description, v);
    if (v < min || v > max) throw schemaError(path, `${v} is outside [${min}, ${max}]`);
    return v;
  };
  return { description, encode: check, decode: check };
}

/** Options of `s.text`: bounds on the UTF-8 length. */
export interface TextOptions {
  minBytes?: number;
  maxBytes?: number;
}

function text(options: TextOptions = {}): Schema<string> {
  checkLimit('minBytes', options.minBytes);
  checkLimit('maxBytes', options.maxBytes);
  const check = (v: unknown, path?: string): string => {
    if (typeof v !== 'string') throw expected(path, 'text', v);
    if (options.minBytes !== undefined || options.maxBytes !== undefined) {
      const n = utf8Encode(v).length;
      if (options.minBytes !== undefined && n < options.minBytes) throw schemaError(path, `text shorter than ${options.minBytes} bytes`);
      if (options.maxBytes !== undefined && n > options.maxBytes) throw schemaError(path, `text longer than ${options.maxBytes} bytes`);
    }
    return v;
  };
  return { description: 'text', encode: check, decode: check };
}

function bool(): Schema<boolean> {
  const check = (v: unknown, path?: string): boolean => {
    if (typeof v !== 'boolean') throw expected(path, 'boolean', v);
    return v;
  };
  return { description: 'boolean', encode: check, decode: check };
}

type Literal = string | number | boolean | null;

function literal<const L extends readonly Literal[]>(...values: L): Schema<L[number]> {
  if (values.length === 0) throw new ArgumentError('argument/invalid', 's.literal needs at least one value');
  const description = `one of ${values.map((v) => JSON.stringify(v)).join(', ')}`;
  const check = (v: unknown, path?: string): L[number] => {
    if (!values.includes(v as Literal)) throw schemaError(path, `expected ${description}, got ${typeof v === 'string' || typeof v === 'number' ? JSON.stringify(v) : describe(v)}`);
    return v as L[number];
  };
  return { description, encode: check, decode: check };
}

/** Options of `s.array`/`s.map`: bounds on the number of items. */
export interface CountOptions {
  min?: number;
  max?: number;
}

function checkCount(path: string | undefined, n: number, options: CountOptions): void {
  if (options.min !== undefined && n < options.min) throw schemaError(path, `at least ${options.min} items expected, got ${n}`);
  if (options.max !== undefined && n > options.max) throw schemaError(path, `at most ${options.max} items expected, got ${n}`);
}

function array<T>(item: Schema<T>, options: CountOptions = {}): Schema<readonly T[]> {
  checkLimit('min', options.min);
  checkLimit('max', options.max);
  const description = `array of ${item.description}`;
  return {
    description,
    encode(v, path) {
      if (!Array.isArray(v)) throw expected(path, description, v);
      checkCount(path, v.length, options);
      return v.map((x, i) => atPath((p) => item.encode(x as T, p), () => `${path ?? ''}[${i}]`));
    },
    decode(v, path) {
      if (!Array.isArray(v)) throw expected(path, description, v);
      checkCount(path, v.length, options);
      return v.map((x: CborValue, i) => atPath((p) => item.decode(x, p), () => `${path ?? ''}[${i}]`));
    },
  };
}

/** Options of `s.map`: item count bounds and an optional schema for the (text) keys. */
export interface MapOptions<K extends string> extends CountOptions {
  key?: Schema<K>;
}

function map<V, K extends string = string>(value: Schema<V>, options: MapOptions<K> = {}): Schema<ReadonlyMap<K, V>> {
  checkLimit('min', options.min);
  checkLimit('max', options.max);
  const keySchema = options.key;
  const description = `map of ${value.description}`;
  const keyPath = (path: string | undefined, k: string): string => `${path ?? ''}[${JSON.stringify(k)}]`;
  return {
    description,
    encode(v, path) {
      if (!(v instanceof Map)) throw expected(path, description, v);
      checkCount(path, v.size, options);
      const out: CborMap = new Map();
      for (const [k, x] of v) {
        const ek = keySchema ? atPath((p) => keySchema.encode(k, p), () => keyPath(path, String(k))) : k;
        if (typeof ek !== 'string') throw schemaError(path, 'map keys must encode to text');
        if (out.has(ek)) throw schemaError(keyPath(path, ek), 'two keys encode to the same text');
        out.set(ek, atPath((p) => value.encode(x, p), () => keyPath(path, ek)));
      }
      return out;
    },
    decode(v, path) {
      if (!(v instanceof Map)) throw expected(path, description, v);
      checkCount(path, v.size, options);
      const out = new Map<K, V>();
      for (const [k, x] of v) {
        const dk = keySchema ? atPath((p) => keySchema.decode(k, p), () => keyPath(path, k)) : (k as K);
        // A key schema that folds two wire keys into one would let one of them silently win.
        if (out.has(dk)) throw schemaError(keyPath(path, k), 'two keys decode to the same key');
        out.set(dk, atPath((p) => value.decode(x, p), () => keyPath(path, k)));
      }
      return out;
    },
  };
}

/** A struct schema also exposes its fields, so documents and older versions can reuse them. */
export interface StructSchema<F extends Fields> extends Schema<StructOf<F>> {
  readonly fields: F;
}

function isOptional(schema: Schema<unknown>): schema is OptionalSchema<unknown> {
  return (schema as Partial<OptionalSchema<unknown>>).optional === true;
}

function struct<const F extends Fields>(fields: F): StructSchema<F> {
  const names = Object.keys(fields);
  const description = 'struct';
  return {
    description,
    fields,
    encode(v, path) {
      if (typeof v !== 'object' || v === null || Array.isArray(v) || v instanceof Map || v instanceof Uint8Array) {
        throw expected(path, 'an object', v);
      }
      const rec = v as Record<string, unknown>;
      const out: CborMap = new Map();
      for (const name of names) {
        const schema = fields[name]!;
        const fv = Object.prototype.hasOwnProperty.call(rec, name) ? rec[name] : undefined;
        if (fv === undefined) {
          if (isOptional(schema)) continue;
          throw schemaError(child(path, name), 'missing required field');
        }
        out.set(name, atPath((p) => schema.encode(fv, p), () => child(path, name)));
      }
      return out;
    },
    decode(v, path) {
      if (!(v instanceof Map)) throw expected(path, 'a map', v);
      // A fresh object with only the declared keys; defineProperty so that a field named
      // `__proto__` is an own property, never a prototype change.
      const out: Record<string, unknown> = {};
      for (const name of names) {
        const schema = fields[name]!;
        const fv = v.get(name);
        if (fv === undefined) {
          if (isOptional(schema)) continue;
          throw schemaError(child(path, name), 'missing required field');
        }
        Object.defineProperty(out, name, {
          value: atPath((p) => schema.decode(fv, p), () => child(path, name)),
          enumerable: true,
          writable: true,
          configurable: true,
        });
      }
      return out as StructOf<F>;
    },
  };
}

function optional<T>(inner: Schema<T>): OptionalSchema<T> {
  return {
    description: `optional ${inner.description}`,
    optional: true,
    inner,
    encode(v, path) {
      if (v === undefined) throw schemaError(path, 'an absent optional value has no encoding');
      return inner.encode(v, path);
    },
    decode: (v, path) => inner.decode(v, path),
  };
}

function nullable<T>(inner: Schema<T>): Schema<T | null> {
  return {
    description: `${inner.description} or null`,
    encode: (v, path) => (v === null ? null : inner.encode(v, path)),
    decode: (v, path) => (v === null ? null : inner.decode(v, path)),
  };
}

function id<T extends AnyId>(): Schema<T> {
  return {
    description: 'id',
    encode(v, path) {
      // Only the canonical lowercase spelling: ids are compared as strings in the API.
      const b = idHexToBytes(v);
      if (b === undefined) throw schemaError(path, 'expected an id (32 lowercase hex characters)');
      return b;
    },
    decode(v, path) {
      if (!(v instanceof Uint8Array) || v.length !== ID_LENGTH) throw expected(path, `an id (${ID_LENGTH} bytes)`, v);
      return idFromBytes<T>(v);
    },
  };
}

function timestamp(): Schema<Timestamp> {
  const inner = integer('timestamp (uint µs)', 0);
  return { description: inner.description, encode: inner.encode, decode: inner.decode };
}

/** Any CBOR value, unchecked: for opaque payloads whose schema is applied elsewhere. */
function cbor(): Schema<CborValue> {
  return { description: 'any', encode: (v) => v, decode: (v) => v };
}

/**
 * A schema over `inner` whose API value is converted by `decode`/`encode` (e.g. a validated
 * branded string). Conversion functions should throw `CodecError`; anything else they throw is
 * wrapped as `codec/schema` with the field path.
 */
function transform<A, B>(inner: Schema<A>, fns: { decode(a: A): B; encode(b: B): A; description?: string }): Schema<B> {
  const guard = <X>(path: string | undefined, f: () => X): X => {
    try {
      return f();
    } catch (err) {
      if (err instanceof CodecError && err.code === 'codec/schema') throw err;
      const message = err instanceof Error ? err.message : String(err);
      throw schemaError(path, message, err);
    }
  };
  return {
    description: fns.description ?? inner.description,
    encode: (v, path) => inner.encode(guard(path, () => fns.encode(v)), path),
    decode: (v, path) => {
      const a = inner.decode(v, path);
      return guard(path, () => fns.decode(a));
    },
  };
}

/** The schema combinators. */
export const s = {
  /** Byte string; `s.bytes(32)` requires exactly 32 bytes, `s.bytes({ max })` bounds the length. */
  bytes,
  /** Unsigned safe integer, optionally bounded. */
  uint: (options?: IntOptions) => integer('uint', 0, options),
  /** Signed safe integer, optionally bounded. */
  int: (options?: IntOptions) => integer('int', Number.MIN_SAFE_INTEGER, options),
  /** Text string, optionally bounded in UTF-8 bytes. */
  text,
  /** `true` or `false` (CBOR simple values 21/20). */
  bool,
  /** One of the given literal values (`s.literal('file', 'folder')`). */
  literal,
  /** Same as `literal`, taking an array. */
  oneOf: <const L extends readonly Literal[]>(values: L): Schema<L[number]> => literal(...values),
  /** Array of `item`; `{ min, max }` bound the number of items (set `max` on anything from the wire). */
  array,
  /** Text-keyed map → `Map` (hostile keys such as `__proto__` stay plain keys). */
  map,
  /** Fixed set of named fields → plain object with only those fields; unknown fields ignored. */
  struct,
  /**
   * A struct field that may be absent: the key is left out of the CBOR map, `undefined` in the API.
   * Only meaningful as a field of `s.struct` (absent and `null` are different on the wire).
   */
  optional,
  /** `inner` or CBOR `null`, which stays `null` in the API. */
  nullable,
  /** 16 bytes on the wire ⇄ branded lowercase hex id in the API. */
  id,
  /** Integer microseconds since the Unix epoch. */
  timestamp,
  /** Any CBOR value, unchecked: for opaque payloads whose schema is applied elsewhere. */
  cbor,
  /**
   * `inner` with its API value converted by `fns.decode`/`fns.encode` (e.g. into a validated branded
   * string); what the conversions throw becomes `codec/schema` with the field path.
   */
  transform,
} as const;
