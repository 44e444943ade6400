import { describe, expect, it } from 'vitest';
import { decodeCbor, encodeCbor } from '../../src/codec/cbor.js';
import type { CborMap } from '../../src/codec/cbor-value.js';
import type { BlockId, VlobId } from '../../src/codec/ids.js';
import { EntryNameError, UnsupportedFormatError } from '../../src/errors.js';
import type { EntryName } from '../../src/manifests/entry-name.js';
import { decodeManifest, encodeManifest, peekAuthorAndTimestamp } from '../../src/manifests/manifest-format.js';
import { checkRootRule } from '../../src/manifests/manifest-rules.js';
import type { BlockRef } from '../../src/manifests/types.js';
import { alice, fileManifest, fixedId, FOLDER_ID, folderManifest, REALM, T0 } from './helpers.js';

function block(offset: number, size: number, n = offset): BlockRef {
  return { id: fixedId<BlockId>(n & 0xff), offset, size, digest: new Uint8Array(32).fill(n & 0xff) };
}

/** Re-encodes `bytes` after editing the decoded top-level map: builds hostile documents. */
function edit(bytes: Uint8Array, f: (m: CborMap) => void): Uint8Array {
  const m = decodeCbor(bytes) as CborMap;
  f(m);
  return encodeCbor(m);
}

describe('manifest formats', () => {
  it('file and folder manifests round-trip through canonical CBOR', () => {
    for (const m of [fileManifest(), folderManifest(), fileManifest({ version: 2, prev: new Uint8Array(32).fill(7) })]) {
      const bytes = encodeManifest(m);
      expect(decodeManifest(bytes)).toEqual(m);
      expect(encodeManifest(decodeManifest(bytes))).toEqual(bytes);
    }
  });

  it('writes the documented type names and v = 2, children as a map name → 16-byte id', () => {
    const doc = decodeCbor(encodeManifest(folderManifest())) as CborMap;
    expect(doc.get('type')).toBe('folder_manifest');
    expect(doc.get('v')).toBe(2);
    const heads = doc.get('heads') as CborMap;
    expect((heads.get('common') as CborMap).get('position')).toBe(7);
    expect((heads.get('realm') as CborMap).get('digest')).toEqual(new Uint8Array(32).fill(0xa3));
    expect(doc.has('prev')).toBe(false);
    const children = doc.get('children') as CborMap;
    expect(children.get('report.pdf')).toEqual(new Uint8Array(16).fill(0xc1));
    expect((decodeCbor(encodeManifest(fileManifest())) as CborMap).get('type')).toBe('file_manifest');
  });

  it('an unknown extra field is ignored', () => {
    const bytes = edit(encodeManifest(fileManifest()), (m) => m.set('zz_future', 'hello'));
    expect(decodeManifest(bytes)).toEqual(fileManifest());
  });

  it('a newer format version is refused with UnsupportedFormatError', () => {
    const bytes = edit(encodeManifest(folderManifest()), (m) => m.set('v', 3));
    expect(() => decodeManifest(bytes)).toThrow(UnsupportedFormatError);
  });

  it('format v1 (no certificate heads) is refused: UnsupportedFormatError format/unsafe-version', () => {
    const v1 = edit(encodeManifest(fileManifest()), (m) => (m.set('v', 1), m.delete('heads')));
    expect(() => decodeManifest(v1)).toThrow(expect.objectContaining({ code: 'format/unsafe-version' }));
    expect(() => decodeManifest(v1)).toThrow(UnsupportedFormatError);
  });

  it('a v2 manifest without heads is refused; a writer cannot encode one without heads', () => {
    const bytes = edit(encodeManifest(fileManifest()), (m) => m.delete('heads'));
    expect(() => decodeManifest(bytes)).toThrow(expect.objectContaining({ code: 'codec/schema' }));
    const { heads, ...bare } = fileManifest();
    expect(heads).toBeDefined();
    expect(() => encodeManifest(bare)).toThrow(expect.objectContaining({ code: 'codec/missing-heads' }));
  });

  it('a document of another type is refused', () => {
    const bytes = edit(encodeManifest(fileManifest()), (m) => m.set('type', 'user'));
    expect(() => decodeManifest(bytes)).toThrow(expect.objectContaining({ code: 'codec/wrong-type' }));
  });

  it('prev: null is accepted for version 1 (absent is what writers write)', () => {
    const bytes = edit(encodeManifest(fileManifest()), (m) => m.set('prev', null));
    expect(decodeManifest(bytes).prev).toBeNull();
  });

  it('prev is required after version 1', () => {
    const bytes = edit(encodeManifest(fileManifest()), (m) => m.set('version', 2));
    expect(() => decodeManifest(bytes)).toThrow(expect.objectContaining({ code: 'codec/missing-prev' }));
    expect(() => encodeManifest(fileManifest({ version: 2 }))).toThrow(expect.objectContaining({ code: 'codec/missing-prev' }));
  });

  it('prev is refused on version 1', () => {
    expect(() => encodeManifest(fileManifest({ prev: new Uint8Array(32) }))).toThrow(expect.objectContaining({ code: 'codec/unexpected-prev' }));
  });

  it('prev must be 32 bytes', () => {
    const bytes = edit(encodeManifest(fileManifest({ version: 2, prev: new Uint8Array(32) })), (m) => m.set('prev', new Uint8Array(31)));
    expect(() => decodeManifest(bytes)).toThrow(expect.objectContaining({ code: 'codec/schema' }));
  });

  it('version 0 is refused', () => {
    const bytes = edit(encodeManifest(fileManifest()), (m) => m.set('version', 0));
    expect(() => decodeManifest(bytes)).toThrow(expect.objectContaining({ code: 'codec/schema' }));
  });

  it('ids must be 16 bytes', () => {
    const bytes = edit(encodeManifest(fileManifest()), (m) => m.set('parent', new Uint8Array(15)));
    expect(() => decodeManifest(bytes)).toThrow(expect.objectContaining({ code: 'codec/schema' }));
  });
});

describe('block list rules', () => {
  it('unsorted blocks are refused', () => {
    const m = fileManifest({ size: 100, blocks: [block(50, 10), block(0, 10)] });
    expect(() => encodeManifest(m)).toThrow(expect.objectContaining({ code: 'codec/blocks-unsorted' }));
  });

  it('overlapping blocks are refused, on write and on read', () => {
    const m = fileManifest({ size: 100, blocks: [block(0, 10), block(5, 10)] });
    expect(() => encodeManifest(m)).toThrow(expect.objectContaining({ code: 'codec/blocks-overlap' }));
    const good = encodeManifest(fileManifest({ size: 100, blocks: [block(0, 10), block(10, 10)] }));
    const hostile = edit(good, (doc) => {
      const blocks = doc.get('blocks') as CborMap[];
      blocks[1]!.set('offset', 9);
    });
    expect(() => decodeManifest(hostile)).toThrow(expect.objectContaining({ code: 'codec/blocks-overlap' }));
  });

  it('a block past the file size is refused', () => {
    const m = fileManifest({ size: 15, blocks: [block(0, 10), block(10, 10)] });
    expect(() => encodeManifest(m)).toThrow(expect.objectContaining({ code: 'codec/block-outside-size' }));
  });

  it('an empty block is refused', () => {
    expect(() => encodeManifest(fileManifest({ size: 10, blocks: [block(0, 0)] }))).toThrow(expect.objectContaining({ code: 'codec/empty-block' }));
  });

  it('adjacent blocks, gaps (sparse) and an empty file are fine', () => {
    for (const blocks of [[block(0, 10), block(10, 90)], [block(20, 10)], []]) {
      const m = fileManifest({ size: 100, blocks });
      expect(decodeManifest(encodeManifest(m))).toEqual(m);
    }
  });

  it('a block digest must be 32 bytes', () => {
    const m = fileManifest({ size: 10, blocks: [{ ...block(0, 10), digest: new Uint8Array(31) }] });
    expect(() => encodeManifest(m)).toThrow(expect.objectContaining({ code: 'codec/schema' }));
  });
});

describe('entry names in folder children', () => {
  for (const [bad, code] of [
    ['a/b', 'entry-name/slash'],
    ['..', 'entry-name/dot'],
    ['', 'entry-name/empty'],
    ['e\u0301', 'entry-name/not-nfc'],
    ['x'.repeat(256), 'entry-name/too-long'],
    ['nul\u0000', 'entry-name/nul'],
  ] as const) {
    it(`refuses ${JSON.stringify(bad.slice(0, 12))} on read (${code})`, () => {
      const good = encodeManifest(folderManifest());
      const hostile = edit(good, (doc) => (doc.get('children') as CborMap).set(bad, new Uint8Array(16).fill(5)));
      expect(() => decodeManifest(hostile)).toThrow(EntryNameError);
      expect(() => decodeManifest(hostile)).toThrow(expect.objectContaining({ code }));
    });
  }

  it('refuses an invalid name on write', () => {
    const m = folderManifest({ children: new Map([['a/b' as EntryName, FOLDER_ID]]) });
    expect(() => encodeManifest(m)).toThrow(EntryNameError);
  });

  it('refuses a lone surrogate on write (entry-name/lone-surrogate)', () => {
    // CBOR text is UTF-8, so a reader never sees one; a writer must not either: UTF-8 encoding
    // would silently turn it into U+FFFD and two distinct local names into one remote name.
    const m = folderManifest({ children: new Map([['a\uD800b' as EntryName, FOLDER_ID]]) });
    expect(() => encodeManifest(m)).toThrow(expect.objectContaining({ code: 'entry-name/lone-surrogate' }));
  });

  it('a hostile name such as __proto__ is just a key', () => {
    const m = folderManifest({ children: new Map([['__proto__' as EntryName, FOLDER_ID]]) });
    const back = decodeManifest(encodeManifest(m));
    expect(back.type === 'folder' && back.children.get('__proto__' as EntryName)).toBe(FOLDER_ID);
  });
});

describe('root rule', () => {
  const root = REALM as string as VlobId;
  it('the root folder has id == parent == realm id', () => {
    expect(() => checkRootRule(folderManifest({ id: root, parent: root }), REALM)).not.toThrow();
  });
  it('a file cannot be the root', () => {
    expect(() => checkRootRule(fileManifest({ id: root, parent: root }), REALM)).toThrow(expect.objectContaining({ code: 'manifest/bad-root' }));
  });
  it('a non-root entry cannot be its own parent', () => {
    expect(() => checkRootRule(folderManifest({ parent: FOLDER_ID }), REALM)).toThrow(expect.objectContaining({ code: 'manifest/bad-root' }));
  });
});

describe('peekAuthorAndTimestamp', () => {
  it('reads author and timestamp only', () => {
    expect(peekAuthorAndTimestamp(decodeCbor(encodeManifest(fileManifest({ timestamp: T0 + 7 }))))).toEqual({ author: alice.deviceId, timestamp: T0 + 7 });
  });
  it('refuses a document without them', () => {
    expect(() => peekAuthorAndTimestamp(new Map([['timestamp', 1]]))).toThrow(expect.objectContaining({ code: 'codec/schema' }));
    expect(() => peekAuthorAndTimestamp(new Map([['author', new Uint8Array(16)]]))).toThrow(expect.objectContaining({ code: 'codec/schema' }));
    expect(() => peekAuthorAndTimestamp([])).toThrow(expect.objectContaining({ code: 'codec/schema' }));
  });
});

describe('entry names: the plain-ASCII fast path agrees with the full rules', () => {
  it('gives the same verdict as the general path for every short ASCII and boundary name', async () => {
    const { entryNameProblem } = await import('../../src/manifests/entry-name.js');
    const general = (name: string): string | null => {
      if (name.length === 0) return 'entry-name/empty';
      if (name === '.' || name === '..') return 'entry-name/dot';
      if (name.includes('/')) return 'entry-name/slash';
      if (name.includes('\u0000')) return 'entry-name/nul';
      if (!name.isWellFormed()) return 'entry-name/lone-surrogate';
      if (name.normalize('NFC') !== name) return 'entry-name/not-nfc';
      if (new TextEncoder().encode(name).length > 255) return 'entry-name/too-long';
      return null;
    };
    const samples: string[] = ['a', '.', '..', '...', '.a', 'a/b', '/', ' ', '~', '\u007f', 'x'.repeat(255), 'x'.repeat(256), 'é', 'e\u0301'];
    for (let c = 0; c < 128; c++) samples.push(String.fromCharCode(c), `a${String.fromCharCode(c)}b`);
    for (const n of samples) expect(entryNameProblem(n), JSON.stringify(n)).toBe(general(n));
  });
});
