/**
 * Hostile input for local storage: a stolen-then-returned disk, a damaged disk, or another
 * program writing into the storage directory must never make sealsync crash with a non-sealsync
 * error (DESIGN §3, §9). Every decode/open/parse entry point of this module is fed random and
 * mutated bytes; the only acceptable failure is a `SealsyncError` subclass.
 *
 * Deterministic: fixed seed (override with SEALSYNC_FUZZ_SEED; fast-check prints the seed and the
 * counterexample on failure); more runs with SEALSYNC_FUZZ_RUNS.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { concatBytes, fromHex, utf8Encode } from '../../src/bytes.js';
import { decodeCbor, encodeCbor, type CborValue } from '../../src/codec/index.js';
import { StorageError } from '../../src/errors.js';
import { SecretKey } from '../../src/keys/index.js';
import { EncryptedStorage, loadDeviceFile, MemoryStorage } from '../../src/storage/index.js';
import { decodeJournal, encodeJournal } from '../../src/storage/fs-journal.js';
import { fileNameToKey, FsStorage } from '../../src/storage/fs.js';
import { VECTOR_PASSWORD } from './device-file-fixture.js';
import vector from '../vectors/formats/device-file-v1.json' with { type: 'json' };
import { fuzzSettings, onlySealsyncErrors } from '../support/hostile.js';

const { params, runs: RUNS } = fuzzSettings(20261125, 100);

/** `valid` with 1–3 byte edits at positions `editable` allows, a truncation, or an extension. */
function mutatedBytes(valid: Uint8Array, editable: (i: number) => boolean = () => true): fc.Arbitrary<Uint8Array> {
  const positions = [...valid.keys()].filter(editable);
  return fc.oneof(
    fc.array(fc.tuple(fc.constantFrom(...positions), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 3 }).map((edits) => {
      const out = valid.slice();
      for (const [i, x] of edits) out[i] = out[i]! ^ x;
      return out;
    }),
    fc.nat(valid.length - 1).map((n) => valid.slice(0, n)),
    fc.uint8Array({ minLength: 1, maxLength: 8 }).map((tail) => concatBytes(valid, tail)),
  );
}

const cborValue: fc.Arbitrary<CborValue> = fc.letrec<{ v: CborValue }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small' },
    fc.constant(null),
    fc.boolean(),
    fc.integer({ min: -5, max: 300 }),
    fc.string({ maxLength: 12 }),
    fc.uint8Array({ maxLength: 40 }),
    fc.array(tie('v'), { maxLength: 3 }),
    fc.array(fc.tuple(fc.string({ maxLength: 6 }), tie('v')), { maxLength: 3 }).map((es) => new Map(es) as CborValue),
  ),
})).v;

describe('hostile input: storage only ever fails with sealsync errors', () => {
  const file = fromHex(vector.file);
  const header = decodeCbor(file) as Map<string, CborValue>;

  it('loadDeviceFile: random bytes', async () => {
    await fc.assert(fc.asyncProperty(fc.uint8Array({ maxLength: 600 }), (b) => onlySealsyncErrors(() => loadDeviceFile(b, VECTOR_PASSWORD, { allowWeak: true }))), params());
  });

  it('loadDeviceFile: mutated bytes of the frozen vector, and field substitutions', async () => {
    // Byte edits anywhere but in the encoded m/t/p integers: an edit there could ask for a
    // legitimately huge (1 GiB, 64 passes) Argon2 run; those fields get the small-integer
    // substitutions below instead, which keep every Argon2 run cheap.
    const argon2Ints = { from: 52, to: 61 };
    expect(file.subarray(argon2Ints.from, argon2Ints.to + 1)).toEqual(fromHex('616d1840617001617401'));
    await fc.assert(
      fc.asyncProperty(mutatedBytes(file, (i) => i < argon2Ints.from || i > argon2Ints.to), (b) => onlySealsyncErrors(() => loadDeviceFile(b, VECTOR_PASSWORD, { allowWeak: true }))),
      params(Math.min(RUNS, 60)),
    );
    const fields = [...header.keys()];
    const argon2 = header.get('argon2') as Map<string, CborValue>;
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.tuple(fc.constantFrom(...fields), cborValue).map(([k, v]) => new Map(header).set(k, v)),
          fc.tuple(fc.constantFrom(...argon2.keys()), cborValue).map(([k, v]) => new Map(header).set('argon2', new Map(argon2).set(k, v))),
        ),
        async (doc) => {
          let bytes: Uint8Array;
          try {
            bytes = encodeCbor(doc);
          } catch {
            return;
          }
          await onlySealsyncErrors(() => loadDeviceFile(bytes, VECTOR_PASSWORD, { allowWeak: true }));
        },
      ),
      params(Math.min(RUNS, 60)),
    );
  });

  it('decodeJournal: random bodies with a valid digest reach the parser and fail typed', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.boolean(), (body, withMagic) => {
        const b = withMagic ? concatBytes(utf8Encode('SSJ1'), body) : body;
        try {
          decodeJournal(concatBytes(b, sha256(b)));
        } catch (err) {
          expect(err).toBeInstanceOf(StorageError);
          expect((err as StorageError).code).toBe('storage/corrupt');
        }
      }),
      params(500),
    );
  });

  it('decodeJournal: a re-digested journal whose names break the rules is storage/corrupt', () => {
    const j = encodeJournal([{ op: 'put', ns: 'abc', key: 'k', value: new Uint8Array([1]) }]);
    const body = j.slice(0, j.length - 32);
    // Namespace "abc" → "a.c": well-formed bytes, but not a valid namespace name (path trick).
    body[4 + 4 + 2 + 1] = 0x2e;
    expect(() => decodeJournal(concatBytes(body, sha256(body)))).toThrow(expect.objectContaining({ code: 'storage/corrupt' }));
    // Invalid UTF-8 in the key.
    const body2 = j.slice(0, j.length - 32);
    body2[4 + 4 + 2 + 3 + 1] = 0xff;
    expect(() => decodeJournal(concatBytes(body2, sha256(body2)))).toThrow(expect.objectContaining({ code: 'storage/corrupt' }));
    // Bytes after the last op: a journal written by something else (or a future format) is not
    // replayed as if it were ours, which could apply only a prefix of someone's batch.
    const body3 = concatBytes(j.slice(0, j.length - 32), new Uint8Array([1, 0]));
    expect(() => decodeJournal(concatBytes(body3, sha256(body3)))).toThrow(expect.objectContaining({ code: 'storage/corrupt' }));
  });

  it('fileNameToKey: any directory entry name is a key or undefined, never a throw', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.stringMatching(/^[0-9a-f]{0,300}$/), fc.constantFrom('ff', 'c0af', 'eda080', '00', '.', '..')), (name) => {
        const k = fileNameToKey(name);
        expect(k === undefined || typeof k === 'string').toBe(true);
      }),
      params(500),
    );
  });

  it('EncryptedStorage: random or mutated inner values and stray inner names fail as StorageError', async () => {
    const key = SecretKey.fromBytes(new Uint8Array(32).fill(9));
    await fc.assert(
      fc.asyncProperty(fc.nat(), fc.uint8Array({ maxLength: 80 }), fc.boolean(), fc.string({ minLength: 1, maxLength: 10 }), async (pick, junk, flip, strayKey) => {
        const inner = new RecordingStorage();
        const enc = new EncryptedStorage(inner, key);
        await enc.batch([
          { op: 'put', ns: 'docs', key: 'a', value: utf8Encode('alpha') },
          { op: 'put', ns: 'docs', key: 'b', value: utf8Encode('beta') },
        ]);
        const all = await inner.entries();
        expect(all).toHaveLength(4);
        const [ns, k, v] = all[pick % all.length]!;
        const replaced = flip && v.length > 0 ? v.map((x, i) => (i === pick % v.length ? x ^ 1 : x)) : junk;
        await inner.put(ns, k, replaced);
        if (pick % 3 === 0) await inner.put(ns, strayKey.replace(/[^a-z]/g, 'x'), junk);
        for (const f of [() => enc.get('docs', 'a'), () => enc.get('docs', 'b'), () => enc.list('docs')]) {
          try {
            await f();
          } catch (err) {
            expect(err).toBeInstanceOf(StorageError);
          }
        }
      }),
      params(),
    );
  });

  const dirs: string[] = [];
  afterAll(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it('FsStorage.open: a foreign or damaged .journal is refused with a sealsync error', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 120 }), fc.boolean(), async (body, digest) => {
        const dir = await mkdtemp(join(tmpdir(), 'sealsync-hostile-'));
        dirs.push(dir);
        const b = concatBytes(utf8Encode('SSJ1'), body);
        await writeFile(join(dir, '.journal'), digest ? concatBytes(b, sha256(b)) : b);
        await onlySealsyncErrors(async () => (await FsStorage.open(dir)).close());
      }),
      params(Math.min(RUNS, 40)),
    );
  });
});

/** A MemoryStorage that remembers the namespaces written, so a test can reach every inner item. */
class RecordingStorage extends MemoryStorage {
  readonly namespaces = new Set<string>();

  override async batch(ops: Parameters<MemoryStorage['batch']>[0]): Promise<void> {
    for (const op of ops) this.namespaces.add(op.ns);
    return super.batch(ops);
  }

  async entries(): Promise<[string, string, Uint8Array][]> {
    const out: [string, string, Uint8Array][] = [];
    for (const ns of [...this.namespaces].sort()) for (const k of await this.list(ns)) out.push([ns, k, (await this.get(ns, k))!]);
    return out;
  }
}
