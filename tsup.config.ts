import { defineConfig, type Options } from 'tsup';

/**
 * Every public entry point: package.json subpath → source file. Adding a module is one line here
 * plus the matching block in package.json `exports` (`test/package/exports.test.ts` checks that
 * both agree, and `.ci/run` checks the packed result with attw and publint).
 */
export const subpaths = {
  '.': 'src/index.ts',
  './codec': 'src/codec/index.ts',
  './keys': 'src/keys/index.ts',
  './keys/hazmat': 'src/keys/hazmat.ts',
  './blocks': 'src/blocks/index.ts',
  './certificates': 'src/certificates/index.ts',
  './manifests': 'src/manifests/index.ts',
  './sas': 'src/sas/index.ts',
  './merge': 'src/merge/index.ts',
  './testing': 'src/testing/index.ts',
  './storage': 'src/storage/index.ts',
  './storage/fs': 'src/storage/fs.ts',
  './storage/indexeddb': 'src/storage/indexeddb/index.ts',
  './transport': 'src/transport/index.ts',
  './server': 'src/server/index.ts',
  './client': 'src/client/index.ts',
  './labels': 'src/labels/index.ts',
  './shamir': 'src/shamir/index.ts',
  './pki': 'src/pki/index.ts',
} as const;

/** `./storage/fs` → `storage-fs` (the file name in dist/), `.` → `index`. */
export function outName(subpath: string): string {
  return subpath === '.' ? 'index' : subpath.slice(2).replaceAll('/', '-');
}

export const entries: Record<string, string> = {
  ...Object.fromEntries(Object.entries(subpaths).map(([sub, src]) => [outName(sub), src])),
  'bin/sealsync-server': 'src/bin/sealsync-server.ts',
};

const common: Options = {
  entry: entries,
  dts: true,
  target: 'es2022',
  // Shared chunks: every class exists once, so `instanceof` and identity hold across subpaths
  // (`require('sealsync').SecretKey === require('sealsync/keys').SecretKey`).
  splitting: true,
  // No maps: a map without its sources is of little use, and one with them tripled the tarball.
  sourcemap: false,
  // The optional PostgreSQL driver is loaded at run time by the server's PostgreSQL backend only;
  // tsup externalises dependencies and peerDependencies, not optionalDependencies.
  external: ['pg'],
  // Dependencies (@noble/*) stay external. They ship ESM only, as sealsync's own CJS entries
  // reach them through require(esm), which Node ≥ 20.19 (our `engines`) has without a flag.
};

// ESM only: `scripts/entries.mjs` (run by `npm run build` after tsup) gives every entry its CJS
// file (require(esm) of the same module) and moves the one declaration set under both formats.
export default defineConfig([{ ...common, format: ['esm'], clean: true }]);
