// The package's entry files, written after tsup (`npm run build`): one build, two formats.
//
// JavaScript: tsup builds ESM only; each `dist/<entry>.cjs` is one line, `require('./<entry>.js')`.
// Node ≥ 20.19 (our `engines`) loads ES modules from `require` (require(esm)), so a CommonJS app
// gets the very same module instances as an ESM one: one copy of every class whatever mixes
// `import` and `require` (no dual-package hazard), and half the JavaScript in the tarball.
//
// Declarations: tsup writes one bundled set (ESM build); it is moved to `dist/types/`, marked
// CommonJS there (its own package.json), and each entry gets a one-line `.d.ts` (ESM) and `.d.cts`
// (CJS) re-exporting it: an ESM declaration may import a CommonJS one, and a CommonJS one another,
// so each format's entry keeps its own module kind (attw) over a single copy of the types.
import { existsSync, mkdirSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const dist = new URL('../dist/', import.meta.url).pathname;
const types = join(dist, 'types');
mkdirSync(types, { recursive: true });
writeFileSync(join(types, 'package.json'), '{ "type": "commonjs" }\n');
const entries = [];
for (const name of readdirSync(dist)) {
  if (!name.endsWith('.d.ts')) continue;
  renameSync(join(dist, name), join(types, name));
  // Entry declarations are named after their JS file; chunks carry a hash (`transport-AbCd1234.d.ts`).
  const entry = name.slice(0, -'.d.ts'.length);
  if (existsSync(join(dist, `${entry}.js`))) entries.push(entry);
}
if (entries.length === 0) throw new Error('no declarations in dist/: run tsup first');
for (const entry of entries) {
  const line = `export * from './types/${entry}.js';\n`;
  writeFileSync(join(dist, `${entry}.d.ts`), line);
  writeFileSync(join(dist, `${entry}.d.cts`), line);
  writeFileSync(join(dist, `${entry}.cjs`), `'use strict';\nmodule.exports = require('./${entry}.js');\n`);
}
console.log(`entries: ${entries.length} entries (ESM, CJS through require(esm)) over one build and one declaration set`);
