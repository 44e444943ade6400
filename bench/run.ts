export {};
/**
 * `npm run bench [name...]`: runs every benchmark module in bench/ (or only the named ones).
 * Each module exports `run(): Promise<void>` and prints its own lines through bench/util.ts.
 */
const modules: Record<string, () => Promise<{ run: () => Promise<void> }>> = {
  storage: () => import('./storage.js'),
  sync: () => import('./sync.js'),
  server: () => import('./server.js'),
  merge: () => import('./merge.js'),
  manifests: () => import('./manifests.js'),
  certificates: () => import('./certificates.js'),
  blocks: () => import('./blocks.js'),
  primitives: () => import('./primitives.js'),
  codec: () => import('./codec.js'),
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
