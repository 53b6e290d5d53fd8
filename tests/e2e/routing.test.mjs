// Failover, health and the auto group: upstreams that refuse connections,
// answer 429/500/503/529, stall before the first byte or drop the connection
// mid-stream, and keys in the `auto` group that fall through to the next group.
//
// Every scenario has its own model and channels, so that one scenario's channel
// health never changes another's routing.

import { before } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import { test, client, assert, mockUpstream, userMsg, expectApiError } from './lib/harness.mjs';
import { Gateway, freePort, newKeySecret, sleep } from './lib/gateway.mjs';

const key = newKeySecret();
const autoKey = newKeySecret();
let deadPort;
let a; // mock upstreams
let b;
let c;
let cheap;
let premium;
let gw;

const channel = (name, url, models, priority, extra = {}) => ({
  name,
  type: 'openai',
  base_url: url,
  api_key: `upstream-${name}`,
  groups: ['team'],
  models,
  priority,
  ...extra,
});

before(async () => {
  deadPort = await freePort(); // nothing listens there
  [a, b, c, cheap, premium] = await Promise.all([1, 2, 3, 4, 5].map(() => mockUpstream()));
  for (const m of [a, b, c]) m.setBehavior({ text: `answer from ${m === a ? 'a' : m === b ? 'b' : 'c'}` });
  cheap.setBehavior({ text: 'cheap answer', usage: { prompt: 1_000_000, completion: 0 } });
  premium.setBehavior({ text: 'premium answer', usage: { prompt: 1_000_000, completion: 0 } });
  const dead = `http://127.0.0.1:${deadPort}`;
  gw = await Gateway.start({
    label: 'routing',
    config: {
      routing: { max_attempts: 3, failure_threshold: 3, cooldown_seconds: 2, auth_cooldown_seconds: 2 },
      groups: [
        { name: 'team', endpoints: ['chat', 'messages'] },
        { name: 'cheap', endpoints: ['chat'], ratio: 0.5 },
        { name: 'premium', endpoints: ['chat'], ratio: 2.0 },
      ],
      auto: { groups: ['cheap', 'premium'] },
      channels: [
        // connect refused, then a live one
        channel('dead', dead, ['m-refuse'], 10),
        channel('live', a.url, ['m-refuse'], 0),
        // status failures: first b, then c
        channel('status-first', b.url, ['m-status', 'm-client-error', 'm-drop'], 10),
        channel('status-second', c.url, ['m-status', 'm-client-error', 'm-drop'], 0),
        // stall before the first byte (1 s budget)
        channel('stall', a.url, ['m-stall'], 10, { first_byte_timeout_seconds: 1 }),
        channel('after-stall', c.url, ['m-stall'], 0),
        // bounded retries: three channels that all fail
        channel('bound-1', dead, ['m-bound'], 30),
        channel('bound-2', dead, ['m-bound'], 20),
        channel('bound-3', b.url, ['m-bound'], 10),
        // the auto group's channels
        { ...channel('cheap-ch', cheap.url, ['auto-m'], 0), groups: ['cheap'] },
        { ...channel('premium-ch', premium.url, ['auto-m', 'premium-only'], 0), groups: ['premium'] },
      ],
      prices: [{ model: 'auto-m', input: 1.0, output: 1.0 }],
      keys: [
        { name: 'team-key', key, group: 'team' },
        { name: 'auto-key', key: autoKey, group: 'auto' },
      ],
    },
  });
});

const rowOf = (rows, id) => rows.find((r) => r.request_id === id);

async function chat(model, opts = {}) {
  const { data, response } = await client(gw, key)
    .chat.completions.create({ model, messages: userMsg('hi'), ...opts })
    .withResponse();
  return { data, id: response.headers.get('x-request-id') };
}

test('a refused connection fails over to the next channel and the log names both', async () => {
  const { data, id } = await chat('m-refuse');
  assert.equal(data.choices[0].message.content, 'answer from a');
  const rows = await gw.waitForLogs((rs) => rowOf(rs, id));
  const row = rowOf(rows, id);
  assert.equal(row.status, 200);
  assert.equal(row.channel, 'live');
  assert.equal(row.attempts.length, 1);
  assert.equal(row.attempts[0].channel, 'dead');
  assert.equal(row.attempts[0].failure, 'connect');
  assert.match(row.attempts[0].error, /unreachable.*refused/);
});

test('a channel that keeps failing leaves rotation, then is probed again after its cool-down', async () => {
  // Two more refusals reach the threshold of three consecutive failures.
  for (let i = 0; i < 2; i++) await chat('m-refuse');
  const { id } = await chat('m-refuse');
  let rows = await gw.waitForLogs((rs) => rowOf(rs, id));
  assert.deepEqual(rowOf(rows, id).attempts, [], 'the dead channel is no longer tried');
  const health = await gw.cliJson(['channel', 'list', '--json']);
  const dead = (Array.isArray(health) ? health : [health]).find((ch) => ch.name === 'dead');
  assert.ok(dead, 'channel list shows the dead channel');
  assert.equal(dead.health?.state, 'cooling_down', JSON.stringify(dead));
  assert.match(dead.health.reason, /connect/);

  // After the 2 s cool-down one request probes it (and fails over again).
  await sleep(2200);
  const probe = await chat('m-refuse');
  rows = await gw.waitForLogs((rs) => rowOf(rs, probe.id));
  assert.equal(rowOf(rows, probe.id).attempts[0]?.channel, 'dead');
  assert.equal(probe.data.choices[0].message.content, 'answer from a');
});

for (const status of [429, 500, 503, 529]) {
  test(`upstream ${status} before the first byte: the next channel answers`, async () => {
    b.enqueue({ status });
    const before = c.requests.length;
    const { data, id } = await chat('m-status');
    assert.equal(data.choices[0].message.content, 'answer from c');
    assert.equal(c.requests.length, before + 1);
    const rows = await gw.waitForLogs((rs) => rowOf(rs, id));
    const row = rowOf(rows, id);
    assert.equal(row.channel, 'status-second');
    assert.equal(row.attempts[0].channel, 'status-first');
    assert.equal(row.attempts[0].status, status);
    // Succeeded on b afterwards, so b's streak is reset and it stays first.
    const again = await chat('m-status');
    assert.equal(again.data.choices[0].message.content, 'answer from b');
  });
}

test('streaming: a 500 before the first byte is retried, and the SDK sees one clean stream', async () => {
  b.enqueue({ status: 500 });
  const stream = client(gw, key).chat.completions.stream({ model: 'm-status', messages: userMsg('hi'), stream: true });
  const final = await stream.finalChatCompletion();
  assert.equal(final.choices[0].message.content, 'answer from c');
});

test('a 400 is the request\'s own fault: not retried, passed on', async () => {
  b.enqueue({ status: 400, body: { error: { message: 'bad temperature', type: 'invalid_request_error', param: 'temperature', code: null } } });
  const before = c.requests.length;
  const err = await expectApiError(chat('m-client-error'), 400);
  assert.match(err.message, /bad temperature/);
  assert.equal(c.requests.length, before, 'the second channel was not asked');
});

test('a stall before the first byte times out and the next channel answers', async () => {
  a.enqueue({ text: 'too late', firstDelayMs: 4000 });
  const started = Date.now();
  const { data, id } = await chat('m-stall');
  assert.equal(data.choices[0].message.content, 'answer from c');
  assert.ok(Date.now() - started < 3500, `took ${Date.now() - started} ms`);
  const rows = await gw.waitForLogs((rs) => rowOf(rs, id));
  assert.equal(rowOf(rows, id).attempts[0].failure, 'timeout');
});

test('a stream that stalls before its first event is retried too', async () => {
  a.enqueue({ text: 'too late', firstDelayMs: 4000 });
  const stream = client(gw, key).chat.completions.stream({ model: 'm-stall', messages: userMsg('hi'), stream: true });
  const final = await stream.finalChatCompletion();
  assert.equal(final.choices[0].message.content, 'answer from c');
});

test('a connection dropped after the first byte reached the client is not retried', async () => {
  b.enqueue({ text: 'one two three four five', dropAfter: 3, delayMs: 150 });
  const before = c.requests.length;
  const stream = await client(gw, key).chat.completions.create({
    model: 'm-drop',
    messages: userMsg('hi'),
    stream: true,
  }, { maxRetries: 0 }).withResponse();
  const id = stream.response.headers.get('x-request-id');
  let text = '';
  await assert.rejects(async () => {
    for await (const chunk of stream.data) text += chunk.choices[0]?.delta?.content ?? '';
  });
  assert.ok(text.startsWith('one ') && 'one two three four five'.startsWith(text), `arrived before the drop: ${JSON.stringify(text)}`);
  assert.equal(c.requests.length, before, 'no second channel after the first byte');
  const rows = await gw.waitForLogs((rs) => rowOf(rs, id));
  assert.equal(rowOf(rows, id).status, 502);
});

test('retries are bounded by max_attempts', async () => {
  const before = b.requests.length;
  // bound-1 and bound-2 refuse; with max_attempts = 3 the third (b) is tried...
  const ok = await chat('m-bound');
  assert.equal(ok.data.choices[0].message.content, 'answer from b');
  assert.equal(b.requests.length, before + 1);
  // ...but not a fourth: three failures in a row end the request.
  b.enqueue({ status: 503 });
  const err = await expectApiError(chat('m-bound'), 503);
  assert.ok(err);
});

test('auto: the first group of the order serves, and is billed at its ratio', async () => {
  const { data, response } = await client(gw, autoKey)
    .chat.completions.create({ model: 'auto-m', messages: userMsg('hi') })
    .withResponse();
  assert.equal(data.choices[0].message.content, 'cheap answer');
  const id = response.headers.get('x-request-id');
  const rows = await gw.waitForLogs((rs) => rowOf(rs, id));
  const row = rowOf(rows, id);
  assert.equal(row.group, 'cheap');
  assert.equal(row.channel, 'cheap-ch');
  assert.equal(row.cost_micros, 500_000, '1M input tokens at $1/M, ratio 0.5');
});

test('auto: a failing group falls through to the next, which bills at its own ratio', async () => {
  cheap.enqueue({ status: 500 });
  const { data, response } = await client(gw, autoKey)
    .chat.completions.create({ model: 'auto-m', messages: userMsg('hi') })
    .withResponse();
  assert.equal(data.choices[0].message.content, 'premium answer');
  const id = response.headers.get('x-request-id');
  const rows = await gw.waitForLogs((rs) => rowOf(rs, id));
  const row = rowOf(rows, id);
  assert.equal(row.group, 'premium');
  assert.equal(row.channel, 'premium-ch');
  assert.equal(row.attempts[0].group, 'cheap');
  assert.equal(row.cost_micros, 2_000_000, 'ratio 2.0');
});

test('auto: models of every auto group are listed; a model only one group has goes there', async () => {
  const models = await client(gw, autoKey).models.list();
  const ids = models.data.map((m) => m.id).sort();
  assert.deepEqual(ids, ['auto-m', 'premium-only']);
  const r = await client(gw, autoKey).chat.completions.create({ model: 'premium-only', messages: userMsg('hi') });
  assert.equal(r.choices[0].message.content, 'premium answer');
});

test('auto: an endpoint no auto group allows is refused in the client\'s protocol', async () => {
  const anthropic = new Anthropic({ apiKey: autoKey, baseURL: gw.url, maxRetries: 0 });
  const err = await anthropic.messages
    .create({ model: 'auto-m', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] })
    .catch((e) => e);
  assert.equal(err.status, 403);
  assert.equal(err.error?.type, 'error');
  assert.match(err.error?.error?.message ?? '', /auto groups/);
});

test('models without a price are refused when free models are not allowed', async () => {
  const mock = await mockUpstream();
  const k = newKeySecret();
  const strict = await Gateway.start({
    label: 'no-free-models',
    config: {
      billing: { allow_free_models: false },
      channels: [{ name: 'x', type: 'openai', base_url: mock.url, api_key: 'u', groups: ['openai'], models: ['priced', 'unpriced'] }],
      prices: [{ model: 'priced', input: 1.0, output: 1.0 }],
      keys: [{ name: 'k', key: k, group: 'openai' }],
    },
  });
  const ok = await client(strict, k).chat.completions.create({ model: 'priced', messages: userMsg('hi') });
  assert.ok(ok.choices[0].message.content);
  const err = await expectApiError(client(strict, k).chat.completions.create({ model: 'unpriced', messages: userMsg('hi') }), 403);
  assert.match(err.message, /no price/);
  assert.equal(mock.requests.length, 1, 'the unpriced request never went upstream');
  await strict.stop();
});
