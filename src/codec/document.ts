/**
 * Versioned documents (the encoding rules): every document is a CBOR map with `type` (text) and `v`
 * (format version, uint) next to its fields.
 *
 * Format evolution: a reader accepts every version it knows and upgrades older ones in memory;
 * a version newer than it knows is refused with `UnsupportedFormatError` (guessing at the meaning
 * of a future format is how security checks get skipped); writers always write the newest version.
 * @module
 */
import { ArgumentError, CodecError, UnsupportedFormatError } from '../errors.js';
import { decodeCbor, type DecodeOptions } from './cbor-decode.js';
import { encodeCbor } from './cbor-encode.js';
import { DEFAULT_MAX_SIZE, type CborValue } from './cbor-value.js';
import { s, schemaError, type Fields, type StructOf, type StructSchema } from './schema.js';

/** How to read one older version `v` of a document: its fields and the upgrade to the latest. */
export interface OlderVersion<Latest> {
  /** The fields of that version, as they were on the wire. */
  readonly fields: Fields;
  /**
   * Builds the latest version's value from the decoded old one, in memory only (the stored bytes
   * stay as they are, so their signature still verifies).
   */
  upgrade(old: any): Latest;
}

/** Typed constructor for an `OlderVersion`: `upgrade` receives the old fields' API type. */
export function olderVersion<const F extends Fields, Latest>(
  fields: F,
  upgrade: (old: StructOf<F>) => Latest,
): OlderVersion<Latest> {
  return { fields, upgrade };
}

/** What `defineDocument` takes. */
export interface DocumentDefinition<F extends Fields> {
  /** The `type` written in every document, e.g. `'user_certificate'`. */
  readonly type: string;
  /** The newest format version; the one written. */
  readonly version: number;
  readonly fields: F;
  /** Older versions still read, keyed by their `v`. */
  readonly older?: { readonly [v: number]: OlderVersion<StructOf<F>> };
  /**
   * Largest encoding `decode` accepts unless its caller passes another `maxSize`; default
   * `DEFAULT_MAX_SIZE` (16 MiB). Give every document the bound of what it can honestly be.
   */
  readonly maxSize?: number;
}

/** Encoder/decoder of one document type. */
export interface DocumentCodec<T> {
  readonly type: string;
  readonly version: number;
  /** Largest encoding `decode` accepts by default (`DocumentDefinition.maxSize`). */
  readonly maxSize: number;
  /** Encodes `value` as the newest version. Throws `CodecError` (`codec/schema`, …). */
  encode(value: T): Uint8Array;
  /** Like `encode` but returns the CBOR value, for embedding in another document. */
  toCbor(value: T): CborValue;
  /**
   * Strictly decodes `bytes` (see `decodeCbor`), then checks `type` (`codec/wrong-type`) and `v`:
   * the newest and every declared older version are accepted (older ones upgraded), a newer one
   * is `UnsupportedFormatError` `format/unsupported-version`, any other is `codec/unknown-version`.
   */
  decode(bytes: Uint8Array, options?: DecodeOptions): T;
  /** Like `decode`, from an already decoded CBOR value. */
  fromCbor(value: CborValue): T;
}

/** The API type of a document codec. */
export type InferDocument<D> = D extends DocumentCodec<infer T> ? T : never;

const RESERVED = ['type', 'v'];

function checkFields(fields: Fields): void {
  for (const name of RESERVED) {
    if (Object.prototype.hasOwnProperty.call(fields, name)) {
      throw new ArgumentError('argument/invalid', `document field name "${name}" is reserved`);
    }
  }
}

/**
 * Defines a versioned document type. Throws `ArgumentError` for a definition that reuses the
 * reserved `type`/`v` field names, a version that is not a uint, or an older version ≥ `version`.
 */
export function defineDocument<const F extends Fields>(def: DocumentDefinition<F>): DocumentCodec<StructOf<F>> {
  const { type, version } = def;
  const maxSize = def.maxSize ?? DEFAULT_MAX_SIZE;
  if (!Number.isSafeInteger(maxSize) || maxSize < 1) throw new ArgumentError('argument/invalid', 'maxSize must be a positive integer');
  if (!Number.isSafeInteger(version) || version < 0) throw new ArgumentError('argument/invalid', 'version must be a uint');
  checkFields(def.fields);
  const latest: StructSchema<F> = s.struct(def.fields);
  const older = new Map<number, { schema: StructSchema<Fields>; upgrade(old: unknown): StructOf<F> }>();
  for (const [key, o] of Object.entries(def.older ?? {})) {
    const v = Number(key);
    if (!Number.isSafeInteger(v) || v < 0 || v >= version) {
      throw new ArgumentError('argument/invalid', `older version ${key} must be a uint below ${version}`);
    }
    checkFields(o.fields);
    older.set(v, { schema: s.struct(o.fields), upgrade: (old) => o.upgrade(old) });
  }

  const toCbor = (value: StructOf<F>): CborValue => {
    const m = latest.encode(value) as Map<string, CborValue>;
    m.set('type', type);
    m.set('v', version);
    return m;
  };

  const fromCbor = (value: CborValue): StructOf<F> => {
    if (!(value instanceof Map)) throw schemaError('', 'a document is a map');
    const t = value.get('type');
    if (typeof t !== 'string') throw schemaError('type', 'missing or not text');
    if (t !== type) throw new CodecError('codec/wrong-type', `expected a "${type}" document, got "${t}"`);
    const v = value.get('v');
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) throw schemaError('v', 'missing or not a uint');
    if (v === version) return latest.decode(value);
    if (v > version) {
      throw new UnsupportedFormatError(
        'format/unsupported-version',
        `"${type}" format version ${v} is newer than the newest known (${version}); upgrade sealsync`,
      );
    }
    const o = older.get(v);
    if (o === undefined) throw new CodecError('codec/unknown-version', `"${type}" has no format version ${v}`);
    return o.upgrade(o.schema.decode(value));
  };

  return {
    type,
    version,
    maxSize,
    toCbor,
    encode: (value) => encodeCbor(toCbor(value)),
    fromCbor,
    decode: (bytes, options) => fromCbor(decodeCbor(bytes, { maxSize, ...options })),
  };
}
