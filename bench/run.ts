export {};
/**
 * `npm run bench [name...]`: runs every benchmark module in bench/ (or only the named ones).
 * Each module exports `run(): Promise<void>` and prints its own lines through bench/util.ts.
 */
const modules: Record<string, () => Promise<{ run: () => Promise<void> }>> = {
  primitives: () => import('./primitives.js'),
  codec: () => import('./codec.js'),
  certificates: () => import('./certificates.js'),
  manifests: () => import('./manifests.js'),
  blocks: () => import('./blocks.js'),
  merge: () => import('./merge.js'),
  storage: () => import('./storage.js'),
  server: () => import('./server.js'),
  sync: () => import('./sync.js'),
};

const only = process.argv.slice(2);
const names = only.length > 0 ? only : Object.keys(modules);
console.log(`sealsync benchmarks — node ${process.version}, ${new Date().toISOString()}`);
for (const name of names) {
  const load = modules[name];
  if (!load) {
    console.error(`unknown benchmark ${name}; known: ${Object.keys(modules).join(', ')}`);
    process.exit(2);
  }
  await (await load()).run();
}
