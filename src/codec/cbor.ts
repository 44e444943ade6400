/**
 * Deterministic CBOR (RFC 8949 §4.2.1): the value model, the encoder and the strict decoder.
 * @module
 */
export { DEFAULT_MAX_SIZE, MAX_DEPTH, type CborInput, type CborMap, type CborValue } from './cbor-value.js';
export { encodeCbor } from './cbor-encode.js';
export { decodeCbor, type DecodeOptions } from './cbor-decode.js';
export { BORROW_MIN_BYTES, DECODE_BUDGET_BASE, DECODE_BUDGET_FACTOR } from './decode-budget.js';
