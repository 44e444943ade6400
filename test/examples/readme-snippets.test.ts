// Keeps every TypeScript block of the README's "Using sealsync in your app" section compiling
// against the real API, as an app would write it (`import … from 'sealsync/…'`). The blocks run
// for real elsewhere (readme-app.test.ts for Node, test/browser/ for IndexedDB); this catches what
// a run cannot: a renamed option, a wrong type, a variable used before it is declared.
//
// Each block is its own module. What a block takes from the blocks before it or from the app
// (`device`, `password`, `render`…) is declared once, globally, below; a block's own imports and
// declarations shadow those.
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { beforeAll, describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

const APP_GLOBALS = `
import type { Client } from 'sealsync/client';
import type { AnonymousTransport, LocalDevice, RealmId, SasCode, SasUi, Transport } from 'sealsync';
declare global {
  const url: string;
  const anonymous: AnonymousTransport;
  const ui: SasUi;
  const alice: Client;
  const device: LocalDevice;
  const password: string;
  const client: Client;
  function signed(device: LocalDevice): Transport;
  function render(code: SasCode): void;
  function askUser(candidates: readonly SasCode[]): Promise<SasCode | null>;
  function send(link: string): void;
  function notify(message: string): void;
  function refresh(realmId: RealmId): void;
  function show(error: unknown): void;
  function log(message: string): void;
}
export {};
`;

/** The ```ts blocks of the section titled `title` (up to the next `## ` heading). */
function tsBlocks(markdown: string, title: string): string[] {
  const start = markdown.indexOf(`\n## ${title}\n`);
  if (start < 0) throw new Error(`README has no section "${title}"`);
  const end = markdown.indexOf('\n## ', start + 1);
  const section = markdown.slice(start, end < 0 ? undefined : end);
  return [...section.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!);
}

/** `sealsync` and each `sealsync/<subpath>` → its source entry, as tsup builds them. */
function subpathSources(): Record<string, string[]> {
  const config = readFileSync(join(root, 'tsup.config.ts'), 'utf8');
  const paths: Record<string, string[]> = {};
  for (const m of config.matchAll(/'(\.(?:\/[\w/-]+)?)': '(src\/[\w/.-]+\.ts)'/g)) {
    paths[m[1] === '.' ? 'sealsync' : `sealsync/${m[1]!.slice(2)}`] = [join(root, m[2]!)];
  }
  return paths;
}

function typeCheck(files: Record<string, string>): string[] {
  const parsed = ts.getParsedCommandLineOfConfigFile(join(root, 'tsconfig.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined })!;
  const options: ts.CompilerOptions = { ...parsed.options, noEmit: true, baseUrl: root, paths: subpathSources() };
  const host = ts.createCompilerHost(options);
  const readFile = host.readFile.bind(host);
  const getSourceFile = host.getSourceFile.bind(host);
  host.fileExists = (f) => f in files || ts.sys.fileExists(f);
  host.readFile = (f) => files[f] ?? readFile(f);
  host.getSourceFile = (f, lang, onError) =>
    f in files ? ts.createSourceFile(f, files[f]!, lang, true) : getSourceFile(f, lang, onError);
  const program = ts.createProgram(Object.keys(files), options, host);
  return Object.keys(files).flatMap((f) =>
    [...program.getSyntacticDiagnostics(program.getSourceFile(f)), ...program.getSemanticDiagnostics(program.getSourceFile(f))].map((d) => {
      const { line } = d.file!.getLineAndCharacterOfPosition(d.start ?? 0);
      return `${d.file!.fileName.slice(root.length + 1)}:${line + 1}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
    }),
  );
}

describe('README: "Using sealsync in your app" snippets', () => {
  // One program for all (a type check of the sources takes most of the time): the README's blocks,
  // and one deliberately wrong block showing that the check does report errors.
  const blocks = tsBlocks(readFileSync(join(root, 'README.md'), 'utf8'), 'Using sealsync in your app');
  let errors: string[] = [];
  beforeAll(() => {
    const files: Record<string, string> = {
      [join(root, 'test/examples/.readme-globals.ts')]: APP_GLOBALS,
      [join(root, 'test/examples/.readme-wrong.ts')]: "import { Client } from 'sealsync/client';\nawait Client.open({ device: 42 });\nexport {};\n",
    };
    blocks.forEach((code, i) => {
      files[join(root, `test/examples/.readme-block-${i + 1}.ts`)] = `${code}\nexport {};\n`;
    });
    errors = typeCheck(files);
  }, 120_000);

  it('every TypeScript block type-checks against the package API', () => {
    // Two devices over HTTP, device enrollment, persistence in Node and in the browser, events.
    expect(blocks.length).toBeGreaterThanOrEqual(5);
    expect(errors.filter((e) => !e.includes('.readme-wrong.ts'))).toEqual([]);
  });

  it('a block with a type error is reported (the check can fail)', () => {
    expect(errors.some((e) => /\.readme-wrong\.ts:2: /.test(e))).toBe(true);
  });
});
