/**
 * The behaviour every `Storage` backend must have, as one suite run against each of them.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { StorageError } from '../../src/errors.js';
import { MAX_KEY_BYTES } from '../../src/storage/names.js';
import type { Storage, StorageOp } from '../../src/storage/storage.js';

export interface ContractHarness {
  /** A fresh, empty storage. */
  make(): Promise<Storage>;
  /** For durable backends: close `s` and open the same place again. */
  reopen?(s: Storage): Promise<Storage>;
}

const bytes = (...b: number[]): Uint8Array => Uint8Array.from(b);

export async function expectStorageError(p: Promise<unknown>, code: string): Promise<void> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e, `expected a rejection with ${code}`).toBeInstanceOf(StorageError);
  expect((e as StorageError).code).toBe(code);
}

const FUZZ_RUNS = Number(process.env.SEALSYNC_FUZZ_RUNS ?? 25);

export function storageContract(name: string, h: ContractHarness): void {
  describe(`Storage contract: ${name}`, () => {
    it('get of an absent key is undefined; put/get round trip; overwrite; empty value', async () => {
      const s = await h.make();
      expect(await s.get('ns', 'k')).toBeUndefined();
      await s.put('ns', 'k', bytes(1, 2, 3));
      expect(await s.get('ns', 'k')).toEqual(bytes(1, 2, 3));
      await s.put('ns', 'k', bytes(9));
      expect(await s.get('ns', 'k')).toEqual(bytes(9));
      await s.put('ns', 'empty', new Uint8Array(0));
      expect(await s.get('ns', 'empty')).toEqual(new Uint8Array(0));
      await s.close();
    });

    it('copies values in and out: callers cannot mutate stored bytes', async () => {
      const s = await h.make();
      const v = bytes(1, 2, 3);
      await s.put('ns', 'k', v);
      v[0] = 99;
      const got = (await s.get('ns', 'k'))!;
      expect(got).toEqual(bytes(1, 2, 3));
      got[1] = 99;
      expect(await s.get('ns', 'k')).toEqual(bytes(1, 2, 3));
      const bv = bytes(5);
      const batch = s.batch([{ op: 'put', ns: 'ns', key: 'b', value: bv }]);
      bv[0] = 6;
      await batch;
      expect(await s.get('ns', 'b')).toEqual(bytes(5));
      await s.close();
    });

    it('delete reports whether the key existed', async () => {
      const s = await h.make();
      expect(await s.delete('ns', 'k')).toBe(false);
      await s.put('ns', 'k', bytes(1));
      expect(await s.delete('ns', 'k')).toBe(true);
      expect(await s.get('ns', 'k')).toBeUndefined();
      expect(await s.delete('ns', 'k')).toBe(false);
      await s.close();
    });

    it('namespaces are independent', async () => {
      const s = await h.make();
      await s.put('a', 'k', bytes(1));
      await s.put('b', 'k', bytes(2));
      expect(await s.get('a', 'k')).toEqual(bytes(1));
      expect(await s.get('b', 'k')).toEqual(bytes(2));
      await s.delete('a', 'k');
      expect(await s.get('b', 'k')).toEqual(bytes(2));
      expect(await s.list('a')).toEqual([]);
      expect(await s.list('b')).toEqual(['k']);
      await s.close();
    });

    it('any well-formed key is stored as itself (separators, dots, NUL, case, astral)', async () => {
      const s = await h.make();
      const keys = ['a/b', '..', '.', '../../etc/passwd', 'x\0y', 'A', 'a', '\u{1F600}', ' ', 'C:\\x', 'é'.normalize('NFD'), 'é'];
      for (const [i, k] of keys.entries()) await s.put('ns', k, bytes(i));
      for (const [i, k] of keys.entries()) expect(await s.get('ns', k)).toEqual(bytes(i));
      expect((await s.list('ns')).length).toBe(keys.length);
      const longest = 'x'.repeat(MAX_KEY_BYTES);
      await s.put('ns', longest, bytes(7));
      expect(await s.get('ns', longest)).toEqual(bytes(7));
      await s.close();
    });

    it('list is sorted by code point, filters by prefix, and is empty for an unknown namespace', async () => {
      const s = await h.make();
      // UTF-16 order would put U+FFFF after U+10000; code point (= UTF-8 byte) order does not.
      const keys = ['b', 'a', 'ab', '\u{10000}', '\uffff', 'B', 'a/c', 'a/b'];
      for (const k of keys) await s.put('ns', k, bytes(0));
      expect(await s.list('ns')).toEqual(['B', 'a', 'a/b', 'a/c', 'ab', 'b', '\uffff', '\u{10000}']);
      expect(await s.list('ns', 'a/')).toEqual(['a/b', 'a/c']);
      expect(await s.list('ns', 'a')).toEqual(['a', 'a/b', 'a/c', 'ab']);
      expect(await s.list('ns', 'zzz')).toEqual([]);
      expect(await s.list('ns', '')).toEqual(await s.list('ns'));
      expect(await s.list('nothing-here')).toEqual([]);
      await s.close();
    });

    it('refuses invalid keys', async () => {
      const s = await h.make();
      const bad: unknown[] = ['', '\ud800', 'a\udc00b', 'x'.repeat(MAX_KEY_BYTES + 1), 'é'.repeat(61), 42, null, undefined];
      for (const k of bad) {
        await expectStorageError(s.put('ns', k as string, bytes(1)), 'storage/invalid-key');
        await expectStorageError(s.get('ns', k as string), 'storage/invalid-key');
        await expectStorageError(s.delete('ns', k as string), 'storage/invalid-key');
      }
      await expectStorageError(s.list('ns', '\ud800'), 'storage/invalid-key');
      await expectStorageError(s.list('ns', 5 as unknown as string), 'storage/invalid-key');
      await s.close();
    });

    it('refuses invalid namespace names (path tricks, hidden names, case)', async () => {
      const s = await h.make();
      const bad: unknown[] = ['', '.', '..', '.journal', '.tmp', 'a/b', 'a\\b', 'A', 'ns\0', '-x', '_x', 'x'.repeat(65), 'é', 7];
      for (const ns of bad) {
        await expectStorageError(s.put(ns as string, 'k', bytes(1)), 'storage/invalid-namespace');
        await expectStorageError(s.get(ns as string, 'k'), 'storage/invalid-namespace');
        await expectStorageError(s.delete(ns as string, 'k'), 'storage/invalid-namespace');
        await expectStorageError(s.list(ns as string), 'storage/invalid-namespace');
      }
      await s.put('x'.repeat(64), 'k', bytes(1));
      await s.put('0a_b-c', 'k', bytes(1));
      await s.close();
    });

    it('refuses values that are not Uint8Array', async () => {
      const s = await h.make();
      for (const v of [[1, 2], 'str', null, new ArrayBuffer(2)]) {
        await expectStorageError(s.put('ns', 'k', v as unknown as Uint8Array), 'storage/invalid-value');
      }
      expect(await s.get('ns', 'k')).toBeUndefined();
      await s.close();
    });

    it('batch applies every op, in order; an empty batch is a no-op', async () => {
      const s = await h.make();
      await s.put('ns', 'gone', bytes(0));
      await s.batch([
        { op: 'put', ns: 'ns', key: 'a', value: bytes(1) },
        { op: 'put', ns: 'other', key: 'b', value: bytes(2) },
        { op: 'delete', ns: 'ns', key: 'gone' },
        { op: 'put', ns: 'ns', key: 'a', value: bytes(3) },
        { op: 'delete', ns: 'ns', key: 'never-existed' },
      ]);
      expect(await s.get('ns', 'a')).toEqual(bytes(3));
      expect(await s.get('other', 'b')).toEqual(bytes(2));
      expect(await s.get('ns', 'gone')).toBeUndefined();
      await s.batch([]);
      expect(await s.list('ns')).toEqual(['a']);
      await s.batch([
        { op: 'put', ns: 'ns', key: 'z', value: bytes(1) },
        { op: 'delete', ns: 'ns', key: 'z' },
      ]);
      expect(await s.get('ns', 'z')).toBeUndefined();
      await s.close();
    });

    it('a batch with one invalid op applies nothing', async () => {
      const s = await h.make();
      await s.put('ns', 'a', bytes(1));
      const good: StorageOp[] = [
        { op: 'put', ns: 'ns', key: 'a', value: bytes(2) },
        { op: 'delete', ns: 'ns', key: 'a' },
        { op: 'put', ns: 'ns', key: 'b', value: bytes(2) },
      ];
      await expectStorageError(s.batch([...good, { op: 'put', ns: 'ns', key: '', value: bytes(1) }]), 'storage/invalid-key');
      await expectStorageError(s.batch([...good, { op: 'put', ns: '..', key: 'k', value: bytes(1) }]), 'storage/invalid-namespace');
      await expectStorageError(
        s.batch([...good, { op: 'put', ns: 'ns', key: 'k', value: 'x' as unknown as Uint8Array }]),
        'storage/invalid-value',
      );
      await expectStorageError(s.batch([...good, { op: 'rename', ns: 'ns', key: 'k' } as unknown as StorageOp]), 'storage/invalid-batch');
      await expectStorageError(s.batch([...good, null as unknown as StorageOp]), 'storage/invalid-batch');
      await expectStorageError(s.batch('nope' as unknown as StorageOp[]), 'storage/invalid-batch');
      expect(await s.get('ns', 'a')).toEqual(bytes(1));
      expect(await s.list('ns')).toEqual(['a']);
      await s.close();
    });

    it('readers never see a batch half applied', async () => {
      const s = await h.make();
      const keys = ['a', 'b', 'c', 'd'];
      const fill = (v: number): StorageOp[] => keys.map((key) => ({ op: 'put', ns: 'ns', key, value: bytes(v) }) as const);
      const clear: StorageOp[] = keys.map((key) => ({ op: 'delete', ns: 'ns', key }) as const);
      let done = false;
      const writer = (async () => {
        for (let v = 1; v <= 20; v++) await s.batch(v % 2 === 1 ? fill(v) : clear);
        done = true;
      })();
      // Reads run while the batches are being applied; one list call is one read, so it must
      // see all four keys of a batch or none of them.
      while (!done) {
        const l = await s.list('ns');
        expect([0, 4]).toContain(l.length);
        // Let the event loop run: backends whose crypto resolves on it must make progress.
        await new Promise((r) => setImmediate(r));
      }
      await writer;
      await s.batch(fill(7));
      for (const k of keys) expect(await s.get('ns', k)).toEqual(bytes(7));
      await s.close();
    });

    it('after close every call is refused with storage/closed', async () => {
      const s = await h.make();
      await s.put('ns', 'k', bytes(1));
      await s.close();
      await s.close();
      await expectStorageError(s.get('ns', 'k'), 'storage/closed');
      await expectStorageError(s.put('ns', 'k', bytes(1)), 'storage/closed');
      await expectStorageError(s.delete('ns', 'k'), 'storage/closed');
      await expectStorageError(s.list('ns'), 'storage/closed');
      await expectStorageError(s.batch([]), 'storage/closed');
    });

    if (h.reopen !== undefined) {
      const reopen = h.reopen;
      it('data survives close and reopen', async () => {
        let s = await h.make();
        await s.put('ns', 'k', bytes(1, 2));
        await s.batch([
          { op: 'put', ns: 'ns', key: 'b1', value: bytes(3) },
          { op: 'put', ns: 'n2', key: 'b2', value: bytes(4) },
        ]);
        await s.delete('ns', 'b1');
        s = await reopen(s);
        expect(await s.get('ns', 'k')).toEqual(bytes(1, 2));
        expect(await s.get('n2', 'b2')).toEqual(bytes(4));
        expect(await s.list('ns')).toEqual(['k']);
        await s.close();
      });
    }

    it('behaves like a Map model under random op sequences', async () => {
      const keyArb = fc.constantFrom('a', 'b', 'a/1', 'a/2', '\u{10000}', '\uffff', 'Z');
      const nsArb = fc.constantFrom('n1', 'n2');
      const valArb = fc.uint8Array({ maxLength: 8 });
      const opArb: fc.Arbitrary<StorageOp> = fc.oneof(
        fc.record({ op: fc.constant('put' as const), ns: nsArb, key: keyArb, value: valArb }),
        fc.record({ op: fc.constant('delete' as const), ns: nsArb, key: keyArb }),
      );
      const stepArb = fc.oneof(
        opArb.map((op) => [op]),
        fc.array(opArb, { maxLength: 4 }),
      );
      await fc.assert(
        fc.asyncProperty(fc.array(stepArb, { maxLength: 12 }), async (steps) => {
          const s = await h.make();
          const model = new Map<string, Uint8Array>();
          try {
            for (const step of steps) {
              if (step.length === 1) {
                const op = step[0]!;
                if (op.op === 'put') await s.put(op.ns, op.key, op.value);
                else expect(await s.delete(op.ns, op.key)).toBe(model.has(`${op.ns}|${op.key}`));
              } else {
                await s.batch(step);
              }
              for (const op of step) {
                if (op.op === 'put') model.set(`${op.ns}|${op.key}`, op.value);
                else model.delete(`${op.ns}|${op.key}`);
              }
            }
            for (const ns of ['n1', 'n2']) {
              const expected = [...model.keys()].filter((k) => k.startsWith(`${ns}|`)).map((k) => k.slice(ns.length + 1));
              const listed = await s.list(ns);
              expect(listed).toEqual(
                [...expected].sort((x, y) => {
                  const cx = [...x].map((c) => c.codePointAt(0)!);
                  const cy = [...y].map((c) => c.codePointAt(0)!);
                  for (let i = 0; i < Math.min(cx.length, cy.length); i++) if (cx[i] !== cy[i]) return cx[i]! - cy[i]!;
                  return cx.length - cy.length;
                }),
              );
              for (const k of expected) expect(await s.get(ns, k)).toEqual(model.get(`${ns}|${k}`));
            }
          } finally {
            await s.close();
          }
        }),
        { numRuns: FUZZ_RUNS, seed: 0x5eed57 },
      );
    });
  });
}
