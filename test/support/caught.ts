/**
 * The sealsync error a promise rejects with (the test fails if it resolves or rejects with anything else).
 * @module
 */
import { expect } from 'vitest';
import { SealsyncError } from '../../src/errors.js';

export async function caught(p: Promise<unknown>): Promise<SealsyncError> {
  const err = await p.then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(SealsyncError);
  return err as SealsyncError;
}

/** The code of the sealsync error `p` rejects with, or `'accepted'` when it resolves (for tables of refusals). */
export async function refusalCode(p: Promise<unknown>): Promise<string> {
  const err = await p.then(() => null, (e: unknown) => e);
  if (err === null) return 'accepted';
  expect(err).toBeInstanceOf(SealsyncError);
  return (err as SealsyncError).code;
}
