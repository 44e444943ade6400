/**
 * Memory check for the block layer (DESIGN §7, issue 6): encodes then decodes a generated 1 GiB
 * stream and prints the peak RSS growth of each direction. Goal: < 64 MiB.
 *
 * Run: `npx tsx --expose-gc bench/blocks-memory.ts [MiB]` (default 1024).
 *
 * Honest by construction: the source makes a fresh buffer for every piece (pieces of 100,000
 * bytes, so the chunker's gathering path is exercised, not only its zero-copy one); the upload
 * sink writes each ciphertext to a file in a temporary directory and keeps nothing; the fetch
 * reads it back from disk; the reader hashes the plaintext and drops it. The SHA-256 of what was
 * generated must equal the SHA-256 of what was decoded, so nothing can be skipped. RSS is sampled
 * every 5 ms and at every progress callback, against a baseline taken after a warm-up run.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeFileIterable, encodeFile } from '../src/blocks/index.js';
import type { BlockId, RealmId } from '../src/codec/ids.js';
import { newId } from '../src/codec/ids.js';
import { SecretKey } from '../src/keys/index.js';
import { setCryptoProvider, webCryptoProvider } from '../src/keys/hazmat.js';

const MiB = 1024 * 1024;
const TOTAL = Number(process.argv[2] ?? 1024) * MiB;
const PIECE = 100_000;
const pool = new Uint8Array(randomBytes(4 * MiB));

/** `total` bytes in fresh pieces; `hash` receives every byte generated. */
async function* generate(total: number, hash: ReturnType<typeof createHash>): AsyncGenerator<Uint8Array> {
  let i = 0;
  for (let done = 0; done < total; done += PIECE, i++) {
    const n = Math.min(PIECE, total - done);
    const start = (i * 7919) % (pool.length - PIECE);
    const piece = new Uint8Array(n);
    piece.set(pool.subarray(start, start + n));
    piece[0] = i & 0xff; // no two pieces alike
    hash.update(piece);
    yield piece;
  }
}

const gc = (globalThis as { gc?: () => void }).gc;
let peak = 0;
const sample = (): void => {
  peak = Math.max(peak, process.memoryUsage.rss());
};

async function roundTrip(total: number, dir: string, realm: { realmId: RealmId; realmKey: SecretKey; keyIndex: number }, base: number) {
  const inHash = createHash('sha256');
  peak = base;
  const timer = setInterval(sample, 5);
  let t0 = performance.now();
  const file = await encodeFile(generate(total, inHash), {
    ...realm,
    upload: (b) => writeFile(join(dir, b.id), b.ciphertext),
    onProgress: sample,
  });
  const encSeconds = (performance.now() - t0) / 1000;
  const encPeak = peak - base;

  gc?.();
  const decBase = process.memoryUsage.rss();
  peak = decBase;
  const outHash = createHash('sha256');
  t0 = performance.now();
  const fetch = (id: BlockId) => readFile(join(dir, id));
  for await (const piece of decodeFileIterable(file.blocks, fetch, { ...realm, size: file.size, blocksize: file.blocksize, onProgress: sample })) {
    outHash.update(piece);
  }
  const decSeconds = (performance.now() - t0) / 1000;
  clearInterval(timer);
  const same = inHash.digest('hex') === outHash.digest('hex');
  return { file, encSeconds, encPeak, decSeconds, decPeak: peak - decBase, same };
}

async function main(): Promise<void> {
  if (process.env.SEALSYNC_BENCH_PROVIDER === 'webcrypto') setCryptoProvider(webCryptoProvider);
  const dir = await mkdtemp(join(tmpdir(), 'sealsync-blocks-mem-'));
  try {
    const realm = { realmId: newId<RealmId>(), realmKey: SecretKey.generate(), keyIndex: 1 };
    // Warm-up: modules, JIT, WebCrypto worker threads, fs — none of it is the pipeline's memory.
    await roundTrip(16 * MiB, dir, realm, process.memoryUsage.rss());
    await rm(dir, { recursive: true, force: true });
    await mkdir(dir, { recursive: true });
    gc?.();
    const base = process.memoryUsage.rss();
    const r = await roundTrip(TOTAL, dir, realm, base);
    const mb = (n: number) => (n / MiB).toFixed(1);
    console.log(`blocks memory — ${mb(TOTAL)} MiB, ${r.file.blocks.length} blocks of ${r.file.blocksize / 1024} KiB, concurrency 4, gc ${gc ? 'exposed' : 'not exposed'}`);
    console.log(`baseline RSS ${mb(base)} MiB`);
    console.log(`encode  ${(TOTAL / r.encSeconds / 1e6).toFixed(0).padStart(5)} MB/s   peak RSS growth ${mb(r.encPeak)} MiB`);
    console.log(`decode  ${(TOTAL / r.decSeconds / 1e6).toFixed(0).padStart(5)} MB/s   peak RSS growth ${mb(r.decPeak)} MiB`);
    console.log(`round trip SHA-256 ${r.same ? 'matches' : 'DIFFERS'}; goal < 64 MiB: ${Math.max(r.encPeak, r.decPeak) < 64 * MiB && r.same ? 'met' : 'NOT met'}`);
    if (!r.same) process.exitCode = 1;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
