/**
 * The decode budget (issue 19), measured: `heap-probe.ts` runs in a child process with a 128 MiB
 * old space and prints, for every decode entry point and every amplification shape (arrays of
 * empty maps, empty arrays, empty byte and text strings, nested arrays, one-key maps), the error
 * and the heap the refused decode took; and, for the cost model, what V8 really retains for
 * fully decoded shapes next to what the budget charged.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { BORROW_MIN_BYTES, decodeCbor, DECODE_BUDGET_BASE, DECODE_BUDGET_FACTOR } from '../../src/codec/cbor.js';
import { decodeCborCharged } from '../../src/codec/cbor-decode.js';
import { ArgumentError } from '../../src/errors.js';
import { expectCodecError } from './helpers.js';

interface Line {
  kind: 'model' | 'hostile';
  entry?: string;
  shape: string;
  size: number;
  code?: string;
  delta?: number;
  charged?: number;
  retained?: number;
  honest?: boolean;
}

const probe = fileURLToPath(new URL('./heap-probe.ts', import.meta.url));

describe('decode budget, measured on the heap', () => {
  const run = spawnSync(process.execPath, ['--expose-gc', '--max-old-space-size=128', '--import', 'tsx', probe], { encoding: 'utf8', timeout: 120_000 });
  const lines = (run.stdout ?? '').split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Line);

  it('the probe ran to the end (no heap exhaustion)', () => {
    expect(run.stderr).not.toMatch(/heap out of memory/i);
    expect(run.status, run.stderr).toBe(0);
    expect(lines.filter((l) => l.kind === 'hostile').length).toBe(12 * 6);
  });

  it('every amplification shape at every entry point: a typed error, and at most DECODE_BUDGET_FACTOR× the input in heap', () => {
    for (const l of lines.filter((x) => x.kind === 'hostile')) {
      const what = `${l.entry} / ${l.shape}`;
      // Empty byte strings share one empty array: a raw CBOR list of them (8 B a slot) fits the
      // budget and decodes; every other shape, and every typed entry point, refuses.
      if (l.entry === 'decodeCbor' && l.shape === 'emptyBytes') expect(l.code, what).toBe('none');
      else expect(l.code, what).toMatch(/^[a-z]+\/[a-z-]+$/);
      // The budget factor times the input plus the budget base and the error objects.
      expect(l.delta!, what).toBeLessThanOrEqual(DECODE_BUDGET_FACTOR * l.size + 512 * 1024);
    }
  });

  it('the cost model is never below what V8 retains, and honest documents fit the budget', () => {
    for (const l of lines.filter((x) => x.kind === 'model')) {
      expect(l.retained!, l.shape).toBeLessThanOrEqual(l.charged! * 1.02 + 4096);
      if (l.honest) {
        console.log(`decode budget: ${l.shape} ${l.size} B → ${l.retained} B retained (${(l.retained! / l.size).toFixed(2)}×), charged ${(l.charged! / l.size).toFixed(2)}×`);
        expect(l.charged!, l.shape).toBeLessThanOrEqual(DECODE_BUDGET_FACTOR * l.size);
      }
    }
  });
});

describe('decode budget, in process', () => {
  it('codec/budget-exceeded for an array of empty maps; a raised budgetFactor lets trusted input through', () => {
    const bytes = new Uint8Array(5 + 100_000).fill(0xa0);
    bytes.set([0x9a, 0x00, 0x01, 0x86, 0xa0]);
    expectCodecError(() => decodeCbor(bytes), 'codec/budget-exceeded');
    expect((decodeCbor(bytes, { budgetFactor: 400 }) as unknown[]).length).toBe(100_000);
  });

  it('small documents always fit (DECODE_BUDGET_BASE)', () => {
    expect(DECODE_BUDGET_BASE).toBeGreaterThanOrEqual(4096);
    expect(decodeCbor(Uint8Array.of(0x82, 0xa0, 0xa0))).toEqual([new Map(), new Map()]);
  });

  it('byte strings never alias the input, nor each other', () => {
    const input = Uint8Array.of(0x82, 0x42, 1, 2, 0x42, 3, 4);
    const [a, b] = decodeCbor(input) as Uint8Array[];
    input.fill(0);
    a!.fill(9);
    expect(b).toEqual(Uint8Array.of(3, 4));
  });

  it('refuses an invalid budgetFactor with ArgumentError', () => {
    expect(() => decodeCbor(Uint8Array.of(0), { budgetFactor: 0.5 })).toThrow(ArgumentError);
  });
});

describe('decode borrow option', () => {
  const doc = (n: number): Uint8Array => {
    // [bytes(n), bytes(2)]: one large byte string, one small.
    const head = n < 0x10000 ? [0x59, n >> 8, n & 0xff] : [0x5a, n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];
    const out = new Uint8Array(1 + head.length + n + 3);
    out.set([0x82, ...head]);
    out.fill(7, 1 + head.length, 1 + head.length + n);
    out.set([0x42, 1, 2], 1 + head.length + n);
    return out;
  };

  it('without it, a large byte string is a copy too', () => {
    const input = doc(600 * 1024);
    const [big] = decodeCbor(input) as Uint8Array[];
    input.fill(0);
    expect(big!.every((b) => b === 7)).toBe(true);
  });

  it('with it, byte strings from BORROW_MIN_BYTES on are views into the input; smaller ones stay copies', () => {
    const input = doc(BORROW_MIN_BYTES);
    const [big, small] = decodeCbor(input, { borrow: true }) as Uint8Array[];
    expect(big!.buffer).toBe(input.buffer);
    expect(big!.length).toBe(BORROW_MIN_BYTES);
    input.fill(0);
    expect(big!.every((b) => b === 0)).toBe(true);
    expect(small).toEqual(Uint8Array.of(1, 2));
    const below = doc(BORROW_MIN_BYTES - 1);
    const [copied] = decodeCbor(below, { borrow: true }) as Uint8Array[];
    expect(copied!.buffer).not.toBe(below.buffer);
  });

  it('charges the budget as for a copy (a hostile shape is refused the same way)', () => {
    const input = doc(600 * 1024);
    expect(decodeCborCharged(input, { borrow: true }).charged).toBe(decodeCborCharged(input).charged);
  });
});
