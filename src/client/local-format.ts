/**
 * At-rest formats of the client's local state (inside `EncryptedStorage`, so confidentiality and
 * integrity come from there; these documents only give the bytes a strict, versioned shape).
 * @module
 */
import { decodeCbor } from '../codec/cbor.js';
import { defineDocument } from '../codec/document.js';
import { idFromBytes, idToBytes, type BlockId, type DeviceId, type VlobId } from '../codec/ids.js';
import { s, type Schema } from '../codec/schema.js';
import { CodecError } from '../errors.js';
import { splitSignedDocument } from '../keys/index.js';
import { entryName, type EntryName } from '../manifests/entry-name.js';
import { manifestFromCbor } from '../manifests/manifest-format.js';
import type { Manifest } from '../manifests/types.js';
import type { LocalEntry } from './local-entry.js';
import type { Timestamp } from '../codec/timestamps.js';
import type { Tombstone } from './tombstones.js';
import type { CollectedMark } from './verified.js';

const nameKey: Schema<EntryName> = {
  description: 'entry name',
  encode: (v) => entryName(v),
  decode: (v) => {
    if (typeof v !== 'string') throw new CodecError('codec/schema', 'entry names are text');
    return entryName(v);
  },
};

const blockRef = s.struct({ id: s.id<BlockId>(), offset: s.uint(), size: s.uint({ min: 1 }), digest: s.bytes(32) });

/**
 * `local_entry` v1: the working copy (any version, 0 included, unlike the wire format), the
 * `needSync` flag and the verified base version as its signed bytes + key index.
 */
export const localEntryDocument = defineDocument({
  type: 'local_entry',
  version: 1,
  fields: {
    kind: s.literal('file', 'folder'),
    id: s.id<VlobId>(),
    parent: s.id<VlobId>(),
    version: s.uint(),
    created: s.timestamp(),
    updated: s.timestamp(),
    author: s.id<DeviceId>(),
    timestamp: s.timestamp(),
    prev: s.nullable(s.bytes(32)),
    size: s.optional(s.uint()),
    blocksize: s.optional(s.uint({ min: 1 })),
    blocks: s.optional(s.array(blockRef)),
    children: s.optional(s.map(s.id<VlobId>(), { key: nameKey })),
    needSync: s.bool(),
    baseSigned: s.nullable(s.bytes()),
    baseKeyIndex: s.uint(),
  },
});

/** The manifest inside verified signed bytes (already verified when they were stored). */
export function manifestOfSigned(signed: Uint8Array): Manifest {
  return manifestFromCbor(decodeCbor(splitSignedDocument(signed).body));
}

/** Encodes a local entry. */
export function encodeLocalEntry(e: LocalEntry): Uint8Array {
  const m = e.local;
  return localEntryDocument.encode({
    kind: m.type,
    id: m.id,
    parent: m.parent,
    version: m.version,
    created: m.created,
    updated: m.updated,
    author: m.author,
    timestamp: m.timestamp,
    prev: m.prev,
    size: m.type === 'file' ? m.size : undefined,
    blocksize: m.type === 'file' ? m.blocksize : undefined,
    blocks: m.type === 'file' ? m.blocks : undefined,
    children: m.type === 'folder' ? m.children : undefined,
    needSync: e.needSync,
    baseSigned: e.base?.signed ?? null,
    baseKeyIndex: e.base?.keyIndex ?? 0,
  });
}

/** Decodes a local entry; throws `CodecError` for bytes that are not one. */
export function decodeLocalEntry(bytes: Uint8Array): LocalEntry {
  const d = localEntryDocument.decode(bytes);
  const common = {
    id: d.id, parent: d.parent, version: d.version, created: d.created, updated: d.updated,
    author: d.author, timestamp: d.timestamp, prev: d.prev,
  };
  let local: Manifest;
  if (d.kind === 'file') {
    if (d.size === undefined || d.blocksize === undefined || d.blocks === undefined) throw new CodecError('codec/schema', 'local file entry without content fields');
    local = { type: 'file', ...common, size: d.size, blocksize: d.blocksize, blocks: d.blocks };
  } else {
    if (d.children === undefined) throw new CodecError('codec/schema', 'local folder entry without children');
    local = { type: 'folder', ...common, children: d.children };
  }
  const base = d.baseSigned === null ? null : { signed: d.baseSigned, keyIndex: d.baseKeyIndex, manifest: manifestOfSigned(d.baseSigned) };
  return { local, needSync: d.needSync, base };
}

/** `local_block` v1: an encrypted block kept on this device (written here, or fetched and checked). */
export const localBlockDocument = defineDocument({
  type: 'local_block',
  version: 1,
  fields: { keyIndex: s.uint({ min: 1 }), ciphertext: s.bytes() },
});

/** `local_keys` v1: a realm's keys (index 1..n) and the current bundle's one-time key. */
export const localKeysDocument = defineDocument({
  type: 'local_keys',
  version: 1,
  fields: { keys: s.array(s.bytes(32), { min: 1 }), bundleKey: s.bytes(32) },
});

/**
 * `local_realm_state` v1: the realm's vlob checkpoint (the sync model high-water mark) and, since
 * the poll mark was added (optional fields, absent in older copies), the certificate positions
 * (common, realm) this device had verified when its last complete poll of the realm started.
 */
export const localRealmStateDocument = defineDocument({
  type: 'local_realm_state',
  version: 1,
  fields: { checkpoint: s.uint(), markCommon: s.optional(s.uint()), markRealm: s.optional(s.uint()) },
});

/**
 * `local_tombstone` v1: an entry this device removed (folder, name) and the version of each vlob
 * of its subtree it had verified then (`tombstones.ts`). Versions are ≥ 1 (never-uploaded vlobs
 * are left out) and ids appear once.
 */
export const localTombstoneDocument = defineDocument({
  type: 'local_tombstone',
  version: 1,
  fields: {
    parent: s.id<VlobId>(),
    name: nameKey,
    seen: s.array(s.struct({ id: s.id<VlobId>(), version: s.uint({ min: 1 }) })),
    // When this device first saw the delete on the server (µs; absent until then): the start of
    // the retention period after which the tombstone is forgotten (`tombstone-prune.ts`).
    settled: s.optional(s.uint()),
  },
});

/** Encodes a tombstone. */
export function encodeTombstone(t: Tombstone): Uint8Array {
  return localTombstoneDocument.encode({
    parent: t.parent,
    name: t.name,
    seen: [...t.seen].map(([id, version]) => ({ id, version })),
    ...(t.settled !== undefined ? { settled: t.settled } : {}),
  });
}

/** Decodes a tombstone; throws `CodecError` for bytes that are not one (or list an id twice). */
export function decodeTombstone(bytes: Uint8Array): Tombstone {
  const d = localTombstoneDocument.decode(bytes);
  const seen = new Map<VlobId, number>();
  for (const { id, version } of d.seen) {
    if (seen.has(id)) throw new CodecError('codec/schema', `tombstone lists vlob ${id} twice`);
    seen.set(id, version);
  }
  return { parent: d.parent, name: d.name, seen, ...(d.settled !== undefined ? { settled: d.settled as Timestamp } : {}) };
}

/** Bytes of one packed collected-entry mark: vlob id 16, version 8, timestamp 8, seq 8, digest 32. */
const MARK_BYTES = 72;

/**
 * `local_collected` v1: the marks of collected entries whose vlob ids share a bucket
 * (entry GC), packed at 72 bytes each (id, version, signed timestamp, collection counter,
 * SHA-256 of the signed bytes; big-endian) in one byte string rather than a CBOR map each: a
 * realm may hold 100,000 of them.
 */
export const localCollectedDocument = defineDocument({
  type: 'local_collected',
  version: 1,
  fields: { marks: s.bytes() },
});

function readU64(view: DataView, at: number): number {
  const n = view.getUint32(at) * 2 ** 32 + view.getUint32(at + 4);
  if (!Number.isSafeInteger(n)) throw new CodecError('codec/schema', 'collected mark field beyond 2^53');
  return n;
}

function writeU64(view: DataView, at: number, n: number): void {
  view.setUint32(at, Math.floor(n / 2 ** 32));
  view.setUint32(at + 4, n % 2 ** 32);
}

/** Encodes one bucket of marks, in the given order. */
export function encodeCollected(marks: readonly (readonly [VlobId, CollectedMark])[]): Uint8Array {
  const out = new Uint8Array(marks.length * MARK_BYTES);
  const view = new DataView(out.buffer);
  marks.forEach(([id, m], i) => {
    const at = i * MARK_BYTES;
    out.set(idToBytes(id), at);
    writeU64(view, at + 16, m.version);
    writeU64(view, at + 24, m.timestamp);
    writeU64(view, at + 32, m.seq);
    out.set(m.digest, at + 40);
  });
  return localCollectedDocument.encode({ marks: out });
}

/** Decodes one bucket of marks; throws `CodecError` for bytes that are not one (or list an id twice, or a version 0). */
export function decodeCollected(bytes: Uint8Array): [VlobId, CollectedMark][] {
  const packed = localCollectedDocument.decode(bytes).marks;
  if (packed.length % MARK_BYTES !== 0) throw new CodecError('codec/schema', `collected marks are ${MARK_BYTES} bytes each`);
  const view = new DataView(packed.buffer, packed.byteOffset, packed.byteLength);
  const out: [VlobId, CollectedMark][] = [];
  const seen = new Set<VlobId>();
  for (let at = 0; at < packed.length; at += MARK_BYTES) {
    const id = idFromBytes<VlobId>(packed.subarray(at, at + 16));
    if (seen.has(id)) throw new CodecError('codec/schema', `collected marks list vlob ${id} twice`);
    seen.add(id);
    const version = readU64(view, at + 16);
    if (version < 1) throw new CodecError('codec/schema', `collected mark of vlob ${id} has version 0`);
    out.push([id, { version, timestamp: readU64(view, at + 24), seq: readU64(view, at + 32), digest: packed.slice(at + 40, at + MARK_BYTES) }]);
  }
  return out;
}
