// Chat Completions passthrough: non-streaming, streaming text and tool calls
// through the official SDK, usage-chunk stripping, model_map, upstream auth,
// alternative client auth styles and upstream keep-alive.

import { before } from 'node:test';
import { test, client, assert, mockUpstream, userMsg } from './lib/harness.mjs';
import { Gateway, newKeySecret, rawRequest, sseData } from './lib/gateway.mjs';
import { usageObject, wordPieces } from './lib/mock-openai.mjs';

const UPSTREAM_KEY = 'upstream-secret-chat-' + newKeySecret().slice(3, 19);
const KA_UPSTREAM_KEY = 'upstream-secret-ka-' + newKeySecret().slice(3, 19);
const aliceKey = newKeySecret();

let mock; // main upstream
let kaMock; // upstream used only by the keep-alive tests
let gw;

before(async () => {
  mock = await mockUpstream();
  kaMock = await mockUpstream();
  gw = await Gateway.start({
    label: 'chat',
    config: {
      channels: [
        {
          name: 'openai-main',
          type: 'openai',
          base_url: mock.url,
          api_key: UPSTREAM_KEY,
          groups: ['openai'],
          models: ['gpt-4.1', 'gpt-4.1-mini'],
          model_map: { 'gpt-4.1': 'gpt-4.1-2025-04-14' },
          priority: 0,
          weight: 1,
        },
        {
          name: 'keepalive-chan',
          type: 'openai',
          base_url: kaMock.url,
          api_key: KA_UPSTREAM_KEY,
          groups: ['openai'],
          models: ['ka-model'],
        },
      ],
      prices: [{ model: 'gpt-4.1', input: 2.0, output: 8.0, cache_read: 0.5, cache_write: 0.0 }],
      keys: [{ name: 'alice', key: aliceKey, group: 'openai' }],
    },
  });
});

/** The client's secret must never reach the upstream, in any header, the URL or the body. */
function assertClientKeyNotForwarded(rec, secret = aliceKey) {
  for (const [h, v] of Object.entries(rec.headers)) {
    assert.ok(!String(v).includes(secret), `client key forwarded upstream in header ${h}`);
  }
  assert.ok(!rec.url.includes(secret), `client key forwarded upstream in URL ${rec.url}`);
  assert.ok(!rec.rawBody.includes(secret), 'client key forwarded upstream in body');
}

test('non-streaming completion: passthrough, model_map rename, upstream auth header', async () => {
  const text = 'Paris is the capital of France.';
  const usage = { prompt: 31, completion: 9, cached: 0 };
  mock.setBehavior({ text, usage });
  const before = mock.chatRequests.length;
  const messages = [
    { role: 'system', content: 'You are terse.' },
    { role: 'user', content: 'Capital of France?' },
  ];
  const c = await client(gw, aliceKey).chat.completions.create({
    model: 'gpt-4.1',
    messages,
    temperature: 0.2,
    max_completion_tokens: 64,
    user: 'e2e-user',
  });
  assert.equal(c.object, 'chat.completion');
  assert.match(c.id, /^chatcmpl-/);
  assert.equal(typeof c.created, 'number');
  assert.equal(c.choices.length, 1);
  assert.equal(c.choices[0].message.role, 'assistant');
  assert.equal(c.choices[0].message.content, text);
  assert.equal(c.choices[0].finish_reason, 'stop');
  assert.deepEqual(c.usage, usageObject(usage));

  assert.equal(mock.chatRequests.length, before + 1, 'exactly one upstream request');
  const rec = mock.lastRequest;
  assert.equal(rec.method, 'POST');
  assert.equal(rec.path, '/v1/chat/completions');
  assert.equal(rec.headers.authorization, `Bearer ${UPSTREAM_KEY}`);
  assert.equal(rec.body.model, 'gpt-4.1-2025-04-14', 'model_map must rename the model upstream');
  assert.deepEqual(rec.body.messages, messages);
  assert.equal(rec.body.temperature, 0.2);
  assert.equal(rec.body.max_completion_tokens, 64);
  assert.equal(rec.body.user, 'e2e-user');
  assert.ok(!rec.body.stream, 'non-stream request must not become a stream upstream');
  assertClientKeyNotForwarded(rec);
});

test('non-streaming completion with a model that has no model_map entry keeps its name', async () => {
  mock.setBehavior({ text: 'mini here' });
  const c = await client(gw, aliceKey).chat.completions.create({ model: 'gpt-4.1-mini', messages: userMsg('hi') });
  assert.equal(c.choices[0].message.content, 'mini here');
  assert.equal(mock.lastRequest.body.model, 'gpt-4.1-mini');
  assert.equal(mock.lastRequest.headers.authorization, `Bearer ${UPSTREAM_KEY}`);
});

test('non-streaming tool calls are passed through intact', async () => {
  const calls = [
    { id: 'call_abcDEF123', name: 'get_weather', arguments: '{"city":"Paris","unit":"celsius"}' },
    { id: 'call_xyz789', name: 'get_time', arguments: '{"tz":"Europe/Paris"}' },
  ];
  mock.setBehavior({ toolCalls: calls });
  const c = await client(gw, aliceKey).chat.completions.create({
    model: 'gpt-4.1',
    messages: userMsg('weather and time in Paris?'),
    tools: [
      { type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } },
      { type: 'function', function: { name: 'get_time', parameters: { type: 'object', properties: { tz: { type: 'string' } } } } },
    ],
    tool_choice: 'auto',
    parallel_tool_calls: true,
  });
  assert.equal(c.choices[0].finish_reason, 'tool_calls');
  assert.equal(c.choices[0].message.content, null);
  assert.deepEqual(
    c.choices[0].message.tool_calls.map((t) => ({ id: t.id, type: t.type, name: t.function.name, arguments: t.function.arguments })),
    calls.map((t) => ({ id: t.id, type: 'function', name: t.name, arguments: t.arguments })),
  );
  const up = mock.lastRequest.body;
  assert.equal(up.tools.length, 2, 'tools forwarded');
  assert.equal(up.tool_choice, 'auto');
  assert.equal(up.parallel_tool_calls, true);
});

test('streaming text via client.chat.completions.stream(): finalChatCompletion rebuilds the text exactly', async () => {
  // Multi-byte characters, quotes, newlines and JSON-looking text, split in odd places.
  const pieces = ['Hél', 'lo, wö', 'rld! 🌍', ' Line\n', 'two "quoted"', ' {"not":"json"}', ' 日本', '語', ' done.'];
  const text = pieces.join('');
  mock.setBehavior({ text, pieces, usage: { prompt: 20, completion: 11, cached: 0 } });
  const deltas = [];
  const stream = client(gw, aliceKey).chat.completions.stream({ model: 'gpt-4.1', messages: userMsg('say hello') });
  stream.on('content', (d) => deltas.push(d));
  const final = await stream.finalChatCompletion();
  assert.equal(final.choices[0].message.content, text);
  assert.equal(final.choices[0].message.role, 'assistant');
  assert.equal(final.choices[0].finish_reason, 'stop');
  assert.deepEqual(deltas, pieces, 'each upstream content chunk arrives as one delta, in order');
  assert.ok(final.usage == null, `client did not ask for usage, got ${JSON.stringify(final.usage)}`);

  const up = mock.lastRequest.body;
  assert.equal(up.stream, true);
  assert.equal(up.model, 'gpt-4.1-2025-04-14');
  assert.equal(up.stream_options?.include_usage, true, 'gateway must force stream_options.include_usage upstream');
  assert.equal(mock.lastRequest.headers.authorization, `Bearer ${UPSTREAM_KEY}`);
  assertClientKeyNotForwarded(mock.lastRequest);
});

test('streaming tool calls: two parallel calls with fragmented arguments are rebuilt by the SDK', async () => {
  const weatherArgs = '{"city":"São Paulo","unit":"celsius","note":"say \\"hi\\" 🌧"}';
  const timeArgs = '{"tz":"America/Sao_Paulo","format":"24h"}';
  const calls = [
    {
      id: 'call_W1a2b3c4',
      name: 'get_weather',
      arguments: weatherArgs,
      fragments: ['{"ci', 'ty":"S', 'ão Pau', 'lo","unit":"cel', 'sius","note":"say \\"h', 'i\\" 🌧', '"}'],
    },
    { id: 'call_T5d6e7f8', name: 'get_time', arguments: timeArgs, fragments: ['{"tz":', '"America/Sao_', 'Paulo","format"', ':"24h"}'] },
  ];
  for (const c of calls) assert.equal(c.fragments.join(''), c.arguments);
  mock.setBehavior({ toolCalls: calls, usage: { prompt: 80, completion: 40, cached: 0 } });

  const doneArgs = [];
  const stream = client(gw, aliceKey).chat.completions.stream({
    model: 'gpt-4.1',
    messages: userMsg('weather and time in São Paulo'),
    tools: [
      { type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: {} } } },
      { type: 'function', function: { name: 'get_time', parameters: { type: 'object', properties: {} } } },
    ],
    parallel_tool_calls: true,
  });
  stream.on('tool_calls.function.arguments.done', (e) => doneArgs.push({ name: e.name, arguments: e.arguments }));
  const final = await stream.finalChatCompletion();
  const msg = final.choices[0].message;
  assert.equal(final.choices[0].finish_reason, 'tool_calls');
  assert.equal(msg.tool_calls.length, 2);
  for (let i = 0; i < 2; i++) {
    assert.equal(msg.tool_calls[i].id, calls[i].id);
    assert.equal(msg.tool_calls[i].type, 'function');
    assert.equal(msg.tool_calls[i].function.name, calls[i].name);
    assert.equal(msg.tool_calls[i].function.arguments, calls[i].arguments);
  }
  assert.deepEqual(JSON.parse(msg.tool_calls[0].function.arguments).city, 'São Paulo');
  assert.deepEqual(doneArgs, calls.map((c) => ({ name: c.name, arguments: c.arguments })));
});

async function rawStream(body, headers = {}) {
  const r = await rawRequest(`${gw.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${aliceKey}`, ...headers },
    body,
  });
  return r;
}

function parseChunks(r) {
  assert.equal(r.status, 200, r.text);
  assert.match(String(r.headers['content-type']), /^text\/event-stream/);
  const data = sseData(r.text);
  assert.ok(data.length >= 2, `too few SSE events: ${r.text}`);
  assert.equal(data[data.length - 1], '[DONE]', 'stream must end with data: [DONE]');
  assert.equal(data.filter((d) => d === '[DONE]').length, 1, 'exactly one [DONE]');
  const chunks = data.slice(0, -1).map((d) => JSON.parse(d));
  for (const c of chunks) assert.equal(c.object, 'chat.completion.chunk');
  return chunks;
}

test('stream without stream_options: the usage-only chunk is stripped, [DONE] still ends the stream', async () => {
  const usage = { prompt: 40, completion: 4, cached: 8 };
  mock.setBehavior({ text: 'one two three four', usage });
  for (const body of [
    { model: 'gpt-4.1', messages: userMsg('count'), stream: true },
    { model: 'gpt-4.1', messages: userMsg('count'), stream: true, stream_options: { include_usage: false } },
  ]) {
    const r = await rawStream(body);
    const chunks = parseChunks(r);
    assert.equal(mock.lastRequest.body.stream_options?.include_usage, true, 'include_usage forced upstream');
    assert.equal(chunks.filter((c) => Array.isArray(c.choices) && c.choices.length === 0).length, 0, 'no choices:[] chunk may reach the client');
    assert.equal(chunks.filter((c) => c.usage != null).length, 0, 'no usage may reach a client that did not ask for it');
    const content = chunks.map((c) => c.choices[0]?.delta?.content ?? '').join('');
    assert.equal(content, 'one two three four');
    assert.equal(chunks[chunks.length - 1].choices[0].finish_reason, 'stop');
  }
});

test('stream with stream_options.include_usage: the usage chunk arrives (raw and via the SDK)', async () => {
  const usage = { prompt: 1234, completion: 56, cached: 1000 };
  mock.setBehavior({ text: 'alpha beta', usage });
  const r = await rawStream({
    model: 'gpt-4.1',
    messages: userMsg('x'),
    stream: true,
    stream_options: { include_usage: true },
  });
  const chunks = parseChunks(r);
  const last = chunks[chunks.length - 1];
  assert.deepEqual(last.choices, [], 'last chunk before [DONE] is the usage chunk');
  assert.deepEqual(last.usage, usageObject(usage));
  assert.equal(last.usage.prompt_tokens_details.cached_tokens, 1000);

  const s = await client(gw, aliceKey).chat.completions.create({
    model: 'gpt-4.1',
    messages: userMsg('x'),
    stream: true,
    stream_options: { include_usage: true },
  });
  let seen = null;
  let text = '';
  for await (const ch of s) {
    if (ch.usage) seen = ch.usage;
    text += ch.choices[0]?.delta?.content ?? '';
  }
  assert.equal(text, 'alpha beta');
  assert.deepEqual(seen, usageObject(usage));

  const final = await client(gw, aliceKey)
    .chat.completions.stream({ model: 'gpt-4.1', messages: userMsg('x'), stream_options: { include_usage: true } })
    .finalChatCompletion();
  assert.deepEqual(final.usage, usageObject(usage));
  assert.equal(final.choices[0].message.content, 'alpha beta');
});

test('client auth via x-api-key, x-goog-api-key and ?key= works, and none of them is forwarded', async () => {
  mock.setBehavior({ text: 'ok' });
  const body = { model: 'gpt-4.1', messages: userMsg('auth styles') };
  const url = `${gw.url}/v1/chat/completions`;
  const cases = [
    ['x-api-key', url, { 'x-api-key': aliceKey }],
    ['x-goog-api-key', url, { 'x-goog-api-key': aliceKey }],
    ['?key=', `${url}?key=${encodeURIComponent(aliceKey)}`, {}],
  ];
  for (const [label, u, headers] of cases) {
    const r = await rawRequest(u, { method: 'POST', headers, body });
    assert.equal(r.status, 200, `${label}: ${r.text}`);
    assert.equal(r.json.choices[0].message.content, 'ok', label);
    const rec = mock.lastRequest;
    assert.equal(rec.headers.authorization, `Bearer ${UPSTREAM_KEY}`, label);
    assert.equal(rec.path, '/v1/chat/completions', label);
    assert.equal(rec.query, '', `${label}: query string forwarded upstream: ${rec.url}`);
    assertClientKeyNotForwarded(rec);
  }
});

test('upstream keep-alive: sequential non-streaming requests reuse upstream connections', async () => {
  kaMock.reset();
  kaMock.setBehavior({ text: 'pong' });
  const c = client(gw, aliceKey);
  const N = 10;
  for (let i = 0; i < N; i++) {
    const r = await c.chat.completions.create({ model: 'ka-model', messages: userMsg(`ping ${i}`) });
    assert.equal(r.choices[0].message.content, 'pong');
  }
  assert.equal(kaMock.chatRequests.length, N);
  assert.ok(kaMock.connections >= 1);
  assert.ok(kaMock.connections <= 3, `expected upstream connections to be reused: ${kaMock.connections} TCP connections for ${N} requests`);
  assert.equal(kaMock.lastRequest.headers.authorization, `Bearer ${KA_UPSTREAM_KEY}`);
});

test('upstream keep-alive: sequential streaming requests reuse upstream connections', async () => {
  kaMock.reset();
  kaMock.setBehavior({ text: 'stream pong reply' });
  const c = client(gw, aliceKey);
  const N = 8;
  for (let i = 0; i < N; i++) {
    const final = await c.chat.completions.stream({ model: 'ka-model', messages: userMsg(`ping ${i}`) }).finalChatCompletion();
    assert.equal(final.choices[0].message.content, 'stream pong reply');
  }
  assert.equal(kaMock.chatRequests.length, N);
  assert.ok(kaMock.connections <= 3, `expected upstream connections to be reused: ${kaMock.connections} TCP connections for ${N} streams`);
});

test('streaming is relayed chunk by chunk, not buffered until the end', async () => {
  const pieces = ['one', ' two', ' three', ' four', ' five', ' six'];
  const delayMs = 250;
  mock.setBehavior({ text: pieces.join(''), pieces, delayMs });
  const arrivals = [];
  const t0 = Date.now();
  const stream = client(gw, aliceKey).chat.completions.stream({ model: 'gpt-4.1', messages: userMsg('slowly') });
  stream.on('content', (d) => arrivals.push({ d, at: Date.now() - t0 }));
  const final = await stream.finalChatCompletion();
  assert.equal(final.choices[0].message.content, pieces.join(''));
  assert.deepEqual(
    arrivals.map((a) => a.d),
    pieces,
  );
  // The upstream sends the pieces 250 ms apart: they must reach the client spread
  // out the same way (a buffering gateway delivers them all at once at the end).
  const spread = arrivals[arrivals.length - 1].at - arrivals[0].at;
  assert.ok(spread >= (pieces.length - 1) * delayMs * 0.7, `deltas arrived within ${spread} ms: ${JSON.stringify(arrivals)}`);
});

test('concurrent streams are kept apart', async () => {
  mock.setBehavior((req) => ({
    text: `echo ${req.body.messages[0].content} end`,
    pieces: ['echo ', ...req.body.messages[0].content.split(''), ' end'],
    delayMs: 15,
  }));
  const c = client(gw, aliceKey);
  const words = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot'];
  const finals = await Promise.all(
    words.map((w) => c.chat.completions.stream({ model: 'gpt-4.1-mini', messages: userMsg(w) }).finalChatCompletion()),
  );
  assert.deepEqual(
    finals.map((f) => f.choices[0].message.content),
    words.map((w) => `echo ${w} end`),
  );
  const nonStream = await Promise.all(words.map((w) => c.chat.completions.create({ model: 'gpt-4.1-mini', messages: userMsg(w) })));
  assert.deepEqual(
    nonStream.map((f) => f.choices[0].message.content),
    words.map((w) => `echo ${w} end`),
  );
});

test('word pieces helper keeps the exact text (self-check of the mock)', () => {
  for (const s of ['a b  c', ' lead', 'trail ', 'x\ny', '']) assert.equal(wordPieces(s).join(''), s);
});
