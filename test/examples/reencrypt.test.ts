import { describe, expect, it } from 'vitest';
import { main } from '../../examples/reencrypt.js';

describe('examples/reencrypt.ts', () => {
  it('a run stopped half-way resumes; everything ends under the new key and stays readable', async () => {
    const lines: string[] = [];
    await main((l) => lines.push(l));
    expect(lines[0]).toBe('First run: power cut');
    expect(lines.slice(1, 3)).toEqual(['   manifests: 4/4', '   blocks: 4/4']);
    expect(lines[3]).toMatch(/^Resumed: everything is under key 2; [1-9]\d* items were already done$/);
    expect(lines[4]).toBe('Still readable: q1,revenue,43 (2 versions)');
  });
});
