/**
 * The writes a client sends, whether single or batched, as the single commands they stand for:
 * a `vlob_write_batch` item of version 1 is a `vlob_create`, a higher one a `vlob_update`, a
 * `block_create_batch` item a `block_create` (tests that count uploads read them through this).
 */
import type { AuthenticatedRequest } from '../../src/transport/index.js';

/** One write: the single command it stands for, the id written, and (with a reply) its outcome. */
export interface Write {
  readonly cmd: 'vlob_create' | 'vlob_update' | 'block_create';
  readonly id: string;
  readonly result?: string;
}

/** The writes of `req`; with its `reply`, each write's outcome (`ok` or the error code). */
export function writesOf(req: AuthenticatedRequest, reply?: { status: string; code?: string; items?: { result: { status: string; code?: string } }[] }): Write[] {
  const outcome = (i: number): { result?: string } => {
    if (reply === undefined) return {};
    if (reply.status !== 'ok') return { result: reply.code ?? 'error' };
    const r = reply.items?.[i]?.result ?? { status: 'ok' };
    return { result: r.status === 'ok' ? 'ok' : (r.code ?? 'error') };
  };
  switch (req.cmd) {
    case 'vlob_create':
    case 'vlob_update':
      return [{ cmd: req.cmd, id: req.vlobId, ...outcome(0) }];
    case 'block_create':
      return [{ cmd: req.cmd, id: req.blockId, ...outcome(0) }];
    case 'vlob_write_batch':
      return req.items.map((it, i) => ({ cmd: it.version === 1 ? 'vlob_create' : 'vlob_update', id: it.vlobId, ...outcome(i) }));
    case 'block_create_batch':
      return req.items.map((it, i) => ({ cmd: 'block_create', id: it.blockId, ...outcome(i) }));
    default:
      return [];
  }
}
