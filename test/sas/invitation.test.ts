import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { fromBase64Url, toBase64Url } from '../../src/bytes.js';
import { newId, type OrganizationId } from '../../src/codec/ids.js';
import { SealsyncError } from '../../src/errors.js';
import { SigningKey } from '../../src/keys/index.js';
import { formatInvitationLink, newInvitationToken, parseInvitationLink, type InvitationLink } from '../../src/sas/index.js';

const root = SigningKey.fromBytes(new Uint8Array(32).fill(7)).verifyKey;
const org = '0123456789abcdef0123456789abcdef' as OrganizationId;
const token = newInvitationToken();
const link: InvitationLink = { host: 'sync.example.com:8443', organizationId: org, kind: 'user', token, rootVerifyKey: root };
const good = formatInvitationLink(link);
const T = toBase64Url(fromBase64Url(good.split('t=')[1]!.split('&')[0]!));
const R = toBase64Url(root.toBytes());

describe('invitation links', () => {
  it('round-trips both kinds', () => {
    for (const kind of ['user', 'device'] as const) {
      const parsed = parseInvitationLink(formatInvitationLink({ ...link, kind }));
      expect(parsed.kind).toBe(kind);
      expect(parsed.host).toBe(link.host);
      expect(parsed.organizationId).toBe(org);
      expect(parsed.token).toBe(token);
      expect(parsed.rootVerifyKey.equals(root)).toBe(true);
    }
    expect(good).toBe(`sealsync://sync.example.com:8443/${org}?a=claim_user&t=${T}&r=${R}`);
    // Parameter order is free.
    expect(parseInvitationLink(`sealsync://h/${org}?r=${R}&t=${T}&a=claim_device`).kind).toBe('device');
  });

  const bad: [string, string][] = [
    [`https://h/${org}?a=claim_user&t=${T}&r=${R}`, 'invitation/bad-scheme'],
    [`sealsync://H/${org}?a=claim_user&t=${T}&r=${R}`, 'invitation/bad-host'],
    [`sealsync://u@h/${org}?a=claim_user&t=${T}&r=${R}`, 'invitation/bad-host'],
    [`sealsync://h:0/${org}?a=claim_user&t=${T}&r=${R}`, 'invitation/bad-host'],
    [`sealsync://h:65536/${org}?a=claim_user&t=${T}&r=${R}`, 'invitation/bad-host'],
    [`sealsync:///${org}?a=claim_user&t=${T}&r=${R}`, 'invitation/bad-host'],
    // 254 characters of valid labels: over the DNS limit (RFC 1035 §2.3.4), no resolver accepts it.
    [`sealsync://${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(62)}/${org}?a=claim_user&t=${T}&r=${R}`, 'invitation/bad-host'],
    [`sealsync://h/${org.toUpperCase()}?a=claim_user&t=${T}&r=${R}`, 'invitation/bad-organization'],
    [`sealsync://h?a=claim_user&t=${T}&r=${R}`, 'invitation/bad-organization'],
    [`sealsync://h/${org}/x?a=claim_user&t=${T}&r=${R}`, 'invitation/bad-organization'],
    [`sealsync://h/${org}?a=claim_user&t=${T}`, 'invitation/missing-param'],
    [`sealsync://h/${org}?a&t=${T}&r=${R}`, 'invitation/missing-param'],
    [`sealsync://h/${org}`, 'invitation/missing-param'],
    [`sealsync://h/${org}?a=claim_user&t=${T}&r=${R}&x=1`, 'invitation/extra-param'],
    [`sealsync://h/${org}?a=claim_user&a=claim_user&t=${T}&r=${R}`, 'invitation/duplicate-param'],
    [`sealsync://h/${org}?a=claim_admin&t=${T}&r=${R}`, 'invitation/bad-action'],
    [`sealsync://h/${org}?a=claim_user&t=${T.slice(0, -2)}&r=${R}`, 'invitation/bad-token'],
    [`sealsync://h/${org}?a=claim_user&t=${T}AA&r=${R}`, 'invitation/bad-token'],
    [`sealsync://h/${org}?a=claim_user&t=${T}%3D&r=${R}`, 'invitation/bad-token'],
    [`sealsync://h/${org}?a=claim_user&t=${T}&r=${R.slice(0, -1)}`, 'invitation/bad-root-key'],
    [`sealsync://h/${org}?a=claim_user&t=${T}&r=${toBase64Url(new Uint8Array(32))}`, 'invitation/bad-root-key'],
    [`sealsync://h/${org}?a=claim_user&t=${T}&r=${R}#frag`, 'invitation/malformed-link'],
  ];
  for (const [input, code] of bad) {
    it(`rejects ${code}: ${input.slice(0, 70)}`, () => {
      expect(() => parseInvitationLink(input)).toThrow(expect.objectContaining({ code }));
    });
  }

  it('a host of exactly 253 characters is accepted (the DNS limit itself)', () => {
    const host = `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(61)}`;
    expect(host).toHaveLength(253);
    expect(parseInvitationLink(formatInvitationLink({ ...link, host })).host).toBe(host);
  });

  it('format refuses what parse would refuse', () => {
    expect(() => formatInvitationLink({ ...link, host: 'Bad Host' })).toThrow(expect.objectContaining({ code: 'invitation/bad-host' }));
    expect(() => formatInvitationLink({ ...link, organizationId: newId<OrganizationId>().toUpperCase() as OrganizationId })).toThrow(
      expect.objectContaining({ code: 'invitation/bad-organization' }),
    );
  });

  it('never throws anything but an InvitationError on arbitrary input', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string().map((s) => `sealsync://${s}`), fc.string().map((s) => good.slice(0, 40) + s)), (s) => {
        try {
          parseInvitationLink(s);
        } catch (err) {
          expect(err).toBeInstanceOf(SealsyncError);
          expect((err as SealsyncError).code.startsWith('invitation/')).toBe(true);
        }
      }),
      { seed: 42, numRuns: 500 },
    );
  });
});
