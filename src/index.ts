/**
 * sealsync: zero-trust, end-to-end encrypted file sharing and sync.
 *
 * Every module is also reachable on its own subpath (`sealsync/codec`, `sealsync/keys`, …).
 * @module
 */
export * from './errors.js';
export * from './bytes.js';
export * from './codec/index.js';
export * from './keys/index.js';
export * from './blocks/index.js';
export * from './certificates/index.js';
export * from './manifests/index.js';
export * from './sas/index.js';
export * from './merge/index.js';
export * from './storage/index.js';
export * from './transport/index.js';
export * from './client/index.js';
export * from './labels/index.js';
export * from './shamir/index.js';
export * from './pki/index.js';
