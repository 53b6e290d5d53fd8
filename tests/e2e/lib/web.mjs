// Browser plumbing for the web page tests: Debian's Chromium through
// playwright-core, English (en-US) unless a test asks for another locale,
// screenshots in tests/e2e/artifacts/.

import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { E2E_DIR, sleep } from './gateway.mjs';

export const CHROMIUM = process.env.AIOHUB_CHROMIUM || '/usr/bin/chromium';
export const ARTIFACTS = path.join(E2E_DIR, 'artifacts');
export const PHONE = { width: 390, height: 844 };
export const DESKTOP = { width: 1280, height: 900 };

export async function launchBrowser() {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium not found at ${CHROMIUM}: run \`scripts/bootstrap test\` (installs Debian's chromium) or set AIOHUB_CHROMIUM.`);
  }
  mkdirSync(ARTIFACTS, { recursive: true });
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: process.getuid?.() === 0 ? ['--no-sandbox'] : [] });
}

/** A page in a new context (en-US and a desktop window unless `opts` says otherwise); page errors are collected in page.errors. */
export async function newPage(browser, opts = {}) {
  const context = await browser.newContext({ locale: 'en-US', viewport: DESKTOP, ...opts });
  context.setDefaultTimeout(10_000);
  const page = await context.newPage();
  page.errors = [];
  page.on('pageerror', (e) => page.errors.push(e.message));
  return page;
}

export const shot = (page, name) => page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });

/** Polls `fn` until it returns a truthy value. */
export async function eventually(fn, what, ms = 8000) {
  const end = Date.now() + ms;
  let last;
  while (Date.now() < end) {
    try {
      last = await fn();
      if (last) return last;
    } catch (e) {
      last = e;
    }
    await sleep(150);
  }
  throw new Error(`timed out waiting for ${what} (last: ${last?.message ?? JSON.stringify(last)})`);
}

/** Signs in to the console unless this tab already is (any language: found by the token field's name). */
export async function signIn(page, gw, token) {
  await page.goto(`${gw.url}/console/`);
  const field = page.locator('input[name="token"]');
  await page.locator('input[name="token"], nav.tabs').first().waitFor();
  if (await field.count()) {
    await field.fill(token);
    await field.press('Enter');
  }
  await page.locator('nav.tabs').waitFor();
}

/** Pixels the page scrolls sideways (0 when it fits the window). */
export const sideways = (page) => page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
