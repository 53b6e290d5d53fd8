// Every page in English and Simplified Chinese, in Chromium: the language
// comes from the browser (navigator.languages), is switched from any page and
// remembered across pages and reloads (localStorage); money and numbers are
// formatted for it; every page has a skip link. (phone.test.mjs: the same
// pages at phone size.) Screenshots in artifacts/.

import { after, before } from 'node:test';
import { test, assert } from './lib/harness.mjs';
import { CONSOLE, PAGES, startWebFixture } from './lib/web-fixture.mjs';
import { launchBrowser, newPage, shot, signIn } from './lib/web.mjs';

let fx;
let browser;

const heading = (page, text) => page.getByRole('heading', { name: text, exact: true }).first();

before(async () => {
  fx = await startWebFixture('languages');
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
});

test('English by default in an en-US browser; switched to Chinese on one page, remembered on every page and after a reload', async () => {
  const page = await newPage(browser);
  for (const p of PAGES) {
    await page.goto(`${fx.gw.url}${p.path}`);
    await heading(page, p.en).waitFor();
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'en');
  }
  await page.goto(`${fx.gw.url}/setup`);
  await page.getByLabel('Language').selectOption('zh-CN');
  await heading(page, '把客户端指向本网关').waitFor();
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'zh-CN');
  assert.equal(await page.evaluate(() => localStorage.getItem('aiohub-lang')), 'zh-CN');
  await page.reload();
  await heading(page, '把客户端指向本网关').waitFor();
  for (const p of PAGES) {
    await page.goto(`${fx.gw.url}${p.path}`);
    await heading(page, p.zh).waitFor();
    await shot(page, `zh-${p.id}`);
  }
  await signIn(page, fx.gw, fx.admin);
  for (const c of CONSOLE) {
    await page.goto(`${fx.gw.url}/console/#/${c.id}`);
    await heading(page, c.zh).waitFor();
    await shot(page, `zh-console-${c.id}`);
  }
  // Money and numbers in the language's own format.
  await page.goto(`${fx.gw.url}/console/#/logs`);
  await page.locator('tr[data-request]').first().waitFor();
  assert.match(await page.locator('tr[data-request] td[data-label="费用"]').first().textContent(), /^US\$/);

  // And back, from another page.
  await page.goto(`${fx.gw.url}/playground/chat`);
  await page.getByLabel('语言 (Language)').selectOption('en');
  await heading(page, 'Conversation').waitFor();
  await page.reload();
  await heading(page, 'Conversation').waitFor();
  await page.goto(`${fx.gw.url}/console/#/logs`);
  await heading(page, 'Logs').waitFor();
  await page.locator('tr[data-request]').first().waitFor();
  assert.match(await page.locator('tr[data-request] td[data-label="Cost"]').first().textContent(), /^\$/);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('a Chinese browser gets Chinese without choosing; other languages get English', async () => {
  const zh = await newPage(browser, { locale: 'zh-CN' });
  assert.equal(await zh.evaluate(() => navigator.languages[0]), 'zh-CN');
  for (const p of PAGES) {
    await zh.goto(`${fx.gw.url}${p.path}`);
    await heading(zh, p.zh).waitFor();
  }
  assert.equal(await zh.evaluate(() => localStorage.getItem('aiohub-lang')), null, 'nothing stored until the user chooses');
  await zh.context().close();
  const de = await newPage(browser, { locale: 'de-DE' });
  await de.goto(`${fx.gw.url}/setup`);
  await heading(de, PAGES[0].en).waitFor();
  await de.context().close();
});

test('every page has a skip link that moves focus to the content and keeps the address', async () => {
  const page = await newPage(browser);
  const check = async (url) => {
    await page.goto(url);
    await page.locator('main#main').waitFor();
    const before = await page.evaluate(() => location.hash);
    // The first thing in the tab order.
    const first = await page.evaluate(() => document.querySelector('a[href], button, input, select, textarea')?.className);
    assert.equal(first, 'skip-link', url);
    const link = page.locator('a.skip-link');
    assert.equal(await link.textContent(), 'Skip to content');
    await link.focus();
    assert.ok(await link.isVisible(), 'visible when focused');
    assert.ok((await link.boundingBox()).y >= 0, 'on screen when focused');
    await page.keyboard.press('Enter');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'main', url);
    assert.equal(await page.evaluate(() => location.hash), before, 'the page stays where it was');
  };
  for (const p of PAGES) await check(`${fx.gw.url}${p.path}`);
  await signIn(page, fx.gw, fx.admin);
  for (const c of CONSOLE) await check(`${fx.gw.url}/console/#/${c.id}`);
  await page.context().close();
});
