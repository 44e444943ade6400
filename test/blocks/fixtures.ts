/** Test realm fixture (needs the keys module). */
import type { RealmId } from '../../src/codec/ids.js';
import { newId } from '../../src/codec/ids.js';
import { SecretKey } from '../../src/keys/index.js';

export interface Realm {
  realmId: RealmId;
  realmKey: SecretKey;
  keyIndex: number;
}

export function newRealm(keyIndex = 1): Realm {
  return { realmId: newId<RealmId>(), realmKey: SecretKey.generate(), keyIndex };
}

