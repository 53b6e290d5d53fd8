// OpenAI-compatible open-source backends (type "openai-compatible"): each
// quirk of vLLM / SGLang / Ollama / DeepSeek / Qwen / Kimi / GLM / OpenRouter
// reproduced by the mock (rawChunks / rawBody behaviours) and what each kind
// of client gets; the per-channel settings stream_options, max_tokens_field,
// headers and path; usage estimated when none is reported; and the default
// groups selling one model at three prices.

import { before } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import { test, assert, mockUpstream, OpenAI } from './lib/harness.mjs';
import { Gateway, newKeySecret, rawRequest, sseData } from './lib/gateway.mjs';

const UP_KEY = 'oss-upstream-secret-' + newKeySecret().slice(3, 15);
const keys = { full: newKeySecret(), discount: newKeySecret(), economy: newKeySecret() };
let mock;
let gw;

before(async () => {
  mock = await mockUpstream();
  mock.acceptPaths.add('/api/chat/completions');
  gw = await Gateway.start({
    label: 'openai-compatible',
    config: {
      billing: { allow_free_models: false },
      channels: [
        // A vLLM-like server that rejects stream_options and max_completion_tokens.
        {
          name: 'vllm', type: 'openai-compatible', base_url: mock.url, api_key: UP_KEY, groups: ['opensource'],
          models: ['qwen3-coder'], model_map: { 'qwen3-coder': 'Qwen/Qwen3-Coder-480B' },
          stream_options: false, max_tokens_field: 'max_tokens', headers: { 'X-Tenant': 'acme', 'HTTP-Referer': 'https://aiohub.example' },
        },
        // A gateway that does not use /v1/...
        { name: 'discount-gw', type: 'openai-compatible', base_url: mock.url, api_key: UP_KEY, groups: ['opensource-discount'], models: ['qwen3-coder'], path: '/api/chat/completions' },
        { name: 'economy-gw', type: 'openai-compatible', base_url: mock.url, api_key: UP_KEY, groups: ['opensource-economy'], models: ['qwen3-coder'] },
      ],
      prices: [{ model: 'qwen3-coder', input: 2, output: 8 }],
      keys: [
        { name: 'full', key: keys.full, group: 'opensource' },
        { name: 'discount', key: keys.discount, group: 'opensource-discount' },
        { name: 'economy', key: keys.economy, group: 'opensource-economy' },
      ],
    },
  });
});

const chatClient = (key = keys.full) => new OpenAI({ apiKey: key, baseURL: `${gw.url}/v1`, maxRetries: 0 });
const claudeClient = (key = keys.full) => new Anthropic({ apiKey: key, baseURL: gw.url, maxRetries: 0 });
const chunk = (delta, extra = {}) => ({ id: 'chatcmpl-oss1', object: 'chat.completion.chunk', created: 1, model: 'Qwen/Qwen3-Coder-480B', choices: [{ index: 0, delta, finish_reason: null }], ...extra });
const finish = (reason) => ({ id: 'chatcmpl-oss1', object: 'chat.completion.chunk', created: 1, model: 'Qwen/Qwen3-Coder-480B', choices: [{ index: 0, delta: {}, finish_reason: reason }] });

async function lastRow(t0) {
  const rows = await gw.waitForLogs((rows) => rows.some((r) => r.ts_ms >= t0), { timeoutMs: 5000 });
  return rows.find((r) => r.ts_ms >= t0);
}

test('settings: no stream_options, max_tokens instead of max_completion_tokens, extra headers; a missing usage is estimated and marked', async () => {
  mock.enqueue({ rawChunks: [chunk({ role: 'assistant', content: '' }), chunk({ content: 'Hello' }), chunk({ content: ' world, this is a test.' }), finish('stop')] });
  const t0 = Date.now();
  const r = await chatClient().chat.completions.stream({ model: 'qwen3-coder', messages: [{ role: 'user', content: 'say hello to the world please' }], max_completion_tokens: 64, stream_options: { include_usage: true } }).finalChatCompletion();
  assert.equal(r.choices[0].message.content, 'Hello world, this is a test.');
  const rec = mock.lastRequest;
  assert.equal(rec.path, '/v1/chat/completions');
  assert.equal(rec.body.model, 'Qwen/Qwen3-Coder-480B');
  assert.ok(!('stream_options' in rec.body), `stream_options must not be sent: ${rec.rawBody}`);
  assert.equal(rec.body.max_tokens, 64);
  assert.ok(!('max_completion_tokens' in rec.body), rec.rawBody);
  assert.equal(rec.headers['x-tenant'], 'acme');
  assert.equal(rec.headers['http-referer'], 'https://aiohub.example');
  assert.equal(rec.headers.authorization, `Bearer ${UP_KEY}`);
  const row = await lastRow(t0);
  assert.equal(row.channel, 'vllm');
  assert.equal(row.usage_estimated, true, JSON.stringify(row));
  assert.ok(row.input_tokens > 0 && row.output_tokens > 0, JSON.stringify(row));
  assert.ok(row.cost_usd > 0, 'an estimated usage is still billed');
});

test('reasoning_content deltas pass through to Chat clients and become a thinking block for Claude clients', async () => {
  const chunks = [chunk({ role: 'assistant', content: null, reasoning_content: 'Let me think' }), chunk({ reasoning_content: ' about it.' }), chunk({ content: 'Answer: 42' }), finish('stop')];
  mock.enqueue({ rawChunks: chunks });
  const raw = await rawRequest(`${gw.url}/v1/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${keys.full}` }, body: { model: 'qwen3-coder', stream: true, messages: [{ role: 'user', content: 'q' }] } });
  assert.equal(raw.status, 200, raw.text);
  const events = sseData(raw.text).filter((d) => d !== '[DONE]').map((d) => JSON.parse(d));
  assert.equal(events.map((e) => e.choices?.[0]?.delta?.reasoning_content ?? '').join(''), 'Let me think about it.');

  mock.enqueue({ rawChunks: chunks });
  const stream = claudeClient().messages.stream({ model: 'qwen3-coder', max_tokens: 100, messages: [{ role: 'user', content: 'q' }] });
  const msg = await stream.finalMessage();
  assert.deepEqual(msg.content.map((b) => b.type), ['thinking', 'text']);
  assert.equal(msg.content[0].thinking, 'Let me think about it.');
  assert.equal(msg.content[1].text, 'Answer: 42');

  // OpenRouter's `reasoning`, in a whole answer.
  mock.enqueue({ rawBody: { id: 'gen-1', object: 'chat.completion', created: 1, model: 'x', choices: [{ index: 0, message: { role: 'assistant', content: 'Done.', reasoning: 'Short thought.' }, finish_reason: 'stop' }], usage: { prompt_tokens: 5, completion_tokens: 3, total_tokens: 8 } } });
  const whole = await claudeClient().messages.create({ model: 'qwen3-coder', max_tokens: 100, messages: [{ role: 'user', content: 'q' }] });
  assert.deepEqual(whole.content.map((b) => b.type), ['thinking', 'text']);
  assert.equal(whole.content[0].thinking, 'Short thought.');
  assert.deepEqual(whole.usage.input_tokens, 5);
});

// Ollama / older vLLM: no id, no index; the arguments sent whole, and
// repeated whole in the next chunk; finish_reason "stop" despite the call.
const toolChunks = [
  chunk({ role: 'assistant', content: null, tool_calls: [{ type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] }),
  chunk({ tool_calls: [{ function: { arguments: '{"city":"Paris"}' } }] }),
  chunk({ tool_calls: [{ id: '', function: { name: 'get_time', arguments: '{"tz":"CET"}' } }] }),
  finish('stop'),
];
const tools = [
  { type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } },
  { type: 'function', function: { name: 'get_time', parameters: { type: 'object', properties: { tz: { type: 'string' } } } } },
];

test('tool calls without ids or indexes, with whole repeated arguments, are repaired for Chat clients', async () => {
  mock.enqueue({ rawChunks: toolChunks });
  const r = await chatClient().chat.completions.stream({ model: 'qwen3-coder', messages: [{ role: 'user', content: 'weather and time' }], tools }).finalChatCompletion();
  const calls = r.choices[0].message.tool_calls;
  assert.equal(r.choices[0].finish_reason, 'tool_calls');
  assert.equal(calls.length, 2, JSON.stringify(calls));
  assert.deepEqual(calls.map((c) => c.function.name), ['get_weather', 'get_time']);
  assert.deepEqual(JSON.parse(calls[0].function.arguments), { city: 'Paris' });
  assert.deepEqual(JSON.parse(calls[1].function.arguments), { tz: 'CET' });
  for (const c of calls) assert.match(c.id, /^call_[0-9a-f]{24}$/);
  assert.notEqual(calls[0].id, calls[1].id);

  // The same answer again gets the same ids (they are derived, not random).
  mock.enqueue({ rawChunks: toolChunks });
  const again = await chatClient().chat.completions.stream({ model: 'qwen3-coder', messages: [{ role: 'user', content: 'weather and time' }], tools }).finalChatCompletion();
  assert.deepEqual(again.choices[0].message.tool_calls.map((c) => c.id), calls.map((c) => c.id));
});

test('the same repaired tool calls reach Claude and Responses clients', async () => {
  mock.enqueue({ rawChunks: toolChunks });
  const msg = await claudeClient()
    .messages.stream({ model: 'qwen3-coder', max_tokens: 200, messages: [{ role: 'user', content: 'weather and time' }], tools: tools.map((t) => ({ name: t.function.name, input_schema: t.function.parameters })) })
    .finalMessage();
  assert.equal(msg.stop_reason, 'tool_use');
  const uses = msg.content.filter((b) => b.type === 'tool_use');
  assert.deepEqual(uses.map((u) => [u.name, u.input]), [['get_weather', { city: 'Paris' }], ['get_time', { tz: 'CET' }]]);
  for (const u of uses) assert.match(u.id, /^[A-Za-z0-9_-]+$/);

  mock.enqueue({ rawChunks: toolChunks });
  const stream = await chatClient().responses.create({ model: 'qwen3-coder', input: 'weather and time', stream: true, tools: tools.map((t) => ({ type: 'function', name: t.function.name, parameters: t.function.parameters, strict: false })) });
  let completed;
  for await (const ev of stream) if (ev.type === 'response.completed') completed = ev.response;
  const fcs = completed.output.filter((o) => o.type === 'function_call');
  assert.deepEqual(fcs.map((f) => [f.name, JSON.parse(f.arguments)]), [['get_weather', { city: 'Paris' }], ['get_time', { tz: 'CET' }]]);
  for (const f of fcs) assert.ok(f.call_id, JSON.stringify(f));
});

test('a whole answer whose tool calls have no ids gets ids; custom path; one model at three prices', async () => {
  const answer = { id: 'chatcmpl-x', object: 'chat.completion', created: 1, model: 'x', choices: [{ index: 0, message: { role: 'assistant', content: null, tool_calls: [{ function: { name: 'get_weather', arguments: '{"city":"Rome"}' } }] }, finish_reason: 'stop' }], usage: { prompt_tokens: 1000, completion_tokens: 500, total_tokens: 1500 } };
  const costs = {};
  for (const [name, key] of Object.entries(keys)) {
    mock.enqueue({ rawBody: answer });
    const t0 = Date.now();
    const r = await chatClient(key).chat.completions.create({ model: 'qwen3-coder', messages: [{ role: 'user', content: 'weather' }], tools });
    assert.equal(r.choices[0].finish_reason, 'tool_calls');
    assert.match(r.choices[0].message.tool_calls[0].id, /^call_[0-9a-f]{24}$/);
    if (name === 'discount') assert.equal(mock.lastRequest.path, '/api/chat/completions', 'the channel path is used');
    else assert.equal(mock.lastRequest.path, '/v1/chat/completions');
    const row = await lastRow(t0);
    assert.equal(row.usage_estimated, false);
    costs[name] = row.cost_usd;
  }
  // 1000 in at $2/M + 500 out at $8/M = $0.006, times the group ratio.
  assert.ok(Math.abs(costs.full - 0.006) < 1e-9, JSON.stringify(costs));
  assert.ok(Math.abs(costs.discount - 0.0048) < 1e-9, JSON.stringify(costs));
  assert.ok(Math.abs(costs.economy - 0.003) < 1e-9, JSON.stringify(costs));
});
