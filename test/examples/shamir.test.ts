import { describe, expect, it } from 'vitest';
import { main } from '../../examples/shamir.js';

describe('examples/shamir.ts', () => {
  it('weights below the threshold recover nothing; Alice and Carol bring Bob a new device that reads his files', async () => {
    const lines: string[] = [];
    await main((l) => lines.push(l));
    expect(lines).toEqual([
      "Bob's recovery: threshold 3, weights 2 + 1 + 1",
      'Carol can help: Bob',
      'Bob loses his laptop. His new phone gathers shares:',
      '   Carol greets the phone over SAS: weight 1 of 3',
      '   too early: shamir/not-enough-shares',
      '   Alice greets the phone over SAS: weight 3 of 3',
      "Bob's phone is a device of Bob and reads /todo.md: call the bank",
    ]);
  });
});
