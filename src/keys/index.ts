/**
 * `sealsync/keys`: the cryptographic suite v1 (DESIGN §2) behind one `CryptoProvider`.
 * Every failure is a `CryptoError` with a stable `crypto/*` code.
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
  ed25519VerifyStrict,
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
  argon2idRaw,
  type Argon2Params,
} from './argon2.js';
export { getCryptoProvider, setCryptoProvider, type CryptoProvider } from './provider.js';
export { nobleProvider } from './noble-provider.js';
export { webCryptoProvider } from './webcrypto-provider.js';
export { autoProvider, probeProviders, type PrimitiveFamily, type ProviderChoice } from './auto-provider.js';
