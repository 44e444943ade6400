/**
 * The file label is part of a file's content for the merge: it is never paired silently with data
 * written for another label.
 */
import { describe, expect, it } from 'vitest';
import { mergeFile, sameFileContent } from '../../src/merge/index.js';
import type { RevisedLabel } from '../../src/certificates/index.js';
import type { FileManifest } from '../../src/manifests/types.js';
import { file, ME } from '../merge/helpers.js';
import { label, SECRET_ALPHA_XAA } from './fixtures.js';

const RESTRICTED: RevisedLabel = { revision: 1, label: label('RESTRICTED') };
const SECRET: RevisedLabel = { revision: 1, label: SECRET_ALPHA_XAA };
const labelled = (m: FileManifest, l: RevisedLabel): FileManifest => ({ ...m, label: l });

describe('file labels in merges', () => {
  it('a label change is a content change; equal labels (structurally) are the same content', () => {
    expect(sameFileContent(file(1, 'a'), labelled(file(1, 'a'), RESTRICTED))).toBe(false);
    expect(sameFileContent(labelled(file(1, 'a'), RESTRICTED), labelled(file(1, 'a'), { revision: 1, label: label('RESTRICTED') }))).toBe(true);
    expect(sameFileContent(labelled(file(1, 'a'), RESTRICTED), labelled(file(1, 'a'), { ...RESTRICTED, revision: 2 }))).toBe(false);
  });

  it('label changed here, data changed there: a conflict, the local label stays with the local data', () => {
    const base = file(1, 'a');
    const r = mergeFile(base, labelled(file(1, 'a'), SECRET), file(2, 'b'), ME);
    expect(r.kind).toBe('conflict');
    if (r.kind !== 'conflict') return;
    expect(r.manifest.label).toBeUndefined();
    expect(r.localContent.label).toEqual(SECRET);
  });

  it('label changed here only: the merged version carries it on top of the remote version', () => {
    const base = labelled(file(1, 'a'), RESTRICTED);
    const remote = { ...labelled(file(2, 'a'), RESTRICTED), parent: 'e1000000000000000000000000000000' as FileManifest['parent'] };
    const r = mergeFile(base, labelled(file(1, 'a'), SECRET), remote, ME);
    expect(r.kind).toBe('merged');
    expect(r.manifest.label).toEqual(SECRET);
    expect(r.manifest.version).toBe(2);
    expect(r.needsUpload).toBe(true);
  });

  it('label removed on the remote, content kept locally unchanged: the remote (unlabelled) is taken', () => {
    const base = labelled(file(1, 'a'), RESTRICTED);
    const r = mergeFile(base, base, file(2, 'a'), ME);
    expect(r.kind).toBe('take-remote');
    expect(r.manifest.label).toBeUndefined();
  });
});
