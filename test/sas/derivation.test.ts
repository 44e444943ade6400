import { describe, expect, it } from 'vitest';
import vectors from '../vectors/formats/sas-v1.json';
import { fromHex, toHex } from '../../src/bytes.js';
import type { InvitationToken } from '../../src/codec/ids.js';
import { PrivateKey } from '../../src/keys/index.js';
import { commitmentMatches, computeCommitment, deriveSasSecrets, payloadAad, type SasTranscript } from '../../src/sas/index.js';

describe('SAS key schedule v1 (frozen vectors)', () => {
  for (const [i, v] of vectors.cases.entries()) {
    it(`vector ${i}: both sides derive the frozen channel key, SAS and codes`, async () => {
      const g = PrivateKey.fromBytes(fromHex(v.greeter_private_key));
      const c = PrivateKey.fromBytes(fromHex(v.claimer_private_key));
      expect(toHex(g.publicKey.toBytes())).toBe(v.greeter_public_key);
      expect(toHex(c.publicKey.toBytes())).toBe(v.claimer_public_key);
      const t: SasTranscript = {
        token: v.token as InvitationToken,
        greeterPublicKey: fromHex(v.greeter_public_key),
        claimerPublicKey: fromHex(v.claimer_public_key),
        greeterNonce: fromHex(v.greeter_nonce),
        claimerNonce: fromHex(v.claimer_nonce),
      };
      const gs = await deriveSasSecrets(g, t.claimerPublicKey, t);
      const cs = await deriveSasSecrets(c, t.greeterPublicKey, t);
      for (const s of [gs, cs]) {
        expect(toHex(s.channelKey.exportSecretBytes())).toBe(v.channel_key);
        expect(toHex(s.sasBytes)).toBe(v.sas_bytes);
        expect(s.greeterCode).toBe(v.greeter_code);
        expect(s.claimerCode).toBe(v.claimer_code);
      }
      expect(toHex(await computeCommitment(t.claimerNonce, t.claimerPublicKey))).toBe(v.commitment);
      expect(toHex(payloadAad(t.token, v.attempt, v.step))).toBe(v.payload_aad);
    });
  }

  it('binds every transcript input: changing any one changes the SAS', async () => {
    const v = vectors.cases[0]!;
    const g = PrivateKey.fromBytes(fromHex(v.greeter_private_key));
    const base: SasTranscript = {
      token: v.token as InvitationToken,
      greeterPublicKey: fromHex(v.greeter_public_key),
      claimerPublicKey: fromHex(v.claimer_public_key),
      greeterNonce: fromHex(v.greeter_nonce),
      claimerNonce: fromHex(v.claimer_nonce),
    };
    const flip = (b: Uint8Array) => {
      const x = b.slice();
      x[0]! ^= 1;
      return x;
    };
    const variants: SasTranscript[] = [
      { ...base, token: ('01' + v.token.slice(2)) as InvitationToken },
      { ...base, greeterNonce: flip(base.greeterNonce) },
      { ...base, claimerNonce: flip(base.claimerNonce) },
      { ...base, greeterPublicKey: flip(base.greeterPublicKey) },
      { ...base, claimerPublicKey: flip(base.claimerPublicKey) },
    ];
    for (const t of variants) {
      const s = await deriveSasSecrets(g, base.claimerPublicKey, t);
      expect(toHex(s.sasBytes)).not.toBe(v.sas_bytes);
    }
    // Channel key binds token and both keys, not the nonces.
    const s = await deriveSasSecrets(g, base.claimerPublicKey, variants[0]!);
    expect(toHex(s.channelKey.exportSecretBytes())).not.toBe(v.channel_key);
  });

  it('refuses a small-order peer key (all-zero shared secret)', async () => {
    const v = vectors.cases[0]!;
    const g = PrivateKey.fromBytes(fromHex(v.greeter_private_key));
    const t: SasTranscript = {
      token: v.token as InvitationToken,
      greeterPublicKey: fromHex(v.greeter_public_key),
      claimerPublicKey: new Uint8Array(32),
      greeterNonce: fromHex(v.greeter_nonce),
      claimerNonce: fromHex(v.claimer_nonce),
    };
    await expect(deriveSasSecrets(g, new Uint8Array(32), t)).rejects.toMatchObject({ code: 'crypto/weak-shared-secret' });
  });

  it('commitment comparison', () => {
    const a = fromHex(vectors.cases[0]!.commitment);
    const b = a.slice();
    expect(commitmentMatches(a, b)).toBe(true);
    b[31]! ^= 0x80;
    expect(commitmentMatches(a, b)).toBe(false);
    expect(commitmentMatches(a, a.subarray(0, 31))).toBe(false);
  });
});
