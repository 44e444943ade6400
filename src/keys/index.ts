/**
 * `sealsync/keys`: the cryptographic suite v1 (crypto suite v1) as misuse-resistant key objects.
 * Every failure is a `CryptoError` with a stable `crypto/*` code.
 *
 * Secret bytes leave a key only through `exportSecretBytes()` (public keys keep `toBytes()`), and
 * every secret key has `dispose()`. The raw providers (nonce-taking AES-GCM, raw Argon2id,
 * provider-level Ed25519) are NOT reachable from here: they live in `sealsync/keys/hazmat`.
 * @module
 */
export type { CryptoErrorCode } from './errors.js';
export { randomBytes } from './random.js';
export { sha256, sha256Sync, createSha256, hmacSha256, hkdfSha256, type Sha256Context } from './hash.js';
export { SecretKey, deriveKey, deriveKeyInfo, SECRET_KEY_LENGTH, SECRET_BOX_OVERHEAD } from './secret-key.js';
export {
  SigningKey,
  VerifyKey,
  signDocument,
  openSignedDocument,
  splitSignedDocument,
  verifyBatch,
  VERIFY_BATCH_CONCURRENCY,
  ED25519_SEED_LENGTH,
  ED25519_PUBLIC_KEY_LENGTH,
  ED25519_SIGNATURE_LENGTH,
  type VerifyItem,
} from './signing.js';
export { PrivateKey, PublicKey, X25519_KEY_LENGTH } from './x25519.js';
export { sealBox, openBox, SEALED_BOX_OVERHEAD } from './sealed-box.js';
export {
  DEFAULT_ARGON2_PARAMS,
  MIN_ARGON2_PARAMS,
  MAX_ARGON2_PARAMS,
  ARGON2_SALT_LENGTH,
  newArgon2Params,
  checkArgon2Params,
  deriveKeyFromPassword,
  type Argon2Params,
  type Argon2Costs,
} from './argon2.js';
export { useCryptoImplementation, cryptoImplementationName, type CryptoImplementation } from './provider.js';
export { probeProviders, type PrimitiveFamily, type ProviderChoice } from './auto-provider.js';
