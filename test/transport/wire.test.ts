/**
 * Wire encoding: every request and reply round-trips; encodings are deterministic; hostile bytes
 * only ever produce sealsync errors.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeCbor, encodeCbor, type CborValue } from '../../src/codec/cbor.js';
import type { BlockId, DeviceId, InvitationToken, RealmId, UserId, VlobId } from '../../src/codec/ids.js';
import { CodecError, SealsyncError, TransportError, UnsupportedFormatError } from '../../src/errors.js';
import {
  ERROR_CODES,
  MAX_BLOCK_BATCH_ITEMS,
  MAX_WRITE_BATCH_ITEMS,
  decodeReply,
  decodeRequest,
  encodeErrorReply,
  encodeReply,
  encodeRequest,
  type ErrorReply,
  type Reply,
  type Request,
  type TopicName,
} from '../../src/transport/index.js';
import { readReply } from '../../src/transport/client-codec.js';

const id = <T extends string>(n: number): T => n.toString(16).padStart(32, '0') as T;
const b = (n: number, fill = 7): Uint8Array => new Uint8Array(n).fill(fill);
const realmId = id<RealmId>(1);
const vlobId = id<VlobId>(2);
const token = id<InvitationToken>(3);
const item = { vlobId, version: 2, keyIndex: 1, author: id<DeviceId>(4), timestamp: 1_700_000_000_000_000, blob: b(10) };

/** One example request and success reply per command. */
const EXAMPLES: { [C in Request['cmd']]: [Extract<Request, { cmd: C }>, Reply<C>] } = {
  certificates_get: [{ cmd: 'certificates_get', after: new Map<TopicName, number>([['common', 5], [realmId, 6]]) }, { status: 'ok', topics: new Map([['common', [b(80)]]]) }],
  user_create: [{ cmd: 'user_create', userCertificate: b(80), deviceCertificate: b(81) }, { status: 'ok' }],
  user_update: [{ cmd: 'user_update', certificate: b(80) }, { status: 'ok' }],
  user_revoke: [{ cmd: 'user_revoke', certificate: b(80) }, { status: 'ok' }],
  label_certificate: [{ cmd: 'label_certificate', certificate: b(80) }, { status: 'ok' }],
  device_create: [{ cmd: 'device_create', certificate: b(80) }, { status: 'ok' }],
  realm_create: [{ cmd: 'realm_create', roleCertificate: b(80), keyRotationCertificate: b(80), keysBundle: b(9), keysBundleAccess: b(9) }, { status: 'ok' }],
  realm_share: [{ cmd: 'realm_share', roleCertificate: b(80), keysBundleAccess: b(9) }, { status: 'ok' }],
  realm_unshare: [{ cmd: 'realm_unshare', roleCertificate: b(80) }, { status: 'ok' }],
  realm_rotate_key: [{ cmd: 'realm_rotate_key', keyRotationCertificate: b(80), keysBundle: b(9), keysBundleAccesses: new Map([[id<UserId>(5), b(9)]]) }, { status: 'ok' }],
  realm_get_keys_bundle: [{ cmd: 'realm_get_keys_bundle', realmId, keyIndex: 2 }, { status: 'ok', keysBundle: b(9), keysBundleAccess: b(8) }],
  realm_rename: [{ cmd: 'realm_rename', nameCertificate: b(80) }, { status: 'ok' }],
  realm_update_archiving: [{ cmd: 'realm_update_archiving', archivingCertificate: b(80) }, { status: 'ok' }],
  vlob_create: [{ cmd: 'vlob_create', realmId, vlobId, keyIndex: 1, timestamp: 12, blob: b(3) }, { status: 'ok' }],
  vlob_update: [{ cmd: 'vlob_update', realmId, vlobId, keyIndex: 1, timestamp: 12, version: 2, blob: b(3) }, { status: 'ok' }],
  vlob_write_batch: [
    { cmd: 'vlob_write_batch', realmId, items: [{ vlobId, keyIndex: 1, timestamp: 12, version: 1, blob: b(3) }, { vlobId: id<VlobId>(7), keyIndex: 1, timestamp: 13, version: 4, blob: b(5) }] },
    {
      status: 'ok',
      items: [
        { vlobId, result: { status: 'ok' } },
        { vlobId: id<VlobId>(7), result: { status: 'error', code: 'bad_version', message: 'stale', currentVersion: 5 } },
      ],
    },
  ],
  vlob_read_batch: [{ cmd: 'vlob_read_batch', realmId, vlobIds: [vlobId], at: 5 }, { status: 'ok', items: [item] }],
  vlob_read_versions: [{ cmd: 'vlob_read_versions', realmId, items: [{ vlobId, version: 1 }] }, { status: 'ok', items: [item] }],
  vlob_poll_changes: [{ cmd: 'vlob_poll_changes', realmId, lastCheckpoint: 0 }, { status: 'ok', currentCheckpoint: 3, changes: [{ vlobId, version: 3 }] }],
  block_create: [{ cmd: 'block_create', realmId, blockId: id<BlockId>(6), keyIndex: 1, block: b(100) }, { status: 'ok' }],
  block_read: [{ cmd: 'block_read', realmId, blockId: id<BlockId>(6) }, { status: 'ok', keyIndex: 1, block: b(100) }],
  block_create_batch: [
    { cmd: 'block_create_batch', realmId, items: [{ blockId: id<BlockId>(6), keyIndex: 1, block: b(100) }] },
    { status: 'ok', items: [{ blockId: id<BlockId>(6), result: { status: 'error', code: 'bad_key_index', message: 'rotated', currentKeyIndex: 2 } }] },
  ],
  block_read_batch: [
    { cmd: 'block_read_batch', realmId, blockIds: [id<BlockId>(6), id<BlockId>(8)] },
    {
      status: 'ok',
      items: [
        { blockId: id<BlockId>(6), result: { status: 'ok', keyIndex: 1, block: b(100) } },
        { blockId: id<BlockId>(8), result: { status: 'error', code: 'not_found', message: 'no such block' } },
      ],
    },
  ],
  realm_reencrypt_vlobs: [{ cmd: 'realm_reencrypt_vlobs', realmId, keyIndex: 2, items: [{ vlobId, version: 1, blob: b(40) }] }, { status: 'ok' }],
  realm_reencrypt_block: [{ cmd: 'realm_reencrypt_block', realmId, blockId: id<BlockId>(6), keyIndex: 2, block: b(100) }, { status: 'ok' }],
  pki_trust_anchors_set: [{ cmd: 'pki_trust_anchors_set', anchors: [b(300)] }, { status: 'ok' }],
  pki_enrollment_list: [{ cmd: 'pki_enrollment_list' }, { status: 'ok', items: [{ enrollmentId: id<UserId>(10), chain: [b(300), b(301)], request: b(120), signature: b(64), submittedOn: 5 }] }],
  pki_enrollment_accept: [{ cmd: 'pki_enrollment_accept', enrollmentId: id<UserId>(10), userCertificate: b(80), deviceCertificate: b(80) }, { status: 'ok' }],
  pki_enrollment_reject: [{ cmd: 'pki_enrollment_reject', enrollmentId: id<UserId>(10) }, { status: 'ok' }],
  shamir_setup_create: [{ cmd: 'shamir_setup_create', brief: b(90), shares: [b(90), b(91)], cipheredData: b(60), revealToken: b(16), recoveryDeviceCertificate: b(80) }, { status: 'ok' }],
  shamir_setup_delete: [{ cmd: 'shamir_setup_delete', deletion: b(90) }, { status: 'ok' }],
  shamir_setup_get: [{ cmd: 'shamir_setup_get' }, { status: 'ok', brief: b(90) }],
  shamir_recipient_list: [{ cmd: 'shamir_recipient_list' }, { status: 'ok', items: [{ brief: b(90), share: b(91) }] }],
  invite_new_shamir_recovery: [{ cmd: 'invite_new_shamir_recovery', userId: id<UserId>(9) }, { status: 'ok', token }],
  invite_new_user: [{ cmd: 'invite_new_user', email: 'a@b.c' }, { status: 'ok', token }],
  invite_new_device: [{ cmd: 'invite_new_device' }, { status: 'ok', token }],
  invite_cancel: [{ cmd: 'invite_cancel', token }, { status: 'ok' }],
  invite_greeter_join: [{ cmd: 'invite_greeter_join', token }, { status: 'ok', attempt: 1 }],
  invite_greeter_step: [{ cmd: 'invite_greeter_step', token, attempt: 1, step: 0, payload: null, waitMs: 10 }, { status: 'ok', peerPayload: b(32) }],
  invite_greeter_cancel: [{ cmd: 'invite_greeter_cancel', token, attempt: 1, reason: 'manual' }, { status: 'ok' }],
  invite_complete: [{ cmd: 'invite_complete', token }, { status: 'ok' }],
  events_listen: [
    { cmd: 'events_listen', after: 0, waitMs: 100 },
    {
      status: 'ok',
      last: 3,
      events: [
        { event: 'certificates', topic: 'common', timestamp: 4 },
        { event: 'vlob', realmId, checkpoint: 1, vlobId, version: 1 },
        { event: 'invitation', token, status: 'ready' },
      ],
    },
  ],
  ping: [{ cmd: 'ping' }, { status: 'ok' }],
  organization_bootstrap: [{ cmd: 'organization_bootstrap', bootstrapToken: b(32), rootVerifyKey: b(32), userCertificate: b(80), deviceCertificate: b(80) }, { status: 'ok' }],
  invited_info: [{ cmd: 'invited_info', token }, { status: 'ok', kind: 'user', email: 'a@b.c', greeterUserId: id<UserId>(7), greeterDeviceId: id<DeviceId>(8) }],
  invited_join: [{ cmd: 'invited_join', token }, { status: 'ok', attempt: 2 }],
  invited_step: [{ cmd: 'invited_step', token, attempt: 1, step: 3, payload: b(32) }, { status: 'ok', peerPayload: null }],
  invited_cancel: [{ cmd: 'invited_cancel', token, attempt: 1, reason: 'timeout' }, { status: 'ok' }],
  pki_enrollment_submit: [{ cmd: 'pki_enrollment_submit', chain: [b(300)], request: b(120), signature: b(64) }, { status: 'ok', enrollmentId: id<UserId>(10) }],
  pki_enrollment_info: [{ cmd: 'pki_enrollment_info', enrollmentId: id<UserId>(10) }, { status: 'ok', enrollmentStatus: 'accepted', userCertificate: b(80), deviceCertificate: b(80) }],
  invited_shamir_reveal: [{ cmd: 'invited_shamir_reveal', token, revealToken: b(16) }, { status: 'ok', cipheredData: b(70) }],
};

describe('wire encoding', () => {
  it.each(Object.entries(EXAMPLES))('%s: request and reply round-trip, deterministically', (cmd, [req, rep]) => {
    const bytes = encodeRequest(req);
    expect(decodeRequest(bytes)).toEqual(req);
    expect(encodeRequest(decodeRequest(bytes))).toEqual(bytes);
    const doc = decodeCbor(bytes) as Map<string, CborValue>;
    expect([doc.get('type'), doc.get('v'), doc.get('cmd')]).toEqual(['req', 1, cmd]);
    const rbytes = encodeReply(cmd as Request['cmd'], rep);
    expect(decodeReply(cmd as Request['cmd'], rbytes)).toEqual(rep);
  });

  it('every error code round-trips with the fields it requires', () => {
    const extras: Record<string, object> = {
      bad_version: { currentVersion: 3 },
      require_greater_timestamp: { strictlyGreaterThan: 9 },
      timestamp_out_of_ballpark: { serverTimestamp: 1, clientTimestamp: 2 },
      bad_key_index: { currentKeyIndex: 2 },
      invalid_certificate: { reason: 'bad-signature' },
      invalid_shamir: { reason: 'stale-share' },
      invalid_pki: { reason: 'expired' },
      invitation_cancelled: { by: 'claimer', reason: 'manual' },
      too_many_requests: { retryAfterMs: 1500 },
    };
    for (const code of ERROR_CODES) {
      const reply = { status: 'error', code, message: 'm', ...(extras[code] ?? {}) } as ErrorReply;
      expect(decodeReply('ping', encodeErrorReply(reply))).toEqual(reply);
    }
  });

  it('an error reply missing the field its code requires is refused', () => {
    const bytes = encodeCbor(new Map<string, CborValue>([['type', 'rep'], ['v', 1], ['status', 'error'], ['code', 'bad_version'], ['message', 'x']]));
    expect(() => decodeReply('vlob_update', bytes)).toThrow(CodecError);
  });

  it('an unknown error code or status is refused', () => {
    const bytes = encodeCbor(new Map<string, CborValue>([['type', 'rep'], ['v', 1], ['status', 'error'], ['code', 'teapot'], ['message', 'x']]));
    expect(() => decodeReply('ping', bytes)).toThrow(CodecError);
    const st = encodeCbor(new Map<string, CborValue>([['type', 'rep'], ['v', 1], ['status', 'maybe']]));
    expect(() => decodeReply('ping', st)).toThrow(CodecError);
  });

  it('a reply of another command is refused (fields checked per command)', () => {
    const bytes = encodeReply('block_read', { status: 'ok', keyIndex: 1, block: b(4) });
    expect(() => decodeReply('vlob_read_batch', bytes)).toThrow(CodecError);
  });

  it('a newer wire version is UnsupportedFormatError; unknown commands are codec/unknown-command', () => {
    const newer = encodeCbor(new Map<string, CborValue>([['type', 'req'], ['v', 2], ['cmd', 'ping']]));
    expect(() => decodeRequest(newer)).toThrow(UnsupportedFormatError);
    const unknown = encodeCbor(new Map<string, CborValue>([['type', 'req'], ['v', 1], ['cmd', 'nope']]));
    expect(() => decodeRequest(unknown)).toThrow(expect.objectContaining({ code: 'codec/unknown-command' }));
  });

  it('bounds: too many vlob ids, oversized payloads, ids of the wrong length, documents over the size limit', () => {
    const many = Array.from({ length: 1001 }, (_, i) => id<VlobId>(i));
    expect(() => encodeRequest({ cmd: 'vlob_read_batch', realmId, vlobIds: many })).toThrow(CodecError);
    expect(() => encodeRequest({ cmd: 'invited_step', token, attempt: 1, step: 0, payload: b(64 * 1024 + 1) })).toThrow(CodecError);
    const badId = encodeCbor(new Map<string, CborValue>([['type', 'req'], ['v', 1], ['cmd', 'block_read'], ['realmId', b(15)], ['blockId', b(16)]]));
    expect(() => decodeRequest(badId)).toThrow(CodecError);
    const ok = encodeRequest({ cmd: 'vlob_create', realmId, vlobId, keyIndex: 1, timestamp: 1, blob: b(2000) });
    expect(() => decodeRequest(ok, { maxSize: 1000 })).toThrow(CodecError);
  });

  it('batches: a refused item missing the field its code requires, an unknown status, over-long or empty batches are refused', () => {
    const idBytes = (decodeCbor(encodeReply('vlob_write_batch', EXAMPLES.vlob_write_batch[1])) as Map<string, CborValue>).get('items') as Map<string, CborValue>[];
    const withResult = (result: Map<string, CborValue>): Uint8Array => {
      const item = new Map(idBytes[0]!);
      item.set('result', result);
      return encodeCbor(new Map<string, CborValue>([['type', 'rep'], ['v', 1], ['status', 'ok'], ['items', [item]]]));
    };
    expect(() => decodeReply('vlob_write_batch', withResult(new Map<string, CborValue>([['status', 'error'], ['code', 'bad_version'], ['message', 'x']])))).toThrow(CodecError);
    expect(() => decodeReply('vlob_write_batch', withResult(new Map<string, CborValue>([['status', 'maybe']])))).toThrow(CodecError);
    const readRep = decodeCbor(encodeReply('block_read_batch', EXAMPLES.block_read_batch[1])) as Map<string, CborValue>;
    ((readRep.get('items') as Map<string, CborValue>[])[0]!.get('result') as Map<string, CborValue>).delete('block');
    expect(() => decodeReply('block_read_batch', encodeCbor(readRep))).toThrow(CodecError);
    const item = { vlobId, keyIndex: 1, timestamp: 1, version: 1, blob: b(1) };
    expect(() => encodeRequest({ cmd: 'vlob_write_batch', realmId, items: [] })).toThrow(CodecError);
    expect(() => encodeRequest({ cmd: 'vlob_write_batch', realmId, items: Array.from({ length: MAX_WRITE_BATCH_ITEMS + 1 }, () => item) })).toThrow(CodecError);
    const blocks = Array.from({ length: MAX_BLOCK_BATCH_ITEMS + 1 }, (_, i) => id<BlockId>(i + 1));
    expect(() => encodeRequest({ cmd: 'block_read_batch', realmId, blockIds: blocks })).toThrow(CodecError);
    expect(() => encodeRequest({ cmd: 'block_create_batch', realmId, items: blocks.map((blockId) => ({ blockId, keyIndex: 1, block: b(1) })) })).toThrow(CodecError);
  });

  it('a union member with an unknown tag (an event kind this version does not know) is a CodecError', () => {
    const rep = decodeCbor(encodeReply('events_listen', EXAMPLES.events_listen[1])) as Map<string, CborValue>;
    const events = rep.get('events') as Map<string, CborValue>[];
    events[0]!.set('event', 'bogus');
    expect(() => decodeReply('events_listen', encodeCbor(rep))).toThrow(expect.objectContaining({ code: 'codec/schema', message: expect.stringContaining('unknown event "bogus"') }));
    events[0]!.delete('event');
    expect(() => decodeReply('events_listen', encodeCbor(rep))).toThrow(CodecError);
  });

  it('a reply over the client size bound is transport/too-large before any decoding', () => {
    const bytes = encodeReply('ping', { status: 'ok' });
    expect(() => readReply('ping', bytes, bytes.length - 1)).toThrow(expect.objectContaining({ code: 'transport/too-large' }));
    expect(readReply('ping', bytes, bytes.length)).toEqual({ status: 'ok' });
  });

  it('fuzz: mutated replies of every command only ever give TransportError transport/malformed-reply', () => {
    // What a hostile server (or a corrupting proxy) can send back: the client's reply decoding
    // must turn every one of them into a typed error, never a TypeError/RangeError.
    const errors: ErrorReply[] = [
      { status: 'error', code: 'bad_version', message: 'm', currentVersion: 3 },
      { status: 'error', code: 'require_greater_timestamp', message: 'm', strictlyGreaterThan: 5 },
      { status: 'error', code: 'timestamp_out_of_ballpark', message: 'm', serverTimestamp: 5, clientTimestamp: 9 },
      { status: 'error', code: 'invalid_certificate', message: 'm', reason: 'bad-signature' },
      { status: 'error', code: 'invitation_cancelled', message: 'm', by: 'greeter', reason: 'manual' },
    ];
    const seeds: [Request['cmd'], Uint8Array][] = [
      ...Object.entries(EXAMPLES).map(([cmd, [, rep]]) => [cmd as Request['cmd'], encodeReply(cmd as Request['cmd'], rep as never)] as [Request['cmd'], Uint8Array]),
      ...errors.map((e) => ['vlob_update', encodeErrorReply(e)] as [Request['cmd'], Uint8Array]),
    ];
    const runs = Number(process.env['SEALSYNC_FUZZ_RUNS'] ?? 500);
    const seed = Number(process.env['SEALSYNC_FUZZ_SEED'] ?? 43);
    const check = (cmd: Request['cmd'], bytes: Uint8Array): void => {
      try {
        readReply(cmd, bytes);
      } catch (err) {
        if (!(err instanceof TransportError) || err.code !== 'transport/malformed-reply') throw err;
      }
    };
    fc.assert(
      fc.property(fc.nat(seeds.length - 1), fc.nat(), fc.nat(255), fc.nat(seeds.length - 1), (i, pos, val, j) => {
        const [cmd, bytes] = seeds[i]!;
        const s = bytes.slice();
        s[pos % s.length] = val;
        check(cmd, s);
        check(cmd, s.subarray(0, pos % s.length));
        // A well-formed reply of another command.
        check(seeds[j]![0], bytes);
      }),
      { numRuns: runs * 4, seed },
    );
  });

  it('fuzz: arbitrary and mutated bytes never throw anything but a sealsync error', () => {
    const seeds = Object.values(EXAMPLES).map(([req]) => encodeRequest(req));
    const runs = Number(process.env['SEALSYNC_FUZZ_RUNS'] ?? 500);
    const seed = Number(process.env['SEALSYNC_FUZZ_SEED'] ?? 42);
    const check = (bytes: Uint8Array): void => {
      for (const f of [() => decodeRequest(bytes), () => decodeReply('vlob_read_batch', bytes), () => decodeReply('events_listen', bytes)]) {
        try {
          f();
        } catch (err) {
          if (!(err instanceof SealsyncError)) throw err;
        }
      }
    };
    fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => check(bytes)), { numRuns: runs, seed });
    fc.assert(
      fc.property(fc.nat(seeds.length - 1), fc.nat(), fc.nat(255), (i, pos, val) => {
        const s = seeds[i]!.slice();
        s[pos % s.length] = val;
        check(s);
        check(s.subarray(0, pos % s.length));
      }),
      { numRuns: runs, seed },
    );
  });
});
