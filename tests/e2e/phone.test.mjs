// Every page at phone size (390x844), in English and in Chinese, in Chromium:
// nothing scrolls sideways, and the console's tables become cards whose cells
// say what they are, with their buttons on screen. Screenshots in artifacts/.

import { after, before } from 'node:test';
import { test, assert } from './lib/harness.mjs';
import { CONSOLE, PAGES, startWebFixture } from './lib/web-fixture.mjs';
import { launchBrowser, newPage, PHONE, shot, sideways, signIn } from './lib/web.mjs';

let fx;
let browser;

const heading = (page, text) => page.getByRole('heading', { name: text, exact: true }).first();

before(async () => {
  fx = await startWebFixture('phone');
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
});

for (const lang of ['en', 'zh-CN']) {
  test(`phone size (390x844), ${lang}: no page scrolls sideways, tables are cards with their actions in view`, async () => {
    const page = await newPage(browser, { viewport: PHONE, locale: lang === 'en' ? 'en-US' : 'zh-CN' });
    for (const p of PAGES) {
      await page.goto(`${fx.gw.url}${p.path}`);
      await heading(page, lang === 'en' ? p.en : p.zh).waitFor();
      assert.ok(await sideways(page) <= 0, `${p.path} scrolls sideways by ${await sideways(page)}px`);
      await shot(page, `phone-${lang}-${p.id}`);
    }
    await signIn(page, fx.gw, fx.admin);
    for (const c of CONSOLE) {
      await page.goto(`${fx.gw.url}/console/#/${c.id}`);
      await heading(page, lang === 'en' ? c.en : c.zh).waitFor();
      if (c.id !== 'dashboard') await page.locator('table.cards tbody tr').first().waitFor();
      assert.ok(await sideways(page) <= 0, `${c.id} scrolls sideways by ${await sideways(page)}px`);
      await shot(page, `phone-${lang}-console-${c.id}`);
    }
    // A key's row is a card: each cell says what it is, and the buttons are on screen.
    await page.goto(`${fx.gw.url}/console/#/keys`);
    const row = page.locator('tr[data-key="pat"]');
    await row.waitFor();
    const cell = await row.locator('td').first().evaluate((td) => ({
      label: td.dataset.label, before: getComputedStyle(td, '::before').content, display: getComputedStyle(td).display,
      head: td.closest('table').querySelector('thead').getBoundingClientRect().height,
    }));
    assert.equal(cell.label, lang === 'en' ? 'Name' : '名称');
    assert.notEqual(cell.before, 'none', 'the cell shows its label');
    assert.equal(cell.display, 'block');
    assert.ok(cell.head <= 1, 'the header row is hidden (the cells say what they are)');
    for (const b of await row.getByRole('button').all()) {
      const box = await b.boundingBox();
      assert.ok(box && box.x >= 0 && box.x + box.width <= PHONE.width, `a button of the key row is off screen: ${JSON.stringify(box)}`);
    }
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });
}
