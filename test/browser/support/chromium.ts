/**
 * Debian's Chromium driven by playwright-core. Never skipped: when Chromium is missing the suite
 * fails with how to install it (CI installs it in `.ci/run`).
 */
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM_PATH = process.env.SEALSYNC_CHROMIUM ?? '/usr/bin/chromium';

/** Headless, no sandbox (root in CI), nothing that reaches the network by itself. */
export const CHROMIUM_FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** A fresh headless Chromium (playwright gives each launch a fresh temporary --user-data-dir). */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`Chromium not found at ${CHROMIUM_PATH}: install Debian's package (apt-get install chromium) or set SEALSYNC_CHROMIUM. The browser suite does not skip.`);
  }
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_FLAGS, timeout: 60_000 });
}

/** A fresh profile directory, for tests that launch a persistent context themselves. */
export function freshProfileDir(): string {
  return mkdtempSync(join(tmpdir(), 'sealsync-chromium-'));
}

/** Collects page errors and console errors so that a failing test shows what the page said. */
export function watchPage(page: Page, log: string[]): void {
  page.on('pageerror', (e) => log.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') log.push(`console.${m.type()}: ${m.text()}`);
  });
}
