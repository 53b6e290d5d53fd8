// The first hour on a fresh install, in Chromium: the console's checklist
// (add a channel -> price it -> make a key -> set up a client) appears on an
// empty database and ticks step by step; the key form names the groups with no
// channel; the chat playground answers with the demo key, streamed, cancelled
// with Escape, shown as curl; "Check my key" on /setup and both playgrounds;
// the image playground filled from its address; the logs' totals, CSV file and
// a request whose every try failed; the dashboard's error split, channel health
// and keys near their quota. Screenshots in artifacts/.

import { readFileSync } from 'node:fs';
import { after, before } from 'node:test';
import { test, assert, mockUpstream, userMsg } from './lib/harness.mjs';
import { Gateway, KEY_RE, rawRequest } from './lib/gateway.mjs';
import { adminApi } from './lib/admin.mjs';
import { eventually, launchBrowser, newPage, shot, signIn } from './lib/web.mjs';

const ADMIN = 'admin-token-for-the-first-hour-e2e';
let gw;
let mock;
let browser;
let page;
let demoKey;
let aliceKey;

const api = (method, p, body) => adminApi(gw, method, `/api/${p}`, body, { token: ADMIN });
const chat = (key, model, content, extra = {}) => rawRequest(`${gw.url}/v1/chat/completions`, {
  method: 'POST', headers: { authorization: `Bearer ${key}` }, body: { model, messages: userMsg(content), ...extra },
});

before(async () => {
  mock = await mockUpstream();
  // No channels and no keys in the config: the database starts with the demo
  // channel and key only, as on a real first start.
  gw = await Gateway.start({ label: 'first-hour', config: { server: { admin_token: ADMIN }, billing: { allow_free_models: false } } });
  await gw.waitForOutput((o) => KEY_RE.test(o), 3000);
  demoKey = gw.output.match(KEY_RE)[0];
  browser = await launchBrowser();
  page = await newPage(browser);
});

after(async () => {
  await browser?.close();
});

const steps = () => page.getByTestId('checklist').locator('li[data-step]').evaluateAll(
  (lis) => Object.fromEntries(lis.map((li) => [li.dataset.step, li.dataset.done === 'true'])));

async function refreshDashboard() {
  await page.getByRole('button', { name: 'Refresh' }).click();
  await page.waitForTimeout(300);
}

test('an empty install shows the checklist, which ticks as each step is done', async () => {
  await signIn(page, gw, ADMIN);
  const list = page.getByTestId('checklist');
  await list.waitFor();
  assert.deepEqual(await steps(), { channel: false, price: false, key: false, client: false });
  assert.equal((await page.getByTestId('checklist-progress').textContent()).trim(), '0 of 4 steps done');
  await shot(page, 'first-hour-checklist-empty');
  await page.getByRole('link', { name: 'Channels' }).click();
  await list.waitFor();
  assert.equal(await list.getByRole('link', { name: 'Add a channel' }).getAttribute('href'), '#/channels');

  // The key form says which groups no channel serves (the demo channel serves openai).
  await page.getByRole('link', { name: 'Keys' }).click();
  await page.getByRole('button', { name: 'New key' }).click();
  const dialog = page.getByRole('dialog');
  const labels = await dialog.locator('select[name="group"] option').allTextContents();
  assert.ok(labels.includes('anthropic — no channel yet'), labels.join(' | '));
  assert.ok(labels.includes('openai'), labels.join(' | '));
  await dialog.locator('select[name="group"]').selectOption('anthropic');
  assert.match(await dialog.getByTestId('group-note').textContent(), /No enabled channel serves group anthropic yet/);
  await dialog.locator('select[name="group"]').selectOption('openai');
  assert.doesNotMatch(await dialog.getByTestId('group-note').textContent(), /No enabled channel/);
  await shot(page, 'first-hour-key-form');
  await page.keyboard.press('Escape');

  await page.getByRole('link', { name: 'Dashboard' }).click();
  await list.waitFor();
  let r = await api('POST', 'channels', { name: 'mock-main', type: 'openai', base_url: mock.url, api_key: 'sk-upstream-0000000000', groups: ['openai'], models: ['gpt-4o-mini'] });
  assert.equal(r.status, 201, r.text);
  await refreshDashboard();
  await eventually(async () => (await steps()).channel, 'the channel step ticked');
  assert.equal((await steps()).price, false);
  assert.match(await list.textContent(), /No price yet: gpt-4o-mini/);

  r = await api('PUT', 'prices/gpt-4o-mini', { input: 1, output: 2 });
  assert.ok(r.status < 300, r.text);
  await refreshDashboard();
  await eventually(async () => (await steps()).price, 'the price step ticked');

  r = await api('POST', 'keys', { name: 'alice', group: 'openai' });
  assert.equal(r.status, 201, r.text);
  aliceKey = r.json.secret;
  await refreshDashboard();
  await eventually(async () => (await steps()).key, 'the key step ticked');
  assert.equal((await steps()).client, false);
  await shot(page, 'first-hour-checklist-three');

  await eventually(async () => (await chat(aliceKey, 'gpt-4o-mini', 'hello')).status === 200, 'alice gets an answer');
  // Every step done: the checklist goes away.
  await eventually(async () => {
    await refreshDashboard();
    return (await list.count()) === 0;
  }, 'the checklist to go once every step is done');
  await page.getByRole('link', { name: 'Channels' }).click();
  await page.locator('tr[data-channel="mock-main"]').waitFor();
  assert.equal(await page.getByTestId('checklist').count(), 0);
  assert.deepEqual(page.errors, []);
});

test('the chat playground answers with the demo key, streamed, and shows the request as curl', async () => {
  await page.goto(`${gw.url}/playground/chat`);
  await page.getByText('Paste a key to start.').waitFor();
  await page.getByLabel('API key').fill(demoKey);
  await page.getByTestId('models-state').getByText('2 models for this key.').waitFor();
  await page.locator('select[name="model"]').selectOption('aiohub-demo');
  await page.getByLabel('System prompt').fill('Answer briefly.');
  await page.getByLabel('Temperature').fill('0.5');
  await page.getByLabel('Max tokens').fill('64');
  const message = page.getByLabel('Message', { exact: true });
  await message.fill('the quick brown fox jumps over the lazy dog');
  await message.press('Enter');
  const answer = page.locator('[data-testid="message"][data-role="assistant"]').last();
  await answer.locator('[data-testid="answer-meta"]').waitFor();
  // The demo channel echoes the last user message.
  assert.equal((await answer.locator('.text').textContent()).trim(), 'the quick brown fox jumps over the lazy dog');
  assert.match(await answer.getByTestId('answer-meta').textContent(), /in \/ .* out tokens/);
  assert.equal(await message.inputValue(), '', 'the box is empty for the next message');
  await shot(page, 'chat-demo-answer');

  // The same request as curl: the key masked until revealed.
  await page.getByText('Show request as curl').click();
  const curl = page.getByTestId('curl');
  const masked = await curl.textContent();
  assert.ok(!masked.includes(demoKey), 'the key is masked');
  assert.ok(masked.includes(`${demoKey.slice(0, 5)}…${demoKey.slice(-4)}`));
  assert.match(masked, /curl -N http:\/\/127\.0\.0\.1:\d+\/v1\/chat\/completions/);
  assert.match(masked, /"model": "aiohub-demo"/);
  assert.match(masked, /"content": "Answer briefly\."/);
  assert.match(masked, /"temperature": 0\.5/);
  assert.match(masked, /"max_tokens": 64/);
  await page.getByLabel('Reveal the key').check();
  assert.ok((await curl.textContent()).includes(`Bearer ${demoKey}`));
  await page.getByLabel('Reveal the key').uncheck();

  // Streamed: the answer shows before it ends.
  mock.enqueue({ text: 'one two three four five six seven eight', delayMs: 250 });
  await page.locator('select[name="model"]').selectOption('gpt-4o-mini');
  await message.fill('count slowly');
  await page.getByRole('button', { name: 'Send', exact: true }).click();
  const live = page.getByTestId('answer');
  await eventually(async () => /two/.test(await live.textContent()), 'part of the answer on screen');
  assert.ok(!/eight/.test(await live.textContent()), 'shown before the end');
  await page.getByTestId('answer').waitFor({ state: 'detached', timeout: 8000 });
  assert.match(await answer.locator('.text').textContent(), /one two three four five six seven eight/);

  // Escape stops a running answer; what came stays, marked.
  mock.enqueue({ text: 'a b c d e f g h i j k l m n o p', delayMs: 300 });
  await message.fill('never mind');
  await message.press('Enter');
  await eventually(async () => /\bb\b/.test(await page.getByTestId('answer').textContent()), 'the answer started');
  await page.keyboard.press('Escape');
  await page.getByTestId('chat-error').getByText('Cancelled.').waitFor();
  assert.match(await page.locator('[data-testid="message"][data-role="assistant"]').last().textContent(), /Stopped before the end/);

  // An error: the gateway's message and the request id.
  mock.enqueue({ status: 400, body: { error: { message: 'This model does not like the prompt.', type: 'invalid_request_error' } } });
  await message.fill('make it fail');
  await message.press('Enter');
  const err = page.getByTestId('chat-error');
  await err.getByText('This model does not like the prompt.').waitFor();
  assert.match(await err.getByTestId('chat-error-message').textContent(), /^400: /);
  const requestId = (await err.getByTestId('request-id').textContent()).trim();
  assert.ok(requestId.length > 4, requestId);
  const logged = await eventually(async () => (await api('GET', `logs/${encodeURIComponent(requestId)}`)).json?.log, 'the failed request in the log');
  assert.equal(logged.status, 400);
  assert.equal(await message.inputValue(), 'make it fail', 'the message goes back to the box');
  await shot(page, 'chat-error');
  assert.deepEqual(page.errors, []);
});

test('Check my key on /setup and both playgrounds: the models, and a balance that is not reported yet', async () => {
  await page.goto(`${gw.url}/setup`);
  await page.getByLabel('Your key').fill(demoKey);
  await page.getByRole('button', { name: 'Check my key' }).click();
  const result = page.getByTestId('check-result');
  await result.getByText('The key works: 2 models.').waitFor();
  assert.deepEqual((await result.getByTestId('check-models').locator('li').allTextContents()).sort(), ['aiohub-demo', 'gpt-4o-mini']);
  await result.getByTestId('balance-unavailable').waitFor();
  await shot(page, 'setup-check-key');
  await page.getByLabel('Your key').fill('sk-not-a-real-key-000000000000');
  await page.getByRole('button', { name: 'Check my key' }).click();
  await result.getByText('The key does not work here.').waitFor();
  assert.match(await result.textContent(), /401: /);
  assert.ok((await result.getByTestId('request-id').textContent()).trim().length > 4);

  for (const p of ['/playground/chat', '/playground/images']) {
    await page.goto(`${gw.url}${p}`); // the key pasted in the chat playground is remembered
    await page.getByRole('button', { name: 'Check my key' }).click();
    await page.getByTestId('check-result').getByText('The key works: 2 models.').waitFor();
    await page.getByTestId('balance-unavailable').waitFor();
  }
  assert.deepEqual(page.errors, []);
});

test('the image playground takes ?model=, ?size= and ?prompt= from its address', async () => {
  await page.goto(`${gw.url}/playground/images?model=dall-e-3&size=1536x1024&prompt=a%20red%20fox%20in%20snow`);
  await page.getByLabel('Prompt').waitFor();
  assert.equal(await page.locator('input[name="model"]').inputValue(), 'dall-e-3');
  assert.equal(await page.locator('select[name="size"]').inputValue(), '1536x1024');
  assert.equal(await page.getByLabel('Prompt').inputValue(), 'a red fox in snow');
  await page.goto(`${gw.url}/playground/images?size=huge`);
  assert.notEqual(await page.locator('select[name="size"]').inputValue(), 'huge', 'a size that is no size is ignored');
});

test('logs: totals and a CSV file of the filtered rows; a request whose every try failed', async () => {
  // Two channels of one group that both fail: the request tries both.
  assert.ok((await api('PUT', 'groups/flaky', {})).status < 300);
  for (const name of ['flaky-a', 'flaky-b']) {
    const r = await api('POST', 'channels', { name, type: 'openai', base_url: mock.url, api_key: 'sk-upstream-0000000000', groups: ['flaky'], models: ['flaky-model'] });
    assert.equal(r.status, 201, r.text);
  }
  await api('PUT', 'prices/flaky-model', { input: 1, output: 1 });
  const bob = (await api('POST', 'keys', { name: 'bob', group: 'flaky' })).json.secret;
  mock.enqueue({ status: 500, body: { error: { message: 'upstream exploded (first)' } } });
  mock.enqueue({ status: 500, body: { error: { message: 'upstream exploded (second) ' + 'x'.repeat(400) } } });
  const failedReq = await eventually(async () => {
    const r = await chat(bob, 'flaky-model', 'hi');
    return r.status >= 500 ? r : null;
  }, 'the failing request');
  const failedId = failedReq.headers['x-request-id'];

  // Three more answered requests for alice, one of them streamed.
  for (const stream of [false, false, true]) assert.equal((await chat(aliceKey, 'gpt-4o-mini', 'more', { stream })).status, 200);
  const rows = await eventually(async () => {
    const r = (await api('GET', 'logs?key=alice&limit=1000')).json.logs;
    return r.length >= 4 ? r : null;
  }, 'alice\'s rows in the log');

  await signIn(page, gw, ADMIN);
  await page.getByRole('link', { name: 'Logs' }).click();
  await page.getByLabel('Key', { exact: true }).fill('alice');
  await page.getByRole('button', { name: 'Filter' }).click();
  const inputs = rows.reduce((a, r) => a + r.input_tokens, 0);
  const outputs = rows.reduce((a, r) => a + r.output_tokens, 0);
  await eventually(async () => (await page.getByTestId('log-totals').textContent()).includes(`${rows.length} requests`), 'the totals');
  const totals = await page.getByTestId('log-totals').textContent();
  assert.ok(totals.includes(`${inputs} in / ${outputs} out tokens`), totals);
  const cost = rows.reduce((a, r) => a + r.cost_micros, 0) / 1e6;
  assert.ok(totals.includes(`$${cost.toFixed(6).replace(/0+$/, '')}`) || totals.includes(`$${cost.toFixed(2)}`), `${totals} vs ${cost}`);
  // The new columns.
  const first = page.locator('tr[data-request]').first();
  assert.match(await first.textContent(), /chat/);
  assert.ok(await page.locator('tr[data-request]').filter({ hasText: 'yes' }).count() >= 1, 'a streamed row says yes');

  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()]);
  assert.match(download.suggestedFilename(), /^aiohub-logs-.*\.csv$/);
  const csv = readFileSync(await download.path(), 'utf8').trim().split(/\r\n/);
  const header = csv[0].split(',');
  assert.deepEqual(header.slice(0, 3), ['time', 'request_id', 'key']);
  const lines = csv.slice(1).map((l) => l.split(','));
  assert.equal(lines.length, rows.length);
  assert.deepEqual(lines.map((l) => l[1]), rows.map((r) => r.request_id), 'the same rows, newest first');
  for (const l of lines) assert.equal(l[2], 'alice');
  const at = (name) => header.indexOf(name);
  assert.deepEqual(lines.map((l) => Number(l[at('input_tokens')])), rows.map((r) => r.input_tokens));
  assert.deepEqual(lines.map((l) => l[at('stream')]), rows.map((r) => String(r.stream)));
  await page.getByTestId('export-state').getByText(`${rows.length} rows exported.`).waitFor();

  // Every try failed: said plainly, the long error wrapped, no TTFB.
  await page.getByLabel('Key', { exact: true }).fill('bob');
  await page.getByRole('button', { name: 'Filter' }).click();
  await page.locator(`tr[data-request="${failedId}"]`).getByRole('button').click();
  const detail = page.getByTestId('log-detail');
  await detail.waitFor();
  assert.match(await detail.getByTestId('all-failed').textContent(), /Every try failed: 2 tries/);
  const pre = detail.getByTestId('log-error');
  assert.equal(await pre.evaluate((e) => getComputedStyle(e).whiteSpace), 'pre-wrap');
  assert.ok(await pre.evaluate((e) => e.scrollWidth <= e.clientWidth + 1), 'the long error wraps');
  await shot(page, 'logs-all-failed');
  await page.keyboard.press('Escape');
  await detail.waitFor({ state: 'detached' });

  // No byte came at all (the model is in no channel): the time to first byte is a dash, not "0 ms".
  const missing = await chat(bob, 'no-such-model', 'x');
  assert.equal(missing.status, 404);
  const row = await eventually(async () => (await api('GET', `logs/${missing.headers['x-request-id']}`)).json?.log, 'the 404 in the log');
  assert.equal(row.ttfb_ms, 0);
  await page.getByRole('button', { name: 'Filter' }).click();
  await page.locator(`tr[data-request="${row.request_id}"]`).getByRole('button').click();
  await detail.waitFor();
  assert.equal((await detail.getByTestId('ttfb').textContent()).trim(), '—');
  assert.equal(await detail.getByTestId('all-failed').count(), 0, 'one try is not "every try"');
  await page.keyboard.press('Escape');
  await detail.waitFor({ state: 'detached' });
  assert.deepEqual(page.errors, []);
});

test('the dashboard: client errors apart from upstream failures, channel health, keys near their quota', async () => {
  assert.equal((await chat(aliceKey, 'no-such-model', 'x')).status, 404);
  const carol = (await api('POST', 'keys', { name: 'carol', group: 'openai', quota_usd: 0.00002 })).json.secret;
  await eventually(async () => (await chat(carol, 'gpt-4o-mini', 'spend it')).status === 200, 'carol spends her quota');
  await api('PATCH', 'channels/flaky-b', { enabled: false });
  const errors = await eventually(async () => {
    const r = (await api('GET', 'logs?status=error&limit=1000')).json.logs;
    return r.some((x) => x.model === 'no-such-model') ? r : null;
  }, 'the 404 in the log');
  const client = errors.filter((r) => r.status >= 400 && r.status < 500).length;
  const upstream = errors.length - client;
  assert.ok(client >= 2 && upstream >= 1, `client ${client}, upstream ${upstream}`);

  await page.getByRole('link', { name: 'Dashboard' }).click();
  await eventually(async () => {
    await refreshDashboard();
    return (await page.getByTestId('client-errors').textContent()).trim() === String(client);
  }, 'the client errors');
  assert.equal((await page.getByTestId('upstream-errors').textContent()).trim(), String(upstream));
  const health = await page.getByTestId('channel-health').textContent();
  assert.match(health, /flaky-b: disabled/);
  const near = page.getByTestId('near-quota');
  await eventually(async () => /carol/.test(await near.textContent()), 'carol near her quota');
  assert.match(await near.textContent(), /quota used up/);
  assert.doesNotMatch(await near.textContent(), /alice/);
  await shot(page, 'dashboard-first-hour');
  assert.deepEqual(page.errors, []);
});
