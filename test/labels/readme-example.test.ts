// Keeps the README's labels examples true: the code blocks after each `labels-…-example` marker are
// run as written (only `sealsync/*` imports are pointed at the sources), and their results checked.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const src = fileURLToPath(new URL('../../src/', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'sealsync-readme-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The code block after `<!-- name … -->`, as a module exporting `names`. */
export function snippetModule(name: string, names: readonly string[], prelude = ''): string {
  const at = readme.indexOf(`<!-- ${name}`);
  expect(at, `README marker ${name}`).toBeGreaterThan(0);
  const block = /```ts\n([^]*?)```/.exec(readme.slice(at))![1]!;
  const code = block.replace(/from 'sealsync\/([a-z-]+)'/g, (_, m: string) => `from '${join(src, m === 'storage/fs' ? 'storage/fs.ts' : `${m}/index.ts`)}'`);
  const file = join(dir, `${name}.ts`);
  writeFileSync(file, `${prelude}${code}\nexport const __results = { ${names.join(', ')} };\n`);
  return file;
}

describe('README labels examples', () => {
  it('gateway: a partner opens an export; other bytes are refused', async () => {
    const file = snippetModule('labels-gateway-example', ['opened', 'refused']);
    const { __results: r } = (await import(/* @vite-ignore */ file)) as {
      __results: { opened: { localLabel: { classification: string }; dataUri: string }; refused: string };
    };
    expect(r.opened.localLabel.classification).toBe('SECRET');
    expect(r.opened.dataUri).toBe('survey.pdf');
    expect(r.refused).toBe('binding/data-mismatch');
  });
});

describe('README labels worked example', () => {
  it('a SECRET workspace: share refused for Carol, read refused for Dave once lowered, an export opened by a partner', async () => {
    const { flowWorld } = await import('./flow-world.js');
    const fw = await flowWorld();
    const dave = await fw.world.open(await fw.world.enrollUser(fw.alice, 'dave@example.org', 'Dave'));
    await fw.alice.setClearance(dave.userId, 'ACME', { maxClassification: 'SECRET', categories: [] });
    try {
      const ctx = join(dir, 'ctx.ts');
      // the names the README block uses, from a real world
      (globalThis as Record<string, unknown>).__labelsReadmeWorld = {
        alice: fw.alice,
        bob: fw.bob,
        carol: fw.carol,
        dave,
        acmeCertificates: fw.alice.certificates,
        partnerPolicy: {
          policyId: 'PARTNER',
          classifications: [{ name: 'OFFEN', lacv: 0 }, { name: 'GEHEIM', lacv: 5 }],
          categories: [],
        },
      };
      writeFileSync(ctx, 'export const { alice, bob, carol, dave, acmeCertificates, partnerPolicy } = (globalThis as any).__labelsReadmeWorld;\n');
      const file = snippetModule('labels-workspace-example', ['shareRefused', 'daveRead', 'readRefused', 'opened', 'ws'], `import { alice, bob, carol, dave, acmeCertificates, partnerPolicy } from '${ctx}';\n`);
      const { __results: r } = (await import(/* @vite-ignore */ file)) as {
        __results: { shareRefused: string; daveRead: string; readRefused: string; opened: { localLabel: { classification: string }; flow: { realmId: string } }; ws: { id: string } };
      };
      expect(r.shareRefused).toBe('label/not-cleared');
      expect(r.daveRead).toBe('hold the bridge until 0600');
      expect(r.readRefused).toBe('label/clearance-insufficient');
      expect(r.opened.localLabel.classification).toBe('GEHEIM');
      expect(r.opened.flow.realmId).toBe(r.ws.id);
      expect(fw.bob.certificates.getRealmRole(r.ws.id as never, fw.carol.userId)).toBeNull();
    } finally {
      for (const c of [fw.alice, fw.bob, fw.carol, dave]) await c.close();
      await fw.world.close();
      delete (globalThis as Record<string, unknown>).__labelsReadmeWorld;
    }
  });
});
