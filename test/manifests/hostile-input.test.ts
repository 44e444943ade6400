/**
 * Hostile input (DESIGN §3: "nothing malformed may throw anything but a sealsync error"): every
 * public decode/open function of the manifests module is fed random bytes, mutated valid
 * encodings, and valid documents whose fields were replaced by arbitrary CBOR values — the last
 * ones signed by a real member and sealed at the right place, so they reach the schema and rule
 * checks behind the signature. The only acceptable failure is a `SealsyncError` subclass.
 *
 * Deterministic: fixed seed (override with SEALSYNC_FUZZ_SEED; fast-check prints the seed and the
 * counterexample on failure); more runs with SEALSYNC_FUZZ_RUNS.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { concatBytes } from '../../src/bytes.js';
import { decodeCbor, encodeCbor, type CborValue } from '../../src/codec/cbor.js';
import { idToBytes } from '../../src/codec/ids.js';
import { deriveKey, sealBox, SecretKey, signDocument } from '../../src/keys/index.js';
import {
  bundleAad,
  accessAad,
  decodeManifest,
  decryptManifest,
  decryptRealmName,
  encodeManifest,
  manifestFromCbor,
  openRealmKeysAccess,
  openRealmKeysBundle,
  peekAuthorAndTimestamp,
  realmKeysAccessDocument,
  realmKeysBundleDocument,
  realmNamePlaintextDocument,
  verifySignedDocument,
  vlobAad,
  vlobKey,
  keyCanary,
  REALM_KEY_SUITE_V1,
} from '../../src/manifests/index.js';
import { alice, claimsOf, createRealm, fileManifest, folderManifest, REALM, standardTrust, T0, SECOND } from './helpers.js';
import { fuzzSettings, onlySealsyncErrors } from '../support/hostile.js';

const { params } = fuzzSettings(20261123, 150);

/** Arbitrary values of sealsync's CBOR model (what a strict decode can return). */
const cborValue: fc.Arbitrary<CborValue> = fc.letrec<{ v: CborValue }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constant(null),
    fc.boolean(),
    fc.integer(),
    fc.constantFrom(0, -1, 1, 2 ** 32, 2 ** 53 - 1, -(2 ** 53) + 1),
    fc.string({ maxLength: 20 }),
    fc.constantFrom('file_manifest', 'folder_manifest', 'realm_keys_bundle', '.', '..', 'a/b', '__proto__'),
    fc.uint8Array({ maxLength: 40 }),
    fc.constantFrom(new Uint8Array(16), new Uint8Array(32), new Uint8Array(15)),
    fc.array(tie('v'), { maxLength: 4 }),
    fc.array(fc.tuple(fc.string({ maxLength: 8 }), tie('v')), { maxLength: 4 }).map((es) => new Map(es) as CborValue),
  ),
})).v;

/** A valid document's CBOR map with one field replaced, removed, or a field added. */
function mutatedDocument(valid: Uint8Array): fc.Arbitrary<CborValue> {
  const base = decodeCbor(valid) as Map<string, CborValue>;
  const keys = [...base.keys()];
  return fc.oneof(
    fc.tuple(fc.constantFrom(...keys), cborValue).map(([k, v]) => new Map(base).set(k, v)),
    fc.constantFrom(...keys).map((k) => {
      const m = new Map(base);
      m.delete(k);
      return m;
    }),
    fc.tuple(fc.constantFrom(...keys), fc.constantFrom(...keys), cborValue, cborValue).map(([k1, k2, v1, v2]) => new Map(base).set(k1, v1).set(k2, v2)),
    // Nested: mutate inside the first block / a child entry.
    fc.tuple(cborValue, fc.string({ maxLength: 8 })).map(([v, k]) => {
      const m = new Map(base);
      const blocks = m.get('blocks');
      if (Array.isArray(blocks) && blocks[0] instanceof Map) m.set('blocks', [new Map(blocks[0]).set(k === '' ? 'offset' : k, v), ...blocks.slice(1)]);
      const children = m.get('children');
      if (children instanceof Map) m.set('children', new Map(children).set(k, v));
      return m;
    }),
  );
}

/**
 * Bodies to seal: `valid` with a field substituted (`null` when that is not encodable, e.g. an
 * unsafe integer: nothing to send), or up to `maxRaw` raw bytes.
 */
function substitutedOrRaw(valid: Uint8Array, maxRaw: number): fc.Arbitrary<Uint8Array | null> {
  return fc.oneof(mutatedDocument(valid).map((d) => ({ d })), fc.uint8Array({ maxLength: maxRaw }).map((raw) => ({ raw }))).map((input) => {
    try {
      return 'raw' in input ? input.raw : encodeCbor(input.d);
    } catch {
      return null;
    }
  });
}

/** Valid bytes with 1–4 random byte changes, a truncation or an extension. */
function mutatedBytes(valid: Uint8Array): fc.Arbitrary<Uint8Array> {
  return fc.oneof(
    fc.array(fc.tuple(fc.nat(valid.length - 1), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 4 }).map((edits) => {
      const out = valid.slice();
      for (const [i, x] of edits) out[i] = out[i]! ^ x;
      return out;
    }),
    fc.nat(valid.length - 1).map((n) => valid.slice(0, n)),
    fc.uint8Array({ minLength: 1, maxLength: 8 }).map((tail) => concatBytes(valid, tail)),
  );
}

describe('hostile input: manifests only ever fail with sealsync errors', () => {
  const file = fileManifest({ version: 2, prev: new Uint8Array(32).fill(7) });
  const folder = folderManifest();
  const validBodies = [encodeManifest(file), encodeManifest(folder)];

  it('decodeManifest: random bytes', async () => {
    await fc.assert(fc.asyncProperty(fc.uint8Array({ maxLength: 200 }), (b) => onlySealsyncErrors(() => decodeManifest(b))), params());
  });

  it('decodeManifest: mutated valid encodings', async () => {
    for (const body of validBodies) {
      await fc.assert(fc.asyncProperty(mutatedBytes(body), (b) => onlySealsyncErrors(() => decodeManifest(b))), params());
    }
  });

  it('manifestFromCbor / peekAuthorAndTimestamp: arbitrary CBOR values and field substitutions', async () => {
    await fc.assert(
      fc.asyncProperty(cborValue, async (v) => {
        await onlySealsyncErrors(() => manifestFromCbor(v));
        await onlySealsyncErrors(() => peekAuthorAndTimestamp(v));
      }),
      params(),
    );
    for (const body of validBodies) {
      await fc.assert(
        fc.asyncProperty(mutatedDocument(body), async (v) => {
          await onlySealsyncErrors(() => manifestFromCbor(v));
          await onlySealsyncErrors(() => peekAuthorAndTimestamp(v));
        }),
        params(),
      );
    }
  });

  it('decryptManifest: field-substituted manifests signed by a real member and sealed at the right place', async () => {
    const keyring = await createRealm();
    const trust = standardTrust();
    for (const m of [file, folder]) {
      const vk = await vlobKey(keyring.get(1)!, m.id);
      await fc.assert(
        fc.asyncProperty(mutatedDocument(encodeManifest(m)), async (doc) => {
          let body: Uint8Array;
          try {
            body = encodeCbor(doc);
          } catch {
            return; // not encodable (e.g. an unsafe integer): nothing to send
          }
          const signed = await signDocument(alice.signingKey, body);
          const blob = await vk.encrypt(signed, vlobAad(REALM, m.id, 1, m.version));
          await onlySealsyncErrors(() => decryptManifest({ blob, realmId: REALM, expected: claimsOf(m), realmKeys: keyring, trust }));
        }),
        params(),
      );
    }
  });

  it('decryptManifest: hostile server claims (key index, version, ids) never crash', async () => {
    const keyring = await createRealm();
    const trust = standardTrust();
    const m = fileManifest();
    const blob = (await vlobKey(keyring.get(1)!, m.id)).encrypt(await signDocument(alice.signingKey, encodeManifest(m)), vlobAad(REALM, m.id, 1, 1));
    const odd = fc.constantFrom(0, -1, 1.5, Number.NaN, 2 ** 32, 2 ** 53, Number.MAX_SAFE_INTEGER);
    await fc.assert(
      fc.asyncProperty(odd, odd, fc.constantFrom(m.id, 'zz', '', 'A'.repeat(32)), async (keyIndex, version, id) => {
        await onlySealsyncErrors(async () =>
          decryptManifest({ blob: await blob, realmId: REALM, expected: { ...claimsOf(m), keyIndex, version, id: id as typeof m.id }, realmKeys: keyring, trust }),
        );
      }),
      params(60),
    );
  });

  it('verifySignedDocument: random and mutated signed bytes', async () => {
    const trust = standardTrust();
    const signed = await signDocument(alice.signingKey, validBodies[0]!);
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.uint8Array({ maxLength: 200 }), mutatedBytes(signed)), (b) => onlySealsyncErrors(() => verifySignedDocument(b, trust))),
      params(),
    );
  });

  it('keys bundle: field-substituted bundles signed by the owner and sealed with the bundle key', async () => {
    const trust = standardTrust();
    const key = SecretKey.fromBytes(new Uint8Array(32).fill(1));
    const rotations = [{ keyIndex: 1, suite: REALM_KEY_SUITE_V1, keyCanary: await keyCanary(REALM, 1, key) }];
    const valid = realmKeysBundleDocument.encode({ realm: REALM, author: alice.deviceId, timestamp: T0 + SECOND, keys: [key.exportSecretBytes()] });
    const bundleKey = SecretKey.fromBytes(new Uint8Array(32).fill(2));
    await fc.assert(
      fc.asyncProperty(substitutedOrRaw(valid, 120), async (body) => {
        if (body === null) return; // not encodable (e.g. an unsafe integer): nothing to send
        const bundle = await bundleKey.encrypt(await signDocument(alice.signingKey, body), bundleAad(REALM));
        await onlySealsyncErrors(() => openRealmKeysBundle({ bundle, bundleKey, realmId: REALM, trust, rotations }));
      }),
      params(),
    );
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 200 }), (bundle) => onlySealsyncErrors(() => openRealmKeysBundle({ bundle, bundleKey, realmId: REALM, trust, rotations }))),
      params(),
    );
  });

  it('keys access: field-substituted accesses sealed to the member, and random bytes', async () => {
    const valid = realmKeysAccessDocument.encode({ realm: REALM, user: alice.userId, key: new Uint8Array(32).fill(3) });
    await fc.assert(
      fc.asyncProperty(substitutedOrRaw(valid, 120), async (body) => {
        if (body === null) return; // not encodable (e.g. an unsafe integer): nothing to send
        const access = await sealBox(alice.privateKey.publicKey, body, accessAad(REALM, alice.userId));
        await onlySealsyncErrors(() => openRealmKeysAccess({ access, realmId: REALM, userId: alice.userId, privateKey: alice.privateKey }));
      }),
      params(),
    );
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 200 }), (access) =>
        onlySealsyncErrors(() => openRealmKeysAccess({ access, realmId: REALM, userId: alice.userId, privateKey: alice.privateKey })),
      ),
      params(),
    );
  });

  it('realm name: field-substituted plaintexts sealed with the name key, and random bytes', async () => {
    const keyring = await createRealm();
    const nameKey = await deriveKey(keyring.get(1)!, 'realm-name', idToBytes(REALM));
    const aad = concatBytes(idToBytes(REALM), new Uint8Array([0, 0, 0, 1]));
    const valid = realmNamePlaintextDocument.encode({ name: 'Projets' as never });
    await fc.assert(
      fc.asyncProperty(substitutedOrRaw(valid, 80), fc.boolean(), async (plaintext, seal) => {
        if (plaintext === null) return; // not encodable (e.g. an unsafe integer): nothing to send
        const encryptedName = seal ? await nameKey.encrypt(plaintext, aad) : plaintext;
        await onlySealsyncErrors(() => decryptRealmName({ encryptedName, keyIndex: 1, realmId: REALM, realmKeys: keyring }));
      }),
      params(),
    );
  });

  it('the sealing helpers above match the real formats (control: unmutated inputs open)', async () => {
    const keyring = await createRealm();
    const nameKey = await deriveKey(keyring.get(1)!, 'realm-name', idToBytes(REALM));
    const aad = concatBytes(idToBytes(REALM), new Uint8Array([0, 0, 0, 1]));
    const encryptedName = await nameKey.encrypt(realmNamePlaintextDocument.encode({ name: 'Projets' as never }), aad);
    expect(await decryptRealmName({ encryptedName, keyIndex: 1, realmId: REALM, realmKeys: keyring })).toBe('Projets');
    const access = await sealBox(
      alice.privateKey.publicKey,
      realmKeysAccessDocument.encode({ realm: REALM, user: alice.userId, key: new Uint8Array(32).fill(3) }),
      accessAad(REALM, alice.userId),
    );
    const k = await openRealmKeysAccess({ access, realmId: REALM, userId: alice.userId, privateKey: alice.privateKey });
    expect(k.exportSecretBytes()).toEqual(new Uint8Array(32).fill(3));
  });
});
