// What a client could once make the gateway pay for without billing it
// (issue 14, findings 3, 4 and 5). Each test names the finding it proves.
//
//  3. local token counting runs off the I/O threads, stays linear in the body,
//     is held to the key's rate limit and leaves a usage row
//  4. the reservation covers what is actually asked of the upstream: a
//     translated request without `max_tokens` asks for no more than the
//     gateway reserved (`[billing] max_output_tokens`), and 0 is refused
//  5. usage the client cannot make disappear: a passthrough Chat upstream is
//     asked for its usage even when the client did not ask; a 2xx without
//     usage (a queued Responses background answer too) is billed an estimate;
//     an image stream the client abandoned after its partial images bills the
//     images the provider went on to make

import { before } from 'node:test';
import { test, assert, mockUpstream, trackMock } from './lib/harness.mjs';
import { Gateway, newKeySecret, rawRequest, sleep, readUntilThenHangUp } from './lib/gateway.mjs';
import { startMockAnthropic } from './lib/mock-anthropic.mjs';
import { startMockImages } from './lib/mock-images.mjs';
import { startMockResponses } from './lib/mock-responses.mjs';

const keys = { alice: newKeySecret(), poor: newKeySecret(), counter: newKeySecret(), artist: newKeySecret() };
const UPSTREAM_KEY = 'sk-upstream-leaks-' + newKeySecret().slice(3, 15);
const MAX_OUTPUT = 1000;

let oa; // OpenAI Chat upstream: passthrough for Chat clients
let an; // Anthropic upstream: translated for Chat clients
let re; // OpenAI Responses upstream
let images;
let gw;

before(async () => {
  oa = await mockUpstream();
  oa.setBehavior({ text: 'fine' });
  an = trackMock(await startMockAnthropic());
  an.apiKey = UPSTREAM_KEY;
  re = trackMock(await startMockResponses());
  re.apiKey = UPSTREAM_KEY;
  images = trackMock(await startMockImages());
  images.apiKey = UPSTREAM_KEY;
  gw = await Gateway.start({
    label: 'billing-leaks',
    config: {
      billing: { max_output_tokens: MAX_OUTPUT },
      groups: [
        { name: 'text', endpoints: ['chat', 'messages', 'responses'] },
        { name: 'art', endpoints: ['images'] },
      ],
      channels: [
        { name: 'oa', type: 'openai', base_url: oa.url, api_key: UPSTREAM_KEY, groups: ['text'], models: ['gpt-x'] },
        { name: 'an', type: 'anthropic', base_url: an.url, api_key: UPSTREAM_KEY, groups: ['text'], models: ['claude-x'] },
        { name: 're', type: 'openai-responses', base_url: re.url, api_key: UPSTREAM_KEY, groups: ['text'], models: ['resp-x'] },
        { name: 'pics', type: 'openai', base_url: `${images.url}/v1`, api_key: UPSTREAM_KEY, groups: ['art'], models: ['gpt-image-1'] },
      ],
      prices: [
        { model: 'gpt-x', input: 1.0, output: 2.0 },
        { model: 'claude-x', input: 1.0, output: 2.0 },
        { model: 'resp-x', input: 1.0, output: 2.0 },
        { model: 'gpt-image-1', input: 0, output: 0, per_image: 0.04 },
      ],
      keys: [
        { name: 'alice', key: keys.alice, group: 'text' },
        { name: 'poor', key: keys.poor, group: 'text', quota: 0.01 },
        { name: 'counter', key: keys.counter, group: 'text', rpm: 2 },
        { name: 'artist', key: keys.artist, group: 'art' },
      ],
    },
  });
});

const chat = (key, body) =>
  rawRequest(`${gw.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

const messages = (key, path, body) =>
  rawRequest(`${gw.url}${path}`, {
    method: 'POST',
    headers: { 'x-api-key': key, 'anthropic-version': '2023-06-01', 'content-type': 'application/json' },
    body: JSON.stringify(body),
    timeoutMs: 60_000,
  });

const rowsOf = async (pred, what) => {
  const rows = await gw.waitForLogs((rs) => rs.some(pred), { limit: 200, timeoutMs: 10_000 });
  const row = rows.find(pred);
  assert.ok(row, what);
  return row;
};

// --- 4 ---------------------------------------------------------------------

test('4: max_tokens of 0, negative or fractional is a 400 in the caller\'s protocol', async () => {
  for (const bad of [0, -5, 1.5]) {
    const r = await chat(keys.alice, { model: 'gpt-x', max_tokens: bad, messages: [{ role: 'user', content: 'hi' }] });
    assert.equal(r.status, 400, `chat max_tokens ${bad}: ${r.text}`);
    assert.match(JSON.parse(r.text).error.message, /max_tokens/);
    const m = await messages(keys.alice, '/v1/messages', { model: 'claude-x', max_tokens: bad, messages: [{ role: 'user', content: 'hi' }] });
    assert.equal(m.status, 400, `messages max_tokens ${bad}: ${m.text}`);
    assert.equal(JSON.parse(m.text).type, 'error');
  }
  const r = await rawRequest(`${gw.url}/v1/responses`, {
    method: 'POST',
    headers: { authorization: `Bearer ${keys.alice}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'gpt-x', input: 'hi', max_output_tokens: 0 }),
  });
  assert.equal(r.status, 400, r.text);
  assert.match(JSON.parse(r.text).error.message, /max_output_tokens/);
});

test('4: a translated request without max_tokens asks the upstream for no more than was reserved', async () => {
  an.setBehavior({ text: 'ok' });
  const plain = await chat(keys.alice, { model: 'claude-x', messages: [{ role: 'user', content: 'hi' }] });
  assert.equal(plain.status, 200, plain.text);
  assert.equal(an.lastRequest.body.max_tokens, MAX_OUTPUT, 'the configured cap, not the encoder default');
  const asked = await chat(keys.alice, { model: 'claude-x', max_tokens: 3000, messages: [{ role: 'user', content: 'hi' }] });
  assert.equal(asked.status, 200, asked.text);
  assert.equal(an.lastRequest.body.max_tokens, 3000, "the client's own cap, which the reservation used");
});

test('4: twenty concurrent translated requests without max_tokens overspend a $0.01 key by at most one request', async () => {
  // The upstream writes as much as it is allowed to: the worst case for the key.
  an.setBehavior((rec) => ({ text: 'long answer', usage: { input: 10, output: rec.body.max_tokens } }));
  const results = await Promise.all(
    Array.from({ length: 20 }, () => chat(keys.poor, { model: 'claude-x', messages: [{ role: 'user', content: 'hi' }] })),
  );
  const ok = results.filter((r) => r.status === 200).length;
  for (const r of results.filter((r) => r.status !== 200)) {
    assert.equal(r.status, 429, r.text);
    assert.equal(JSON.parse(r.text).error.code, 'insufficient_quota');
  }
  assert.ok(ok >= 1, 'the key could afford at least one request');
  const oneRequest = 10 * 1 + MAX_OUTPUT * 2; // micro-USD: 10 input, 1000 output tokens
  let used = 0;
  for (let i = 0; i < 30; i++) {
    used = Math.round((await gw.keyList()).find((k) => k.name === 'poor').used_usd * 1e6);
    if (used >= ok * oneRequest) break;
    await sleep(100);
  }
  assert.equal(used, ok * oneRequest, 'every answered request billed what the upstream reported');
  assert.ok(used <= 10_000 + oneRequest, `spent ${used} micro-USD of a 10000 quota`);
  an.setBehavior({ text: 'ok' });
});

// --- 5 ---------------------------------------------------------------------

test('5a: a passthrough Chat upstream is asked for its usage even when the client did not ask, and the client sees no usage chunk', async () => {
  oa.setBehavior({ text: 'reasoned answer', usage: { prompt: 40, completion: 700 } });
  const t0 = Date.now();
  const r = await chat(keys.alice, { model: 'gpt-x', stream: true, messages: [{ role: 'user', content: 'think hard' }] });
  assert.equal(r.status, 200);
  assert.deepEqual(oa.lastRequest.body.stream_options, { include_usage: true });
  const chunks = r.text.split('\n\n').filter((e) => e.startsWith('data: {')).map((e) => JSON.parse(e.slice(6)));
  assert.ok(chunks.length > 0);
  // (Chunks keep the `"usage":null` the upstream adds once asked, as the SDKs expect.)
  assert.ok(chunks.every((c) => c.usage == null && c.choices.length > 0), 'no usage chunk for a client that did not ask');
  const row = await rowsOf((x) => x.ts_ms >= t0 && x.key === 'alice' && x.model === 'gpt-x', 'usage row');
  assert.equal(row.output_tokens, 700, 'the hidden reasoning tokens are billed');
  assert.equal(row.usage_estimated, false);
});

test('5d: a 2xx answer without usage is billed an estimate, never zero', async () => {
  oa.setBehavior({
    rawBody: {
      id: 'chatcmpl-nousage',
      object: 'chat.completion',
      created: 1,
      model: 'gpt-x',
      choices: [{ index: 0, message: { role: 'assistant', content: 'an answer of several words' }, finish_reason: 'stop' }],
    },
  });
  const t0 = Date.now();
  const r = await chat(keys.alice, { model: 'gpt-x', messages: [{ role: 'user', content: 'a question of several words' }] });
  assert.equal(r.status, 200, r.text);
  const row = await rowsOf((x) => x.ts_ms >= t0 && x.key === 'alice' && x.model === 'gpt-x', 'usage row');
  assert.ok(row.input_tokens > 0 && row.output_tokens > 0, JSON.stringify(row));
  assert.equal(row.usage_estimated, true);
  assert.ok(row.cost_micros > 0);
  oa.setBehavior({ text: 'fine' });
});

test('5d: a Responses background answer (queued, no usage yet) is billed its reserved output, not zero', async () => {
  re.setBehavior({
    rawBody: { id: 'resp_bg1', object: 'response', created_at: 1, status: 'queued', background: true, model: 'resp-x', output: [], usage: null, error: null },
  });
  const t0 = Date.now();
  const r = await rawRequest(`${gw.url}/v1/responses`, {
    method: 'POST',
    headers: { authorization: `Bearer ${keys.alice}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'resp-x', input: 'write a long report', background: true, max_output_tokens: 800 }),
  });
  assert.equal(r.status, 200, r.text);
  assert.equal(JSON.parse(r.text).status, 'queued');
  const row = await rowsOf((x) => x.ts_ms >= t0 && x.key === 'alice' && x.model === 'resp-x', 'usage row');
  assert.equal(row.usage_estimated, true);
  assert.ok(row.input_tokens > 0, JSON.stringify(row));
  assert.equal(row.output_tokens, 800, 'the output the request may still produce');
  re.setBehavior({ text: 'ok' });
});

test('5c: an image stream abandoned after its first partial image bills every image asked for', async () => {
  // The provider goes on making the images after the client left, slower
  // than the gateway waits for it.
  images.setBehavior({ partialDelayMs: 3500 });
  const t0 = Date.now();
  const r = await readUntilThenHangUp(
    `${gw.url}/v1/images/generations`,
    { authorization: `Bearer ${keys.artist}` },
    { model: 'gpt-image-1', prompt: 'a lighthouse', n: 2, stream: true, partial_images: 2 },
    /partial_image[^\n]*\n[^\n]*\n\n/,
  );
  assert.equal(r.status, 200);
  assert.ok(!r.ended);
  const row = await rowsOf((x) => x.ts_ms >= t0 && x.key === 'artist', 'usage row');
  assert.equal(row.status, 499);
  assert.equal(row.cost_micros, 2 * 40_000, 'two images at $0.04');
  assert.equal(row.usage_estimated, true);
  images.setBehavior({});
});

// --- 3 ---------------------------------------------------------------------

test('3: a local token count is held to the key\'s rate limit and leaves a usage row', async () => {
  const t0 = Date.now();
  const body = { model: 'gpt-x', messages: [{ role: 'user', content: 'count these words please' }] };
  const first = await messages(keys.counter, '/v1/messages/count_tokens', body);
  assert.equal(first.status, 200, first.text);
  assert.ok(JSON.parse(first.text).input_tokens > 0);
  const second = await messages(keys.counter, '/v1/messages/count_tokens', body);
  assert.equal(second.status, 200, second.text);
  const third = await messages(keys.counter, '/v1/messages/count_tokens', body);
  assert.equal(third.status, 429, third.text);
  assert.equal(JSON.parse(third.text).type, 'error');
  assert.ok(third.headers['retry-after'], 'Retry-After on a rate-limit refusal');
  const rows = await gw.waitForLogs((rs) => rs.filter((x) => x.ts_ms >= t0 && x.key === 'counter').length >= 2, { limit: 200 });
  const mine = rows.filter((x) => x.ts_ms >= t0 && x.key === 'counter');
  for (const row of mine) {
    assert.equal(row.endpoint, 'count_tokens');
    assert.equal(row.status, 200);
    assert.equal(row.cost_micros, 0);
  }
});

test('3: counting a 24 MiB body locally is quick and does not hold up the other requests', async () => {
  const word = 'lorem ipsum dolor sit amet consectetur ';
  const big = word.repeat(Math.ceil((24 << 20) / word.length));
  const body = { model: 'gpt-x', messages: [{ role: 'user', content: big }] };
  const t0 = Date.now();
  const counting = messages(keys.alice, '/v1/messages/count_tokens', body);
  // While it counts, a small request on the same gateway is answered at once.
  await sleep(200);
  const small0 = Date.now();
  const small = await chat(keys.alice, { model: 'gpt-x', messages: [{ role: 'user', content: 'hi' }] });
  const smallMs = Date.now() - small0;
  assert.equal(small.status, 200, small.text);
  const r = await counting;
  const countMs = Date.now() - t0;
  assert.equal(r.status, 200, r.text.slice(0, 300));
  const tokens = JSON.parse(r.text).input_tokens;
  // o200k counts this text at about 7 tokens per 39 bytes; the estimate past
  // the first MiB keeps the measured rate.
  const exactish = (big.length / word.length) * 7;
  assert.ok(tokens > exactish * 0.8 && tokens < exactish * 1.4, `counted ${tokens}, expected about ${exactish}`);
  assert.ok(countMs < 20_000, `counting took ${countMs} ms`);
  assert.ok(smallMs < Math.max(2000, countMs / 2), `a small request waited ${smallMs} ms while counting took ${countMs} ms`);
});
