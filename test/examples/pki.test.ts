import { describe, expect, it } from 'vitest';
import { main } from '../../examples/pki.js';

describe('examples/pki.ts', () => {
  it('a trusted CA, a request signed with the X.509 key, another CA refused, a policy accepts, the device works', async () => {
    const lines: string[] = [];
    await main((l) => lines.push(l));
    expect(lines).toEqual([
      'Acme Root CA is trusted by the organisation.',
      'Bob submits a request signed with his X.509 key; pending: true',
      "Mallory's certificate from another CA is refused: transport/invalid_pki untrusted",
      "Alice's policy accepts 1 request",
      "Bob's device works: Bob Builder <bob@acme.example>, STANDARD",
    ]);
  });
});
