/**
 * `sealsync/certificates`: certificate types, signing, organisation bootstrap and the
 * `CertificateStore` chain-of-trust engine (the certificate rules).
 * @module
 */
export * from './types.js';
export { REASONS, type CertificateReason } from './reasons.js';
export { encodeCertificate, decodeCertificate, MAX_CERTIFICATE_SIZE, CERTIFICATE_FORMAT_VERSION } from './formats.js';
export { certificateDigest, nextLink, linkAfter, CHAIN_DIGEST_LENGTH } from './chain.js';
export { signCertificate, readCertificate, openCertificate, SIGNATURE_LENGTH, type UnverifiedCertificate } from './sign.js';
export { bootstrapOrganization, type BootstrapOptions, type BootstrapResult } from './bootstrap.js';
export { MemoryCertificateStoreStorage, type CertificateStoreStorage, type TopicCertificates } from './storage.js';
export {
  CertificateStore,
  type CertificateStoreOptions,
  type DeviceInfo,
  type RealmMember,
  type UserInfo,
} from './store.js';
