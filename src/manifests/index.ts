/**
 * `sealsync/manifests`: manifest formats, sign-then-encrypt write path, verified read path,
 * realm keys bundle and rotation, realm name encryption, history helpers (the manifest format).
 * @module
 */
export * from './types.js';
export * from './entry-name.js';
export * from './trust.js';
export * from './manifest-rules.js';
export * from './manifest-format.js';
export * from './vlob-crypto.js';
export * from './key-canary.js';
export * from './realm-keyring.js';
export * from './realm-keys-bundle.js';
export * from './rotation.js';
export * from './realm-name.js';
export * from './history.js';
export * from './certificate-trust.js';
