/**
 * The CBOR formats of `file_manifest` and `folder_manifest` documents (the encoding rules, the manifest format), format
 * version 2 (v1 refused, see `V1_REFUSED`), and the conversion to and from the plain `Manifest` shapes of `types.ts`.
 *
 * Decoding applies every structural rule (ids, entry names, block list, `prev` presence), so a
 * `Manifest` obtained here is well formed whoever signed it.
 * @module
 */
import { CodecError, UnsupportedFormatError } from '../errors.js';
import { decodeCbor, encodeCbor, type DecodeOptions } from '../codec/cbor.js';
import type { CborValue } from '../codec/cbor-value.js';
import { defineDocument, olderVersion } from '../codec/document.js';
import type { BlockId, DeviceId, VlobId } from '../codec/ids.js';
import { s, type Schema } from '../codec/schema.js';
import { entryName, type EntryName } from './entry-name.js';
import { checkBlocks } from './manifest-rules.js';
import { revisedLabelSchema } from '../certificates/label-formats.js';
import type { FileManifest, FolderManifest, Manifest } from './types.js';

/** The `type` of a file manifest document on the wire. */
export const FILE_MANIFEST_TYPE = 'file_manifest';
/** The `type` of a folder manifest document on the wire. */
export const FOLDER_MANIFEST_TYPE = 'folder_manifest';
/** Newest format version written for both manifest types (v2: versions bind the certificate heads their author verified). */
export const MANIFEST_FORMAT_VERSION = 2;
/**
 * Largest manifest encoding read (the body of a vlob version, at most `MAX_BLOB_SIZE` on the
 * wire): 8 MiB is ~250,000 folder children or ~100,000 blocks (50 GiB at 512 KiB).
 */
export const MAX_MANIFEST_SIZE = 8 * 1024 * 1024;

/**
 * Entry names as map keys. Throws `EntryNameError` (with the broken rule as its code) rather than
 * a generic schema error: a bad name from a peer is worth a precise diagnosis.
 */
const entryNameKey: Schema<EntryName> = {
  description: 'entry name',
  encode: (v) => entryName(v),
  decode: (v) => {
    if (typeof v !== 'string') throw new CodecError('codec/schema', 'children: entry names are text');
    return entryName(v);
  },
};

const chainHead = s.struct({ position: s.uint({ min: 1 }), digest: s.bytes(32) });

/** Fields shared by both manifest types. `prev` is absent for version 1 (written absent, read absent or null). */
const commonFields = {
  id: s.id<VlobId>(),
  parent: s.id<VlobId>(),
  // u32: the version is bound into the blob's AAD as 4 bytes (vlob-crypto.ts).
  version: s.uint({ min: 1, max: 0xffffffff }),
  created: s.timestamp(),
  updated: s.timestamp(),
  author: s.id<DeviceId>(),
  timestamp: s.timestamp(),
  prev: s.optional(s.nullable(s.bytes(32))),
  heads: s.struct({ common: chainHead, realm: chainHead }),
} as const;

/**
 * Format v1 is refused, not upgraded: a v1 version binds no certificate heads, so a writer
 * removed from a realm could keep signing v1 to escape the v2 read checks, and two devices shown
 * different histories would not see it from each other's writes. No v1 manifest can be verified
 * anyway: its author's device comes from a v1 certificate, which is refused (certificate format v2).
 */
const V1_REFUSED = {
  1: olderVersion({}, () => {
    throw new UnsupportedFormatError('format/unsafe-version', 'manifest format v1 binds no certificate heads: it cannot be read safely');
  }),
};

const blockRef = s.struct({
  id: s.id<BlockId>(),
  offset: s.uint(),
  size: s.uint({ min: 1 }),
  digest: s.bytes(32),
});

/** `file_manifest` v2 (`label`: optional, absent reads as no label). */
export const fileManifestDocument = defineDocument({
  type: FILE_MANIFEST_TYPE,
  version: MANIFEST_FORMAT_VERSION,
  older: V1_REFUSED,
  maxSize: MAX_MANIFEST_SIZE,
  fields: { ...commonFields, size: s.uint(), blocksize: s.uint({ min: 1 }), blocks: s.array(blockRef), label: s.optional(revisedLabelSchema) },
});

/** `folder_manifest` v2: `children` is a CBOR map entry name → 16-byte child id. */
export const folderManifestDocument = defineDocument({
  type: FOLDER_MANIFEST_TYPE,
  version: MANIFEST_FORMAT_VERSION,
  older: V1_REFUSED,
  maxSize: MAX_MANIFEST_SIZE,
  fields: { ...commonFields, children: s.map(s.id<VlobId>(), { key: entryNameKey }) },
});

/**
 * Version 1 has no predecessor; every later version must name one, otherwise a server could cut
 * a vlob's history and present a later version as the start of a fresh chain.
 */
function checkPrev(version: number, prev: Uint8Array | null): void {
  if (version === 1 && prev !== null) throw new CodecError('codec/unexpected-prev', 'version 1 has no prev');
  if (version > 1 && prev === null) throw new CodecError('codec/missing-prev', `version ${version} must carry prev`);
}

/** Throws `CodecError`/`EntryNameError` if `m` breaks a structural rule; used before signing. */
export function checkManifest(m: Manifest): void {
  checkPrev(m.version, m.prev);
  if (m.type === 'file') checkBlocks(m.blocks, m.size);
}

function prevForWire(prev: Uint8Array | null): Uint8Array | undefined {
  return prev === null ? undefined : prev;
}

/**
 * Manifest → CBOR value of its document (newest format). Throws like `checkManifest`, and
 * `CodecError` `codec/missing-heads` without `heads` (a writer binds what it verified).
 */
export function manifestToCbor(m: Manifest): CborValue {
  checkManifest(m);
  const heads = m.heads;
  if (heads === undefined) throw new CodecError('codec/missing-heads', 'a manifest binds the certificate heads its author verified');
  if (m.type === 'file') {
    return fileManifestDocument.toCbor({
      id: m.id, parent: m.parent, version: m.version, created: m.created, updated: m.updated,
      author: m.author, timestamp: m.timestamp, prev: prevForWire(m.prev), heads,
      size: m.size, blocksize: m.blocksize, blocks: m.blocks,
      ...(m.label === undefined ? {} : { label: m.label }),
    });
  }
  if (m.type === 'folder') {
    return folderManifestDocument.toCbor({
      id: m.id, parent: m.parent, version: m.version, created: m.created, updated: m.updated,
      author: m.author, timestamp: m.timestamp, prev: prevForWire(m.prev), heads,
      children: m.children,
    });
  }
  throw new CodecError('codec/schema', 'type: expected "file" or "folder"');
}

/** Canonical CBOR bytes of a manifest (the body that gets signed). Throws like `checkManifest`. */
export function encodeManifest(m: Manifest): Uint8Array {
  return encodeCbor(manifestToCbor(m));
}

/**
 * CBOR value of a manifest document → `Manifest`, dispatching on `type`. Throws `CodecError`
 * (`codec/wrong-type` for a document that is not a manifest, `codec/schema`, the block and
 * `prev` rules), `EntryNameError`, or `UnsupportedFormatError` for a newer format version.
 */
export function manifestFromCbor(value: CborValue): Manifest {
  const type = value instanceof Map ? value.get('type') : undefined;
  let m: Manifest;
  if (type === FILE_MANIFEST_TYPE) {
    const { label, ...d } = fileManifestDocument.fromCbor(value);
    m = { type: 'file', ...d, prev: d.prev ?? null, ...(label === undefined ? {} : { label }) };
  } else if (type === FOLDER_MANIFEST_TYPE) {
    const d = folderManifestDocument.fromCbor(value);
    m = { type: 'folder', ...d, prev: d.prev ?? null };
  } else {
    throw new CodecError('codec/wrong-type', 'expected a file_manifest or folder_manifest document');
  }
  checkManifest(m);
  return m;
}

/**
 * Strictly decodes manifest bytes (at most `MAX_MANIFEST_SIZE` unless `options.maxSize` says
 * otherwise); throws like `manifestFromCbor` and `decodeCbor`.
 */
export function decodeManifest(bytes: Uint8Array, options?: DecodeOptions): Manifest {
  return manifestFromCbor(decodeCbor(bytes, { maxSize: MAX_MANIFEST_SIZE, ...options }));
}

const authorField = s.id<DeviceId>();
const timestampField = s.timestamp();

/**
 * Reads only `author` and `timestamp` of a document, before its signature is checked: they say
 * which key must have signed it and at what instant to look the key up. Nothing else of an
 * unverified document is trusted. Throws `CodecError` `codec/schema`.
 */
export function peekAuthorAndTimestamp(value: CborValue): { author: DeviceId; timestamp: number } {
  if (!(value instanceof Map)) throw new CodecError('codec/schema', '(root): a document is a map');
  const author = value.get('author');
  const timestamp = value.get('timestamp');
  if (author === undefined) throw new CodecError('codec/schema', 'author: missing required field');
  if (timestamp === undefined) throw new CodecError('codec/schema', 'timestamp: missing required field');
  return { author: authorField.decode(author, 'author'), timestamp: timestampField.decode(timestamp, 'timestamp') };
}
