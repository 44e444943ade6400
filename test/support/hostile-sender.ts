/**
 * Hostile HTTP sender for the soak test (issue 19), run as its own process so that its bytes and
 * event loop are not the server's: `node --import tsx hostile-sender.ts <url> <org id> <requests>`.
 * Cycles through oversized (declared and streamed), amplifying, malformed and forged-auth bodies,
 * `CONCURRENCY` at a time, and prints one JSON line of the HTTP statuses it got.
 */
import { request } from 'node:http';

const [url, orgId, countText] = process.argv.slice(2);
const COUNT = Number(countText ?? 100);
const CONCURRENCY = 8;

/** A definite-length CBOR array of `n` copies of `item`. */
function arrayOf(item: number[], n: number): Uint8Array {
  const out = new Uint8Array(5 + n * item.length);
  out.set([0x9a, (n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255]);
  for (let i = 0; i < n; i++) out.set(item, 5 + i * item.length);
  return out;
}

const ANON = `${url}/${orgId}/anonymous`;
const AUTH = `${url}/${orgId}/authenticated`;
/** Well-formed headers of a device nobody enrolled: the body is read, then refused. */
const FORGED_AUTH = {
  'x-sealsync-device': 'ab'.repeat(16),
  'x-sealsync-timestamp': '1700000000000000',
  'x-sealsync-signature': 'A'.repeat(86),
};
const emptyMaps = arrayOf([0xa0], 250_000);
const nested = new Uint8Array(200_000).fill(0x81);
const garbage = new Uint8Array(200_000).map((_, i) => (i * 2654435761) >>> 24);
const big = new Uint8Array(4 * 1024 * 1024).fill(0xa0);

type Attack = { path: string; body: Uint8Array; chunked?: boolean; declare?: number; headers?: Record<string, string> };
const ATTACKS: Attack[] = [
  { path: ANON, body: emptyMaps },
  { path: ANON, body: nested },
  { path: ANON, body: garbage },
  { path: ANON, body: big, chunked: true },
  { path: ANON, body: new Uint8Array(16), declare: 1 << 30 },
  { path: AUTH, body: big, headers: FORGED_AUTH },
  { path: AUTH, body: emptyMaps, headers: FORGED_AUTH },
];

function send(a: Attack): Promise<number> {
  return new Promise((resolve) => {
    const headers: Record<string, string> = { 'content-type': 'application/cbor', ...(a.headers ?? {}) };
    if (!a.chunked) headers['content-length'] = String(a.declare ?? a.body.length);
    const req = request(a.path, { method: 'POST', headers }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', () => resolve(-1));
    });
    // The server may answer and close before the body is sent: that is the point.
    req.on('error', () => resolve(-1));
    if (a.chunked) {
      for (let off = 0; off < a.body.length; off += 64 * 1024) req.write(a.body.subarray(off, off + 64 * 1024));
      req.end();
    } else if (a.declare !== undefined) req.end(a.body);
    else req.end(a.body);
  });
}

const statuses: Record<string, number> = {};
let next = 0;
async function worker(): Promise<void> {
  while (next < COUNT) {
    const i = next++;
    const s = await send(ATTACKS[i % ATTACKS.length]!);
    statuses[s] = (statuses[s] ?? 0) + 1;
  }
}
await Promise.all(Array.from({ length: CONCURRENCY }, worker));
console.log(JSON.stringify({ statuses }));
