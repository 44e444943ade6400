// Loads every subpath export of the installed package, both as ESM and as CJS.
const { execFileSync } = require('node:child_process');
const pkg = require(process.argv[2]);
for (const sub of Object.keys(pkg.exports)) {
  if (sub === './package.json') continue;
  const spec = sub === '.' ? 'sealsync' : `sealsync/${sub.slice(2)}`;
  execFileSync(process.execPath, ['--input-type=module', '-e', `await import(${JSON.stringify(spec)})`], { stdio: 'inherit' });
  if (pkg.exports[sub].require) execFileSync(process.execPath, ['-e', `require(${JSON.stringify(spec)})`], { stdio: 'inherit' });
  console.log(`subpath ${spec}: ok`);
}
