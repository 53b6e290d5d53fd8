// axe-core (pinned in package.json) on every page: /setup, both playgrounds,
// the console's sign-in, its five pages after sign-in and the key dialog.
// Serious and critical violations are returned as readable lines.

import { createRequire } from 'node:module';
import { signIn } from './web.mjs';

const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

async function axe(page, what) {
  await page.addScriptTag({ path: AXE });
  const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${what}: ${v.id} (${v.impact}) ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
}

// The page's context must bypass the pages' CSP (only their own scripts run),
// so that axe can be injected. `themes`: the colour scheme of the pages outside
// the console, and of the console.
export async function axeEveryPage(page, fx, { outside, console: inside }) {
  const found = [];
  const ready = (sel) => page.locator(sel).first().waitFor();
  await page.emulateMedia({ colorScheme: outside });
  await page.goto(`${fx.gw.url}/setup`);
  await ready('section[data-client]');
  found.push(...await axe(page, `/setup (${outside})`));
  await page.goto(`${fx.gw.url}/playground/chat`);
  await ready('[data-testid="chat-transcript"]');
  found.push(...await axe(page, `/playground/chat (${outside})`));
  await page.goto(`${fx.gw.url}/playground/images`);
  await ready('form[aria-label]');
  found.push(...await axe(page, `/playground/images (${outside})`));
  await page.emulateMedia({ colorScheme: inside });
  await page.goto(`${fx.gw.url}/console/`);
  await ready('input[name="token"]');
  found.push(...await axe(page, `console sign-in (${inside})`));
  await signIn(page, fx.gw, fx.admin);
  for (const [id, sel] of [['dashboard', 'canvas'], ['keys', 'tr[data-key]'], ['channels', 'tr[data-channel]'], ['groups', 'tr[data-group]'], ['logs', 'tr[data-request]']]) {
    await page.goto(`${fx.gw.url}/console/#/${id}`);
    await ready(sel);
    await page.waitForTimeout(150);
    found.push(...await axe(page, `console ${id} (${inside})`));
  }
  await page.goto(`${fx.gw.url}/console/#/keys`);
  await page.locator('header.top + main button.primary').first().click();
  await ready('dialog[open]');
  found.push(...await axe(page, `console key dialog (${inside})`));
  return found;
}
