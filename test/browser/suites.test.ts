/**
 * The shared suites inside headless Chromium: crypto vectors on the page's WebCrypto, the storage
 * contract on the browser's IndexedDB, and a real quota refusal.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { bundlePage } from './support/bundle.js';
import { launchChromium, watchPage } from './support/chromium.js';
import { pageHtml, serveStatic, type StaticServer } from './support/static-server.js';
import type { ShimResult } from './support/vitest-shim.js';

let browser: Browser;
let site: StaticServer;
let page: Page;
const pageLog: string[] = [];

beforeAll(async () => {
  const [b, js] = await Promise.all([launchChromium(), bundlePage('page/suites.ts')]);
  browser = b;
  site = await serveStatic({ '/': ['text/html', pageHtml('suites')], '/app.js': ['text/javascript', js] });
  page = await browser.newPage();
  watchPage(page, pageLog);
  await page.goto(site.origin);
  await page.waitForFunction(() => document.title === 'ready', undefined, { timeout: 60_000 });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await site?.close();
});

async function runInPage(filter: string): Promise<ShimResult[]> {
  return page.evaluate(`suites.run(${JSON.stringify(filter)})`) as Promise<ShimResult[]>;
}

function expectAllPassed(results: ShimResult[], atLeast: number): void {
  const failed = results.filter((r) => !r.ok).map((r) => `${r.name}\n${r.error}`);
  expect(failed, pageLog.join('\n')).toEqual([]);
  expect(results.length).toBeGreaterThanOrEqual(atLeast);
}

describe('in Chromium', { timeout: 180_000 }, () => {
  it('the page really has WebCrypto Ed25519 and X25519 (so the vectors exercise the browser, not noble)', async () => {
    const algs = await page.evaluate(async () => {
      const ok = async (alg: string, usages: KeyUsage[]): Promise<boolean> =>
        crypto.subtle.generateKey({ name: alg } as AlgorithmIdentifier, false, usages).then(() => true, () => false);
      return { ed25519: await ok('Ed25519', ['sign', 'verify']), x25519: await ok('X25519', ['deriveBits']) };
    });
    expect(algs).toEqual({ ed25519: true, x25519: true });
  });

  it('Wycheproof vectors pass on the page WebCrypto and on noble, with identical verdicts', async () => {
    expectAllPassed(await runInPage('wycheproof'), 6);
  });

  it('RFC 8032 / 7748 vectors pass in the page through both providers', async () => {
    expectAllPassed(await runInPage('RFC'), 2);
  });

  it('the storage contract holds on IndexedDbStorage (and EncryptedStorage over it) in Chromium', async () => {
    expectAllPassed(await runInPage('(Chromium)'), 28);
  });

  it('quota exceeded: a batch that does not fit is refused with storage/quota-exceeded, nothing applied', async () => {
    // A fresh context: Chromium applies a quota override when an origin's IndexedDB opens.
    const context = await browser.newContext();
    const fresh = await context.newPage();
    watchPage(fresh, pageLog);
    const cdp = await context.newCDPSession(fresh);
    await cdp.send('Storage.overrideQuotaForOrigin', { origin: site.origin, quotaSize: 1_000_000 });
    await fresh.goto(site.origin);
    await fresh.waitForFunction(() => document.title === 'ready', undefined, { timeout: 60_000 });
    const r = (await fresh.evaluate('suites.quotaExceeded()')) as { code: string; keysAfter: string[]; valueAfter: number[] };
    await context.close();
    expect(r).toEqual({ code: 'storage/quota-exceeded', keysAfter: ['small'], valueAfter: [1, 2, 3] });
  });
});
