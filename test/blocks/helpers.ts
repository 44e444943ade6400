/** Shared fixtures for the blocks tests: seeded bytes, a realm, an instrumented block store. */
import type { BlockId } from '../../src/codec/ids.js';
import type { UploadBlock } from '../../src/blocks/index.js';
import { concatBytes } from '../../src/bytes.js';
import { prng, seededBytes } from '../support/prng.js';

/** `n` deterministic pseudo-random bytes. */
export function testBytes(n: number, seed = 1): Uint8Array {
  return seededBytes(seed, n);
}

/** Splits `data` into pieces of random sizes in [0, maxPiece] (empty pieces included on purpose). */
export function randomSplit(data: Uint8Array, seed: number, maxPiece: number): Uint8Array[] {
  if (maxPiece < 1) throw new RangeError('maxPiece must be ≥ 1 or the split never ends');
  const rnd = prng(seed);
  const out: Uint8Array[] = [];
  let at = 0;
  while (at < data.length) {
    const n = Math.floor(rnd() * (maxPiece + 1));
    out.push(data.subarray(at, at + n));
    at += n;
  }
  return out;
}

export async function* iterate(pieces: readonly Uint8Array[]): AsyncGenerator<Uint8Array> {
  for (const p of pieces) {
    await Promise.resolve();
    yield p;
  }
}

/** In-memory block storage that counts calls and tracks how many run at once. */
export class BlockStore {
  readonly blocks = new Map<BlockId, Uint8Array>();
  uploads = 0;
  fetches = 0;
  inflight = 0;
  maxInflight = 0;
  /** Per-call delay (in macrotask turns) so that calls really overlap. */
  constructor(private readonly turns = 1) {}

  private async enter(): Promise<void> {
    this.inflight++;
    this.maxInflight = Math.max(this.maxInflight, this.inflight);
    for (let i = 0; i < this.turns; i++) await new Promise((r) => setTimeout(r, 0));
  }

  upload = async (b: UploadBlock): Promise<void> => {
    this.uploads++;
    await this.enter();
    this.blocks.set(b.id, b.ciphertext);
    this.inflight--;
  };

  fetch = async (id: BlockId): Promise<Uint8Array | undefined> => {
    this.fetches++;
    await this.enter();
    this.inflight--;
    return this.blocks.get(id);
  };
}

/** Drains an async iterable of pieces; returns what was delivered and the error that ended it. */
export async function drain(it: AsyncIterable<Uint8Array>): Promise<{ data: Uint8Array; error: unknown }> {
  const pieces: Uint8Array[] = [];
  try {
    for await (const p of it) pieces.push(p.slice());
    return { data: concatBytes(...pieces), error: undefined };
  } catch (e) {
    return { data: concatBytes(...pieces), error: e };
  }
}

/** Reads a ReadableStream to the end through its reader. */
export async function readStream(s: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  const reader = s.getReader();
  const pieces: Uint8Array[] = [];
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    pieces.push(value);
  }
  return concatBytes(...pieces);
}

/** Lets pending promise callbacks and timers run. */
export async function settle(turns = 5): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise((r) => setTimeout(r, 0));
}

export const RUNS = Number(process.env.SEALSYNC_FUZZ_RUNS ?? 25);

/**
 * Byte equality for large buffers (vitest's deep `toEqual` walks typed arrays element by element
 * and takes seconds per MiB); on mismatch, says where.
 */
export function sameBytes(actual: Uint8Array, expected: Uint8Array): string {
  if (actual.length !== expected.length) return `length ${actual.length} ≠ ${expected.length}`;
  if (Buffer.compare(actual, expected) === 0) return 'same';
  let i = 0;
  while (actual[i] === expected[i]) i++;
  return `first difference at byte ${i}`;
}
