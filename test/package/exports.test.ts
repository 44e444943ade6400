/**
 * The package's entry points: tsup.config.ts and package.json `exports` list the same subpaths,
 * every one points at a built file named after it, and every source module exists. (The built
 * tarball itself is checked in CI: attw, publint, identity of classes across subpaths.)
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { outName, subpaths } from '../../tsup.config.js';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  exports: Record<string, unknown>;
  files: string[];
  sideEffects: boolean;
  dependencies: Record<string, string>;
};

describe('package entry points', () => {
  it('package.json exports and tsup subpaths agree', () => {
    const exported = Object.keys(pkg.exports).filter((k) => k !== './package.json').sort();
    expect(exported).toEqual(Object.keys(subpaths).sort());
  });

  it('each subpath maps import/require × types/default to its built files', () => {
    for (const [sub, src] of Object.entries(subpaths)) {
      expect(existsSync(new URL(`../../${src}`, import.meta.url)), src).toBe(true);
      const o = outName(sub);
      expect(pkg.exports[sub], sub).toEqual({
        import: { types: `./dist/${o}.d.ts`, default: `./dist/${o}.js` },
        require: { types: `./dist/${o}.d.cts`, default: `./dist/${o}.cjs` },
      });
    }
  });

  it('ships no source maps and only @noble/* at run time (plus the XML parser of sealsync/labels, the Shamir library of sealsync/shamir, the ASN.1 schemas of sealsync/pki)', () => {
    expect(pkg.files).toContain('!dist/**/*.map');
    // Core modules use @noble/* only; a capability may add a maintained, browser-safe library (README).
    expect(Object.keys(pkg.dependencies).filter((d) => !d.startsWith('@noble/'))).toEqual(['@peculiar/asn1-ecc', '@peculiar/asn1-schema', '@peculiar/asn1-x509', '@xmldom/xmldom', 'shamir-secret-sharing']);
    expect(pkg.sideEffects).toBe(false);
  });
});

describe('API reference', () => {
  it('TypeDoc documents every entry point', () => {
    const typedoc = JSON.parse(readFileSync(new URL('../../typedoc.json', import.meta.url), 'utf8')) as { entryPoints: string[] };
    expect([...typedoc.entryPoints].sort()).toEqual(Object.values(subpaths).sort());
  });

  it('no comment in src/ points at a document the package does not ship', () => {
    const offenders: string[] = [];
    const walk = (dir: URL): void => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        if (e.isDirectory()) walk(new URL(`${e.name}/`, dir));
        else if (e.name.endsWith('.ts') && /DESIGN(\.md)? ?§/.test(readFileSync(new URL(e.name, dir), 'utf8'))) offenders.push(e.name);
      }
    };
    walk(new URL('../../src/', import.meta.url));
    expect(offenders).toEqual([]);
  });
});
