/**
 * Tombstone pruning (issue 18): settled by the first sync that finds the delete on the server,
 * forgotten `retention` later; the `settled` mark survives the local format.
 */
import { describe, expect, it } from 'vitest';
import type { VlobId } from '../../src/codec/ids.js';
import type { Timestamp } from '../../src/codec/timestamps.js';
import type { EntryName } from '../../src/manifests/entry-name.js';
import type { LocalEntry } from '../../src/client/local-entry.js';
import { decodeTombstone, encodeTombstone } from '../../src/client/local-format.js';
import { pruneTombstones } from '../../src/client/tombstone-prune.js';
import type { Tombstone } from '../../src/client/tombstones.js';

const id = (n: number) => n.toString(16).padStart(32, '0') as VlobId;
const folder = (children: Record<string, number>): LocalEntry['local'] => ({ type: 'folder', id: id(1), parent: id(1), version: 3, created: 0, updated: 0, author: 'd' as never, timestamp: 0, prev: null, children: new Map(Object.entries(children).map(([k, v]) => [k as EntryName, id(v)])) });

describe('tombstone pruning', () => {
  const tomb: Tombstone = { parent: id(1), name: 'x' as EntryName, seen: new Map([[id(2), 4]]) };

  it('not settled while the server still lists the entry; settled once it does not; forgotten after the retention', () => {
    const listing = { get: () => ({ local: folder({}), needSync: true, base: { manifest: folder({ x: 2 }), signed: new Uint8Array(0), keyIndex: 1 } }) };
    expect(pruneTombstones(listing, [[id(2), tomb]], 100 as Timestamp, 50).size).toBe(0);
    const gone = { get: () => ({ local: folder({}), needSync: false, base: { manifest: folder({}), signed: new Uint8Array(0), keyIndex: 1 } }) };
    const settled = pruneTombstones(gone, [[id(2), tomb]], 100 as Timestamp, 50).get(id(2));
    expect(settled).toEqual({ ...tomb, settled: 100 });
    expect(pruneTombstones(gone, [[id(2), settled!]], 149 as Timestamp, 50).size).toBe(0);
    expect(pruneTombstones(gone, [[id(2), settled!]], 150 as Timestamp, 50).get(id(2))).toBeNull();
  });

  it('the settled mark round-trips through the local format (and its absence too)', () => {
    expect(decodeTombstone(encodeTombstone(tomb))).toEqual(tomb);
    const s = { ...tomb, settled: 123 as Timestamp };
    expect(decodeTombstone(encodeTombstone(s))).toEqual(s);
  });
});
