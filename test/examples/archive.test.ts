import { describe, expect, it } from 'vitest';
import { main } from '../../examples/archive.js';

describe('examples/archive.ts', () => {
  it('archive, plan a deletion, cancel it, let it happen, purge', async () => {
    const lines: string[] = [];
    await main((l) => lines.push(l));
    expect(lines).toEqual([
      'Alice archives "Project 2025":',
      '   writing refused: workspace/archived',
      '   reading still works: final report',
      'Alice plans the deletion of "Scratch" too soon, then properly, then cancels:',
      '   refused: transport/archiving_period_too_short',
      '   Project 2025: archived',
      '   Scratch: deletion_planned',
      '   writing works',
      'She plans it again and the date passes:',
      '   Project 2025: archived',
      '   Scratch: deleted',
      '   the server purges 1 workspace',
    ]);
  });
});
