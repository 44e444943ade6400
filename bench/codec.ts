/**
 * Codec throughput: our deterministic encoder (value checks + cborg RFC 8949 sorting) and strict
 * decoder against plain `cborg` on the same manifest-like document, in the same run.
 */
import { decode as cborgDecode, encode as cborgEncode } from 'cborg';
import { decodeCbor, encodeCbor, type CborValue } from '../src/codec/cbor.js';
import { measure, report, section } from './util.js';

/** Best of five: the machine is shared, the best run is the least disturbed one. */
async function best(units: number, fn: () => void): Promise<number> {
  let rate = 0;
  for (let i = 0; i < 5; i++) rate = Math.max(rate, (await measure(units, fn)).rate);
  return rate;
}

function folderLike(children: number): CborValue {
  const entries = new Map<string, CborValue>();
  for (let i = 0; i < children; i++) entries.set(`file-${i.toString().padStart(5, '0')}.txt`, new Uint8Array(16).fill(i & 0xff));
  return new Map<string, CborValue>([
    ['type', 'folder_manifest'],
    ['v', 1],
    ['id', new Uint8Array(16)],
    ['parent', new Uint8Array(16)],
    ['version', 42],
    ['created', 1_700_000_000_000_000],
    ['updated', 1_700_000_000_000_001],
    ['children', entries],
  ]);
}

/** Prints docs/s for encode and decode of a 1 000-entry folder-like document. */
export async function run(): Promise<void> {
  section('codec (1000-entry folder-like document)');
  const doc = folderLike(1000);
  const bytes = encodeCbor(doc);
  const n = 300;
  const ours = await best(n, () => {
    for (let i = 0; i < n; i++) encodeCbor(doc);
  });
  const base = await best(n, () => {
    for (let i = 0; i < n; i++) cborgEncode(doc);
  });
  report('encodeCbor (deterministic)', ours, base, 'docs/s', 'cborg encode');
  const oursD = await best(n, () => {
    for (let i = 0; i < n; i++) decodeCbor(bytes);
  });
  const baseD = await best(n, () => {
    for (let i = 0; i < n; i++) cborgDecode(bytes, { useMaps: true });
  });
  report('decodeCbor (strict)', oursD, baseD, 'docs/s', 'cborg decode');
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
