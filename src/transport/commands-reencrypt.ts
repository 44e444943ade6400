/**
 * Full realm re-encryption commands (Parsec F10 `WS_REENCRYPT`): an OWNER replaces the ciphertext
 * of existing vlob versions and blocks by the same plaintext encrypted under the realm's current
 * key. The server cannot check the plaintext; readers verify signatures and digests as always.
 * @module
 */
import type { BlockId, RealmId, VlobId } from '../codec/ids.js';

/** An OWNER replaces the ciphertext of existing vlob versions by the same manifests encrypted under the current key. */
export interface RealmReencryptVlobsReq {
  readonly cmd: 'realm_reencrypt_vlobs';
  readonly realmId: RealmId;
  /** Must be the realm's current key index. */
  readonly keyIndex: number;
  readonly items: readonly { readonly vlobId: VlobId; readonly version: number; readonly blob: Uint8Array }[];
}
/** An OWNER replaces the ciphertext of one block by the same content encrypted under the current key `keyIndex`. */
export interface RealmReencryptBlockReq {
  readonly cmd: 'realm_reencrypt_block';
  readonly realmId: RealmId;
  readonly blockId: BlockId;
  readonly keyIndex: number;
  readonly block: Uint8Array;
}
