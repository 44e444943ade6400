import { fromHex } from '../../src/bytes.js';
import type { DeviceId, RealmId } from '../../src/codec/ids.js';
import { SigningKey } from '../../src/keys/index.js';
import { checkLabel, checkPolicy, type BindingContent, type SignerDirectory } from '../../src/labels/index.js';
import { ACME, SECRET_ALPHA_XAA, label } from './fixtures.js';

/** Deterministic signer: Ed25519 signatures are deterministic, so exports are byte-stable. */
export const SIGNER = {
  deviceId: '5e11ab1ed0c0ffee5e11ab1ed0c0ffee' as DeviceId,
  signingKey: SigningKey.fromBytes(fromHex('9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60')),
};
export const REALM = '0123456789abcdef0123456789abcdef' as RealmId;
export const POLICY = checkPolicy(ACME);
export const CREATED = 1_780_000_000_123_456;
export const DATA = new TextEncoder().encode('Operation order: hold the bridge until 0600.\n');

export const CONTENT: BindingContent = {
  label: { root: 'originatorConfidentialityLabel', label: checkLabel(SECRET_ALPHA_XAA, POLICY), policyUri: ACME.policyUri, creationTime: CREATED },
  flow: { realmId: REALM, label: { root: 'originatorConfidentialityLabel', label: checkLabel(SECRET_ALPHA_XAA, POLICY), creationTime: CREATED - 1_000_000 } },
  dataUri: 'orders/bridge.txt',
  contentType: 'text/plain',
};

export const CONTENT_RESTRICTED: BindingContent = {
  label: { root: 'originatorConfidentialityLabel', label: checkLabel(label('RESTRICTED'), POLICY), creationTime: CREATED },
  dataUri: 'notes.txt',
  contentType: 'text/plain',
};

/** A directory that knows only SIGNER. */
export const SIGNERS: SignerDirectory = { verifyKeyAt: (d) => (d === SIGNER.deviceId ? SIGNER.signingKey.verifyKey : undefined) };
