/**
 * Bundles a page entry for Chromium with esbuild, the way an app would bundle sealsync
 * (platform browser, ESM). The shared vitest suites run in the page through `vitest-shim.ts`;
 * `node:fs` reads of test vectors come from files embedded here.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';

const here = (p: string): string => fileURLToPath(new URL(p, import.meta.url));
const VECTORS = here('../../vectors/wycheproof/');

const testShims: Plugin = {
  name: 'sealsync-test-shims',
  setup(b) {
    b.onResolve({ filter: /^vitest$/ }, () => ({ path: here('./vitest-shim.ts') }));
    b.onResolve({ filter: /^node:fs$/ }, () => ({ path: here('./node-fs-shim.ts') }));
    b.onResolve({ filter: /^virtual:vectors$/ }, () => ({ path: 'vectors', namespace: 'virtual' }));
    b.onLoad({ filter: /.*/, namespace: 'virtual' }, () => {
      const files = Object.fromEntries(readdirSync(VECTORS).filter((f) => f.endsWith('.json')).map((f) => [f, readFileSync(VECTORS + f, 'utf8')]));
      return { contents: `export const files = ${JSON.stringify(files)};`, loader: 'js' };
    });
    // Anything else from Node in a browser bundle is a bug: fail the build, do not polyfill.
    b.onResolve({ filter: /^node:/ }, (a) => ({ errors: [{ text: `${a.path} imported from ${a.importer} in a browser bundle` }] }));
  },
};

/** The bundled JavaScript of `entry` (a path relative to test/browser/). */
export async function bundlePage(entry: string, options: { minify?: boolean } = {}): Promise<Uint8Array> {
  const r = await build({
    entryPoints: [here(`../${entry}`)],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    minify: options.minify ?? false,
    sourcemap: 'inline',
    define: { 'process.env.SEALSYNC_FUZZ_RUNS': 'undefined' },
    plugins: [testShims],
    // package.json says `sideEffects: false` (true for the library); the suites' test files are
    // imported for their side effect (registering tests), so the annotation must not drop them.
    ignoreAnnotations: true,
    logLevel: 'error',
  });
  return r.outputFiles[0]!.contents;
}
