import { defineConfig } from 'tsup';

// One entry per public module (DESIGN §10); each becomes a subpath export in package.json.
export const entries = {
  'client': 'src/client/index.ts',
  'bin/sealsync-server': 'src/bin/sealsync-server.ts',
  'server': 'src/server/index.ts',
  'transport': 'src/transport/index.ts',
  'storage-fs': 'src/storage/fs.ts',
  'storage': 'src/storage/index.ts',
  'testing': 'src/testing/index.ts',
  'merge': 'src/merge/index.ts',
  'sas': 'src/sas/index.ts',
  'manifests': 'src/manifests/index.ts',
  'certificates': 'src/certificates/index.ts',
  'blocks': 'src/blocks/index.ts',
  'keys': 'src/keys/index.ts',
  'keys-hazmat': 'src/keys/hazmat.ts',
  index: 'src/index.ts',
  codec: 'src/codec/index.ts',
};

export default defineConfig([
  {
    entry: entries,
    format: ['esm'],
    dts: true,
    sourcemap: true,
    clean: true,
    target: 'es2022',
    splitting: true,
  },
  {
    // @noble/* v2 ships ESM only; the CommonJS build carries it inside so that
    // `require('sealsync')` works without relying on require(esm).
    entry: entries,
    format: ['cjs'],
    dts: true,
    sourcemap: true,
    target: 'es2022',
    noExternal: [/^@noble\//],
  },
]);
