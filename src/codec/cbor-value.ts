/**
 * The value model of sealsync's CBOR subset (the encoding rules): exactly what a strict decode can return.
 *
 * Maps are `Map<string, CborValue>` rather than plain objects so that a hostile key such as
 * `__proto__` or `constructor` is just a key, never a prototype write.
 * @module
 */

/** A decoded CBOR map: text keys only. */
export interface CborMap extends Map<string, CborValue> {}

/**
 * Every value the codec can carry: `null`, booleans, safe integers, text, byte strings, arrays
 * and text-keyed maps. No floats, tags, `undefined` or other simple values.
 */
export type CborValue = null | boolean | number | string | Uint8Array | readonly CborValue[] | CborMap;

/**
 * What `encodeCbor` accepts: a `CborValue`, or plain objects with string keys in place of maps
 * (fields whose value is `undefined` are left out, so optional fields need no special casing).
 */
export type CborInput =
  | null
  | boolean
  | number
  | string
  | Uint8Array
  | readonly CborInput[]
  | ReadonlyMap<string, CborInput>
  | { readonly [key: string]: CborInput | undefined };

/**
 * Deepest array/map nesting accepted (a top-level container is depth 1). Bounds the decoder's
 * recursion so hostile input cannot blow the stack, and keeps every document within what any
 * peer can read.
 */
export const MAX_DEPTH = 32;

/** Default size limit of one encoded document: 16 MiB. */
export const DEFAULT_MAX_SIZE = 16 * 1024 * 1024;
