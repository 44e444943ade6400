import { describe, expect, it } from 'vitest';
import { main } from '../../examples/enroll.js';

describe('examples/enroll.ts', () => {
  it('Alice invites Bob: both humans see the codes, the certificates are accepted', async () => {
    const lines: string[] = [];
    await main((l) => lines.push(l));
    const text = lines.join('\n');
    expect(text).toMatch(/^invitation link: sealsync:\/\/sealsync\.example\.com\/[0-9a-f]{32}\?a=claim_user&t=[\w-]{22}&r=[\w-]{43}$/m);
    const own = [...text.matchAll(/(alice|bob) sees her\/his own code ([A-Z2-9]{4})/g)].map((m) => [m[1], m[2]]);
    const picks = [...text.matchAll(/(alice|bob) is offered ((?:[A-Z2-9]{4} ?){4}), hears ([A-Z2-9]{4}), picks it/g)].map((m) => [m[1], m[2]!.trim().split(' '), m[3]]);
    expect(own.map((o) => o[0]).sort()).toEqual(['alice', 'bob']);
    expect(picks).toHaveLength(2);
    for (const [who, candidates, heard] of picks) {
      const other = own.find((o) => o[0] !== who)!;
      expect(heard).toBe(other[1]);
      expect(candidates).toContain(heard);
    }
    expect(text).toMatch(/certificate: user [0-9a-f]{32} <bob@example\.com> "Bob" STANDARD by [0-9a-f]{32}/);
    expect(text).toMatch(/certificate: device [0-9a-f]{32} of [0-9a-f]{32} "bob-phone"/);
    expect(text).toContain('store accepts bob: bob@example.com with 1 device');
  });
});
