/**
 * Soak (issue 19), bounded and on loopback only: 20 honest HTTP clients run a fixed number of mixed
 * commands, once alone and once while a separate process sends oversized, amplifying, malformed
 * and forged-auth bodies to the same server. Every honest request must succeed, and this process
 * (the server and the honest clients) must stay under `RSS_BOUND`. The p99 latencies of both runs
 * are printed with their ratio (a figure, never asserted: the machine is shared).
 *
 * Scale with SEALSYNC_SOAK_OPS (honest commands per client, default 20) and SEALSYNC_SOAK_HOSTILE
 * (hostile requests, default 200).
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { toHex } from '../../src/bytes.js';
import type { BlockId, VlobId } from '../../src/codec/ids.js';
import { expectOk } from '../../src/transport/index.js';
import { bytesFrom, prng } from '../support/prng.js';
import { createRealm, createUser, harness, share, type Dev, type Harness } from './helpers.js';

const CLIENTS = 20;
const OPS = Number(process.env['SEALSYNC_SOAK_OPS'] ?? 20);
const HOSTILE = Number(process.env['SEALSYNC_SOAK_HOSTILE'] ?? 200);
/** This process's resident set must stay under this while the hostile senders run. */
const RSS_BOUND = 512 * 1024 * 1024;
const SENDER = fileURLToPath(new URL('../support/hostile-sender.ts', import.meta.url));

function p99(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.99))]!;
}

/** Runs the honest clients; resolves with every request's latency, ms. Throws on any non-ok reply. */
async function honest(h: Harness, realm: string, devs: Dev[], round: number): Promise<number[]> {
  const latencies: number[] = [];
  await Promise.all(
    devs.map(async (dev, index) => {
      const rand = prng(1000 * round + index);
      const t = h.transport(dev);
      for (let op = 0; op < OPS; op++) {
        const x = rand();
        const start = performance.now();
        if (x < 0.3) {
          const vlobId = toHex(bytesFrom(rand, 16)) as VlobId;
          expectOk(await t.send({ cmd: 'vlob_create', realmId: realm as never, vlobId, keyIndex: 1, timestamp: h.clock.tick(), blob: bytesFrom(rand, 64) }));
        } else if (x < 0.6) {
          const blockId = toHex(bytesFrom(rand, 16)) as BlockId;
          expectOk(await t.send({ cmd: 'block_create', realmId: realm as never, blockId, keyIndex: 1, block: bytesFrom(rand, 4096) }));
        } else if (x < 0.8) {
          expectOk(await t.send({ cmd: 'vlob_poll_changes', realmId: realm as never, lastCheckpoint: 0 }));
        } else {
          expectOk(await t.send({ cmd: 'ping' }));
        }
        latencies.push(performance.now() - start);
      }
    }),
  );
  return latencies;
}

function hostileSenders(url: string, orgId: string, count: number): Promise<Record<string, number>> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', SENDER, url, orgId, String(count)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) reject(new Error(`hostile sender exited with ${code}: ${err}`));
      else resolve((JSON.parse(out.trim().split('\n').pop()!) as { statuses: Record<string, number> }).statuses);
    });
  });
}

describe('soak: honest clients next to hostile senders', () => {
  it(`${CLIENTS} honest clients × ${OPS} commands, with and without ${HOSTILE} hostile requests`, { timeout: 300_000 }, async () => {
    const h = await harness('http', { seed: 19 });
    try {
      const owner = await createUser(h);
      const realm = await createRealm(h, owner);
      const devs: Dev[] = [];
      for (let i = 0; i < CLIENTS; i++) {
        const d = await createUser(h);
        await share(h, owner, realm, d, 'CONTRIBUTOR');
        devs.push(d);
      }
      await honest(h, realm, devs, 0); // warm-up
      const quiet = await honest(h, realm, devs, 1);

      let peak = process.memoryUsage().rss;
      const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
      let statuses: Record<string, number>;
      let loud: number[];
      try {
        [statuses, loud] = await Promise.all([hostileSenders(h.url!, h.orgId, HOSTILE), honest(h, realm, devs, 2)]);
      } finally {
        clearInterval(sampler);
      }
      const ratio = p99(loud) / p99(quiet);
      console.log(
        `soak: p99 ${p99(quiet).toFixed(1)} ms alone, ${p99(loud).toFixed(1)} ms with ${HOSTILE} hostile requests (ratio ${ratio.toFixed(2)}); ` +
          `peak RSS ${(peak / 2 ** 20).toFixed(0)} MiB (bound ${RSS_BOUND / 2 ** 20} MiB); hostile statuses ${JSON.stringify(statuses)}`,
      );
      expect(loud).toHaveLength(CLIENTS * OPS);
      expect(peak).toBeLessThan(RSS_BOUND);
      // Every hostile request was refused (4xx, or the connection cut once the bound was hit).
      for (const s of Object.keys(statuses)) expect(s === '-1' || (Number(s) >= 400 && Number(s) < 500), `status ${s}`).toBe(true);
      // The server still serves after all that.
      expectOk(await h.transport(owner).send({ cmd: 'ping' }));
    } finally {
      await h.close();
    }
  });
});
