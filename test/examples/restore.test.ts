import { describe, expect, it } from 'vitest';
import { main } from '../../examples/restore.js';

describe('examples/restore.ts', () => {
  it('a mistaken overwrite and a deleted folder come back, the history keeps the mistake', async () => {
    const lines: string[] = [];
    await main((l) => lines.push(l));
    expect(lines).toEqual([
      'after the mistake: plan.md = "oops", drafts exists: false',
      'restored 2 files and 1 folder',
      'plan.md = "# Plan\\n- ship restore", drafts/idea.md = "an idea"',
      'plan.md history: versions 1, 2, 3 (the mistake stays readable as version 2)',
    ]);
  });
});
