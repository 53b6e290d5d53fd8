// GET /metrics: valid Prometheus text, counters that move by exactly the
// requests made, histograms that add up, and the gauges.

import { before } from 'node:test';
import { test, client, assert, mockUpstream, userMsg } from './lib/harness.mjs';
import { Gateway, newKeySecret, pollUntil, rawRequest, sleep } from './lib/gateway.mjs';
import { ADMIN_TOKEN, parsePrometheus, sumSamples } from './lib/admin.mjs';

const USAGE = { prompt: 750_000, completion: 125_000, cached: 500_000 }; // 1.75 USD at the prices below
const KEY = newKeySecret();
let mock;
let gw;

before(async () => {
  mock = await mockUpstream();
  mock.setBehavior({ text: 'metered', usage: USAGE });
  gw = await Gateway.start({
    label: 'metrics',
    config: {
      server: { admin_token: ADMIN_TOKEN },
      groups: [{ name: 'team', endpoints: ['chat'], ratio: 1.0 }],
      channels: [{ name: 'up', type: 'openai', base_url: mock.url, api_key: 'sk-metrics-upstream-000000', groups: ['team'], models: ['gpt-4.1'] }],
      prices: [{ model: 'gpt-4.1', input: 2.0, output: 8.0, cache_read: 0.5, cache_write: 0.0 }],
      keys: [{ name: 'meter', key: KEY, group: 'team' }],
    },
  });
});

async function scrape() {
  const r = await rawRequest(`${gw.url}/metrics`);
  assert.equal(r.status, 200, r.text);
  assert.match(r.headers['content-type'], /^text\/plain; version=0\.0\.4/);
  return { text: r.text, ...parsePrometheus(r.text) };
}

const L = { model: 'gpt-4.1', channel: 'up', group: 'team' };

test('/metrics needs no token, is valid text format and declares every family', async () => {
  const m = await scrape();
  const expected = {
    aiohub_requests_total: 'counter',
    aiohub_request_errors_total: 'counter',
    aiohub_request_duration_seconds: 'histogram',
    aiohub_time_to_first_token_seconds: 'histogram',
    aiohub_tokens_total: 'counter',
    aiohub_cost_usd_total: 'counter',
    aiohub_channel_healthy: 'gauge',
    aiohub_inflight_requests: 'gauge',
    aiohub_usage_queue_length: 'gauge',
  };
  for (const [name, type] of Object.entries(expected)) assert.equal(m.types.get(name), type, `${name} TYPE`);
  assert.equal(m.samples.get('aiohub_channel_healthy{channel="up"}'), 1);
  assert.equal(m.samples.get('aiohub_inflight_requests'), 0);
  assert.ok(m.samples.get('aiohub_usage_queue_length') >= 0);
  const post = await rawRequest(`${gw.url}/metrics`, { method: 'POST', body: {} });
  assert.equal(post.status, 405);
});

test('counters move by exactly the requests made', async () => {
  const before = await scrape();
  const c = client(gw, KEY);
  for (let i = 0; i < 3; i++) {
    const r = await c.chat.completions.create({ model: 'gpt-4.1', messages: userMsg(`count ${i}`) });
    assert.equal(r.choices[0].message.content, 'metered');
  }
  await c.chat.completions.stream({ model: 'gpt-4.1', messages: userMsg('stream'), stream_options: { include_usage: true } }).finalChatCompletion();
  mock.enqueue({ status: 400, body: { error: { message: 'nope', type: 'invalid_request_error', param: null, code: null } } });
  await assert.rejects(c.chat.completions.create({ model: 'gpt-4.1', messages: userMsg('fail') }));

  const delta = (m, name, match) => sumSamples(m.samples, name, match) - sumSamples(before.samples, name, match);
  const after = await pollUntil(async () => {
    const m = await scrape();
    return delta(m, 'aiohub_requests_total', L) >= 5 ? m : null;
  }, { what: 'five requests counted' });
  await sleep(300);
  const settled = await scrape();
  assert.equal(delta(settled, 'aiohub_requests_total', L), 5, 'no more than the requests made');
  assert.equal(delta(after, 'aiohub_requests_total', { ...L, endpoint: 'chat', status: '200' }), 4);
  assert.equal(delta(after, 'aiohub_requests_total', { ...L, status: '400' }), 1);
  assert.equal(delta(after, 'aiohub_request_errors_total', L), 1);
  assert.equal(delta(after, 'aiohub_request_duration_seconds_count', L), 5);
  assert.equal(delta(after, 'aiohub_time_to_first_token_seconds_count', L), 4);
  assert.equal(delta(after, 'aiohub_tokens_total', { ...L, kind: 'output' }), 4 * USAGE.completion);
  assert.equal(delta(after, 'aiohub_tokens_total', { ...L, kind: 'cache_read' }), 4 * USAGE.cached);
  assert.equal(Math.round(delta(after, 'aiohub_cost_usd_total', L) * 1e6), 4 * 1_750_000);

  // Histograms: cumulative buckets, +Inf equal to the count.
  for (const family of ['aiohub_request_duration_seconds', 'aiohub_time_to_first_token_seconds']) {
    const labels = `model="gpt-4.1",channel="up",group="team"`;
    const bounds = ['0.1', '0.25', '0.5', '1', '2.5', '5', '10', '20', '30', '60', '120', '300', '+Inf'];
    let prev = 0;
    for (const le of bounds) {
      const v = after.samples.get(`${family}_bucket{${labels},le="${le}"}`);
      assert.equal(typeof v, 'number', `${family} le=${le}`);
      assert.ok(v >= prev, `${family} buckets are cumulative`);
      prev = v;
    }
    assert.equal(prev, after.samples.get(`${family}_count{${labels}}`));
    assert.ok(after.samples.get(`${family}_sum{${labels}}`) >= 0);
  }
});

test('the in-flight gauge counts running gateway requests', async () => {
  mock.enqueue({ text: 'slow', firstDelayMs: 1500 });
  const pending = client(gw, KEY).chat.completions.create({ model: 'gpt-4.1', messages: userMsg('slow') });
  const seen = await pollUntil(async () => (await scrape()).samples.get('aiohub_inflight_requests') >= 1, { timeoutMs: 1400, intervalMs: 50, what: 'in-flight 1' });
  assert.ok(seen);
  await pending;
  await pollUntil(async () => (await scrape()).samples.get('aiohub_inflight_requests') === 0, { what: 'in-flight back to 0' });
  const q = (await scrape()).samples.get('aiohub_usage_queue_length');
  assert.ok(Number.isInteger(q) && q >= 0);
});
