// The admin API (/api/...): the admin token, keys made and changed through
// the API taking effect on the running gateway within a second or so,
// channels that never show their credentials, the channel test action,
// logs with filters and details, and usage summaries that add up to the logs
// exactly.

import { before } from 'node:test';
import { test, client, assert, mockUpstream, userMsg, trackMock } from './lib/harness.mjs';
import { Gateway, newKeySecret, pollUntil, sleep, rawRequest } from './lib/gateway.mjs';
import { startMockAnthropic } from './lib/mock-anthropic.mjs';
import { ADMIN_TOKEN, adminApi } from './lib/admin.mjs';

// Costs are exact in micro-USD: 250000*2 + 500000*0.5 + 125000*8 per 1M = 1.75 USD.
const USAGE = { prompt: 750_000, completion: 125_000, cached: 500_000 };
const COST_MICROS = 1_750_000;
const UPSTREAM_KEY = 'sk-upstream-admin-' + newKeySecret().slice(3, 19);
const ANTHROPIC_KEY = 'sk-ant-admin-' + newKeySecret().slice(3, 19);

let mock;
let anthropic;
let gw;

const api = (method, path, body, opts) => adminApi(gw, method, path, body, opts);

before(async () => {
  mock = await mockUpstream();
  mock.setBehavior({ text: 'admin answer', usage: USAGE });
  anthropic = trackMock(await startMockAnthropic());
  anthropic.apiKey = ANTHROPIC_KEY;
  gw = await Gateway.start({
    label: 'admin',
    config: {
      server: { admin_token: ADMIN_TOKEN },
      groups: [{ name: 'team', endpoints: ['chat', 'messages'], ratio: 1.0 }],
      channels: [
        { name: 'up', type: 'openai', base_url: mock.url, api_key: UPSTREAM_KEY, groups: ['team'], models: ['gpt-4.1', 'gpt-mini'] },
      ],
      prices: [
        { model: 'gpt-4.1', input: 2.0, output: 8.0, cache_read: 0.5, cache_write: 0.0 },
        { model: 'gpt-mini', input: 1.0, output: 1.0, cache_read: 0.0, cache_write: 0.0 },
      ],
      keys: [{ name: 'cfg-key', key: newKeySecret(), group: 'team' }],
    },
  });
});

function assertAdminError(r, status, type) {
  assert.equal(r.status, status, r.text);
  assert.match(r.headers['content-type'] ?? '', /application\/json/);
  assert.equal(typeof r.json?.error?.message, 'string', r.text);
  assert.ok(r.json.error.message.length > 0, r.text);
  if (type) assert.equal(r.json.error.type, type, r.text);
}

async function createKey(body) {
  const r = await api('POST', '/api/keys', body);
  assert.equal(r.status, 201, r.text);
  assert.match(r.json.secret, /^sk-[A-Za-z0-9_-]{48}$/);
  return r.json;
}

/** Polls the SDK call until it settles the way `accept(result|error)` wants. The gateway polls the
 * config revision every second, so a change lands within ~1.5 s; 2 s leaves room for a loaded CI machine. */
async function eventually(fn, accept, what) {
  const started = Date.now();
  let last;
  while (Date.now() - started < 3000) {
    try {
      last = { ok: await fn() };
    } catch (e) {
      last = { err: e };
    }
    if (accept(last)) return Date.now() - started;
    await sleep(100);
  }
  assert.fail(`${what}: not within 3 s; last: ${last.err ? `${last.err.status} ${last.err.message}` : 'success'}`);
}

test('every /api route needs the admin token; errors are JSON', async () => {
  assertAdminError(await api('GET', '/api/keys', undefined, { token: null }), 401, 'unauthorized');
  assertAdminError(await api('GET', '/api/keys', undefined, { token: 'wrong-token' }), 401, 'unauthorized');
  assertAdminError(await api('GET', '/api/keys', undefined, { token: newKeySecret() }), 401, 'unauthorized');
  // A client key is not an admin token, and unknown routes are not revealed.
  assertAdminError(await api('GET', '/api/does-not-exist', undefined, { token: null }), 401, 'unauthorized');
  const ok = await api('GET', '/api/keys');
  assert.equal(ok.status, 200, ok.text);
  assert.ok(Array.isArray(ok.json.keys));

  assertAdminError(await api('GET', '/api/does-not-exist'), 404, 'not_found');
  const wrongMethod = await api('DELETE', '/api/keys');
  assertAdminError(wrongMethod, 405);
  assert.match(wrongMethod.headers.allow, /GET/);
  assertAdminError(await api('POST', '/api/keys', '{"name": "x",'), 400, 'invalid_request');
  assertAdminError(await api('POST', '/api/keys', { name: 'nogroup' }), 400);
  assertAdminError(await api('POST', '/api/keys', 'x'.repeat(2 << 20)), 413);
  // Never reported as a base-URL mistake, whatever the path looks like.
  assertAdminError(await api('GET', '/api/v1/v1/chat/completions'), 404, 'not_found');
});

test('a key created through the API works with the openai SDK; PATCH and DELETE take effect within ~1.5 s', async () => {
  const created = await createKey({ name: 'api-made', group: 'team', models: ['gpt-4.1', 'gpt-mini'] });
  assert.equal(created.key.name, 'api-made');
  assert.equal(created.key.group, 'team');
  assert.equal(created.key.prefix, created.secret.slice(0, created.key.prefix.length));
  assert.equal(created.key.quota_usd, null);
  assert.equal(created.key.used_micros, 0);
  assert.equal(created.key.enabled, true);
  assert.deepEqual(created.key.limits, { rpm: null, tpm: null, concurrency: null });
  assertAdminError(await api('POST', '/api/keys', { name: 'api-made', group: 'team' }), 409, 'conflict');
  assertAdminError(await api('POST', '/api/keys', { name: 'other', group: 'no-such-group' }), 400);

  const list = await api('GET', '/api/keys');
  assert.ok(!list.text.includes(created.secret), 'the secret is shown only once');
  assert.ok(list.json.keys.some((k) => k.name === 'api-made'));

  const sdk = client(gw, created.secret);
  const call = () => sdk.chat.completions.create({ model: 'gpt-4.1', messages: userMsg('hello admin') });
  // The new key reaches the running gateway at its next config reload.
  const took = await eventually(call, (r) => r.ok, 'the new key is accepted');
  assert.ok(took < 2000, `new key accepted after ${took} ms`);
  const answer = await call();
  assert.equal(answer.choices[0].message.content, 'admin answer');

  // The balance counts in memory ahead of the database.
  const used = await pollUntil(async () => {
    const r = await api('GET', '/api/keys/api-made');
    return r.json.key.used_micros >= 2 * COST_MICROS ? r.json.key : null;
  }, { what: 'used_micros of api-made' });
  assert.equal(used.used_micros % COST_MICROS, 0, JSON.stringify(used));

  // Disabled: refused; enabled: served again.
  let r = await api('PATCH', '/api/keys/api-made', { enabled: false });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.key.enabled, false);
  let ms = await eventually(call, (x) => x.err?.status === 401, 'the disabled key is refused');
  assert.ok(ms < 2000, `refused after ${ms} ms`);
  r = await api('PATCH', '/api/keys/api-made', { enabled: true });
  assert.equal(r.status, 200, r.text);
  await eventually(call, (x) => x.ok, 'the re-enabled key is served');

  // A quota below what was spent: refused for quota; no quota: served.
  r = await api('PATCH', '/api/keys/api-made', { quota_usd: 1.0 });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.key.quota_micros, 1_000_000);
  assert.equal(r.json.key.remaining_micros, 0);
  ms = await eventually(call, (x) => x.err && [402, 429].includes(x.err.status) && /quota/i.test(x.err.message), 'quota refusal');
  assert.ok(ms < 2000, `quota applied after ${ms} ms`);
  r = await api('PATCH', '/api/keys/api-made', { quota_usd: null, limits: { rpm: 1000 } });
  assert.equal(r.json.key.quota_usd, null);
  assert.equal(r.json.key.limits.rpm, 1000);
  await eventually(call, (x) => x.ok, 'unlimited again');

  assertAdminError(await api('PATCH', '/api/keys/api-made', { quota: 5 }), 400);
  assertAdminError(await api('PATCH', '/api/keys/nobody', { enabled: false }), 404);

  r = await api('DELETE', '/api/keys/api-made');
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json, { deleted: true });
  ms = await eventually(call, (x) => x.err?.status === 401, 'the deleted key is refused');
  assert.ok(ms < 2000, `revoked after ${ms} ms`);
  assertAdminError(await api('DELETE', '/api/keys/api-made'), 404);
});

test('channels: CRUD never returns the api_key; health is shown', async () => {
  const secret = 'sk-channel-crud-' + newKeySecret().slice(3, 23);
  let r = await api('POST', '/api/channels', {
    name: 'crud', type: 'openai', base_url: 'https://api.example.com/v1', api_key: secret,
    groups: ['team'], models: ['m1'], model_map: { m1: 'm1-2025' }, priority: 3, weight: 2,
    settings: { connect_timeout_seconds: 5 },
  });
  assert.equal(r.status, 201, r.text);
  assert.ok(!r.text.includes(secret));
  const c = r.json.channel;
  assert.equal(c.api_key_set, true);
  assert.equal(c.api_key_hint, `sk-...${secret.slice(-4)}`);
  assert.equal(c.priority, 3);
  assert.deepEqual(c.model_map, { m1: 'm1-2025' });
  assert.equal(c.settings.connect_timeout_seconds, 5);
  assert.equal(c.settings.idle_timeout_seconds, null);
  assert.equal(c.health.state, 'healthy');
  assert.ok(!('api_key' in c));

  assertAdminError(await api('POST', '/api/channels', { name: 'crud', type: 'openai', base_url: 'http://x' }), 409);
  assertAdminError(await api('POST', '/api/channels', { name: 'bad', type: 'carrier-pigeon', base_url: 'http://x' }), 400);
  assertAdminError(await api('POST', '/api/channels', { name: 'bad', type: 'openai', base_url: 'not a url' }), 400);
  assertAdminError(await api('POST', '/api/channels', { name: 'bad', type: 'openai', base_url: 'http://x', groups: ['nope'] }), 400);

  r = await api('PATCH', '/api/channels/crud', { api_key: '', enabled: false, models: ['m1', 'm2'] });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.channel.api_key_set, true, 'an empty api_key keeps the old one');
  assert.equal(r.json.channel.api_key_hint, `sk-...${secret.slice(-4)}`);
  assert.deepEqual(r.json.channel.models, ['m1', 'm2']);
  r = await api('PATCH', '/api/channels/crud', { api_key: 'sk-replaced-key-0000WXYZ' });
  assert.equal(r.json.channel.api_key_hint, 'sk-...WXYZ');

  const list = await api('GET', '/api/channels');
  assert.equal(list.status, 200);
  for (const s of [secret, 'sk-replaced-key-0000WXYZ', UPSTREAM_KEY]) assert.ok(!list.text.includes(s), 'no credentials in the list');
  const up = list.json.channels.find((x) => x.name === 'up');
  assert.equal(up.api_key_set, true);
  assert.ok(['healthy', 'cooling_down', 'probing'].includes(up.health.state));

  r = await api('DELETE', '/api/channels/crud');
  assert.deepEqual(r.json, { deleted: true });
  assertAdminError(await api('DELETE', '/api/channels/crud'), 404);
  assertAdminError(await api('PATCH', '/api/channels/crud', {}), 404);
});

test('channel test action: success, the exact upstream error, and unreachable upstreams', async () => {
  mock.enqueue({ text: 'pong' });
  let r = await api('POST', '/api/channels/up/test', {});
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.ok, true, r.text);
  assert.equal(r.json.status, 200);
  assert.equal(r.json.answer, 'pong');
  assert.equal(typeof r.json.latency_ms, 'number');
  const sent = mock.lastRequest;
  assert.equal(sent.path, '/v1/chat/completions');
  assert.equal(sent.body.model, 'gpt-4.1');
  assert.ok((sent.body.max_tokens ?? sent.body.max_completion_tokens) <= 16, JSON.stringify(sent.body));
  assert.equal(sent.headers.authorization, `Bearer ${UPSTREAM_KEY}`);

  mock.enqueue({ status: 401, body: { error: { message: `Incorrect API key provided: ${UPSTREAM_KEY}.`, type: 'invalid_request_error', param: null, code: 'invalid_api_key' } } });
  r = await api('POST', '/api/channels/up/test', { model: 'gpt-mini' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.ok, false);
  assert.equal(r.json.status, 401);
  assert.equal(r.json.error, 'Incorrect API key provided: ***.');
  assert.ok(!r.text.includes(UPSTREAM_KEY), 'credentials are scrubbed');
  assert.equal(mock.lastRequest.body.model, 'gpt-mini');

  // An Anthropic channel is tested in its own protocol.
  r = await api('POST', '/api/channels', { name: 'claude', type: 'anthropic', base_url: anthropic.url, api_key: 'sk-ant-wrong-key-00000000', models: ['claude-x'] });
  assert.equal(r.status, 201, r.text);
  r = await api('POST', '/api/channels/claude/test');
  assert.equal(r.json.ok, false, r.text);
  assert.equal(r.json.status, 401);
  assert.equal(r.json.error, 'invalid x-api-key');
  r = await api('PATCH', '/api/channels/claude', { api_key: ANTHROPIC_KEY });
  anthropic.setBehavior({ text: 'pong from claude' });
  r = await api('POST', '/api/channels/claude/test');
  assert.equal(r.json.ok, true, r.text);
  assert.equal(r.json.answer, 'pong from claude');
  const claudeReq = anthropic.lastRequest;
  assert.equal(claudeReq.path, '/v1/messages');
  assert.ok(claudeReq.body.max_tokens <= 16);
  assert.deepEqual(claudeReq.violations ?? [], []);

  // Nobody listens there.
  r = await api('POST', '/api/channels', { name: 'dead', type: 'openai', base_url: 'http://127.0.0.1:9', models: ['x'] });
  r = await api('POST', '/api/channels/dead/test');
  assert.equal(r.json.ok, false, r.text);
  assert.equal(r.json.status, 0);
  assert.match(r.json.error, /refused|connect/i);

  assertAdminError(await api('POST', '/api/channels/nobody/test'), 404);
  assertAdminError(await api('GET', '/api/channels/up/test'), 405);
  for (const name of ['claude', 'dead']) await api('DELETE', `/api/channels/${name}`);
});

test('groups, prices and settings', async () => {
  let r = await api('PUT', '/api/groups/admin-team', { endpoints: ['chat'], ratio: 0.5, limits: { rpm: 10 } });
  assert.equal(r.status, 201, r.text);
  assert.deepEqual(r.json.group, { name: 'admin-team', endpoints: ['chat'], ratio: 0.5, limits: { rpm: 10, tpm: null, concurrency: null } });
  r = await api('PUT', '/api/groups/admin-team', { ratio: 2 });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json.group.endpoints, ['chat']);
  assertAdminError(await api('PUT', '/api/groups/admin-team', { endpoints: ['telepathy'] }), 400);
  r = await api('GET', '/api/groups');
  assert.ok(r.json.groups.some((g) => g.name === 'admin-team' && g.ratio === 2));
  assert.ok(Array.isArray(r.json.auto_groups));

  await createKey({ name: 'grouped', group: 'admin-team' });
  const inUse = await api('DELETE', '/api/groups/admin-team');
  assertAdminError(inUse, 409, 'conflict');
  assert.match(inUse.json.error.message, /grouped/);
  await api('DELETE', '/api/keys/grouped');
  r = await api('DELETE', '/api/groups/admin-team');
  assert.equal(r.status, 200, r.text);

  r = await api('PUT', '/api/prices/new-model', { input: 3, output: 15, cache_read: 0.3 });
  assert.equal(r.status, 201, r.text);
  assert.deepEqual(r.json.price, { model: 'new-model', input: 3, output: 15, cache_read: 0.3, cache_write: 0, per_call: 0, per_image: 0, image_prices: {} });
  r = await api('PUT', '/api/prices/new-model', { image_prices: { '1024x1024/high': 0.167, '1024x1024': 0.04 } });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json.price.image_prices, { '1024x1024': 0.04, '1024x1024/high': 0.167 });
  assert.equal(r.json.price.input, 3, 'fields not named keep their value');
  assertAdminError(await api('PUT', '/api/prices/new-model', { image_prices: { '1024x1024': -1 } }), 400);
  assertAdminError(await api('PUT', '/api/prices/new-model', { image_prices: ['0.04'] }), 400);
  r = await api('GET', '/api/prices');
  assert.ok(r.json.prices.some((p) => p.model === 'gpt-4.1' && p.input === 2 && p.output === 8));
  assertAdminError(await api('PUT', '/api/prices/new-model', { output: 'lots' }), 400);
  assert.equal((await api('DELETE', '/api/prices/new-model')).status, 200);
  assertAdminError(await api('DELETE', '/api/prices/new-model'), 404);

  const before = await api('GET', '/api/settings');
  assert.equal(typeof before.json.allow_free_models, 'boolean');
  r = await api('PATCH', '/api/settings', { auto_groups: ['team', 'openai'] });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json.auto_groups, ['team', 'openai']);
  assertAdminError(await api('PATCH', '/api/settings', { auto_groups: ['nope'] }), 400);
  r = await api('PATCH', '/api/settings', { auto_groups: before.json.auto_groups, allow_free_models: before.json.allow_free_models });
  assert.deepEqual(r.json, before.json);
});

test('logs: filters, paging and detail; usage sums equal the log rows to the micro', async () => {
  const { secret: s1 } = await createKey({ name: 'log-a', group: 'team' });
  const { secret: s2 } = await createKey({ name: 'log-b', group: 'team' });
  await pollUntil(async () => {
    try {
      await client(gw, s2).models.list();
      return true;
    } catch {
      return false;
    }
  }, { what: 'new keys loaded' });
  mock.setBehavior({ text: 'logged', usage: USAGE });
  const since = Date.now() - 1;
  for (let i = 0; i < 3; i++) await client(gw, s1).chat.completions.create({ model: 'gpt-4.1', messages: userMsg(`a${i}`) });
  await client(gw, s2).chat.completions.create({ model: 'gpt-mini', messages: userMsg('b') });
  mock.enqueue({ status: 400, body: { error: { message: 'bad thing', type: 'invalid_request_error', param: null, code: null } } });
  await assert.rejects(client(gw, s2).chat.completions.create({ model: 'gpt-4.1', messages: userMsg('fail') }));

  const rows = await pollUntil(async () => {
    const r = await api('GET', `/api/logs?since=${since}&limit=100`);
    const mine = r.json.logs.filter((x) => x.key === 'log-a' || x.key === 'log-b');
    return mine.length >= 5 ? mine : null;
  }, { timeoutMs: 8000, what: 'five log rows' });
  assert.equal(rows.length, 5);

  const a = await api('GET', `/api/logs?key=log-a&since=${since}`);
  assert.equal(a.status, 200, a.text);
  assert.equal(a.json.logs.length, 3);
  assert.equal(a.json.next_before_id, null);
  for (const row of a.json.logs) {
    assert.equal(row.model, 'gpt-4.1');
    assert.equal(row.channel, 'up');
    assert.equal(row.group, 'team');
    assert.equal(row.status, 200);
    assert.equal(row.cost_micros, COST_MICROS);
    assert.equal(row.cost_usd, 1.75);
    assert.equal(row.output_tokens, USAGE.completion);
    assert.equal(row.cache_read_tokens, USAGE.cached);
    assert.ok(Array.isArray(row.attempts));
    assert.equal(typeof row.ts_ms, 'number');
  }
  for (let i = 1; i < a.json.logs.length; i++) assert.ok(a.json.logs[i - 1].id > a.json.logs[i].id, 'newest first');

  const page1 = await api('GET', `/api/logs?key=log-a&since=${since}&limit=2`);
  assert.equal(page1.json.logs.length, 2);
  assert.equal(page1.json.next_before_id, page1.json.logs[1].id);
  const page2 = await api('GET', `/api/logs?key=log-a&since=${since}&limit=2&before_id=${page1.json.next_before_id}`);
  assert.equal(page2.json.logs.length, 1);
  assert.equal(page2.json.next_before_id, null);

  const errors = await api('GET', `/api/logs?status=error&key=log-b&since=${since}`);
  assert.equal(errors.json.logs.length, 1, errors.text);
  assert.equal(errors.json.logs[0].status, 400);
  assert.match(errors.json.logs[0].error, /400|bad thing/);
  const exact = await api('GET', `/api/logs?status=200&model=gpt-mini&channel=up&group=team&since=${since}`);
  assert.equal(exact.json.logs.length, 1, exact.text);
  assert.equal((await api('GET', `/api/logs?since=${Date.now() + 60_000}`)).json.logs.length, 0);
  assert.equal((await api('GET', `/api/logs?key=log-a&until=${since}`)).json.logs.length, 0);
  assertAdminError(await api('GET', '/api/logs?limit=0'), 400);
  assertAdminError(await api('GET', '/api/logs?status=maybe'), 400);

  const detail = await api('GET', `/api/logs/${encodeURIComponent(rows[0].request_id)}`);
  assert.equal(detail.status, 200, detail.text);
  assert.deepEqual(detail.json.log, rows[0]);
  assertAdminError(await api('GET', '/api/logs/req_unknown'), 404);

  // Usage summaries over the same span equal the sums of the log rows.
  const all = (await api('GET', `/api/logs?since=${since}&limit=1000`)).json.logs;
  const sum = (list, f) => list.reduce((t, x) => t + x[f], 0);
  for (const by of ['model', 'key', 'channel', 'group']) {
    const r = await api('GET', `/api/usage?by=${by}&since=${since}`);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.by, by);
    const field = by === 'key' ? 'key' : by;
    for (const row of r.json.rows) {
      const mine = all.filter((x) => x[field] === row.bucket);
      assert.equal(row.requests, mine.length, `${by}=${row.bucket} requests`);
      assert.equal(row.cost_micros, sum(mine, 'cost_micros'), `${by}=${row.bucket} cost`);
      assert.equal(row.input_tokens, sum(mine, 'input_tokens'));
      assert.equal(row.output_tokens, sum(mine, 'output_tokens'));
      assert.equal(row.errors, mine.filter((x) => x.status >= 400).length);
    }
    assert.equal(sum(r.json.rows, 'requests'), all.length);
    for (let i = 1; i < r.json.rows.length; i++) assert.ok(r.json.rows[i - 1].cost_micros >= r.json.rows[i].cost_micros, 'by cost, highest first');
  }
  const byKey = (await api('GET', `/api/usage?by=key&since=${since}`)).json.rows;
  assert.equal(byKey.find((x) => x.bucket === 'log-a').cost_micros, 3 * COST_MICROS);
  const byDay = await api('GET', `/api/usage?by=day&since=${since}`);
  const today = new Date().toISOString().slice(0, 10);
  assert.ok(byDay.json.rows.some((x) => x.bucket === today || x.bucket === new Date(since).toISOString().slice(0, 10)), byDay.text);
  assert.equal(sum(byDay.json.rows, 'cost_micros'), sum(all, 'cost_micros'));
  const byHour = await api('GET', `/api/usage?by=hour&since=${since}`);
  assert.match(byHour.json.rows[0].bucket, /^\d{4}-\d\d-\d\dT\d\d:00$/);
  assertAdminError(await api('GET', '/api/usage?by=planet'), 400);

  const overview = await api('GET', '/api/overview?window=hour');
  assert.equal(overview.status, 200, overview.text);
  assert.equal(overview.json.series.length, 60);
  for (let i = 1; i < 60; i++) assert.equal(overview.json.series[i].bucket_ms - overview.json.series[i - 1].bucket_ms, 60_000);
  assert.ok(overview.json.totals.requests >= all.length);
  assert.equal(sum(overview.json.series, 'requests'), overview.json.totals.requests);
  assert.ok(overview.json.top_keys.length > 0);
  assert.equal((await api('GET', '/api/overview?window=day')).json.series.length, 24);
  assert.equal((await api('GET', '/api/overview?window=month')).json.series.length, 30);
  assertAdminError(await api('GET', '/api/overview?window=decade'), 400);
});

test('/healthz and the gateway routes are unaffected', async () => {
  const r = await rawRequest(`${gw.url}/healthz`);
  assert.equal(r.status, 200);
  const nf = await rawRequest(`${gw.url}/v1/v1/chat/completions`, { method: 'POST', body: {} });
  assert.equal(nf.status, 404);
  assert.match(nf.json.error.message, /extra \/v1/);
});
