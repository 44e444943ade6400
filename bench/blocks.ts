/**
 * Blocks throughput (DESIGN §7, issues 6 and 14): encode and decode of a 256 MiB generated stream
 * in 512 KiB blocks through the default provider (on Node: node:crypto for SHA-256 and AES-GCM,
 * see src/keys/node-provider.ts), next to raw node:crypto SHA-256 + AES-256-GCM over the same
 * blocks in the same run. Goal: ratio ≥ 0.8 both ways.
 *
 * Our pipeline does strictly more work than the baseline (one HKDF per block, AAD, integrity
 * checks, stream plumbing). `SEALSYNC_BENCH_PROVIDER=webcrypto` measures the WebCrypto provider
 * (what browsers get) instead.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { DEFAULT_BLOCKSIZE, decodeFileIterable, encodeFile } from '../src/blocks/index.js';
import type { EncodedFile } from '../src/blocks/index.js';
import type { BlockId, RealmId } from '../src/codec/ids.js';
import { newId } from '../src/codec/ids.js';
import { SecretKey } from '../src/keys/index.js';
import { autoProvider, getCryptoProvider, setCryptoProvider, webCryptoProvider } from '../src/keys/hazmat.js';
import { measure, recordGoal, report, section } from './util.js';

const TOTAL = 256 * 1024 * 1024;
const BS = DEFAULT_BLOCKSIZE;
const BLOCKS = TOTAL / BS;

/** A pool of random blocks, cycled: generation cost stays out of both measurements. */
const pool = Array.from({ length: 16 }, () => new Uint8Array(randomBytes(BS)));
async function* generated(): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < BLOCKS; i++) yield pool[i % pool.length] as Uint8Array;
}

function baselineEncode(key: Buffer, aad: Buffer): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < BLOCKS; i++) {
    const block = pool[i % pool.length] as Uint8Array;
    createHash('sha256').update(block).digest();
    const iv = randomBytes(12);
    const c = createCipheriv('aes-256-gcm', key, iv).setAAD(aad);
    const ct = Buffer.concat([iv, c.update(block), c.final(), c.getAuthTag()]);
    if (i < pool.length) out.push(ct);
  }
  return out;
}

function baselineDecode(key: Buffer, aad: Buffer, cts: Buffer[]): void {
  for (let i = 0; i < BLOCKS; i++) {
    const ct = cts[i % cts.length] as Buffer;
    const d = createDecipheriv('aes-256-gcm', key, ct.subarray(0, 12)).setAAD(aad);
    d.setAuthTag(ct.subarray(ct.length - 16));
    const pt = Buffer.concat([d.update(ct.subarray(12, ct.length - 16)), d.final()]);
    createHash('sha256').update(pt).digest();
  }
}

/** Best rate of `rounds` timed runs of each of `a` and `b`, interleaved so both see the same load. */
async function duel(a: () => Promise<unknown> | unknown, b: () => Promise<unknown> | unknown, rounds = 3): Promise<[number, number]> {
  await a();
  await b();
  let bestA = 0;
  let bestB = 0;
  for (let r = 0; r < rounds; r++) {
    bestA = Math.max(bestA, (await measure(TOTAL, a, 0)).rate);
    bestB = Math.max(bestB, (await measure(TOTAL, b, 0)).rate);
  }
  return [bestA, bestB];
}

export async function run(): Promise<void> {
  const web = process.env.SEALSYNC_BENCH_PROVIDER === 'webcrypto';
  section(`blocks (256 MiB stream, 512 KiB blocks, concurrency 4, ${web ? 'WebCrypto' : 'default'} provider; best of 3)`);
  const previous = getCryptoProvider();
  setCryptoProvider(web ? webCryptoProvider : autoProvider);
  try {
    const realm = { realmId: newId<RealmId>(), realmKey: SecretKey.generate(), keyIndex: 1 };
    const stored = new Map<BlockId, Uint8Array>();
    let file: EncodedFile | undefined;
    const key = randomBytes(32);
    const aad = randomBytes(36);
    let cts: Buffer[] = [];
    // Timed encodes discard their output, as the baseline does: keeping 256 MiB of fresh
    // ciphertext alive per round measures the garbage collector, not the pipeline. One untimed
    // encode afterwards keeps the blocks for the decode measurement.
    const [enc, encBase] = await duel(
      async () => {
        await encodeFile(generated(), { ...realm, upload: async () => {} });
      },
      () => {
        cts = baselineEncode(key, aad);
      },
    );
    file = await encodeFile(generated(), {
      ...realm,
      upload: async (b) => {
        stored.set(b.id, b.ciphertext);
      },
    });
    report('encode (chunk+SHA-256+HKDF+AES-GCM+upload)', enc, encBase, 'MB/s');

    const f = file as EncodedFile;
    const fetch = async (id: BlockId) => stored.get(id);
    const [dec, decBase] = await duel(
      async () => {
        let n = 0;
        for await (const piece of decodeFileIterable(f.blocks, fetch, { ...realm, size: f.size, blocksize: f.blocksize })) n += piece.length;
        if (n !== TOTAL) throw new Error(`decoded ${n} bytes`);
      },
      () => baselineDecode(key, aad, cts),
    );
    report('decode (fetch+HKDF+AES-GCM+SHA-256 check)', dec, decBase, 'MB/s');
    const [re, rd] = [enc / encBase, dec / decBase];
    recordGoal({ label: 'block encode / decode vs node:crypto', now: `${re.toFixed(2)} / ${rd.toFixed(2)}`, goal: '≥ 0.8 / ≥ 0.8', met: re >= 0.8 && rd >= 0.8 });
  } finally {
    setCryptoProvider(previous);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
