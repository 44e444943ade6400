/**
 * Two browser pages (two separate browser profiles) against a `sealsync-server` process on
 * another origin: SAS enrollment with the codes each page shows, sync over HttpTransport (CORS),
 * and a reload that finds the device and its files in IndexedDB with the server out of reach.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServerProcess, stop, type Started } from '../../examples/quickstart-http.js';
import { toBase64Url } from '../../src/bytes.js';
import { bundlePage } from './support/bundle.js';
import { launchChromium, watchPage } from './support/chromium.js';
import { pageHtml, serveStatic, type StaticServer } from './support/static-server.js';

const PASSWORD = 'a long browser passphrase';
let browser: Browser;
let site: StaticServer;
let server: Started;
let dataDir: string;
const contexts: BrowserContext[] = [];
const log: string[] = [];
let alice: Page;
let bob: Page;

async function openPage(): Promise<Page> {
  const context = await browser.newContext(); // its own profile: its own IndexedDB
  contexts.push(context);
  const page = await context.newPage();
  // CI machines are shared: a loaded runner is slow, not broken (Playwright's default is 30 s).
  page.setDefaultTimeout(90_000);
  watchPage(page, log);
  await page.goto(site.origin);
  await page.waitForFunction(() => document.title === 'ready', undefined, { timeout: 60_000 });
  await call(page, 'configure', server.url, server.organizationId);
  return page;
}

/** Calls `window.app[name](...args)` in the page. */
function call<T = unknown>(page: Page, name: string, ...args: unknown[]): Promise<T> {
  return page.evaluate(`app.${name}(...${JSON.stringify(args)})`) as Promise<T>;
}

interface SasState {
  shown: string | null;
  candidates: string[] | null;
  waiting: boolean;
}

/**
 * The two humans on the phone: whenever a page asks its user to pick, the user picks the code
 * the other page shows. Runs until `done` settles.
 */
async function phone(a: Page, b: Page, done: Promise<unknown>): Promise<{ offered: string[][]; picked: string[] }> {
  let finished = false;
  done.then(
    () => (finished = true),
    () => (finished = true),
  );
  const offered: string[][] = [];
  const picked: string[] = [];
  while (!finished) {
    for (const [me, other] of [[a, b], [b, a]] as const) {
      const mine = await call<SasState>(me, 'sasState');
      if (!mine.waiting) continue;
      const theirs = await call<SasState>(other, 'sasState');
      if (theirs.shown === null) continue;
      offered.push(mine.candidates!);
      picked.push(theirs.shown);
      await call(me, 'pick', theirs.shown);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  await done;
  return { offered, picked };
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'sealsync-browser-server-'));
  const [b, js] = await Promise.all([launchChromium(), bundlePage('page/app.ts')]);
  browser = b;
  site = await serveStatic({ '/': ['text/html', pageHtml('sealsync device')], '/app.js': ['text/javascript', js] });
  // The server is on another origin (another port): every call from the pages is cross-origin.
  server = await startServerProcess(dataDir, 0, ['--allow-origin', site.origin]);
  [alice, bob] = [await openPage(), await openPage()];
}, 180_000);

afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => undefined);
  await browser?.close();
  if (server) await stop(server.child);
  await site?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('two browser profiles and a sealsync-server on another origin', { timeout: 180_000 }, () => {
  let bobUserId: string;
  let realm: string;

  it('the pages and the server are on different origins', () => {
    expect(new URL(site.origin).origin).not.toBe(new URL(server.url).origin);
  });

  it('SAS enrollment between two pages: each user picks the code the other page shows', async () => {
    await call(alice, 'bootstrap', toBase64Url(server.bootstrapToken), 'alice@example.org', PASSWORD);
    const link = await call<string>(alice, 'invite', 'bob@example.org');
    expect(link).toMatch(/^sealsync:\/\//);
    await call(bob, 'claim', link, 'bob@example.org');
    const done = Promise.all([call(alice, 'greetDone'), call(bob, 'claimDone', PASSWORD)]);
    const { offered, picked } = await phone(alice, bob, done);
    bobUserId = ((await done) as [unknown, string])[1];
    // Only now: the greeter uploads the new user's certificates when its side resolves.
    await call(bob, 'openClaimed');
    expect(bobUserId, log.join('\n')).toMatch(/^[0-9a-f]{32}$/);
    // Each side was offered four candidates, the right one among them, and picked it.
    expect(offered.length).toBe(2);
    for (const [i, c] of offered.entries()) {
      expect(c.length).toBe(4);
      expect(c).toContain(picked[i]);
    }
    expect(picked[0]).not.toBe(picked[1]);
  });

  it('sync over HttpTransport (CORS): what one page writes, the other reads', async () => {
    realm = await call<string>(alice, 'createShared', 'Team', bobUserId);
    await call(alice, 'write', realm, '/hello.txt', 'hello from Alice’s browser');
    expect(await call(bob, 'syncAndRead', realm, '/hello.txt'), log.join('\n')).toBe('hello from Alice’s browser');
    await call(bob, 'write', realm, '/from-bob.txt', 'written in Bob’s browser');
    expect(await call(alice, 'syncAndRead', realm, '/from-bob.txt')).toBe('written in Bob’s browser');
  });

  it('after a reload, the device and its files come back from IndexedDB (server out of reach)', async () => {
    await call(bob, 'close');
    await bob.reload();
    await bob.waitForFunction(() => document.title === 'ready', undefined, { timeout: 60_000 });
    const r = await call<{ userId: string; slots: string[]; names: string[]; text: string }>(bob, 'resumeOffline', PASSWORD, realm, '/from-bob.txt');
    expect(r).toEqual({ userId: bobUserId, slots: ['me'], names: ['from-bob.txt', 'hello.txt'], text: 'written in Bob’s browser' });
  });
});
