// Usage logging and billing: `aiohub logs --json` rows, cost from the upstream's
// usage (cached tokens at cache_read, the rest at input), group ratio, the key's
// used/remaining balance and quota exhaustion.
//
// Prices and token counts are chosen so every cost is exactly representable:
//   prompt 750000 (of which cached 500000), completion 125000, prices 2 / 8 / 0.5 per 1M
//   → 250000*2/1e6 + 500000*0.5/1e6 + 125000*8/1e6 = 0.5 + 0.25 + 1.0 = 1.75 USD.

import { before } from 'node:test';
import { test, client, assert, mockUpstream, userMsg, expectApiError, assertOpenAIError } from './lib/harness.mjs';
import { Gateway, newKeySecret, pollUntil } from './lib/gateway.mjs';

const USAGE = { prompt: 750_000, completion: 125_000, cached: 500_000 };
const COST = 1.75;
const UPSTREAM_KEY = 'upstream-secret-billing-' + newKeySecret().slice(3, 15);

const keys = {
  alice: newKeySecret(), // group team (ratio 1), unlimited
  halfy: newKeySecret(), // group half (ratio 0.5), quota 10
  capped: newKeySecret(), // group team, quota 2
  oss: newKeySecret(), // default group opensource, ratio changed to 0.25 by [[groups]]
};

let mock;
let gw;

before(async () => {
  mock = await mockUpstream();
  mock.setBehavior({ text: 'billed answer', usage: USAGE });
  gw = await Gateway.start({
    label: 'billing',
    config: {
      groups: [
        { name: 'team', endpoints: ['chat'], ratio: 1.0 },
        { name: 'half', endpoints: ['chat'], ratio: 0.5 },
        // Updates a default group's ratio.
        { name: 'opensource', endpoints: ['chat', 'responses', 'messages', 'gemini'], ratio: 0.25 },
      ],
      channels: [
        {
          name: 'billing-chan',
          type: 'openai',
          base_url: mock.url,
          api_key: UPSTREAM_KEY,
          groups: ['team', 'half', 'opensource'],
          models: ['gpt-4.1'],
          model_map: { 'gpt-4.1': 'gpt-4.1-2025-04-14' },
        },
      ],
      prices: [{ model: 'gpt-4.1', input: 2.0, output: 8.0, cache_read: 0.5, cache_write: 0.0 }],
      keys: [
        { name: 'alice', key: keys.alice, group: 'team' },
        { name: 'halfy', key: keys.halfy, group: 'half', quota: 10.0 },
        { name: 'capped', key: keys.capped, group: 'team', quota: 2.0 },
        { name: 'oss', key: keys.oss, group: 'opensource' },
      ],
    },
  });
});

async function keyInfo(name) {
  const list = await gw.keyList();
  assert.ok(Array.isArray(list), `key list --json must print an array: ${JSON.stringify(list)}`);
  const k = list.find((x) => x.name === name);
  assert.ok(k, `key ${name} not in key list: ${JSON.stringify(list)}`);
  return k;
}

async function waitUsed(name, expected) {
  let last;
  try {
    return await pollUntil(
      async () => {
        last = await keyInfo(name);
        return last.used_usd === expected ? last : null;
      },
      { timeoutMs: 6000, intervalMs: 150, what: `used_usd of ${name} = ${expected}` },
    );
  } catch (e) {
    throw new Error(`${e.message}; last key row: ${JSON.stringify(last)}`);
  }
}

function checkRow(row, { key, group, stream, cost, minLatency = 0 }) {
  const ctx = JSON.stringify(row);
  assert.equal(typeof row.ts_ms, 'number', ctx);
  assert.ok(row.ts_ms > Date.now() - 5 * 60_000 && row.ts_ms <= Date.now() + 1000, `ts_ms must be epoch ms: ${ctx}`);
  assert.equal(typeof row.request_id, 'string', ctx);
  assert.ok(row.request_id.length > 0, ctx);
  assert.equal(row.key, key, ctx);
  assert.equal(row.group, group, ctx);
  assert.equal(row.model, 'gpt-4.1', ctx);
  assert.equal(row.upstream_model, 'gpt-4.1-2025-04-14', ctx);
  assert.equal(row.channel, 'billing-chan', ctx);
  assert.equal(row.endpoint, 'chat', ctx);
  assert.equal(row.stream, stream, ctx);
  // input_tokens may be reported as total prompt tokens or as the uncached part;
  // the cost below pins down how they were billed.
  assert.ok(
    row.input_tokens === USAGE.prompt || row.input_tokens === USAGE.prompt - USAGE.cached,
    `input_tokens must be ${USAGE.prompt} (total) or ${USAGE.prompt - USAGE.cached} (uncached): ${ctx}`,
  );
  assert.equal(row.output_tokens, USAGE.completion, ctx);
  assert.equal(row.cache_read_tokens, USAGE.cached, ctx);
  assert.equal(row.cost_usd, cost, `cost_usd: ${ctx}`);
  assert.equal(row.status, 200, ctx);
  assert.equal(typeof row.latency_ms, 'number', ctx);
  assert.equal(typeof row.ttfb_ms, 'number', ctx);
  assert.ok(row.latency_ms >= minLatency, `latency_ms >= ${minLatency}: ${ctx}`);
  assert.ok(row.ttfb_ms >= 0 && row.ttfb_ms <= row.latency_ms, `0 <= ttfb_ms <= latency_ms: ${ctx}`);
  for (const secret of Object.values(keys)) assert.ok(!ctx.includes(secret), 'a usage row must not contain a key secret');
  assert.ok(!ctx.includes(UPSTREAM_KEY), 'a usage row must not contain the channel api_key');
}

test('non-stream and stream requests are logged with tokens, cost and status; key used rises', async () => {
  const c = client(gw, keys.alice);
  const r = await c.chat.completions.create({ model: 'gpt-4.1', messages: userMsg('bill me') });
  assert.equal(r.choices[0].message.content, 'billed answer');

  let rows = await gw.waitForLogs((rows) => rows.some((x) => x.key === 'alice' && x.stream === false));
  const nonStream = rows.find((x) => x.key === 'alice' && x.stream === false);
  checkRow(nonStream, { key: 'alice', group: 'team', stream: false, cost: COST });

  // Stream without include_usage: the client never sees usage, but it is still billed.
  const final = await c.chat.completions.stream({ model: 'gpt-4.1', messages: userMsg('bill me again') }).finalChatCompletion();
  assert.equal(final.choices[0].message.content, 'billed answer');
  rows = await gw.waitForLogs((rows) => rows.some((x) => x.key === 'alice' && x.stream === true));
  const streamRow = rows.find((x) => x.key === 'alice' && x.stream === true);
  checkRow(streamRow, { key: 'alice', group: 'team', stream: true, cost: COST });
  assert.notEqual(streamRow.request_id, nonStream.request_id, 'request ids must differ');

  // Newest first.
  for (let i = 1; i < rows.length; i++) assert.ok(rows[i - 1].ts_ms >= rows[i].ts_ms, 'logs must be newest first');
  const idx = (row) => rows.findIndex((x) => x.request_id === row.request_id);
  assert.ok(idx(nonStream) >= 0, 'the first row is still listed');
  assert.ok(idx(streamRow) < idx(nonStream), 'the later request is listed first');

  const k = await waitUsed('alice', 2 * COST);
  assert.equal(k.used_usd, 3.5);
});

test('--limit bounds the number of rows', async () => {
  await gw.waitForLogs((rows) => rows.length >= 2);
  const rows = await gw.logs(1);
  assert.equal(rows.length, 1);
});

test('group ratio multiplies the cost; remaining_usd = quota - used', async () => {
  const r = await client(gw, keys.halfy).chat.completions.create({ model: 'gpt-4.1', messages: userMsg('half price') });
  assert.equal(r.choices[0].message.content, 'billed answer');
  const rows = await gw.waitForLogs((rows) => rows.some((x) => x.key === 'halfy'));
  checkRow(
    rows.find((x) => x.key === 'halfy'),
    { key: 'halfy', group: 'half', stream: false, cost: COST * 0.5 },
  );
  const k = await waitUsed('halfy', 0.875);
  assert.equal(k.quota_usd, 10);
  assert.equal(k.remaining_usd, 9.125);
});

test('a [[groups]] entry updates a default group: its new ratio is billed', async () => {
  await client(gw, keys.oss).chat.completions.create({ model: 'gpt-4.1', messages: userMsg('open source') });
  const rows = await gw.waitForLogs((rows) => rows.some((x) => x.key === 'oss'));
  checkRow(
    rows.find((x) => x.key === 'oss'),
    { key: 'oss', group: 'opensource', stream: false, cost: COST * 0.25 },
  );
  await waitUsed('oss', 0.4375);
});

test('latency_ms and ttfb_ms reflect upstream timing', async () => {
  // 300 ms before the upstream answers at all.
  mock.setBehavior({ text: 'slow', usage: USAGE, firstDelayMs: 300 });
  await client(gw, keys.alice).chat.completions.create({ model: 'gpt-4.1', messages: userMsg('slow please') });
  let rows = await gw.waitForLogs((rows) => rows.filter((x) => x.key === 'alice').length >= 3);
  const slow = rows.find((x) => x.key === 'alice');
  assert.ok(slow.latency_ms >= 300, `latency_ms should include the 300 ms upstream delay: ${JSON.stringify(slow)}`);
  assert.ok(slow.ttfb_ms >= 300, `ttfb_ms should include the 300 ms upstream delay: ${JSON.stringify(slow)}`);

  // A stream whose first chunk is immediate but whose chunks are 150 ms apart.
  mock.setBehavior({ text: 'a b c d e', usage: USAGE, delayMs: 150 });
  await client(gw, keys.alice).chat.completions.stream({ model: 'gpt-4.1', messages: userMsg('slow stream') }).finalChatCompletion();
  rows = await gw.waitForLogs((rows) => rows.filter((x) => x.key === 'alice').length >= 4);
  const st = rows.find((x) => x.key === 'alice');
  assert.equal(st.stream, true);
  // 1 role chunk + 5 pieces + finish + usage + [DONE], 150 ms apart: >= 1200 ms in total.
  assert.ok(st.latency_ms >= 1000, `stream latency_ms should cover the whole stream: ${JSON.stringify(st)}`);
  assert.ok(st.ttfb_ms <= st.latency_ms - 600, `stream ttfb_ms should be well before the end: ${JSON.stringify(st)}`);
  mock.setBehavior({ text: 'billed answer', usage: USAGE });
});

test('a key whose used reaches its quota gets 429 insufficient_quota', async () => {
  mock.setBehavior({ text: 'billed answer', usage: USAGE });
  const c = client(gw, keys.capped);
  // quota 2.0: the first request (used 0) and the second (used 1.75) are allowed.
  await c.chat.completions.create({ model: 'gpt-4.1', messages: userMsg('1') });
  await c.chat.completions.create({ model: 'gpt-4.1', messages: userMsg('2') });
  const k = await waitUsed('capped', 3.5);
  assert.equal(k.quota_usd, 2);
  assert.ok(k.remaining_usd <= 0, `remaining_usd must not be positive once used >= quota: ${JSON.stringify(k)}`);

  // used (3.5) >= quota (2): refused without calling the upstream.
  const upstreamBefore = mock.chatRequests.length;
  const err = await expectApiError(c.chat.completions.create({ model: 'gpt-4.1', messages: userMsg('3') }), 429);
  assertOpenAIError({ error: err.error }, { code: 'insufficient_quota' });
  assert.equal(mock.chatRequests.length, upstreamBefore, 'an out-of-quota request must not reach the upstream');

  // Streaming is refused the same way.
  await expectApiError(
    c.chat.completions.stream({ model: 'gpt-4.1', messages: userMsg('4') }).finalChatCompletion(),
    429,
  );
});
