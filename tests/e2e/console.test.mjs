// The web console and /setup in a real browser: Debian's Chromium driven by
// playwright-core (scripts/bootstrap test installs both). Screenshots go to
// tests/e2e/artifacts/.

import { execFile } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before } from 'node:test';
import { chromium } from 'playwright-core';
import { test, assert, client, mockUpstream, userMsg } from './lib/harness.mjs';
import { BIN, E2E_DIR, Gateway, rawRequest, sleep } from './lib/gateway.mjs';

const CHROMIUM = process.env.AIOHUB_CHROMIUM || '/usr/bin/chromium';
const ARTIFACTS = path.join(E2E_DIR, 'artifacts');
const ADMIN = 'admin-token-for-the-console-e2e';
const UPSTREAM_SECRET = 'sk-upstream-never-shown-0000';

let gw;
let mock;
let browser;
let page;
const pageErrors = [];

async function shot(name) {
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
}

async function admin(method, p, body) {
  return rawRequest(`${gw.url}/api/${p}`, { method, headers: { authorization: `Bearer ${ADMIN}` }, body });
}

// Polls `fn` until it returns a truthy value.
async function eventually(fn, what, ms = 8000) {
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

before(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium not found at ${CHROMIUM}: run \`scripts/bootstrap test\` (installs Debian's chromium) or set AIOHUB_CHROMIUM.`);
  }
  mkdirSync(ARTIFACTS, { recursive: true });
  mock = await mockUpstream();
  gw = await Gateway.start({
    label: 'console',
    config: {
      server: { admin_token: ADMIN },
      channels: [{ name: 'mock-main', type: 'openai', base_url: mock.url, api_key: UPSTREAM_SECRET, groups: ['openai'], models: ['gpt-4o-mini'] }],
      prices: [{ model: 'gpt-4o-mini', input: 1.5, output: 6.0 }],
    },
  });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: process.getuid?.() === 0 ? ['--no-sandbox'] : [],
  });
  const context = await browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 900 } });
  // The whole file must end within the runner's per-file timeout.
  context.setDefaultTimeout(10_000);
  page = await context.newPage();
  page.on('pageerror', (e) => pageErrors.push(e.message));
});

after(async () => {
  await browser?.close();
});

test('the embedded pages are served with types, ETags and caching', async () => {
  const r = await rawRequest(`${gw.url}/console/`, { headers: { 'accept-encoding': 'gzip' } });
  assert.equal(r.status, 200);
  assert.match(r.headers['content-type'], /^text\/html/);
  assert.equal(r.headers['cache-control'], 'no-cache');
  assert.match(r.headers.etag, /^"[^"]+"$/);
  const again = await rawRequest(`${gw.url}/console/`, { headers: { 'if-none-match': r.headers.etag, 'accept-encoding': 'gzip' } });
  assert.equal(again.status, 304);
  const spa = await rawRequest(`${gw.url}/console/keys/whatever`);
  assert.equal(spa.status, 200);
  assert.match(spa.text, /<div id="app">/);
  const asset = spa.text.match(/\/assets\/[^"]+\.js/)[0];
  const js = await rawRequest(`${gw.url}${asset}`);
  assert.equal(js.status, 200);
  assert.match(js.headers['content-type'], /^text\/javascript/);
  assert.match(js.headers['cache-control'], /immutable/);
  assert.equal((await rawRequest(`${gw.url}/assets/missing-123.js`)).status, 404);
  assert.equal((await rawRequest(`${gw.url}/setup`)).status, 200);
  // The API side is untouched.
  assert.equal((await rawRequest(`${gw.url}/v1/v1/chat/completions`, { method: 'POST', body: {} })).status, 404);
});

let secret;

test('sign in, create a key, use it, and see it in the logs and on the dashboard', async () => {
  await page.goto(`${gw.url}/console/`);
  await page.getByLabel('Admin token').fill('wrong-token-wrong-token');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByText('That admin token is not valid.').waitFor();
  await page.getByLabel('Admin token').fill(ADMIN);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
  assert.equal(await page.evaluate(() => sessionStorage.getItem('aiohub-admin-token')), ADMIN);
  assert.equal(await page.evaluate(() => localStorage.getItem('aiohub-admin-token')), null);

  await page.getByRole('link', { name: 'Keys' }).click();
  await page.getByRole('button', { name: 'New key' }).click();
  const dialog = page.getByRole('dialog');
  await dialog.locator('input[name="name"]').fill('e2e-user');
  await dialog.locator('select[name="group"]').selectOption('openai');
  await dialog.locator('input[name="quota_usd"]').fill('5');
  await dialog.getByRole('button', { name: 'Create key' }).click();
  secret = (await page.getByTestId('new-secret').textContent()).trim();
  assert.match(secret, /^sk-/);
  await shot('keys-secret-once');
  await page.getByRole('button', { name: 'Done' }).click();
  await page.locator('tr[data-key="e2e-user"]').waitFor();

  // A new key reaches the running gateway within about a second.
  const c = client(gw, secret, { maxRetries: 0 });
  const answer = await eventually(
    () => c.chat.completions.create({ model: 'gpt-4o-mini', messages: userMsg('hello from the console test') }),
    'the new key to work', 4000);
  assert.equal(answer.object, 'chat.completion');

  await page.getByRole('link', { name: 'Logs' }).click();
  await page.getByLabel('Key', { exact: true }).fill('e2e-user');
  const row = page.locator('tr[data-request]').filter({ hasText: 'gpt-4o-mini' });
  await eventually(async () => {
    await page.getByRole('button', { name: 'Filter' }).click();
    await sleep(200);
    return (await row.count()) > 0;
  }, 'the request in the logs');
  await row.first().getByRole('button').click();
  const detail = page.getByTestId('log-detail');
  await detail.waitFor();
  const text = await detail.textContent();
  assert.match(text, /mock-main/);
  assert.match(text, /Input tokens\s*12/);
  assert.match(text, /Output tokens\s*7/);
  assert.match(text, /None: the first try answered/);
  await shot('logs-detail');
  await page.keyboard.press('Escape');

  await page.getByRole('link', { name: 'Dashboard' }).click();
  await eventually(async () => {
    await page.getByRole('button', { name: 'Refresh' }).click();
    await sleep(200);
    return Number((await page.getByTestId('total-requests').textContent()).replace(/,/g, '')) >= 1;
  }, 'the request on the dashboard');
  assert.equal(await page.locator('canvas').count(), 4);
  await page.getByText('e2e-user').first().waitFor();
  await shot('dashboard');
});

test('edit a channel and test it from the console', async () => {
  await page.getByRole('link', { name: 'Channels' }).click();
  const row = page.locator('tr[data-channel="mock-main"]');
  await row.waitFor();
  assert.ok(!(await page.content()).includes(UPSTREAM_SECRET), 'the upstream key never reaches the page');
  await row.getByRole('button', { name: 'Edit' }).click();
  const dialog = page.getByRole('dialog');
  await dialog.locator('input[name="priority"]').fill('7');
  await dialog.locator('input[name="idle_timeout_seconds"]').fill('45');
  await dialog.getByRole('button', { name: 'Save' }).click();
  await dialog.waitFor({ state: 'detached' });
  const channels = (await admin('GET', 'channels')).json.channels;
  const ch = channels.find((x) => x.name === 'mock-main');
  assert.equal(ch.priority, 7);
  assert.equal(ch.settings.idle_timeout_seconds, 45);
  assert.equal(ch.api_key_set, true, 'an empty key field keeps the stored key');

  await row.getByRole('button', { name: 'Test' }).click();
  await page.getByRole('button', { name: 'Send test request' }).click();
  const result = page.getByTestId('test-result');
  await result.waitFor();
  assert.match(await result.textContent(), /OK/);
  assert.match(await result.textContent(), /Hello from the mock upstream/);
  await shot('channel-test');
  // The upstream's exact error is shown, never the channel's key.
  mock.enqueue({ status: 401, body: { error: { message: 'Incorrect API key provided: wrong-one', type: 'invalid_request_error' } } });
  await page.getByRole('button', { name: 'Send test request' }).click();
  await page.getByTestId('test-result').getByText('Failed').waitFor();
  const failed = await page.getByTestId('test-result').textContent();
  assert.match(failed, /status 401/);
  assert.match(failed, /Incorrect API key provided/);
  assert.ok(!failed.includes(UPSTREAM_SECRET));
  await page.keyboard.press('Escape');
});

test('edit a key, a group, the auto order and a price from the console', async () => {
  await page.getByRole('link', { name: 'Keys' }).click();
  await page.locator('tr[data-key="e2e-user"]').getByRole('button', { name: 'Edit' }).click();
  let dialog = page.getByRole('dialog');
  await dialog.locator('input[name="quota_usd"]').fill('');
  await dialog.locator('input[name="rpm"]').fill('120');
  await dialog.locator('textarea[name="models"]').fill('gpt-4o-mini');
  await dialog.getByRole('button', { name: 'Save' }).click();
  await dialog.waitFor({ state: 'detached' });
  const key = (await admin('GET', 'keys')).json.keys.find((k) => k.name === 'e2e-user');
  assert.equal(key.quota_usd, null, 'an empty quota is unlimited');
  assert.equal(key.limits.rpm, 120);
  assert.deepEqual(key.models, ['gpt-4o-mini']);

  await page.getByRole('link', { name: 'Groups & prices' }).click();
  await page.getByRole('button', { name: 'New group' }).click();
  dialog = page.getByRole('dialog');
  await dialog.locator('input[name="name"]').fill('e2e-team');
  await dialog.locator('input[name="ratio"]').fill('0.5');
  await dialog.locator('input[name="tpm"]').fill('1000');
  await dialog.getByLabel('gemini').uncheck();
  await dialog.getByRole('button', { name: 'Save' }).click();
  await dialog.waitFor({ state: 'detached' });
  const group = (await admin('GET', 'groups')).json.groups.find((g) => g.name === 'e2e-team');
  assert.deepEqual(group.endpoints.sort(), ['chat', 'messages', 'responses']);
  assert.equal(group.ratio, 0.5);
  assert.equal(group.limits.tpm, 1000);

  await page.getByLabel('Add a group').selectOption('e2e-team');
  await page.getByRole('button', { name: 'Move e2e-team up' }).click();
  await page.getByRole('button', { name: 'Save settings' }).click();
  await page.getByText('Saved').waitFor();
  const order = (await admin('GET', 'settings')).json.auto_groups;
  assert.equal(order.indexOf('e2e-team'), order.length - 2, `moved up one place: ${order}`);

  await page.getByRole('button', { name: 'New price' }).click();
  dialog = page.getByRole('dialog');
  await dialog.locator('input[name="model"]').fill('e2e-model');
  await dialog.locator('input[name="input"]').fill('3');
  await dialog.locator('input[name="per_call"]').fill('0.01');
  await dialog.locator('textarea[name="image_prices"]').fill('1024x1024/high = 0.167\n1536x1024 = 0.06');
  await dialog.getByRole('button', { name: 'Save' }).click();
  await dialog.waitFor({ state: 'detached' });
  const price = (await admin('GET', 'prices')).json.prices.find((p) => p.model === 'e2e-model');
  assert.equal(price.input, 3);
  assert.equal(price.per_call, 0.01);
  assert.deepEqual(price.image_prices, { '1024x1024/high': 0.167, '1536x1024': 0.06 });
  await shot('groups-prices');
});

test('revoke the key from the console: it gets 401 at once', async () => {
  await page.getByRole('link', { name: 'Keys' }).click();
  page.once('dialog', (d) => d.accept());
  await page.locator('tr[data-key="e2e-user"]').getByRole('button', { name: 'Revoke' }).click();
  await page.locator('tr[data-key="e2e-user"]').waitFor({ state: 'detached' });
  await eventually(async () => {
    const r = await rawRequest(`${gw.url}/v1/chat/completions`, {
      method: 'POST', headers: { authorization: `Bearer ${secret}` }, body: { model: 'gpt-4o-mini', messages: userMsg('x') },
    });
    return r.status === 401;
  }, 'a 401 for the revoked key', 3000);
  assert.deepEqual(pageErrors, []);
});

test('/setup fills in Claude Code and Codex with a pasted key, which never leaves the page', async () => {
  const pasted = 'sk-pasted-e2e-' + 'x'.repeat(34);
  const requests = [];
  page.on('request', (r) => requests.push(r));
  await page.goto(`${gw.url}/setup`);
  await page.getByRole('heading', { name: 'Point your client at this gateway' }).waitFor();
  const loaded = requests.length;
  await page.getByLabel('Your key').fill(pasted);
  await page.getByRole('button', { name: 'Claude Code', exact: true }).click();
  const claude = page.locator('section[data-client="claude-code"]');
  const claudeText = await claude.locator('pre').first().textContent();
  assert.match(claudeText, new RegExp(`export ANTHROPIC_BASE_URL="${gw.url}"`));
  assert.ok(claudeText.includes(`export ANTHROPIC_AUTH_TOKEN="${pasted}"`));
  await shot('setup-claude-code');

  await page.getByRole('button', { name: 'Codex CLI' }).click();
  const codex = page.locator('section[data-client="codex"]');
  assert.equal(await codex.getByTestId('base-url').textContent(), `${gw.url}/v1`);
  const toml = await codex.locator('pre').first().textContent();
  assert.ok(toml.includes(`base_url = "${gw.url}/v1"`));
  assert.ok(toml.includes('wire_api = "responses"'));
  await shot('setup-codex');

  // The same text as the command line.
  const plain = await codex.getByTestId('plain-text').textContent();
  const { stdout } = await promisify(execFile)(BIN, ['client-config', 'codex', '--base-url', gw.url, '--key', pasted]);
  assert.equal(plain, stdout);

  // Every client's text (reached by /setup#id) is the command line's, character for character.
  for (const id of (await promisify(execFile)(BIN, ['client-config', '--list'])).stdout.trim().split('\n').map((l) => l.split('\t')[0])) {
    await page.goto(`${gw.url}/setup#${id}`);
    await page.getByLabel('Your key').fill(pasted);
    await page.getByLabel('Model (optional)').fill('some-model');
    const shown = await page.locator(`section[data-client="${id}"]`).getByTestId('plain-text').textContent();
    const cli = await promisify(execFile)(BIN, ['client-config', id, '--base-url', gw.url, '--key', pasted, '--model', 'some-model']);
    assert.equal(shown, cli.stdout, id);
  }

  // After loading, typing and choosing made no request at all (switching by
  // #client stays in the page), and no request ever carried the key.
  assert.equal(requests.length, loaded, `unexpected requests: ${requests.slice(loaded).map((r) => r.url()).join(', ')}`);
  for (const r of requests) {
    const blob = r.url() + JSON.stringify(await r.allHeaders()) + (r.postData() ?? '');
    assert.ok(!blob.includes(pasted), `a request carried the key: ${r.url()}`);
  }
  assert.deepEqual(pageErrors, []);
});

test('the console works on a phone-sized screen in dark mode', async () => {
  const context = await browser.newContext({ locale: 'en-US', viewport: { width: 390, height: 844 }, colorScheme: 'dark' });
  context.setDefaultTimeout(10_000);
  const p = await context.newPage();
  await p.goto(`${gw.url}/console/`);
  await p.getByLabel('Admin token').fill(ADMIN);
  await p.keyboard.press('Enter');
  await p.getByRole('heading', { name: 'Dashboard' }).waitFor();
  const bg = await p.evaluate(() => getComputedStyle(document.body).backgroundColor);
  assert.equal(bg, 'rgb(17, 20, 24)', 'dark theme from prefers-color-scheme');
  await p.getByRole('button', { name: 'Switch to light theme' }).click();
  assert.equal(await p.evaluate(() => getComputedStyle(document.body).backgroundColor), 'rgb(246, 247, 249)');
  await p.screenshot({ path: path.join(ARTIFACTS, 'dashboard-phone.png'), fullPage: true });
  await context.close();
});
