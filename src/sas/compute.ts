/**
 * Executes the machines' `compute` requests: the SAS cryptography here, the payload semantics
 * in an `EnrollmentBackend` (see enrollment.ts). Failures that the protocol classifies (weak
 * peer key, failed decryption, a payload that does not make sense) come back as `ok: false`
 * results so the machine can cancel with the right reason.
 * @module
 */
import { InvitationError, SealsyncError } from '../errors.js';
import { computeCommitment, deriveSasSecrets } from './derivation.js';
import type { InvitationKind } from './invitation.js';
import type { ComputeRequest, ComputeResult } from './machine-types.js';

/** A check result of a backend: `ok: false` becomes an `inconsistent-payload` cancel. */
export type BackendCheck<T> = ({ ok: true } & T) | { ok: false; detail: string };

/** Greeter side of the payload semantics. */
export interface GreeterBackend {
  /** Checks a decrypted claim, signs the certificates, returns the confirmation plaintext. */
  processClaim(kind: InvitationKind, claim: Uint8Array): Promise<BackendCheck<{ confirmation: Uint8Array; outcome: unknown }>>;
}

/** Claimer side of the payload semantics. */
export interface ClaimerBackend {
  /** Generates the new keys and returns the claim plaintext; `pending` holds the private parts. */
  prepareClaim(kind: InvitationKind): Promise<{ claim: Uint8Array; pending: unknown }>;
  /** Checks a decrypted confirmation against `pending` and builds the local device. */
  processConfirmation(kind: InvitationKind, confirmation: Uint8Array, pending: unknown): Promise<BackendCheck<{ outcome: unknown }>>;
}

/** The backend of either side (greeter or claimer), as `drive` takes it. */
export type EnrollmentBackend = GreeterBackend | ClaimerBackend;

function detailOf(err: unknown): string {
  return err instanceof SealsyncError ? `${err.code}: ${err.message}` : String(err);
}

/** Runs `f`, turning a sealsync error (hostile data) into `ok: false`; anything else is a bug and propagates. */
async function classify<T extends object>(f: () => Promise<BackendCheck<T>>): Promise<BackendCheck<T>> {
  try {
    return await f();
  } catch (err) {
    if (err instanceof SealsyncError) return { ok: false, detail: detailOf(err) };
    throw err;
  }
}

function missing(op: string): InvitationError {
  return new InvitationError('invitation/no-backend', `this side's backend cannot ${op}`);
}

/**
 * Executes one request. Throws `InvitationError` `invitation/no-backend` if the backend lacks
 * the operation (a greeter backend asked to prepare a claim), and propagates non-sealsync errors.
 */
export async function executeCompute(request: ComputeRequest, backend: EnrollmentBackend): Promise<ComputeResult> {
  switch (request.op) {
    case 'commit':
      return { op: 'commit', commitment: await computeCommitment(request.nonce, request.publicKey) };
    case 'derive':
      try {
        const secrets = await deriveSasSecrets(request.ephemeral, request.peerPublicKey, request.transcript);
        return { op: 'derive', ok: true, secrets };
      } catch (err) {
        if (err instanceof SealsyncError) return { op: 'derive', ok: false, detail: detailOf(err) };
        throw err;
      }
    case 'seal':
      return { op: 'seal', ciphertext: await request.key.encrypt(request.plaintext, request.aad) };
    case 'open':
      try {
        return { op: 'open', ok: true, plaintext: await request.key.decrypt(request.ciphertext, request.aad) };
      } catch (err) {
        if (err instanceof SealsyncError) return { op: 'open', ok: false, detail: detailOf(err) };
        throw err;
      }
    case 'prepare-claim': {
      if (!('prepareClaim' in backend)) throw missing('prepare a claim');
      const { claim, pending } = await backend.prepareClaim(request.kind);
      return { op: 'prepare-claim', claim, pending };
    }
    case 'process-claim': {
      if (!('processClaim' in backend)) throw missing('process a claim');
      const r = await classify(() => backend.processClaim(request.kind, request.claim));
      return r.ok ? { op: 'process-claim', ok: true, confirmation: r.confirmation, outcome: r.outcome } : { op: 'process-claim', ok: false, detail: r.detail };
    }
    case 'process-confirmation': {
      if (!('processConfirmation' in backend)) throw missing('process a confirmation');
      const r = await classify(() => backend.processConfirmation(request.kind, request.confirmation, request.pending));
      return r.ok ? { op: 'process-confirmation', ok: true, outcome: r.outcome } : { op: 'process-confirmation', ok: false, detail: r.detail };
    }
  }
}
