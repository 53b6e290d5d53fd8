// axe-core on every page in Chinese (a11y.test.mjs does English): the pages
// outside the console dark, the console light — the other way round from the
// English run, so that every page is checked in both themes.

import { after, before } from 'node:test';
import { test, assert } from './lib/harness.mjs';
import { axeEveryPage } from './lib/a11y.mjs';
import { startWebFixture } from './lib/web-fixture.mjs';
import { launchBrowser, newPage } from './lib/web.mjs';

let fx;
let browser;

before(async () => {
  fx = await startWebFixture('a11y-zh');
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
});

test('axe finds no serious or critical violation on any page (Chinese)', async () => {
  const page = await newPage(browser, { locale: 'zh-CN', bypassCSP: true });
  const found = await axeEveryPage(page, fx, { outside: 'dark', console: 'light' });
  assert.deepEqual(found, []);
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'zh-CN');
  assert.deepEqual(page.errors, []);
  await page.context().close();
});
