// Self-check of the Anthropic, Gemini and Responses mock upstreams: each
// official SDK talks to its mock directly (no gateway), so a translation
// failure elsewhere cannot be blamed on a mock that speaks its protocol wrongly.

import Anthropic from '@anthropic-ai/sdk';
import { GoogleGenAI } from '@google/genai';
import { test, assert, trackMock, OpenAI } from './lib/harness.mjs';
import { rawRequest, sseData } from './lib/gateway.mjs';
import { startMockAnthropic, anthropicUsage } from './lib/mock-anthropic.mjs';
import { startMockGemini } from './lib/mock-gemini.mjs';
import { startMockResponses, responsesUsage } from './lib/mock-responses.mjs';

const KEY = 'mock-direct-key';
const anthropic = (m) => new Anthropic({ apiKey: KEY, baseURL: m.url, maxRetries: 0 });
const genai = (m) => new GoogleGenAI({ apiKey: KEY, httpOptions: { baseUrl: m.url } });
const openai = (m) => new OpenAI({ apiKey: KEY, baseURL: `${m.url}/v1`, maxRetries: 0 });

const weatherArgs = '{"city":"Paris","unit":"celsius","days":[1,2]}';

// ---------------------------------------------------------------------------
// Anthropic

test('anthropic mock: non-stream text, usage, headers', async () => {
  const m = trackMock(await startMockAnthropic());
  m.apiKey = KEY;
  m.setBehavior({ text: 'hi there', usage: { input: 10, output: 3 } });
  const r = await anthropic(m).messages.create({ model: 'claude-x', max_tokens: 64, messages: [{ role: 'user', content: 'x' }] });
  assert.equal(r.type, 'message');
  assert.equal(r.model, 'claude-x');
  assert.deepEqual(r.content, [{ type: 'text', text: 'hi there', citations: null }]);
  assert.equal(r.stop_reason, 'end_turn');
  assert.deepEqual(r.usage, anthropicUsage({ input: 10, output: 3 }));
  assert.equal(m.lastRequest.headers['x-api-key'], KEY);
  assert.ok(m.lastRequest.headers['anthropic-version']);
});

test('anthropic mock: stream with thinking + text + tool_use rebuilds in the SDK', async () => {
  const m = trackMock(await startMockAnthropic());
  m.setBehavior({
    thinking: { text: 'Let me think about it.', signature: 'sig-abc123==' },
    text: 'Checking the weather.',
    toolCalls: [{ id: 'toolu_01abc', name: 'get_weather', arguments: weatherArgs }],
    usage: { input: 20, output: 9 },
  });
  const stream = anthropic(m).messages.stream({ model: 'claude-x', max_tokens: 64, messages: [{ role: 'user', content: 'x' }] });
  const final = await stream.finalMessage();
  assert.deepEqual(final.content[0], { type: 'thinking', thinking: 'Let me think about it.', signature: 'sig-abc123==' });
  assert.equal(final.content[1].type, 'text');
  assert.equal(final.content[1].text, 'Checking the weather.');
  assert.deepEqual(final.content[2], { type: 'tool_use', id: 'toolu_01abc', name: 'get_weather', input: JSON.parse(weatherArgs) });
  assert.equal(final.stop_reason, 'tool_use');
  assert.equal(final.usage.input_tokens, 20);
  assert.equal(final.usage.output_tokens, 9);
  // Raw framing: every data line has an event line naming its type.
  const raw = await rawRequest(`${m.url}/v1/messages`, {
    method: 'POST',
    headers: { 'x-api-key': KEY, 'anthropic-version': '2023-06-01' },
    body: { model: 'claude-x', max_tokens: 64, stream: true, messages: [{ role: 'user', content: 'x' }] },
  });
  const blocks = raw.text.split('\n\n').filter(Boolean);
  const names = blocks.map((bl) => /^event: (\S+)/.exec(bl)?.[1]);
  assert.equal(names[0], 'message_start');
  assert.equal(names.at(-1), 'message_stop');
  for (const bl of blocks) assert.equal(JSON.parse(bl.split('\ndata: ')[1]).type, /^event: (\S+)/.exec(bl)[1]);
});

test('anthropic mock: tool round trip is validated like the real API', async () => {
  const m = trackMock(await startMockAnthropic());
  m.setBehavior({ text: 'done' });
  const c = anthropic(m);
  const history = [
    { role: 'user', content: 'weather?' },
    { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Paris' } }] },
  ];
  // Missing tool_result → 400.
  await assert.rejects(c.messages.create({ model: 'm', max_tokens: 10, messages: [...history, { role: 'user', content: 'and?' }] }), (e) => {
    assert.equal(e.status, 400);
    assert.equal(e.error.type, 'error');
    assert.equal(e.error.error.type, 'invalid_request_error');
    assert.match(e.error.error.message, /tool_use` ids were found without `tool_result`/);
    return true;
  });
  // Unknown top-level field → 400; missing max_tokens → 400.
  await assert.rejects(c.messages.create({ model: 'm', max_tokens: 10, messages: [{ role: 'user', content: 'x' }], stream_options: {} }), (e) => e.status === 400);
  const raw = await rawRequest(`${m.url}/v1/messages`, {
    method: 'POST',
    headers: { 'x-api-key': KEY, 'anthropic-version': '2023-06-01' },
    body: { model: 'm', messages: [{ role: 'user', content: 'x' }] },
  });
  assert.equal(raw.status, 400);
  // The right answer passes.
  const r = await c.messages.create({
    model: 'm',
    max_tokens: 10,
    messages: [...history, { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: '{"temp":21}' }] }],
  });
  assert.equal(r.content[0].text, 'done');
  // Missing anthropic-version → 400; missing key → 401.
  const nv = await rawRequest(`${m.url}/v1/messages`, { method: 'POST', headers: { 'x-api-key': KEY }, body: { model: 'm', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] } });
  assert.equal(nv.status, 400);
  const nk = await rawRequest(`${m.url}/v1/messages`, { method: 'POST', headers: { 'anthropic-version': '2023-06-01' }, body: {} });
  assert.equal(nk.status, 401);
  assert.equal(nk.json.error.type, 'authentication_error');
});

test('anthropic mock: error status and body', async () => {
  const m = trackMock(await startMockAnthropic());
  m.setBehavior({ status: 529 });
  await assert.rejects(anthropic(m).messages.create({ model: 'm', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] }), (e) => {
    assert.equal(e.status, 529);
    assert.equal(e.error.error.type, 'overloaded_error');
    return true;
  });
});

// ---------------------------------------------------------------------------
// Gemini

test('gemini mock: non-stream text, usage, path and key', async () => {
  const m = trackMock(await startMockGemini());
  m.apiKey = KEY;
  m.setBehavior({ text: 'hello gemini', usage: { input: 8, output: 2 } });
  const r = await genai(m).models.generateContent({ model: 'gemini-x', contents: 'hi' });
  assert.equal(r.text, 'hello gemini');
  assert.equal(r.candidates[0].finishReason, 'STOP');
  assert.equal(r.usageMetadata.promptTokenCount, 8);
  assert.equal(r.usageMetadata.candidatesTokenCount, 2);
  assert.equal(m.lastRequest.path, '/v1beta/models/gemini-x:generateContent');
  assert.equal(m.lastRequest.headers['x-goog-api-key'], KEY);
});

test('gemini mock: stream text and a whole function call; SSE framing', async () => {
  const m = trackMock(await startMockGemini());
  m.setBehavior({ text: 'one two three', usage: { input: 5, output: 3 } });
  let text = '';
  let last;
  for await (const ch of await genai(m).models.generateContentStream({ model: 'gemini-x', contents: 'hi' })) {
    text += ch.text ?? '';
    last = ch;
  }
  assert.equal(text, 'one two three');
  assert.equal(last.candidates[0].finishReason, 'STOP');
  assert.equal(last.usageMetadata.candidatesTokenCount, 3);
  assert.equal(m.lastRequest.path, '/v1beta/models/gemini-x:streamGenerateContent');
  assert.equal(m.lastRequest.searchParams.get('alt'), 'sse');

  m.setBehavior({ toolCalls: [{ name: 'get_weather', arguments: weatherArgs }] });
  const calls = [];
  for await (const ch of await genai(m).models.generateContentStream({ model: 'gemini-x', contents: 'hi' })) calls.push(...(ch.functionCalls ?? []));
  assert.deepEqual(calls, [{ name: 'get_weather', args: JSON.parse(weatherArgs) }]);

  const raw = await rawRequest(`${m.url}/v1beta/models/g:streamGenerateContent?alt=sse`, { method: 'POST', headers: { 'x-goog-api-key': KEY }, body: { contents: [{ role: 'user', parts: [{ text: 'x' }] }] } });
  assert.ok(raw.text.endsWith('\r\n\r\n'));
  assert.ok(!raw.text.includes('[DONE]') && !raw.text.includes('event:'));
  for (const d of sseData(raw.text)) JSON.parse(d);
});

test('gemini mock: function response count and names are validated; errors', async () => {
  const m = trackMock(await startMockGemini());
  m.setBehavior({ text: 'ok' });
  const ai = genai(m);
  const call = { role: 'model', parts: [{ functionCall: { name: 'get_weather', args: { city: 'Paris' } } }] };
  await assert.rejects(
    ai.models.generateContent({ model: 'g', contents: [{ role: 'user', parts: [{ text: 'x' }] }, call, { role: 'user', parts: [{ text: 'no answer' }] }] }),
    (e) => e.status === 400 && /number of function response parts/.test(e.message),
  );
  const r = await ai.models.generateContent({
    model: 'g',
    contents: [{ role: 'user', parts: [{ text: 'x' }] }, call, { role: 'user', parts: [{ functionResponse: { name: 'get_weather', response: { temp: 21 } } }] }],
  });
  assert.equal(r.text, 'ok');
  m.setBehavior({ status: 429 });
  await assert.rejects(ai.models.generateContent({ model: 'g', contents: 'x' }), (e) => {
    assert.equal(e.status, 429);
    assert.match(e.message, /RESOURCE_EXHAUSTED/);
    return true;
  });
  const bad = await rawRequest(`${m.url}/v1beta/models/g:generateContent`, { method: 'POST', headers: { 'x-goog-api-key': 'nope' }, body: { contents: [] } });
  m.apiKey = KEY;
  const bad2 = await rawRequest(`${m.url}/v1beta/models/g:generateContent`, { method: 'POST', headers: { 'x-goog-api-key': 'nope' }, body: { contents: [] } });
  assert.equal(bad.status, 400); // empty contents
  assert.equal(bad2.status, 400);
  assert.equal(bad2.json.error.details[0].reason, 'API_KEY_INVALID');
});

// ---------------------------------------------------------------------------
// Responses

test('responses mock: non-stream text and usage', async () => {
  const m = trackMock(await startMockResponses());
  m.apiKey = KEY;
  m.setBehavior({ text: 'resp text', usage: { input: 9, output: 4 } });
  const r = await openai(m).responses.create({ model: 'gpt-r', input: 'hi' });
  assert.equal(r.output_text, 'resp text');
  assert.equal(r.status, 'completed');
  assert.deepEqual(r.usage, responsesUsage({ input: 9, output: 4 }));
  assert.equal(m.lastRequest.headers.authorization, `Bearer ${KEY}`);
});

test('responses mock: stream reasoning + text + function call rebuilds in the SDK; sequence numbers', async () => {
  const m = trackMock(await startMockResponses());
  m.setBehavior({
    thinking: { text: 'thinking hard', signature: 'enc-xyz' },
    text: 'Let me look.',
    toolCalls: [{ id: 'call_w1', name: 'get_weather', arguments: weatherArgs }],
    usage: { input: 30, output: 12 },
  });
  const final = await openai(m).responses.stream({ model: 'gpt-r', input: 'hi' }).finalResponse();
  assert.deepEqual(final.output.map((o) => o.type), ['reasoning', 'message', 'function_call']);
  assert.equal(final.output[1].content[0].text, 'Let me look.');
  const fc = final.output[2];
  assert.equal(fc.call_id, 'call_w1');
  assert.equal(fc.name, 'get_weather');
  assert.deepEqual(JSON.parse(fc.arguments), JSON.parse(weatherArgs));
  assert.equal(final.usage.output_tokens, 12);

  const raw = await rawRequest(`${m.url}/v1/responses`, { method: 'POST', headers: { authorization: `Bearer ${KEY}` }, body: { model: 'x', input: 'hi', stream: true } });
  const evs = sseData(raw.text).map((d) => JSON.parse(d));
  evs.forEach((e, i) => assert.equal(e.sequence_number, i));
  assert.equal(evs[0].type, 'response.created');
  assert.equal(evs.at(-1).type, 'response.completed');
  assert.ok(!raw.text.includes('[DONE]'));
});

test('responses mock: function_call_output must match a call; nested tools rejected', async () => {
  const m = trackMock(await startMockResponses());
  m.setBehavior({ text: 'ok' });
  const c = openai(m);
  await assert.rejects(
    c.responses.create({ model: 'x', input: [{ role: 'user', content: 'x' }, { type: 'function_call_output', call_id: 'call_zz', output: '1' }] }),
    (e) => e.status === 400 && /No tool call found/.test(e.message),
  );
  await assert.rejects(
    c.responses.create({ model: 'x', input: 'x', tools: [{ type: 'function', function: { name: 'f', parameters: {} } }] }),
    (e) => e.status === 400,
  );
  const r = await c.responses.create({
    model: 'x',
    input: [
      { role: 'user', content: 'x' },
      { type: 'function_call', call_id: 'call_1', name: 'f', arguments: '{}' },
      { type: 'function_call_output', call_id: 'call_1', output: '{"a":1}' },
    ],
  });
  assert.equal(r.output_text, 'ok');
  m.setBehavior({ status: 500 });
  await assert.rejects(c.responses.create({ model: 'x', input: 'x' }), (e) => e.status === 500 && e.error.type === 'server_error');
});
