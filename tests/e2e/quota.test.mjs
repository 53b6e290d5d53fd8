// Quota reservations under concurrency, per-key rate limits, client hang-ups and
// a restart under load.
//
// Prices: input $1 / 1M, output $2 / 1M; the mock reports 100 prompt and 50
// completion tokens, so every request costs exactly 200 micro-USD.

import { before } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import { test, client, assert, mockUpstream, userMsg, expectApiError } from './lib/harness.mjs';
import { Gateway, newKeySecret, rawRequest, sleep, pollUntil } from './lib/gateway.mjs';

const COST_MICROS = 200;
const keys = {
  quota: newKeySecret(),
  rpm: newKeySecret(),
  conc: newKeySecret(),
  tpm: newKeySecret(),
  grp: newKeySecret(),
  free: newKeySecret(),
};
let mock;
let gw;

before(async () => {
  mock = await mockUpstream();
  mock.setBehavior({ text: 'counted', usage: { prompt: 100, completion: 50 } });
  gw = await Gateway.start({
    label: 'quota',
    config: {
      server: { drain_after_hangup_seconds: 1 },
      groups: [
        { name: 'metered', endpoints: ['chat', 'messages'] },
        { name: 'limited', endpoints: ['chat'], rpm: 2 },
      ],
      channels: [
        { name: 'up', type: 'openai', base_url: mock.url, api_key: 'u', groups: ['metered', 'limited'], models: ['m'] },
        { name: 'up-anthropic-shape', type: 'openai', base_url: mock.url, api_key: 'u', groups: ['metered'], models: ['m2'] },
      ],
      prices: [
        { model: 'm', input: 1.0, output: 2.0 },
        { model: 'm2', input: 1.0, output: 2.0 },
      ],
      keys: [
        { name: 'quota', key: keys.quota, group: 'metered', quota: 0.1 },
        { name: 'rpm', key: keys.rpm, group: 'metered', rpm: 3 },
        { name: 'conc', key: keys.conc, group: 'metered', concurrency: 1 },
        { name: 'tpm', key: keys.tpm, group: 'metered', tpm: 200 },
        { name: 'grp', key: keys.grp, group: 'limited' },
        { name: 'free', key: keys.free, group: 'metered' },
      ],
    },
  });
});

const micros = (usd) => Math.round(usd * 1e6);

test('1,000 concurrent requests: the balance falls by exactly the logged costs, overspent by at most one reservation', async () => {
  const sdk = client(gw, keys.quota, { timeout: 60_000 });
  const results = await Promise.allSettled(
    Array.from({ length: 1000 }, () =>
      sdk.chat.completions.create({ model: 'm', max_tokens: 200, messages: userMsg('hi') }),
    ),
  );
  const ok = results.filter((r) => r.status === 'fulfilled').length;
  const refused = results.filter((r) => r.status === 'rejected');
  for (const r of refused) {
    assert.equal(r.reason.status, 429, String(r.reason));
    assert.equal(r.reason.code, 'insufficient_quota');
  }
  assert.equal(ok + refused.length, 1000);
  assert.ok(ok > 0 && refused.length > 0, `ok=${ok} refused=${refused.length}`);

  const rows = await gw.waitForLogs((rs) => rs.filter((r) => r.key === 'quota').length >= ok, { limit: 5000, timeoutMs: 20_000 });
  const mine = rows.filter((r) => r.key === 'quota');
  assert.equal(mine.length, ok, 'one row per answered request');
  const logged = mine.reduce((s, r) => s + r.cost_micros, 0);
  assert.equal(logged, ok * COST_MICROS);

  const key = (await gw.keyList()).find((k) => k.name === 'quota');
  assert.equal(micros(key.used_usd), logged, 'balance decrease equals the sum of logged costs');
  // A reservation is at least this request's estimate: body/4 input + 200 output tokens.
  const reservation = 400 + 200;
  assert.ok(micros(key.used_usd) <= 100_000 + reservation, `used ${key.used_usd} vs quota 0.1`);

  // Requests refused while others held the credit did not spend it: one by one,
  // the key is used up to its quota and then refused without reaching the upstream.
  let err;
  for (let i = 0; i < 1000 && !err; i++) {
    err = await sdk.chat.completions.create({ model: 'm', max_tokens: 200, messages: userMsg('hi') }).then(() => null, (e) => e);
  }
  assert.equal(err?.status, 429);
  assert.equal(err.code, 'insufficient_quota');
  // The balance in the database follows the in-memory one within a flush.
  let spent;
  await pollUntil(async () => {
    spent = (await gw.keyList()).find((k) => k.name === 'quota');
    return micros(spent.used_usd) >= 100_000;
  }, { timeoutMs: 3000, what: 'balance written' }).catch(() => {});
  assert.ok(micros(spent.used_usd) >= 100_000 && micros(spent.used_usd) < 100_000 + COST_MICROS, `used ${spent.used_usd}`);
  const before = mock.requests.length;
  await expectApiError(sdk.chat.completions.create({ model: 'm', messages: userMsg('hi') }), 429);
  assert.equal(mock.requests.length, before);
  const all = (await gw.logs(5000)).filter((r) => r.key === 'quota');
  assert.equal(all.reduce((s, r) => s + r.cost_micros, 0), micros(spent.used_usd));
});

test('requests per minute: the next request gets 429 with Retry-After, in the client\'s protocol', async () => {
  const sdk = client(gw, keys.rpm);
  for (let i = 0; i < 3; i++) await sdk.chat.completions.create({ model: 'm', messages: userMsg('hi') });
  const r = await rawRequest(`${gw.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${keys.rpm}` },
    body: { model: 'm', messages: userMsg('hi') },
  });
  assert.equal(r.status, 429);
  const retryAfter = Number(r.headers['retry-after']);
  assert.ok(retryAfter >= 1 && retryAfter <= 60, `retry-after ${r.headers['retry-after']}`);
  assert.equal(r.json.error.code, 'rate_limit_exceeded');
  assert.match(r.json.error.message, /3 requests per minute/);

  const anthropic = new Anthropic({ apiKey: keys.rpm, baseURL: gw.url, maxRetries: 0 });
  const err = await anthropic.messages
    .create({ model: 'm2', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] })
    .catch((e) => e);
  assert.equal(err.status, 429);
  assert.equal(err.error?.error?.type, 'rate_limit_error');
  assert.ok(Number(err.headers.get('retry-after')) >= 1);
});

test('a group\'s rpm is the default of its keys', async () => {
  const sdk = client(gw, keys.grp);
  for (let i = 0; i < 2; i++) await sdk.chat.completions.create({ model: 'm', messages: userMsg('hi') });
  const err = await expectApiError(sdk.chat.completions.create({ model: 'm', messages: userMsg('hi') }), 429);
  assert.match(err.message, /2 requests per minute/);
});

test('concurrency: a second request while one is in flight gets 429; after it, requests pass again', async () => {
  mock.enqueue({ text: 'slow', firstDelayMs: 1000, usage: { prompt: 100, completion: 50 } });
  const sdk = client(gw, keys.conc);
  const slow = sdk.chat.completions.create({ model: 'm', messages: userMsg('slow') });
  await sleep(200);
  const err = await expectApiError(sdk.chat.completions.create({ model: 'm', messages: userMsg('hi') }), 429);
  assert.match(err.message, /1 at once/);
  assert.equal((await slow).choices[0].message.content, 'slow');
  const after = await sdk.chat.completions.create({ model: 'm', messages: userMsg('hi') });
  assert.equal(after.choices[0].message.content, 'counted');
});

test('tokens per minute: counted from what finished requests used', async () => {
  const sdk = client(gw, keys.tpm);
  await sdk.chat.completions.create({ model: 'm', messages: userMsg('hi') }); // 150 tokens
  await sdk.chat.completions.create({ model: 'm', messages: userMsg('hi') }); // 300 ≥ 200
  const err = await expectApiError(sdk.chat.completions.create({ model: 'm', messages: userMsg('hi') }), 429);
  assert.match(err.message, /200 tokens per minute/);
});

test('a client that hangs up while waiting: the upstream request is cancelled after the drain and logged as 499', async () => {
  mock.enqueue({ text: 'never read', firstDelayMs: 5000 });
  const controller = new AbortController();
  const pending = client(gw, keys.free)
    .chat.completions.create({ model: 'm', messages: userMsg('wait') }, { signal: controller.signal })
    .catch((e) => e);
  await pollUntil(() => mock.requests.some((r) => r.body?.messages?.[0]?.content === 'wait'), { what: 'request upstream' });
  const upstreamReq = mock.requests.find((r) => r.body?.messages?.[0]?.content === 'wait');
  const hungUpAt = Date.now();
  controller.abort();
  await pending;
  await pollUntil(() => upstreamReq.abortedAt, { timeoutMs: 3000, what: 'upstream connection closed' });
  // Read on for drain_after_hangup_seconds (1 here) for the usage, then closed.
  const closedAfter = upstreamReq.abortedAt - hungUpAt;
  assert.ok(closedAfter >= 800 && closedAfter < 2000, `upstream closed ${closedAfter} ms after the hang-up`);
  const rows = await gw.waitForLogs((rs) => rs.some((r) => r.key === 'free' && r.status === 499));
  const row = rows.find((r) => r.key === 'free' && r.status === 499);
  assert.match(row.error, /client went away/);
});

test('a client that hangs up mid-stream: upstream cancelled after the drain, what was produced billed and marked estimated', async () => {
  const words = Array.from({ length: 40 }, (_, i) => `w${i} `).join('');
  mock.enqueue({ text: words, delayMs: 50 });
  const stream = await client(gw, keys.free).chat.completions.create({ model: 'm', messages: userMsg('stream me'), stream: true });
  let got = 0;
  for await (const chunk of stream) {
    if (chunk.choices[0]?.delta?.content) got += 1;
    if (got === 5) break; // leaves the loop: the SDK aborts the request
  }
  const rows = await gw.waitForLogs((rs) => rs.some((r) => r.key === 'free' && r.status === 499 && r.stream));
  const row = rows.find((r) => r.key === 'free' && r.status === 499 && r.stream);
  assert.equal(row.usage_estimated, true);
  assert.ok(row.output_tokens >= 5 && row.output_tokens < 40, `output ${row.output_tokens}`);
  assert.ok(row.input_tokens > 0);
  assert.ok(row.cost_micros > 0, 'what was produced is billed');
  await pollUntil(() => mock.streamsAborted > 0, { what: 'upstream stream aborted' });
});

test('a restart in the middle of a load run loses no acknowledged usage row', async () => {
  const acknowledged = [];
  let stop = false;
  const worker = async () => {
    while (!stop) {
      const r = await rawRequest(`${gw.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${keys.free}` },
        body: { model: 'm', messages: userMsg('load') },
      }).catch(() => null);
      if (r?.status === 200) acknowledged.push(r.headers['x-request-id']);
      else await sleep(20);
    }
  };
  const workers = Array.from({ length: 8 }, worker);
  await sleep(700);
  await gw.stop(); // SIGTERM while requests are running
  await gw.restart();
  await sleep(500);
  stop = true;
  await Promise.all(workers);
  assert.ok(acknowledged.length > 20, `only ${acknowledged.length} requests answered`);
  const rows = await gw.waitForLogs(
    (rs) => {
      const ids = new Set(rs.map((r) => r.request_id));
      return acknowledged.every((id) => ids.has(id));
    },
    { limit: 10_000, timeoutMs: 15_000 },
  );
  assert.ok(rows.length >= acknowledged.length);
});

test('kill -9 right after answering: every acknowledged row is logged after the restart, charged once', async () => {
  const usedOf = async (name) => micros((await gw.keyList()).find((k) => k.name === name).used_usd);
  // Earlier tests' rows reach the database first, so that "before" is exact.
  await sleep(500);
  const before = await usedOf('free');
  const answers = await Promise.all(
    Array.from({ length: 100 }, () =>
      rawRequest(`${gw.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${keys.free}` },
        body: { model: 'm', messages: userMsg('crash') },
      }),
    ),
  );
  const ids = answers.map((r) => {
    assert.equal(r.status, 200, r.text);
    return r.headers['x-request-id'];
  });
  // Within the usage writer's batch window (200 ms): these rows are only in
  // memory and in the mapped journal next to the database.
  await gw.kill();
  await gw.restart();
  const rows = await gw.waitForLogs(
    (rs) => {
      const seen = new Set(rs.map((r) => r.request_id));
      return ids.every((id) => seen.has(id));
    },
    { limit: 10_000, timeoutMs: 15_000 },
  );
  for (const id of ids) assert.equal(rows.filter((r) => r.request_id === id).length, 1, `${id} logged once`);
  assert.equal((await usedOf('free')) - before, ids.length * COST_MICROS, 'charged once per acknowledged request');
  assert.match(gw.output, /did not stop cleanly are written now/);
});
