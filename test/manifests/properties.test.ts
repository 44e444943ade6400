/**
 * Property tests (fast-check). Deterministic: fixed seed (override with SEALSYNC_FUZZ_SEED;
 * fast-check prints the seed and counterexample on failure); more runs with SEALSYNC_FUZZ_RUNS.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { BlockId, VlobId } from '../../src/codec/ids.js';
import { ManifestError, SealsyncError } from '../../src/errors.js';
import { signDocument } from '../../src/keys/index.js';
import { vlobAad, vlobKey } from '../../src/manifests/vlob-crypto.js';
import { isEntryName, type EntryName } from '../../src/manifests/entry-name.js';
import { decodeManifest, encodeManifest } from '../../src/manifests/manifest-format.js';
import type { BlockRef, FileManifest, FolderManifest, Manifest } from '../../src/manifests/types.js';
import { decryptManifest, encryptManifest } from '../../src/manifests/vlob-crypto.js';
import { alice, claimsOf, createRealm, fileManifest, REALM, standardTrust, T0 } from './helpers.js';

const SEED = Number(process.env.SEALSYNC_FUZZ_SEED ?? 20261122);
const RUNS = Number(process.env.SEALSYNC_FUZZ_RUNS ?? 100);
const params = (numRuns: number) => ({ seed: SEED, numRuns });

const hexId = <T extends string>() => fc.uint8Array({ minLength: 16, maxLength: 16 }).map((b) => Buffer.from(b).toString('hex') as T);
const ts = fc.integer({ min: 0, max: 2 ** 52 });
const bytes32 = fc.uint8Array({ minLength: 32, maxLength: 32 });

/** A valid block list: sorted, non-overlapping, possibly with gaps; the size covers the last block. */
const fileBody = fc
  .array(fc.record({ gap: fc.integer({ min: 0, max: 1000 }), size: fc.integer({ min: 1, max: 1 << 20 }), id: hexId<BlockId>(), digest: bytes32 }), { maxLength: 8 })
  .chain((parts) => {
    let offset = 0;
    const blocks: BlockRef[] = parts.map((p) => {
      const b = { id: p.id, offset: offset + p.gap, size: p.size, digest: p.digest };
      offset = b.offset + b.size;
      return b;
    });
    return fc.record({ blocks: fc.constant(blocks), size: fc.integer({ min: offset, max: offset + 5000 }), blocksize: fc.integer({ min: 1, max: 1 << 22 }) });
  });

const name = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 }).map((s) => s.normalize('NFC')).filter(isEntryName) as fc.Arbitrary<EntryName>;
const children = fc.array(fc.tuple(name, hexId<VlobId>()), { maxLength: 20 }).map((es) => new Map(es));

const common = fc
  .record({ id: hexId<VlobId>(), parent: hexId<VlobId>(), version: fc.integer({ min: 1, max: 2 ** 31 }), created: ts, updated: ts, author: fc.constant(alice.deviceId), timestamp: fc.integer({ min: T0, max: 2 ** 52 }), prev: bytes32 })
  .filter((c) => c.id !== c.parent && c.id !== (REALM as string))
  .map((c) => ({ ...c, prev: c.version === 1 ? null : c.prev }));
const head = fc.record({ position: fc.integer({ min: 1, max: 2 ** 40 }), digest: bytes32 });
const withHeads = <M extends Manifest>(arb: fc.Arbitrary<M>): fc.Arbitrary<M> => fc.tuple(arb, head, head).map(([m, c, r]) => ({ ...m, heads: { common: c, realm: r } }));

const fileArb: fc.Arbitrary<FileManifest> = withHeads(fc.tuple(common, fileBody).map(([c, f]) => ({ type: 'file' as const, ...c, ...f })));
const folderArb: fc.Arbitrary<FolderManifest> = withHeads(fc.tuple(common, children).map(([c, ch]) => ({ type: 'folder' as const, ...c, children: ch })));
const manifestArb: fc.Arbitrary<Manifest> = fc.oneof(fileArb, folderArb);

describe('properties', () => {
  it('random manifests round-trip through canonical CBOR, byte for byte', () => {
    fc.assert(
      fc.property(manifestArb, (m) => {
        const bytes = encodeManifest(m);
        const back = decodeManifest(bytes);
        expect(back).toEqual(m);
        expect(encodeManifest(back)).toEqual(bytes);
      }),
      params(RUNS * 3),
    );
  });

  it('random manifests round-trip through the write and read paths', async () => {
    const keyring = await createRealm();
    const trust = standardTrust();
    await fc.assert(
      fc.asyncProperty(manifestArb, async (m) => {
        const { blob } = await encryptManifest({ manifest: m, realmId: REALM, keyring, signingKey: alice.signingKey });
        const out = await decryptManifest({ blob, realmId: REALM, expected: claimsOf(m), realmKeys: keyring, trust });
        expect(out.manifest).toEqual(m);
      }),
      params(RUNS),
    );
  });

  it('any single-byte change of a blob is rejected with a ManifestError', async () => {
    const keyring = await createRealm();
    const trust = standardTrust();
    await fc.assert(
      fc.asyncProperty(manifestArb, fc.nat(), fc.integer({ min: 1, max: 255 }), async (m, at, xor) => {
        const { blob } = await encryptManifest({ manifest: m, realmId: REALM, keyring, signingKey: alice.signingKey });
        const i = at % blob.length;
        blob[i]! ^= xor;
        await expect(decryptManifest({ blob, realmId: REALM, expected: claimsOf(m), realmKeys: keyring, trust })).rejects.toBeInstanceOf(ManifestError);
      }),
      params(RUNS),
    );
  });

  it('garbage sealed with the right key and place (raw or signed by a real member) only ever fails with a sealsync error', async () => {
    const keyring = await createRealm();
    const trust = standardTrust();
    const m = fileManifest();
    const vk = await vlobKey(keyring.get(1)!, m.id);
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 300 }), fc.boolean(), async (garbage, signIt) => {
        const inner = signIt ? await signDocument(alice.signingKey, garbage) : garbage;
        const blob = await vk.encrypt(inner, vlobAad(REALM, m.id, 1, m.version));
        await expect(decryptManifest({ blob, realmId: REALM, expected: claimsOf(m), realmKeys: keyring, trust })).rejects.toBeInstanceOf(SealsyncError);
      }),
      params(RUNS),
    );
  });
});
