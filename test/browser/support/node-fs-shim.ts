/**
 * `node:fs` for the browser bundle of the shared suites: `readFileSync` of a test vector returns
 * the file's text, embedded at bundle time (the bundler's `vectors` virtual module).
 */
// @ts-expect-error virtual module provided by the browser bundler (test/browser/support/bundle.ts)
import { files } from 'virtual:vectors';

export function readFileSync(path: string | URL): string {
  const name = String(path).split('/').pop()!;
  const text = (files as Record<string, string>)[name];
  if (text === undefined) throw new Error(`vector file ${name} not embedded in the browser bundle`);
  return text;
}
