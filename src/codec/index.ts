/**
 * `sealsync/codec`: deterministic CBOR, schemas, versioned documents, ids and timestamps.
 * @module
 */
export * from './cbor.js';
export * from './schema.js';
export * from './document.js';
export * from './ids.js';
export * from './timestamps.js';
