/**
 * SAS key schedule (the SAS protocol). Frozen by `test/vectors/formats/sas-v1.json`; any change here is
 * a protocol break.
 *
 *     shared      = X25519(own ephemeral private, peer ephemeral public)       (all-zero → error)
 *     commitment  = SHA-256(claimer nonce(32) ‖ claimer public key(32))
 *     channel key = HKDF-SHA256(ikm  = shared,
 *                               salt = greeter pk(32) ‖ claimer pk(32),
 *                               info = "sealsync/1/invite" ‖ token(16),           L = 32)
 *     SAS bytes   = HKDF-SHA256(ikm  = shared,
 *                               salt = greeter pk(32) ‖ claimer pk(32) ‖ greeter nonce(32) ‖ claimer nonce(32),
 *                               info = "sealsync/1/invite-sas" ‖ token(16),       L = 5)
 *     greeter code = SAS bits 0–19, claimer code = SAS bits 20–39 (big-endian, 5 bits a character)
 *     payload AAD  = "sealsync/1/invite-payload" ‖ 0x00 ‖ token(16) ‖ u32be(attempt) ‖ u8(step)
 *
 * Why both nonces go into the SAS: a man in the middle has one ephemeral key per side and must
 * make the two derived codes agree. The claimer's commitment fixes the claimer nonce before the
 * greeter reveals its own, and the greeter's nonce is revealed before the claimer's, so neither
 * side's nonce can be chosen after seeing the other: the attacker gets a single 2⁻²⁰ guess per code
 * instead of grinding keys offline.
 * @module
 */
import { concatBytes, constantTimeEqual, u32be, utf8Encode } from '../bytes.js';
import { idToBytes, type InvitationToken } from '../codec/ids.js';
import { hkdfSha256, PublicKey, SecretKey, sha256, type PrivateKey } from '../keys/index.js';
import { sasCodesFromBytes, type SasCode } from './sas-code.js';

/** Length in bytes of an ephemeral X25519 public key exchanged during SAS. */
export const SAS_PUBLIC_KEY_LENGTH = 32;
/** Length in bytes of each side's random nonce (256 bits, so a commitment cannot be brute-forced). */
export const SAS_NONCE_LENGTH = 32;
/** Length in bytes of the claimer's commitment, SHA-256(nonce ‖ public key), which fixes its nonce before the greeter reveals its own. */
export const SAS_COMMITMENT_LENGTH = 32;

const CHANNEL_INFO = utf8Encode('sealsync/1/invite');
const SAS_INFO = utf8Encode('sealsync/1/invite-sas');
const AAD_PREFIX = concatBytes(utf8Encode('sealsync/1/invite-payload'), new Uint8Array([0]));

/** SHA-256(claimer nonce ‖ claimer public key). */
export function computeCommitment(claimerNonce: Uint8Array, claimerPublicKey: Uint8Array): Promise<Uint8Array> {
  return sha256(concatBytes(claimerNonce, claimerPublicKey));
}

/** Constant-time comparison of a revealed commitment with the one received at step 1. */
export function commitmentMatches(expected: Uint8Array, actual: Uint8Array): boolean {
  return constantTimeEqual(expected, actual);
}

/** Public inputs of the key schedule, named by role (not by "own"/"peer"), so both sides agree. */
export interface SasTranscript {
  readonly token: InvitationToken;
  readonly greeterPublicKey: Uint8Array;
  readonly claimerPublicKey: Uint8Array;
  readonly greeterNonce: Uint8Array;
  readonly claimerNonce: Uint8Array;
}

/** What both sides derive from the shared secret and the transcript. */
export interface SasSecrets {
  readonly channelKey: SecretKey;
  readonly sasBytes: Uint8Array;
  readonly greeterCode: SasCode;
  readonly claimerCode: SasCode;
}

/** Channel key from the X25519 shared secret (layout in the module doc). */
export async function deriveChannelKey(shared: Uint8Array, t: Omit<SasTranscript, 'greeterNonce' | 'claimerNonce'>): Promise<SecretKey> {
  const salt = concatBytes(t.greeterPublicKey, t.claimerPublicKey);
  const info = concatBytes(CHANNEL_INFO, idToBytes(t.token));
  return SecretKey.fromBytes(await hkdfSha256(shared, salt, info, 32));
}

/** The 5 SAS bytes from the shared secret (layout in the module doc). */
export function deriveSasBytes(shared: Uint8Array, t: SasTranscript): Promise<Uint8Array> {
  const salt = concatBytes(t.greeterPublicKey, t.claimerPublicKey, t.greeterNonce, t.claimerNonce);
  const info = concatBytes(SAS_INFO, idToBytes(t.token));
  return hkdfSha256(shared, salt, info, 5);
}

/**
 * Runs the whole schedule for one side. Throws `CryptoError` `crypto/weak-shared-secret` if the
 * peer's key is a small-order point (RFC 7748 §6.1), or `crypto/invalid-key-length`.
 */
export async function deriveSasSecrets(ownEphemeral: PrivateKey, peerPublicKey: Uint8Array, t: SasTranscript): Promise<SasSecrets> {
  const shared = await ownEphemeral.agree(PublicKey.fromBytes(peerPublicKey));
  const channelKey = await deriveChannelKey(shared, t);
  const sasBytes = await deriveSasBytes(shared, t);
  return { channelKey, sasBytes, ...sasCodesFromBytes(sasBytes) };
}

/** Associated data binding an encrypted step payload to its invitation, attempt and step. */
export function payloadAad(token: InvitationToken, attempt: number, step: number): Uint8Array {
  return concatBytes(AAD_PREFIX, idToBytes(token), u32be(attempt), new Uint8Array([step]));
}
