// Keeps the README's labels examples true: the code blocks after each `labels-…-example` marker are
// run as written (only `sealsync/*` imports are pointed at the sources), and their results checked.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const src = fileURLToPath(new URL('../../src/', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'sealsync-readme-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The code block after `<!-- name … -->`, as a module exporting `names`. */
export function snippetModule(name: string, names: readonly string[]): string {
  const at = readme.indexOf(`<!-- ${name}`);
  expect(at, `README marker ${name}`).toBeGreaterThan(0);
  const block = /```ts\n([^]*?)```/.exec(readme.slice(at))![1]!;
  const code = block.replace(/from 'sealsync\/([a-z-]+)'/g, (_, m: string) => `from '${join(src, m === 'storage/fs' ? 'storage/fs.ts' : `${m}/index.ts`)}'`);
  const file = join(dir, `${name}.ts`);
  writeFileSync(file, `${code}\nexport const __results = { ${names.join(', ')} };\n`);
  return file;
}

describe('README labels examples', () => {
  it('gateway: a partner opens an export; other bytes are refused', async () => {
    const file = snippetModule('labels-gateway-example', ['opened', 'refused']);
    const { __results: r } = (await import(/* @vite-ignore */ file)) as {
      __results: { opened: { localLabel: { classification: string }; dataUri: string }; refused: string };
    };
    expect(r.opened.localLabel.classification).toBe('SECRET');
    expect(r.opened.dataUri).toBe('survey.pdf');
    expect(r.refused).toBe('binding/data-mismatch');
  });
});
