// One copy of each class across entry points, in each format: every export that a subpath shares
// with the root is the same object, and an error thrown by a subpath is an instance of the root's
// class. Runs in a directory where the packed tarball is installed. The CJS entries load the ESM
// build (require(esm)), so `import` and `require` of sealsync in one app share every class too.
const { execFileSync } = require('node:child_process');
const pkg = require(process.argv[2]);
const subs = Object.keys(pkg.exports).filter((s) => s !== './package.json' && s !== '.').map((s) => `sealsync/${s.slice(2)}`);

const body = (format, load) => `
  const root = ${load("'sealsync'")};
  let shared = 0;
  for (const spec of ${JSON.stringify(subs)}) {
    const m = ${load('spec')};
    for (const [name, value] of Object.entries(m)) {
      if (name in root) {
        if (root[name] !== value) throw new Error(spec + ': ' + name + ' is a different object from sealsync.' + name);
        shared++;
      }
    }
  }
  const keys = ${load("'sealsync/keys'")};
  if (root.SecretKey !== keys.SecretKey) throw new Error('SecretKey differs');
  const k = keys.SecretKey.generate();
  const aad = new Uint8Array(1);
  const blob = await k.encrypt(new Uint8Array(8), aad);
  blob[blob.length - 1] ^= 1;
  const err = await k.decrypt(blob, aad).then(() => null, (e) => e);
  if (!(err instanceof root.CryptoError) || !(err instanceof root.SealsyncError)) throw new Error('an error from sealsync/keys is not instanceof the root CryptoError');
  const storage = ${load("'sealsync/storage'")};
  if (!(new storage.MemoryStorage() instanceof root.MemoryStorage)) throw new Error('MemoryStorage instanceof fails across subpaths');
  console.log('${format}: ' + shared + ' shared exports identical across ' + ${subs.length} + ' subpaths; instanceof holds');
`;

const esm = body('ESM', (s) => `await import(${s})`);
execFileSync(process.execPath, ['--input-type=module', '-e', esm], { stdio: 'inherit' });
const cjs = `(async () => {${body('CJS', (s) => `require(${s})`)}})().catch((e) => { console.error(e); process.exit(1); });`;
execFileSync(process.execPath, ['--no-warnings=ExperimentalWarning', '-e', cjs], { stdio: 'inherit' });
// require(esm) of @noble/* must work without flags on the Node versions we support.
execFileSync(process.execPath, ['-e', "require('sealsync/keys').SigningKey.generate(); console.log('CJS: @noble/* loaded through require(esm) on Node ' + process.version)"], { stdio: 'inherit' });
// One module graph for both formats: what `require` gives is what `import` gives.
execFileSync(process.execPath, ['--input-type=module', '-e', `
  import { createRequire } from 'node:module';
  const required = createRequire(process.cwd() + '/')('sealsync');
  const imported = await import('sealsync');
  for (const [name, value] of Object.entries(imported)) if (required[name] !== value) throw new Error('require and import differ on ' + name);
  const err = await required.SecretKey.generate().decrypt(new Uint8Array(40), new Uint8Array(0)).then(() => null, (e) => e);
  if (!(err instanceof imported.SealsyncError)) throw new Error('an error from the CJS entry is not instanceof the ESM SealsyncError');
  console.log('ESM and CJS: one module graph (' + Object.keys(imported).length + ' exports identical)');
`], { stdio: 'inherit' });
