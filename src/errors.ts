/**
 * Every failure sealsync reports is a `SealsyncError` subclass with a stable string `code`.
 *
 * Codes are part of the public API: applications switch on them, so they never change meaning
 * once released. They are lowercase, `domain/reason` (e.g. `codec/duplicate-key`).
 * Messages are for humans and may change.
 *
 * Rule of the house: hostile or malformed input must surface as one of these, never as a bare
 * `Error`/`TypeError`/`RangeError` thrown from deep inside a parser or a crypto library.
 * @module
 */

/** Options of every {@link SealsyncError} constructor. */
export interface SealsyncErrorOptions {
  /**
   * The lower-level failure this error reports (standard `Error.cause`): kept so a log shows the
   * root cause, while callers branch on the stable `code` only.
   */
  cause?: unknown;
}

/**
 * Base class of every error sealsync throws or rejects with. Branch on {@link SealsyncError.code}
 * (stable across releases), never on `message` (for humans, may change).
 *
 * @example
 * ```ts
 * try {
 *   await devices.load('alice', password);
 * } catch (e) {
 *   if (e instanceof SealsyncError && e.code === 'storage/wrong-password') askAgain();
 *   else throw e;
 * }
 * ```
 */
export class SealsyncError extends Error {
  /** Stable, machine-readable code: `domain/reason`. */
  readonly code: string;

  /**
   * Creates an error with a stable `code`; subclasses without their own constructor take the same arguments.
   * @param code - stable `domain/reason` code, e.g. `codec/duplicate-key`.
   * @param message - human-readable explanation; not part of the API.
   * @param options - `cause`: the underlying failure, if any.
   */
  constructor(code: string, message: string, options?: SealsyncErrorOptions) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    // Keep `instanceof` and `name` right across transpilation targets and bundles.
    Object.setPrototypeOf(this, new.target.prototype);
    this.name = new.target.name;
  }
}

/** Malformed, non-canonical or oversized CBOR, or a document that does not fit its schema. */
export class CodecError extends SealsyncError {}

/** A primitive refused its input: wrong key length, weak key, failed decryption, bad signature. */
export class CryptoError extends SealsyncError {}

/** A document declares a format version (`v`) or suite newer than this library knows. */
export class UnsupportedFormatError extends SealsyncError {}

/** Data did not match what a signed document promised (size, digest, decryption of a block). */
export class IntegrityError extends SealsyncError {}

/**
 * A certificate broke a chain-of-trust rule (the certificate rules). `reason` is the rule, stable like
 * `code` (`code` is `certificate/<reason>`).
 */
export class CertificateError extends SealsyncError {
  /** The broken rule, e.g. `timestamp-not-increasing`; the `code` is `certificate/<reason>`. */
  readonly reason: string;
  /**
   * Creates the error of a broken chain-of-trust rule.
   * @param reason - the broken rule (see `REASONS`); becomes `code` `certificate/<reason>`.
   * @param message - human-readable explanation; not part of the API.
   * @param options - `cause`: the underlying failure, if any.
   */
  constructor(reason: string, message: string, options?: SealsyncErrorOptions) {
    super(`certificate/${reason}`, message, options);
    this.reason = reason;
  }
}

/** A manifest or keys bundle failed one of the read checks (the manifest format). */
export class ManifestError extends SealsyncError {}

/** An entry name is not valid (the manifest format: NFC, 1–255 UTF-8 bytes, not `.`/`..`, no `/` or NUL). */
export class EntryNameError extends SealsyncError {}

/** An invitation link, SAS exchange or enrollment failed (the SAS protocol). */
export class InvitationError extends SealsyncError {}

/** The local or server storage failed or refused an operation. */
export class StorageError extends SealsyncError {}

/** A transport could not deliver a command, or the peer answered with an error reply. */
export class TransportError extends SealsyncError {}

/** The server's answer goes backwards or forks from what this client already saw (the sync model). */
export class RollbackError extends SealsyncError {}

/**
 * A confidentiality label, label policy or clearance is malformed, unknown to its policy, or a
 * labelling rule refused an operation (STANAG 4774 semantics). `code` is `label/<reason>`.
 */
export class LabelError extends SealsyncError {}

/** An XML document broke the parser budget or is not well-formed, or has a DTD (`xml/<reason>`). */
export class XmlError extends SealsyncError {}

/**
 * A STANAG 4778 binding data object failed import verification: structure, data digest, signature,
 * signer or algorithm (`binding/<reason>`).
 */
export class BindingError extends SealsyncError {}

/** The caller aborted the operation through its `AbortSignal`. */
export class AbortError extends SealsyncError {
  /**
   * Code `abort/aborted`.
   * @param message - human-readable explanation; not part of the API.
   * @param options - `cause`: usually the signal's `reason`.
   */
  constructor(message = 'operation aborted', options?: SealsyncErrorOptions) {
    super('abort/aborted', message, options);
  }
}

/** An argument broke the documented contract of an API (programming error, not hostile data). */
export class ArgumentError extends SealsyncError {}

/** Throws `AbortError` if `signal` is aborted; call at every await point of a long operation. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new AbortError('operation aborted', { cause: signal.reason });
}
