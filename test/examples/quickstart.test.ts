import { describe, expect, it } from 'vitest';
import { main } from '../../examples/quickstart.js';
import { checkQuickstartOutput } from './quickstart-output.js';

describe('examples/quickstart.ts (in-process server)', () => {
  it('bootstrap, SAS invitation, shared workspace, conflict copy on both devices, revocation', async () => {
    const lines: string[] = [];
    await main((l) => lines.push(l));
    checkQuickstartOutput(lines);
    expect(lines[0]).toContain('an in-process reference server');
  });
});
