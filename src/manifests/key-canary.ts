/**
 * Key canaries (the manifest format): a `realm_key_rotation` certificate carries a value derived from the
 * new key, so every member can check that the key it got from a keys bundle is the key the
 * rotation announced, and not one substituted by a malicious bundle author or a corrupted store.
 * @module
 */
import { constantTimeEqual, concatBytes, u32be } from '../bytes.js';
import { idToBytes, type RealmId } from '../codec/ids.js';
import { SUITE_V1 } from '../certificates/types.js';
import { deriveKey, type SecretKey } from '../keys/index.js';

/** The only realm key suite so far (crypto suite v1): AES-256-GCM keys, HKDF-SHA256 derivation. */
export const REALM_KEY_SUITE_V1: string = SUITE_V1;

/**
 * `canary = HKDF-SHA256(ikm = key, info = "sealsync/1/key-canary" ‖ 0x00 ‖ realm id ‖ u32be(index))`.
 *
 * Why it reveals nothing about the key: HKDF is a PRF keyed by the realm key, so its output for
 * this `info` is indistinguishable from random to anyone without the key and independent of the
 * outputs for every other purpose (the `vlob`, `block` and `realm-name` keys use other `info`),
 * and inverting it to the key means breaking HMAC-SHA256. Deterministic, so checking is a
 * recomputation and a constant-time compare. Binding realm id and index stops a canary (and its
 * key) from being replayed at another index or in another realm.
 */
export async function keyCanary(realmId: RealmId, keyIndex: number, key: SecretKey): Promise<Uint8Array> {
  const derived = await deriveKey(key, 'key-canary', concatBytes(idToBytes(realmId), u32be(keyIndex)));
  return derived.exportSecretBytes();
}

/** True when `canary` is the canary of `key` at `keyIndex` of `realmId` (constant-time compare). */
export async function checkKeyCanary(realmId: RealmId, keyIndex: number, key: SecretKey, canary: Uint8Array): Promise<boolean> {
  return constantTimeEqual(await keyCanary(realmId, keyIndex, key), canary);
}
