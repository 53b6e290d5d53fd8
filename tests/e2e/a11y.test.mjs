// Accessibility in Chromium: axe-core (pinned in package.json, lib/a11y.mjs)
// on every page — the console's sign-in, its five pages after sign-in and the
// key dialog, /setup, both playgrounds — in English (a11y-zh.test.mjs: in
// Chinese), each page in one theme here and in the other there: no serious or
// critical violation. axe does not measure non-text contrast, so input borders
// and the focus ring are measured here: 3:1 against what is around them, in
// both themes.

import { after, before } from 'node:test';
import { test, assert } from './lib/harness.mjs';
import { axeEveryPage } from './lib/a11y.mjs';
import { startWebFixture } from './lib/web-fixture.mjs';
import { launchBrowser, newPage } from './lib/web.mjs';

let fx;
let browser;

before(async () => {
  fx = await startWebFixture('a11y');
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
});

// English: the pages outside the console light, the console dark;
// a11y-zh.test.mjs does Chinese the other way round.
test('axe finds no serious or critical violation on any page (English)', async () => {
  const page = await newPage(browser, { locale: 'en-US', bypassCSP: true });
  const found = await axeEveryPage(page, fx, { outside: 'light', console: 'dark' });
  assert.deepEqual(found, []);
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'en');
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

// WCAG relative luminance contrast of two CSS rgb() colours.
function contrast(a, b) {
  const lum = (c) => {
    const [r, g, bl] = c.match(/[\d.]+/g).slice(0, 3).map((v) => {
      const s = Number(v) / 255;
      return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * bl;
  };
  const [hi, lo] = [lum(a), lum(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

for (const colorScheme of ['light', 'dark']) {
  test(`input borders and the focus ring reach 3:1 (${colorScheme})`, async () => {
    const page = await newPage(browser, { colorScheme });
    await page.goto(`${fx.gw.url}/setup`);
    const input = page.locator('input[name="root"]');
    await input.waitFor();
    const colours = async () => input.evaluate((el) => {
      const s = getComputedStyle(el);
      return {
        border: s.borderTopColor, inside: s.backgroundColor, outline: s.outlineColor, outlineStyle: s.outlineStyle,
        around: getComputedStyle(el.closest('.panel')).backgroundColor, page: getComputedStyle(document.body).backgroundColor,
      };
    });
    const c = await colours();
    assert.ok(contrast(c.border, c.around) >= 3, `border ${c.border} on the panel ${c.around}: ${contrast(c.border, c.around).toFixed(2)}`);
    assert.ok(contrast(c.border, c.inside) >= 3, `border ${c.border} on the field ${c.inside}: ${contrast(c.border, c.inside).toFixed(2)}`);
    // Focus by keyboard: the ring shows, and stands out from the panel and the page.
    await page.locator('a.skip-link').focus();
    for (let i = 0; i < 20 && !(await input.evaluate((el) => el === document.activeElement)); i++) await page.keyboard.press('Tab');
    const f = await colours();
    assert.equal(f.outlineStyle, 'solid');
    assert.ok(contrast(f.outline, f.around) >= 3, `focus ring ${f.outline} on ${f.around}: ${contrast(f.outline, f.around).toFixed(2)}`);
    assert.ok(contrast(f.outline, f.page) >= 3, `focus ring ${f.outline} on ${f.page}`);
    await page.context().close();
  });
}
