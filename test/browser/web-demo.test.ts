/**
 * The web demo (`npm run example:web`) driven in Chromium as two people would use it, in two
 * browser profiles. Screenshots of every step are kept in artifacts/web-demo/ (gitignored; the
 * path is printed).
 */
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWebDemo, type WebDemo } from '../../examples/web/serve.js';
import { launchChromium, watchPage } from './support/chromium.js';

const SHOTS = fileURLToPath(new URL('../../artifacts/web-demo/', import.meta.url));
let browser: Browser;
let demo: WebDemo;
let alice: Page;
let bob: Page;
const log: string[] = [];

async function person(): Promise<Page> {
  const page = await (await browser.newContext({ viewport: { width: 1100, height: 760 } })).newPage();
  // CI machines are shared: a loaded runner is slow, not broken (Playwright's default is 30 s).
  page.setDefaultTimeout(90_000);
  watchPage(page, log);
  await page.goto(demo.url);
  await page.waitForSelector('body[data-ready=yes]', { timeout: 60_000 });
  return page;
}

const shot = async (page: Page, name: string): Promise<void> => void (await page.screenshot({ path: `${SHOTS}${name}.png`, fullPage: true }));
const logText = (page: Page): Promise<string> => page.locator('#log').innerText();
async function waitLog(page: Page, text: string): Promise<void> {
  await page.waitForFunction((t) => document.getElementById('log')!.innerText.includes(t), text, { timeout: 60_000 });
}
async function fileNames(page: Page): Promise<string[]> {
  return page.locator('#files li').allInnerTexts();
}

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  [browser, demo] = await Promise.all([launchChromium(), startWebDemo({ fastKdf: true })]);
  [alice, bob] = [await person(), await person()];
  console.log(`web demo screenshots: ${SHOTS}`);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await demo?.close();
});

describe('web demo in Chromium', () => {
  it('two profiles enroll by SAS with the codes shown, share, sync, get a conflict copy, and the revoked side loses access', { timeout: 180_000 }, async () => {
    // Alice creates the organisation and a workspace, and invites Bob.
    await alice.click('#bootstrap');
    await alice.waitForSelector('#admin:not([hidden])');
    await alice.click('#create-ws');
    await waitLog(alice, 'Workspace “Team” created.');
    await alice.click('#invite');
    await alice.waitForFunction(() => document.getElementById('invite-link')!.textContent!.startsWith('sealsync://'));
    const link = await alice.locator('#invite-link').innerText();

    // Bob opens the link in his own browser; both read their code to the other and pick.
    await bob.fill('#email', 'bob@example.org');
    await bob.fill('#link', link);
    await bob.click('#claim');
    const picked: string[] = [];
    for (const [me, other, name] of [[bob, alice, 'bob'], [alice, bob, 'alice']] as const) {
      await me.waitForSelector('#candidates button.code', { timeout: 60_000 });
      // The other page may still show its placeholder (····) when this one already has candidates.
      await other.waitForFunction(() => !document.getElementById('my-code')!.textContent!.includes('·'), undefined, { timeout: 60_000 });
      const heard = (await other.locator('#my-code').innerText()).trim();
      expect(await me.locator('#candidates button.code').allInnerTexts()).toContain(heard);
      await shot(me, `02-sas-${name}-picks`);
      await me.click(`#candidates button[data-code="${heard}"]`);
      picked.push(heard);
    }
    await waitLog(alice, 'bob@example.org joined');
    await bob.waitForSelector('#workspace:not([hidden])');
    expect(picked[0]).not.toBe(picked[1]);
    await shot(alice, '03-alice-after-enrollment');

    // Alice shares the workspace, writes a file and drops another; Bob syncs and sees both.
    await alice.click('#share');
    await waitLog(alice, 'Workspace shared with bob@example.org');
    await alice.click('#save');
    await alice.setInputFiles('#file-input', { name: 'dropped.txt', mimeType: 'text/plain', buffer: Buffer.from('a dropped file') });
    await waitLog(alice, 'Added /dropped.txt');
    await alice.click('#sync');
    await waitLog(alice, 'Synced.');
    await bob.click('#sync');
    await waitLog(bob, 'Synced.');
    expect((await fileNames(bob)).map((f) => f.split(' — ')[0])).toEqual(['dropped.txt', 'notes.txt']);
    await shot(bob, '04-bob-sees-files');

    // Both edit notes.txt before syncing: the second to sync gets a conflict copy, then both do.
    await alice.fill('#file-text', 'Alice’s version.');
    await alice.click('#save');
    await bob.fill('#file-text', 'Bob’s version.');
    await bob.click('#save');
    await waitLog(bob, 'Saved /notes.txt');
    await alice.click('#sync');
    await alice.waitForFunction(() => document.getElementById('log')!.innerText.split('Synced.').length > 2);
    await bob.click('#sync');
    await waitLog(bob, 'Conflict: both sides changed a file');
    // The conflict is logged during Bob's inbound merge; his upload of the copy ends with "Synced.".
    await bob.waitForFunction(() => document.getElementById('log')!.innerText.split('Synced.').length > 2);
    await alice.click('#sync');
    await alice.waitForSelector('#files li.conflict');
    expect(await bob.locator('#files li.conflict').count()).toBe(1);
    await shot(bob, '05-bob-conflict-copy');
    await shot(alice, '05-alice-conflict-copy');

    // Alice revokes Bob: his next sync is refused by the server.
    await alice.click('#revoke');
    await waitLog(alice, 'bob@example.org is revoked');
    await bob.click('#sync');
    await bob.waitForSelector('#log .error');
    expect(await bob.locator('#log .error').first().innerText()).toMatch(/revoked/i);
    await shot(bob, '06-bob-revoked');

    // Alice reloads: her device comes back from IndexedDB after the password.
    await alice.reload();
    await alice.waitForSelector('#unlock:not([hidden])');
    await alice.click('#unlock-button');
    await alice.waitForFunction(() => document.querySelectorAll('#files li').length >= 3);
    await shot(alice, '07-alice-after-reload');
    expect(await logText(alice)).toContain('Persistent storage');
    expect(log.filter((l) => l.startsWith('pageerror'))).toEqual([]);
  });
});
