/**
 * Crypto primitive benchmarks (issue 2): the default (auto) provider and noble alone, each next
 * to raw node:crypto measured in the same run. Noble rows hash/encrypt 16 MiB instead of 64 MiB
 * (noble AES-GCM runs at ~25 MB/s) and verify fewer signatures, to keep the module under 60 s;
 * rates are per second, so the ratios compare like with like. The small-input rows measure the
 * latency of one awaited 64-byte hash / HMAC / `deriveKey` through the default provider.
 */
import {
  createCipheriv,
  createHash,
  createHmac,
  createPrivateKey,
  createPublicKey,
  diffieHellman,
  verify as nodeVerify,
  type KeyObject,
} from 'node:crypto';
import { concatBytes, fromHex } from '../src/bytes.js';
import { autoProvider, probeProviders } from '../src/keys/auto-provider.js';
import { nobleProvider } from '../src/keys/noble-provider.js';
import { getCryptoProvider, setCryptoProvider, type CryptoProvider } from '../src/keys/provider.js';
import { randomBytes } from '../src/keys/random.js';
import { deriveKey, deriveKeyInfo, SecretKey } from '../src/keys/secret-key.js';
import { SigningKey, verifyBatch, type VerifyItem } from '../src/keys/signing.js';
import { PrivateKey } from '../src/keys/x25519.js';
import { measure, report, section } from './util.js';

/**
 * Measures ours and the baseline alternately `runs` times and keeps the best of each: the
 * machine is shared, alternating spreads any disturbance over both, the best run is the least
 * disturbed one.
 */
async function pair(
  runs: number,
  units: number,
  ours: () => unknown | Promise<unknown>,
  baseline: () => unknown | Promise<unknown>,
): Promise<[number, number]> {
  let a = 0;
  let b = 0;
  for (let i = 0; i < runs; i++) {
    a = Math.max(a, (await measure(units, ours, i === 0 ? 1 : 0)).rate);
    b = Math.max(b, (await measure(units, baseline, i === 0 ? 1 : 0)).rate);
  }
  return [a, b];
}

const MiB = 1024 * 1024;
const BLOCK = 512 * 1024;
const ED_SPKI = fromHex('302a300506032b6570032100');
const X_PKCS8 = fromHex('302e020100300506032b656e04220420');
const X_SPKI = fromHex('302a300506032b656e032100');

function blocks(data: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let off = 0; off < data.length; off += BLOCK) out.push(data.subarray(off, off + BLOCK));
  return out;
}

function nodeEdKey(sk: SigningKey): KeyObject {
  return createPublicKey({ key: Buffer.from(concatBytes(ED_SPKI, sk.verifyKey.toBytes())), format: 'der', type: 'spki' });
}

async function benchProvider(label: string, provider: CryptoProvider, bulkMiB: number, sigCount: number, dhCount: number, runs: number): Promise<void> {
  const previous = getCryptoProvider();
  setCryptoProvider(provider);
  try {
    section(`${label}: bulk ${bulkMiB} MiB in 512 KiB blocks, ${sigCount} signatures, ${dhCount} X25519, best of ${runs}`);
    const data = randomBytes(bulkMiB * MiB);
    const bs = blocks(data);
    const bytes = data.length;

    // SHA-256 per block (the block digest of DESIGN §7).
    const sha = await pair(
      runs,
      bytes,
      async () => {
        for (const b of bs) await provider.sha256(b);
      },
      () => {
        for (const b of bs) createHash('sha256').update(b).digest();
      },
    );
    report(`SHA-256 [${label}]`, sha[0], sha[1], 'MB/s');

    // AES-256-GCM per block through SecretKey (random nonce, AAD), as the block encoder does.
    const key = SecretKey.generate();
    const rawKey = key.exportSecretBytes();
    const aad = randomBytes(36);
    const aes = await pair(
      runs,
      bytes,
      async () => {
        for (const b of bs) await key.encrypt(b, aad);
      },
      () => {
        for (const b of bs) {
          const c = createCipheriv('aes-256-gcm', rawKey, randomBytes(12));
          c.setAAD(aad);
          c.update(b);
          c.final();
          c.getAuthTag();
        }
      },
    );
    report(`AES-256-GCM encrypt [${label}]`, aes[0], aes[1], 'MB/s');

    // Ed25519 verify: sequential and batched, each against node:crypto doing the same.
    const signers = Array.from({ length: 8 }, () => SigningKey.generate());
    const nodeKeys = signers.map(nodeEdKey);
    const items: VerifyItem[] = [];
    const nodeItems: { pub: KeyObject; message: Uint8Array; signature: Uint8Array }[] = [];
    for (let i = 0; i < sigCount; i++) {
      const s = i % signers.length;
      const message = randomBytes(200);
      const signature = await signers[s]!.sign(message);
      items.push({ key: signers[s]!.verifyKey, message, signature });
      nodeItems.push({ pub: nodeKeys[s]!, message, signature });
    }
    const seq = await pair(
      runs,
      sigCount,
      async () => {
        for (const it of items) if (!(await it.key.verify(it.message, it.signature))) throw new Error('bench: bad signature');
      },
      () => {
        for (const it of nodeItems) if (!nodeVerify(null, it.message, it.pub, it.signature)) throw new Error('bench: bad signature');
      },
    );
    report(`Ed25519 verify sequential [${label}]`, seq[0], seq[1], 'verify/s');
    const batch = await pair(
      runs,
      sigCount,
      async () => {
        if ((await verifyBatch(items)).includes(false)) throw new Error('bench: bad signature');
      },
      async () => {
        const r = await Promise.all(
          nodeItems.map(
            (it) => new Promise<boolean>((res, rej) => nodeVerify(null, it.message, it.pub, it.signature, (e, ok) => (e ? rej(e) : res(ok)))),
          ),
        );
        if (r.includes(false)) throw new Error('bench: bad signature');
      },
    );
    report(`Ed25519 verifyBatch [${label}]`, batch[0], batch[1], 'verify/s', 'node async');

    // X25519 agreement with a fixed private key and varying peers.
    const me = PrivateKey.generate();
    const peers = Array.from({ length: dhCount }, () => PrivateKey.generate().publicKey);
    const nodeMe = createPrivateKey({ key: Buffer.from(concatBytes(X_PKCS8, me.exportSecretBytes())), format: 'der', type: 'pkcs8' });
    const nodePeers = peers.map((p) => createPublicKey({ key: Buffer.from(concatBytes(X_SPKI, p.toBytes())), format: 'der', type: 'spki' }));
    const dh = await pair(
      runs,
      dhCount,
      async () => {
        for (const p of peers) await me.agree(p);
      },
      () => {
        for (const p of nodePeers) diffieHellman({ privateKey: nodeMe, publicKey: p });
      },
    );
    report(`X25519 agree [${label}]`, dh[0], dh[1], 'op/s');
  } finally {
    setCryptoProvider(previous);
  }
}

/**
 * Latency of the tiny hashes sealsync does by the thousand (per-object keys, request digests,
 * commitments), one awaited call after another through the default provider, next to
 * node:crypto's synchronous createHash/createHmac. The auto provider computes these on noble
 * synchronously (auto-provider.ts `SMALL_HASH_THRESHOLD`); through WebCrypto each one would be a
 * threadpool round trip.
 */
export async function benchSmallInputs(runs = 5, ops = 20_000): Promise<void> {
  const previous = getCryptoProvider();
  setCryptoProvider(autoProvider);
  try {
    section(`small inputs through the default provider: ${ops} sequential awaited calls, best of ${runs}`);
    const msg = randomBytes(64);
    const key = randomBytes(32);
    const sha = await pair(
      runs,
      ops,
      async () => {
        for (let i = 0; i < ops; i++) await autoProvider.sha256(msg);
      },
      () => {
        for (let i = 0; i < ops; i++) createHash('sha256').update(msg).digest();
      },
    );
    report('SHA-256 64 B ops/s [auto]', sha[0], sha[1], 'op/s');
    const mac = await pair(
      runs,
      ops,
      async () => {
        for (let i = 0; i < ops; i++) await autoProvider.hmacSha256(key, msg);
      },
      () => {
        for (let i = 0; i < ops; i++) createHmac('sha256', key).update(msg).digest();
      },
    );
    report('HMAC 64 B ops/s [auto]', mac[0], mac[1], 'op/s');
    // deriveKey(parent, 'block', 16-byte id), as for every block; the baseline does the same
    // work in node:crypto: the info string, then the Expand HMAC under the parent's PRK (computed
    // once, as deriveKey memoises it).
    const parent = SecretKey.fromBytes(key);
    const ids = Array.from({ length: 64 }, () => randomBytes(16));
    const prk = createHmac('sha256', Buffer.alloc(32)).update(key).digest();
    const one = new Uint8Array([1]);
    const dk = await pair(
      runs,
      ops,
      async () => {
        for (let i = 0; i < ops; i++) await deriveKey(parent, 'block', ids[i % ids.length]!);
      },
      () => {
        for (let i = 0; i < ops; i++) createHmac('sha256', prk).update(deriveKeyInfo('block', ids[i % ids.length]!)).update(one).digest();
      },
    );
    report('deriveKey ops/s [auto]', dk[0], dk[1], 'op/s');
  } finally {
    setCryptoProvider(previous);
  }
}

/** Runs the primitive benchmarks (≈ 20–40 s on 2 cores). */
export async function run(): Promise<void> {
  const choice = await probeProviders();
  section('crypto primitives (sealsync/keys)');
  console.log(`auto provider choice: ${Object.entries(choice).map(([f, p]) => `${f}=${p}`).join(', ')}`);
  await benchSmallInputs();
  await benchProvider('auto', autoProvider, 64, 2000, 1000, 3);
  await benchProvider('noble', nobleProvider, 16, 200, 200, 1);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await run();
}
