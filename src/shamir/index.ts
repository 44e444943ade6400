/**
 * `sealsync/shamir`: Shamir recovery (Parsec RFC 1000): setups split with the audited
 * `shamir-secret-sharing` library, signed briefs and sealed share certificates, verification,
 * share opening and recombination with one error code per refusal.
 * @module
 */
export { ShamirError } from './errors.js';
export { MAX_TOTAL_WEIGHT, type ShamirBrief, type ShamirDeletion, type ShamirDocument, type ShamirShareCertificate, type ShamirShareData } from './types.js';
export { decodeShamirDocument, decodeShareData, encodeShamirDocument, encodeShareData, readShamirDocument, signShamirDocument, MAX_SHAMIR_DOCUMENT_SIZE } from './formats.js';
export { checkWeights, createShamirSetup, DATA_KEY_LENGTH, REVEAL_TOKEN_LENGTH, type ShamirRecipient, type ShamirSetup } from './setup.js';
export { combineShamirShares, openRecoveryData, openShamirShare, verifyShamirDocument, verifyShamirSetup, type ShamirSecret, type ShamirTrust, type VerifiedShamirSetup } from './verify.js';
export { applyShamirDeletion, applyShamirSetup, NO_SHAMIR_SETUP, type ShamirState } from './state.js';
export { decodeRecoveryDevice, encodeRecoveryDevice, type ShamirRecoveryDevice } from './recovery-device.js';
