/**
 * `sealsync/keys/hazmat`: the low-level layer under `sealsync/keys`. Hazardous materials: these
 * functions take raw key bytes and caller-chosen nonces and check nothing about how they are used.
 * `aesGcmEncrypt(key, nonce, …)` with a repeated nonce under one key gives away the XOR of the
 * plaintexts and the GHASH key (forgeries); the key objects of `sealsync/keys` never let that
 * happen (fresh random nonces, per-object derived keys). Use this entry to plug in or test a
 * provider, or to interoperate with a format sealsync does not write itself.
 * @module
 */
export { getCryptoProvider, setCryptoProvider, type CryptoProvider } from './provider.js';
export { nobleProvider } from './noble-provider.js';
export { webCryptoProvider } from './webcrypto-provider.js';
export { autoProvider, createAutoProvider, SMALL_HASH_THRESHOLD, type AutoProvider, type AutoProviderOptions } from './auto-provider.js';
export { nodeCryptoProvider } from './node-provider.js';
export { argon2idRaw } from './argon2.js';
export { ed25519VerifyStrict } from './signing.js';
export { wipeCachedCopies } from './key-caches.js';
