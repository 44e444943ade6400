import { describe, expect, it } from 'vitest';
import { main } from '../../examples/quickstart-http.js';
import { checkQuickstartOutput } from './quickstart-output.js';

describe('examples/quickstart-http.ts (the sealsync-server command over HTTP on 127.0.0.1)', () => {
  it('runs the same story against a sealsync-server process and stops it', async () => {
    const lines: string[] = [];
    await main((l) => lines.push(l));
    checkQuickstartOutput(lines);
    // The disk-backed server was stopped and started again: everything read back, verified.
    expect(lines).toContain('8. The server stops and starts again on its data directory; Alice opens her device with empty local storage.');
    expect(lines.join('\n')).toMatch(/After the restart Alice reads back all 3 files, verified and identical: plan \(sync conflict 1\)\.txt, plan\.txt, roadmap\.txt\./);
    const url = /over HTTP at (http:\/\/127\.0\.0\.1:(\d+))/.exec(lines[0]!);
    expect(url).not.toBeNull();
    // Links name the server the devices were enrolled with.
    expect(lines.join('\n')).toMatch(new RegExp(`Invitation link sent to Bob: sealsync://127\\.0\\.0\\.1:${url![2]}/`));
    // Closed: nothing listens on the port any more.
    await expect(fetch(`${url![1]}/`, { method: 'POST' })).rejects.toThrow();
  });
});
