/**
 * Shamir recovery core (Parsec RFC 1000): weighted setups, sealed signed shares, verification,
 * opening, recombination, and one test per refusal code.
 */
import { describe, expect, it } from 'vitest';
import { utf8Encode } from '../../src/bytes.js';
import type { UserId } from '../../src/codec/ids.js';
import { sha256 } from '../../src/keys/index.js';
import {
  applyShamirDeletion,
  applyShamirSetup,
  combineShamirShares,
  createShamirSetup,
  NO_SHAMIR_SETUP,
  openRecoveryData,
  openShamirShare,
  readShamirDocument,
  ShamirError,
  signShamirDocument,
  verifyShamirDocument,
  verifyShamirSetup,
  type ShamirShareData,
} from '../../src/shamir/index.js';
import { Org, type Person } from './fixture.js';

async function code(p: Promise<unknown> | (() => unknown)): Promise<string> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (err) {
    expect(err).toBeInstanceOf(ShamirError);
    return (err as ShamirError).code;
  }
  throw new Error('expected a refusal');
}

const DATA = utf8Encode('the recovery device of alice');

async function setupFor(org: Org, author: Person, weights: Record<string, number>, threshold: number) {
  const recipients = new Map(Object.entries(weights).map(([name, weight]) => [org.get(name).userId, { weight, publicKey: org.get(name).privateKey.publicKey }]));
  return createShamirSetup({ author: { ...author }, recipients, threshold, timestamp: org.tick(), recoveryData: DATA });
}

async function opened(org: Org, setup: Awaited<ReturnType<typeof setupFor>>, names: string[]): Promise<ShamirShareData[]> {
  const verified = await verifyShamirSetup(org.store, setup.brief, [...setup.shares.values()]);
  return Promise.all(names.map((n) => openShamirShare({ trust: org.store, brief: verified, signedShare: setup.shares.get(org.get(n).userId)!, recipient: org.get(n).userId, privateKey: org.get(n).privateKey })));
}

describe('Shamir recovery core', () => {
  it('weights reach the threshold: Bob (2) + Carol (1) recover; Carol + Dave (2 of 3) do not', async () => {
    const org = await Org.create(['alice', 'bob', 'carol', 'dave']);
    const setup = await setupFor(org, org.get('alice'), { bob: 2, carol: 1, dave: 1 }, 3);
    const verified = await verifyShamirSetup(org.store, setup.brief, [...setup.shares.values()]);
    expect(verified.brief.threshold).toBe(3);
    expect([...verified.brief.recipients.values()].reduce((a, b) => a + b)).toBe(4);
    const [bob, carol, dave] = await opened(org, setup, ['bob', 'carol', 'dave']);
    expect(bob!.shares).toHaveLength(2);
    const secret = await combineShamirShares(verified, [bob!, carol!]);
    expect(secret.revealToken).toEqual(setup.revealToken);
    expect(await openRecoveryData(secret, org.get('alice').userId, setup.cipheredData)).toEqual(DATA);
    expect(await code(combineShamirShares(verified, [carol!, dave!]))).toBe('shamir/not-enough-shares');
    // Any combination reaching 3 works.
    expect((await combineShamirShares(verified, [dave!, carol!, bob!])).revealToken).toEqual(setup.revealToken);
  });

  it('a setup is refused for a bad threshold or weight, the user itself, an unknown or revoked recipient', async () => {
    const org = await Org.create(['alice', 'bob', 'carol']);
    const alice = org.get('alice');
    expect(await code(setupFor(org, alice, { bob: 1, carol: 1 }, 1))).toBe('shamir/bad-threshold');
    expect(await code(setupFor(org, alice, { bob: 1, carol: 1 }, 3))).toBe('shamir/bad-threshold');
    expect(await code(setupFor(org, alice, { bob: 200, carol: 56 }, 2))).toBe('shamir/bad-threshold');
    expect(await code(setupFor(org, alice, { bob: 0, carol: 2 }, 2))).toBe('shamir/bad-weight');
    expect(await code(setupFor(org, alice, { alice: 1, bob: 1 }, 2))).toBe('shamir/author-recipient');

    // Documents signed by a client that skipped those checks are refused by the verifier.
    const forgeBrief = async (recipients: Map<UserId, number>, threshold = 2) =>
      signShamirDocument(alice.signingKey, { type: 'shamir_brief', author: alice.deviceId, timestamp: org.tick(), userId: alice.userId, threshold, recipients, secretDigest: new Uint8Array(32) });
    const bob = org.get('bob').userId;
    expect(await code(verifyShamirSetup(org.store, await forgeBrief(new Map([[bob, 1], ['ff'.repeat(16) as UserId, 1]])), []))).toBe('shamir/unknown-recipient');
    expect(await code(verifyShamirSetup(org.store, await forgeBrief(new Map([[bob, 1], [alice.userId, 1]])), []))).toBe('shamir/author-recipient');
    expect(await code(verifyShamirSetup(org.store, await forgeBrief(new Map([[bob, 2]]), 3), []))).toBe('shamir/bad-threshold');
    await org.revoke('carol');
    expect(await code(setupFor(org, alice, { bob: 1, carol: 1 }, 2).then((s) => verifyShamirSetup(org.store, s.brief, [...s.shares.values()])))).toBe('shamir/revoked-recipient');
  });

  it('documents: bad signature, author not a device of the user, revoked author, corrupted bytes', async () => {
    const org = await Org.create(['alice', 'bob', 'carol']);
    const setup = await setupFor(org, org.get('alice'), { bob: 1, carol: 1 }, 2);
    const tampered = setup.brief.slice();
    tampered[tampered.length - 1]! ^= 1;
    expect(await code(verifyShamirDocument(org.store, tampered, 'shamir_brief'))).toBe('shamir/bad-signature');
    expect(await code(verifyShamirDocument(org.store, setup.brief.subarray(0, 80), 'shamir_brief'))).toBe('shamir/corrupted');
    expect(await code(verifyShamirDocument(org.store, setup.brief, 'shamir_share'))).toBe('shamir/corrupted');
    // Bob signs a brief claiming to be about Alice.
    const bob = org.get('bob');
    const { document } = readShamirDocument(setup.brief, 'shamir_brief');
    const forged = await signShamirDocument(bob.signingKey, { ...document, author: bob.deviceId });
    expect(await code(verifyShamirDocument(org.store, forged, 'shamir_brief'))).toBe('shamir/author-unknown');
    await org.revoke('alice');
    const late = await signShamirDocument(org.get('alice').signingKey, { ...document, timestamp: org.tick() });
    expect(await code(verifyShamirDocument(org.store, late, 'shamir_brief'))).toBe('shamir/author-revoked');
  });

  it('shares: a missing or foreign share, the wrong recipient, a share replayed from an older setup, twice, or altered', async () => {
    const org = await Org.create(['alice', 'bob', 'carol', 'eve']);
    const alice = org.get('alice');
    const old = await setupFor(org, alice, { bob: 1, carol: 1 }, 2);
    const current = await setupFor(org, alice, { bob: 1, carol: 1 }, 2);
    const bobShare = current.shares.get(org.get('bob').userId);
    const carolShare = current.shares.get(org.get('carol').userId);
    expect(await code(verifyShamirSetup(org.store, current.brief, [bobShare!]))).toBe('shamir/share-mismatch');
    expect(await code(verifyShamirSetup(org.store, current.brief, [bobShare!, bobShare!]))).toBe('shamir/share-mismatch');
    expect(await code(verifyShamirSetup(org.store, current.brief, [...old.shares.values()]))).toBe('shamir/stale-share');
    const verified = await verifyShamirSetup(org.store, current.brief, [bobShare!, carolShare!]);

    const bob = org.get('bob');
    const oldBobShare = old.shares.get(bob.userId)!;
    // Opening: the share of the older setup is refused against the current brief.
    expect(await code(openShamirShare({ trust: org.store, brief: verified, signedShare: oldBobShare, recipient: bob.userId, privateKey: bob.privateKey }))).toBe('shamir/stale-share');
    expect(await code(openShamirShare({ trust: org.store, brief: verified, signedShare: carolShare!, recipient: bob.userId, privateKey: bob.privateKey }))).toBe('shamir/not-recipient');
    const eve = org.get('eve');
    expect(await code(openShamirShare({ trust: org.store, brief: verified, signedShare: current.shares.get(bob.userId)!, recipient: bob.userId, privateKey: eve.privateKey }))).toBe('shamir/share-mismatch');

    // Combining: an old share relayed in place of a current one, the same recipient twice, altered bytes.
    const [bobData, carolData] = await opened(org, current, ['bob', 'carol']);
    const oldVerified = await verifyShamirSetup(org.store, old.brief, [...old.shares.values()]);
    const oldBobData = await openShamirShare({ trust: org.store, brief: oldVerified, signedShare: oldBobShare, recipient: bob.userId, privateKey: bob.privateKey });
    expect(await code(combineShamirShares(verified, [oldBobData, carolData!]))).toBe('shamir/stale-share');
    expect(await code(combineShamirShares(verified, [bobData!, bobData!]))).toBe('shamir/duplicate-share');
    const altered = { ...bobData!, shares: [bobData!.shares[0]!.map((b, i) => (i === 0 ? b ^ 1 : b))] };
    expect(await code(combineShamirShares(verified, [altered, carolData!]))).toBe('shamir/bad-secret');
    expect(await code(combineShamirShares(verified, [{ ...bobData!, shares: [] }, carolData!]))).toBe('shamir/share-mismatch');
    // The recovery data is bound to its user.
    const secret = await combineShamirShares(verified, [bobData!, carolData!]);
    expect(await code(openRecoveryData(secret, bob.userId, current.cipheredData))).toBe('shamir/recovery-data');
  });

  it('one setup at a time: a change needs a deletion of the current setup first', async () => {
    const org = await Org.create(['alice', 'bob', 'carol']);
    const alice = org.get('alice');
    const first = await setupFor(org, alice, { bob: 1, carol: 1 }, 2);
    const v1 = await verifyShamirSetup(org.store, first.brief, [...first.shares.values()]);
    const second = await setupFor(org, alice, { bob: 2 }, 2);
    const v2 = await verifyShamirSetup(org.store, second.brief, [...second.shares.values()]);
    let state = applyShamirSetup(NO_SHAMIR_SETUP, v1);
    expect(await code(() => applyShamirSetup(state, v2))).toBe('shamir/setup-exists');
    const deletion = (briefDigest: Uint8Array, timestamp = org.tick()) => ({ type: 'shamir_deletion' as const, author: alice.deviceId, timestamp, userId: alice.userId, briefDigest });
    expect(await code(() => applyShamirDeletion(state, deletion(v2.briefDigest)))).toBe('shamir/not-current');
    expect(await code(() => applyShamirDeletion(state, deletion(v1.briefDigest, v1.brief.timestamp)))).toBe('shamir/not-current');
    expect(state.kind).toBe('active');
    state = applyShamirDeletion(state, deletion(v1.briefDigest));
    expect(await code(() => applyShamirDeletion(state, deletion(v1.briefDigest)))).toBe('shamir/no-setup');
    state = applyShamirSetup(state, v2);
    expect(state.kind === 'active' && state.setup.briefDigest).toEqual(await sha256(second.brief));
  });
});
