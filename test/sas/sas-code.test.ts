import { describe, expect, it } from 'vitest';
import { utf8Encode } from '../../src/bytes.js';
import { codeCandidates, isSasCode, SAS_ALPHABET, sasCodeFromBits, sasCodesFromBytes, seededRandom } from '../../src/sas/index.js';

describe('SAS codes', () => {
  it('alphabet: 32 distinct characters without look-alikes', () => {
    expect(new Set(SAS_ALPHABET).size).toBe(32);
    for (const ch of 'IO01') expect(SAS_ALPHABET).not.toContain(ch);
  });

  it('splits 40 bits into greeter (high 20) and claimer (low 20) codes', () => {
    expect(sasCodesFromBytes(new Uint8Array(5))).toEqual({ greeterCode: 'AAAA', claimerCode: 'AAAA' });
    expect(sasCodesFromBytes(new Uint8Array(5).fill(0xff))).toEqual({ greeterCode: '9999', claimerCode: '9999' });
    // 0x00001_00001: lowest bit of each half.
    expect(sasCodesFromBytes(Uint8Array.from([0x00, 0x00, 0x10, 0x00, 0x01]))).toEqual({ greeterCode: 'AAAB', claimerCode: 'AAAB' });
    expect(sasCodeFromBits(0b11111_00000_00000_00001)).toBe('9AAB');
    expect(() => sasCodesFromBytes(new Uint8Array(4))).toThrow(expect.objectContaining({ code: 'argument/invalid' }));
    expect(() => sasCodeFromBits(1 << 20)).toThrow(expect.objectContaining({ code: 'argument/out-of-range' }));
  });

  it('isSasCode', () => {
    expect(isSasCode('AB2Z')).toBe(true);
    for (const bad of ['AB2', 'AB2ZZ', 'ab2z', 'AB1Z', 'ABOZ', 42, null]) expect(isSasCode(bad)).toBe(false);
  });

  it('candidates: the code among distinct valid decoys, at every position over many draws', () => {
    const positions = new Set<number>();
    for (let seed = 0; seed < 200; seed++) {
      const c = codeCandidates('K7QX', 4, seededRandom(utf8Encode(`cand/${seed}`)));
      expect(c).toHaveLength(4);
      expect(new Set(c).size).toBe(4);
      expect(c.filter((x) => x === 'K7QX')).toHaveLength(1);
      for (const x of c) expect(isSasCode(x)).toBe(true);
      positions.add(c.indexOf('K7QX'));
    }
    expect([...positions].sort()).toEqual([0, 1, 2, 3]);
    expect(codeCandidates('K7QX', 6)).toHaveLength(6);
  });

  it('candidates are deterministic for a seeded source and refuse bad arguments', () => {
    const a = codeCandidates('K7QX', 4, seededRandom(utf8Encode('x')));
    const b = codeCandidates('K7QX', 4, seededRandom(utf8Encode('x')));
    expect(a).toEqual(b);
    expect(() => codeCandidates('K7Q', 4)).toThrow(expect.objectContaining({ code: 'argument/invalid' }));
    expect(() => codeCandidates('K7QX', 1)).toThrow(expect.objectContaining({ code: 'argument/out-of-range' }));
  });
});
