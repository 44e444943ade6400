// Prints the minified + gzip size of what a browser app that imports the root entry (everything
// exported from 'sealsync') ships, bundled by esbuild from the packed tarball. Fails if the browser
// bundle would pull in a Node built-in.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const tarball = resolve(process.argv[2]);
const dir = mkdtempSync(join(tmpdir(), 'sealsync-size-'));
try {
  execFileSync('tar', ['-xzf', tarball, '-C', dir]);
  const pkg = join(dir, 'package');
  // @noble/* as installed for this repository: the bundle includes them like an app's would.
  const r = await build({
    stdin: { contents: "export * from 'sealsync';", resolveDir: process.cwd(), loader: 'js' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    alias: { sealsync: pkg },
    nodePaths: [join(process.cwd(), 'node_modules')],
    logLevel: 'error',
  });
  const code = r.outputFiles[0].contents;
  const gz = gzipSync(code, { level: 9 }).length;
  console.log(`browser root entry: ${(code.length / 1024).toFixed(1)} KiB minified, ${(gz / 1024).toFixed(1)} KiB minified+gzip`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
