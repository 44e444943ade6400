/**
 * fast-check arbitraries for applications that property-test their use of sealsync's merge:
 * entry names (including hostile Unicode), file and folder manifests, three-way folder merge
 * inputs and multi-device operation sequences for the convergence model.
 *
 * fast-check is an optional peer dependency: only this `sealsync/testing` subpath imports it.
 * @module
 */
import * as fc from 'fast-check';
import { toHex } from '../bytes.js';
import type { BlockId, DeviceId, VlobId } from '../codec/ids.js';
import { isEntryName, type EntryName } from '../manifests/entry-name.js';
import type { BlockRef, FileManifest, FolderManifest } from '../manifests/types.js';
import { truncateUtf8 } from '../merge/conflict-name.js';
import type { ModelOp, ModelScenario } from './model.js';

/** Short names that collide often, with extensions, hidden files and ignored names. */
export const COMMON_NAMES: readonly string[] = Object.freeze([
  'a', 'b', 'c', 'a.txt', 'b.txt', 'notes.md', 'photo.jpeg', 'archive.tar.gz', '.hidden', 'Makefile',
  'x.tmp', '~$report.docx', '.DS_Store', 'draft~',
]);

/**
 * Names that break naive code: combining marks (typed in NFD, stored NFC), right-to-left text and
 * overrides, emoji ZWJ sequences, flags and skin tones, zero-width characters, JavaScript
 * prototype keys, Windows device names, dots and spaces.
 */
export const HOSTILE_NAME_PIECES: readonly string[] = Object.freeze([
  'e\u0301', 'Cafe\u0301', 'q\u0307\u0323', 'Å', 'A\u030A', '\u1100\u1161\u11A8', 'ﬁ', 'ß',
  'שלום', 'مرحبا', '\u202Egnp.exe', 'a\u200Fb', '\u200B', 'a\u2060b',
  '👨\u200D👩\u200D👧', '🇫🇷', '🇫🇷🇩🇪', '👍🏽', '❤\uFE0F', '😀',
  '__proto__', 'constructor', 'CON', 'nul', '...', ' ', ' lead', 'trail ', '.', '.tar.gz', 'a.b.c',
  '\u0301', 'Z\u0351\u0352\u0353\u0354\u0355\u0356\u0357', '中文名', '𝔘𝔫𝔦𝔠𝔬𝔡𝔢',
]);

/** Normalises to NFC and keeps only valid entry names. */
function asEntryNames(arb: fc.Arbitrary<string>): fc.Arbitrary<EntryName> {
  return arb.map((s) => s.normalize('NFC')).filter(isEntryName);
}

/** A name of `piece` repeated to exactly fill `bytes` (≤ 255) UTF-8 bytes or just below, cut between characters. */
function longName(): fc.Arbitrary<EntryName> {
  return asEntryNames(
    fc
      .tuple(fc.constantFrom('a', 'é', '😀', 'ש', '👨\u200D👩\u200D👧', 'a.b', '中'), fc.integer({ min: 200, max: 255 }), fc.constantFrom('', '.txt', '.tar.gz'))
      .map(([piece, bytes, ext]) => truncateUtf8(piece.repeat(256), bytes - new TextEncoder().encode(ext).length) + ext),
  );
}

/** Options of {@link entryNameArbitrary}. */
export interface EntryNameArbitraryOptions {
  /** `'common'`: a small colliding pool; `'hostile'`: Unicode traps and long names; `'any'` (default): both plus random graphemes. */
  readonly kind?: 'common' | 'hostile' | 'any';
}

/** Valid entry names (NFC, 1–255 UTF-8 bytes, no `/` or NUL, not `.`/`..`). */
export function entryNameArbitrary(options: EntryNameArbitraryOptions = {}): fc.Arbitrary<EntryName> {
  const common = asEntryNames(fc.constantFrom(...COMMON_NAMES));
  const hostile = fc.oneof(
    asEntryNames(fc.array(fc.constantFrom(...HOSTILE_NAME_PIECES), { minLength: 1, maxLength: 4 }).map((p) => p.join(''))),
    longName(),
    asEntryNames(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 6 })),
  );
  const kind = options.kind ?? 'any';
  if (kind === 'common') return common;
  if (kind === 'hostile') return hostile;
  return fc.oneof({ arbitrary: common, weight: 3 }, { arbitrary: hostile, weight: 2 });
}

/** A random 16-byte id as lowercase hex. */
export function idArbitrary<T extends string = VlobId>(): fc.Arbitrary<T> {
  return fc.uint8Array({ minLength: 16, maxLength: 16 }).map((b) => toHex(b) as T);
}

function blocksArbitrary(): fc.Arbitrary<{ size: number; blocksize: number; blocks: BlockRef[] }> {
  return fc
    .tuple(fc.constantFrom(4, 512 * 1024), fc.array(fc.tuple(idArbitrary<BlockId>(), fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.integer({ min: 1, max: 4 })), { maxLength: 4 }))
    .map(([blocksize, parts]) => {
      let offset = 0;
      const blocks = parts.map(([id, digest, size]) => {
        const b: BlockRef = { id, offset, size: Math.min(size, blocksize), digest };
        offset += b.size;
        return b;
      });
      return { size: offset, blocksize, blocks };
    });
}

/** Options of the manifest arbitraries: fix the id, parent or author instead of drawing them. */
export interface ManifestArbitraryOptions {
  readonly id?: VlobId;
  readonly parent?: VlobId;
  readonly author?: DeviceId;
}

/**
 * The fields both manifest kinds share, each fixed by `options` or arbitrary. Kept first in each
 * record, in this order, so that a seed draws the same manifests as before they were shared.
 */
function headerArbitraries(options: ManifestArbitraryOptions) {
  return {
    id: options.id === undefined ? idArbitrary() : fc.constant(options.id),
    parent: options.parent === undefined ? idArbitrary() : fc.constant(options.parent),
    author: options.author === undefined ? idArbitrary<DeviceId>() : fc.constant(options.author),
    version: fc.integer({ min: 1, max: 1000 }),
    created: fc.integer({ min: 0, max: 2 ** 52 }),
  };
}

/** Structurally valid file manifests (sorted, contiguous blocks inside `size`). */
export function fileManifestArbitrary(options: ManifestArbitraryOptions = {}): fc.Arbitrary<FileManifest> {
  return fc
    .record({
      ...headerArbitraries(options),
      content: blocksArbitrary(),
    })
    .map(({ content, created, ...r }) => ({ type: 'file' as const, ...r, created, updated: created, timestamp: created, prev: null, ...content }));
}

/** Folder manifests with unique hostile-or-common names and unique child ids. */
export function folderManifestArbitrary(options: ManifestArbitraryOptions & { readonly maxChildren?: number } = {}): fc.Arbitrary<FolderManifest> {
  return fc
    .record({
      ...headerArbitraries(options),
      children: fc.uniqueArray(fc.tuple(entryNameArbitrary(), idArbitrary()), {
        maxLength: options.maxChildren ?? 12,
        selector: ([n]) => n,
      }),
    })
    .map(({ children, created, ...r }) => ({
      type: 'folder' as const,
      ...r,
      created,
      updated: created,
      timestamp: created,
      prev: null,
      children: new Map(dedupeIds(children)),
    }));
}

function dedupeIds(entries: readonly (readonly [EntryName, VlobId])[]): [EntryName, VlobId][] {
  const seen = new Set<VlobId>();
  const out: [EntryName, VlobId][] = [];
  for (const [n, id] of entries) if (!seen.has(id)) (seen.add(id), out.push([n, id]));
  return out;
}

/** One edit a side applies to a folder's children between the base and its own version. */
export type FolderEdit =
  | { readonly t: 'remove'; readonly i: number }
  | { readonly t: 'rename'; readonly i: number; readonly name: EntryName }
  | { readonly t: 'add'; readonly name: EntryName; readonly id: VlobId }
  | { readonly t: 'swap'; readonly i: number; readonly j: number };

/** Applies edits in order (indexes modulo the current entries; an edit that would clash is skipped). */
export function applyFolderEdits(children: ReadonlyMap<EntryName, VlobId>, edits: readonly FolderEdit[]): Map<EntryName, VlobId> {
  const m = new Map(children);
  for (const e of edits) {
    const entries = [...m].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    const at = (i: number) => entries.length === 0 ? undefined : entries[i % entries.length];
    if (e.t === 'add') {
      if (!m.has(e.name) && ![...m.values()].includes(e.id)) m.set(e.name, e.id);
    } else if (e.t === 'remove') {
      const x = at(e.i);
      if (x) m.delete(x[0]);
    } else if (e.t === 'rename') {
      const x = at(e.i);
      if (x && !m.has(e.name)) (m.delete(x[0]), m.set(e.name, x[1]));
    } else {
      const x = at(e.i);
      const y = at(e.j);
      if (x && y && x[0] !== y[0]) (m.set(x[0], y[1]), m.set(y[0], x[1]));
    }
  }
  return m;
}

function folderEditArbitrary(names: fc.Arbitrary<EntryName>): fc.Arbitrary<FolderEdit> {
  return fc.oneof(
    fc.record({ t: fc.constant('remove' as const), i: fc.nat(64) }),
    fc.record({ t: fc.constant('rename' as const), i: fc.nat(64), name: names }),
    fc.record({ t: fc.constant('add' as const), name: names, id: idArbitrary() }),
    fc.record({ t: fc.constant('swap' as const), i: fc.nat(64), j: fc.nat(64) }),
  );
}

/** Inputs of one `mergeFolder` call: a base, a local and a remote edited independently from it. */
export interface FolderMergeInput {
  readonly base: FolderManifest | null;
  readonly local: FolderManifest;
  readonly remote: FolderManifest;
  readonly me: DeviceId;
}

/**
 * Consistent `mergeFolder` inputs: local and remote each apply random edits (add, remove, rename,
 * swap) to the base; the remote is usually newer than the base, sometimes written by `me`, and
 * sometimes the base is `null` (a folder created on both sides before either synced).
 */
export function folderMergeInputArbitrary(options: { readonly maxChildren?: number; readonly names?: fc.Arbitrary<EntryName> } = {}): fc.Arbitrary<FolderMergeInput> {
  const names = options.names ?? entryNameArbitrary();
  return fc
    .record({
      base: folderManifestArbitrary({ maxChildren: options.maxChildren ?? 8 }),
      baseNull: fc.integer({ min: 0, max: 9 }).map((n) => n === 0),
      localEdits: fc.array(folderEditArbitrary(names), { maxLength: 6 }),
      remoteEdits: fc.array(folderEditArbitrary(names), { maxLength: 6 }),
      me: idArbitrary<DeviceId>(),
      other: idArbitrary<DeviceId>(),
      remoteAhead: fc.integer({ min: -1, max: 3 }),
      remoteByMe: fc.integer({ min: 0, max: 7 }).map((n) => n === 0),
    })
    .map(({ base, baseNull, localEdits, remoteEdits, me, other, remoteAhead, remoteByMe }) => {
      const start = baseNull ? new Map<EntryName, VlobId>() : base.children;
      const local: FolderManifest = { ...base, version: baseNull ? 0 : base.version, author: me, children: applyFolderEdits(start, localEdits) };
      const remote: FolderManifest = {
        ...base,
        version: baseNull ? 1 + Math.max(0, remoteAhead) : Math.max(1, base.version + remoteAhead),
        author: remoteByMe ? me : other,
        children: applyFolderEdits(start, remoteEdits),
      };
      return { base: baseNull ? null : base, local, remote, me };
    });
}

/** Operations of the convergence model (see `runConvergenceModel`). */
export function modelOpArbitrary(devices: number, names: fc.Arbitrary<EntryName> = entryNameArbitrary({ kind: 'common' })): fc.Arbitrary<ModelOp> {
  const device = fc.nat(devices - 1);
  const pick = fc.nat(1000);
  return fc.oneof(
    { arbitrary: fc.record({ op: fc.constant('mkdir' as const), device, parent: pick, name: names }), weight: 2 },
    { arbitrary: fc.record({ op: fc.constant('create' as const), device, parent: pick, name: names }), weight: 3 },
    { arbitrary: fc.record({ op: fc.constant('write' as const), device, target: pick }), weight: 4 },
    { arbitrary: fc.record({ op: fc.constant('rename' as const), device, target: pick, name: names }), weight: 2 },
    { arbitrary: fc.record({ op: fc.constant('move' as const), device, target: pick, parent: pick }), weight: 2 },
    { arbitrary: fc.record({ op: fc.constant('delete' as const), device, target: pick }), weight: 2 },
    { arbitrary: fc.record({ op: fc.constant('pull' as const), device }), weight: 3 },
    { arbitrary: fc.record({ op: fc.constant('push' as const), device }), weight: 3 },
    { arbitrary: fc.record({ op: fc.constant('push-lost-ack' as const), device }), weight: 1 },
    { arbitrary: fc.record({ op: fc.constant('patterns' as const), device, set: fc.nat(9) }), weight: 1 },
  );
}

/** Options of {@link scenarioArbitrary}: device and operation counts, entry names. */
export interface ScenarioArbitraryOptions {
  readonly minDevices?: number;
  readonly maxDevices?: number;
  readonly maxOps?: number;
  /** Names used by the operations; default: the colliding `COMMON_NAMES` mixed with hostile names. */
  readonly names?: fc.Arbitrary<EntryName>;
}

/** Whole scenarios: 2–4 devices (by default) and 10–60 operations interleaving edits and sync steps. */
export function scenarioArbitrary(options: ScenarioArbitraryOptions = {}): fc.Arbitrary<ModelScenario> {
  const names =
    options.names ??
    fc.oneof({ arbitrary: entryNameArbitrary({ kind: 'common' }), weight: 8 }, { arbitrary: entryNameArbitrary({ kind: 'hostile' }), weight: 1 });
  return fc
    .integer({ min: options.minDevices ?? 2, max: options.maxDevices ?? 4 })
    .chain((devices) => fc.record({ devices: fc.constant(devices), ops: fc.array(modelOpArbitrary(devices, names), { minLength: Math.min(10, options.maxOps ?? 60), maxLength: options.maxOps ?? 60 }) }));
}
