/**
 * Heap measurements of the decoders, run in a child process by `decode-budget.test.ts`:
 * `node --expose-gc --max-old-space-size=128 --import tsx test/codec/heap-probe.ts`. The small
 * old space is itself a bound: an amplifying input the budget failed to stop (a 1 MiB array of
 * empty maps is ~200 MiB of `Map`s) ends the process with "heap out of memory".
 * Prints one JSON object per line.
 */
import { decodeCbor } from '../../src/codec/cbor.js';
import { decodeCborCharged } from '../../src/codec/cbor-decode.js';
import { encodeCbor } from '../../src/codec/cbor-encode.js';
import { decodeCertificate } from '../../src/certificates/formats.js';
import { SealsyncError } from '../../src/errors.js';
import { decodeManifest } from '../../src/manifests/manifest-format.js';
import { realmKeysAccessDocument } from '../../src/manifests/realm-keys-bundle.js';
import { deviceConfirmationDocument, userClaimDocument } from '../../src/sas/payloads.js';
import { loadDeviceFile } from '../../src/storage/device-file.js';
import { readReply } from '../../src/transport/client-codec.js';
import { DEFAULT_MAX_REQUEST_SIZE, MAX_ANONYMOUS_REQUEST_SIZE, replySizeLimit } from '../../src/transport/limits.js';
import { decodeRequest } from '../../src/transport/wire.js';

declare const gc: () => void;

function held(): number {
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

/** The decode entry points and the input size each accepts. */
const ENTRIES: Record<string, { limit: number; run: (b: Uint8Array) => unknown }> = {
  decodeCbor: { limit: 16 * 1024 * 1024, run: (b) => decodeCbor(b) },
  request: { limit: DEFAULT_MAX_REQUEST_SIZE, run: (b) => decodeRequest(b) },
  anonymousRequest: { limit: MAX_ANONYMOUS_REQUEST_SIZE, run: (b) => decodeRequest(b, { maxSize: MAX_ANONYMOUS_REQUEST_SIZE }) },
  blockReadReply: { limit: replySizeLimit('block_read'), run: (b) => readReply('block_read', b) },
  vlobReadReply: { limit: replySizeLimit('vlob_read_batch'), run: (b) => readReply('vlob_read_batch', b) },
  pingReply: { limit: replySizeLimit('ping'), run: (b) => readReply('ping', b) },
  certificate: { limit: 64 * 1024, run: (b) => decodeCertificate(b) },
  manifest: { limit: 8 * 1024 * 1024, run: (b) => decodeManifest(b) },
  sasClaim: { limit: 140 * 1024, run: (b) => userClaimDocument.decode(b) },
  sasConfirmation: { limit: 140 * 1024, run: (b) => deviceConfirmationDocument.decode(b) },
  keysAccess: { limit: 1024, run: (b) => realmKeysAccessDocument.decode(b) },
  deviceFile: { limit: 64 * 1024, run: (b) => loadDeviceFile(b, 'password') },
};

/** `n` items of `item` (an encoded CBOR item) in one definite-length array of about `size` bytes. */
function arrayOf(item: Uint8Array, size: number): Uint8Array {
  const n = Math.floor((size - 5) / item.length);
  const head = encodeCbor(new Array(n).fill(0)).subarray(0, n < 24 ? 1 : n < 256 ? 2 : n < 65536 ? 3 : 5);
  const out = new Uint8Array(head.length + n * item.length);
  out.set(head);
  for (let i = 0; i < n; i++) out.set(item, head.length + i * item.length);
  return out;
}

const nested = new Uint8Array(31).fill(0x81);
nested[30] = 0x80;
/** The amplification shapes of issue 19: one cheap item per input byte, or close. */
const SHAPES: Record<string, Uint8Array> = {
  emptyMaps: Uint8Array.of(0xa0),
  emptyArrays: Uint8Array.of(0x80),
  emptyBytes: Uint8Array.of(0x40),
  emptyTexts: Uint8Array.of(0x60),
  nested,
  oneKeyMaps: Uint8Array.of(0xa1, 0x60, 0xa0),
};

async function hostile(): Promise<void> {
  for (const [entry, { limit, run }] of Object.entries(ENTRIES)) {
    for (const [shape, item] of Object.entries(SHAPES)) {
      const bytes = arrayOf(item, Math.min(limit, 1024 * 1024));
      // The least of three measures: the decode allocates the same each time, and anything else
      // (a buffer of the runner, a busy CI machine's timers) only adds; one read 22% high in CI.
      let code = 'none';
      let delta = Infinity;
      for (let attempt = 0; attempt < 3; attempt++) {
        gc();
        const before = held();
        code = 'none';
        try {
          await run(bytes);
        } catch (e) {
          code = e instanceof SealsyncError ? e.code : `UNTYPED ${String(e)}`;
        }
        // No gc: the partial value a refused decode built is still counted (garbage not yet collected).
        delta = Math.min(delta, held() - before);
      }
      console.log(JSON.stringify({ kind: 'hostile', entry, shape, size: bytes.length, code, delta }));
    }
  }
}

/** Decodes into `box.value` (no local keeps the value alive) and returns what was charged. */
function decodeInto(box: { value: unknown }, bytes: Uint8Array): number {
  const r = decodeCborCharged(bytes, { budgetFactor: 1e6 });
  box.value = r.value;
  return r.charged;
}

/** The cost model must not be below what V8 holds: each shape decoded in full, measured retained. */
function model(): void {
  const honest: Record<string, unknown> = {
    folderChildren: new Map(Array.from({ length: 20000 }, (_, i) => [`document-${i}.txt`, new Uint8Array(16).fill(i & 255)])),
    fileBlocks: Array.from({ length: 5000 }, (_, i) => ({ id: new Uint8Array(16).fill(i & 255), offset: i * 524288, size: 524288, digest: new Uint8Array(32).fill(7) })),
    // The densest honest reply: vlob_poll_changes, ~35 encoded bytes per change.
    pollChanges: Array.from({ length: 20000 }, (_, i) => ({ vlobId: new Uint8Array(16).fill(i & 255), version: 1 + (i % 20) })),
    certificatesBatch: Array.from({ length: 2000 }, (_, i) => new Uint8Array(300).fill(i & 255)),
  };
  const inputs: Record<string, Uint8Array> = {};
  for (const [k, v] of Object.entries(honest)) inputs[k] = encodeCbor(v as never);
  for (const [k, item] of Object.entries(SHAPES)) inputs[k] = arrayOf(item, 128 * 1024);
  const box: { value: unknown } = { value: null };
  for (const [shape, bytes] of Object.entries(inputs)) {
    // The median of five measures: one can read high when something unrelated (a buffer of the
    // previous shape, an idle tsx structure) is freed in the same window; the value itself is
    // deterministic, so the median is what V8 holds for it.
    let charged = 0;
    const samples: number[] = [];
    for (let i = 0; i < 5; i++) {
      charged = decodeInto(box, bytes);
      gc();
      gc();
      const withValue = held();
      box.value = null;
      gc();
      gc();
      samples.push(withValue - held());
    }
    const retained = samples.sort((a, b) => a - b)[2]!;
    console.log(JSON.stringify({ kind: 'model', shape, size: bytes.length, charged, retained, honest: shape in honest }));
  }
}

model();
await hostile();
