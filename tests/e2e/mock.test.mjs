// Self-check of the mock upstream: the official SDK talks to it directly (no
// gateway), so a gateway failure elsewhere cannot be blamed on a mock that
// speaks the wire format wrongly.

import { test, assert, mockUpstream, userMsg, OpenAI } from './lib/harness.mjs';
import { rawRequest, sseData } from './lib/gateway.mjs';
import { usageObject } from './lib/mock-openai.mjs';

const direct = (mock) => new OpenAI({ apiKey: 'sk-direct', baseURL: `${mock.url}/v1`, maxRetries: 0 });

test('mock: non-stream text and usage', async () => {
  const mock = await mockUpstream();
  mock.setBehavior({ text: 'hi there', usage: { prompt: 10, completion: 2, cached: 4 } });
  const r = await direct(mock).chat.completions.create({ model: 'm1', messages: userMsg('x') });
  assert.equal(r.model, 'm1');
  assert.equal(r.choices[0].message.content, 'hi there');
  assert.deepEqual(r.usage, usageObject({ prompt: 10, completion: 2, cached: 4 }));
  assert.equal(mock.lastRequest.headers.authorization, 'Bearer sk-direct');
  assert.equal(mock.connections, 1);
});

test('mock: stream framing, include_usage only when asked', async () => {
  const mock = await mockUpstream();
  mock.setBehavior({ text: 'a b c', usage: { prompt: 3, completion: 3, cached: 0 } });
  for (const includeUsage of [false, true]) {
    const body = { model: 'm', messages: userMsg('x'), stream: true };
    if (includeUsage) body.stream_options = { include_usage: true };
    const r = await rawRequest(`${mock.url}/v1/chat/completions`, { method: 'POST', body });
    const data = sseData(r.text);
    assert.equal(data.at(-1), '[DONE]');
    const chunks = data.slice(0, -1).map((d) => JSON.parse(d));
    assert.deepEqual(chunks[0].choices[0].delta, { role: 'assistant', content: '', refusal: null });
    assert.equal(chunks.filter((c) => c.choices.length === 0).length, includeUsage ? 1 : 0);
    if (includeUsage) {
      assert.ok(chunks.slice(0, -1).every((c) => c.usage === null));
      assert.deepEqual(chunks.at(-1).usage, usageObject({ prompt: 3, completion: 3, cached: 0 }));
    } else {
      assert.ok(chunks.every((c) => !('usage' in c)));
    }
  }
});

test('mock: streamed tool calls rebuild in the SDK', async () => {
  const mock = await mockUpstream();
  mock.setBehavior({
    toolCalls: [
      { id: 'call_1', name: 'f', arguments: '{"a":1,"b":"two"}' },
      { id: 'call_2', name: 'g', arguments: '{}' },
    ],
  });
  const final = await direct(mock).chat.completions.stream({ model: 'm', messages: userMsg('x') }).finalChatCompletion();
  const tc = final.choices[0].message.tool_calls;
  assert.deepEqual(
    tc.map((t) => [t.id, t.function.name, t.function.arguments]),
    [
      ['call_1', 'f', '{"a":1,"b":"two"}'],
      ['call_2', 'g', '{}'],
    ],
  );
  assert.equal(final.choices[0].finish_reason, 'tool_calls');
});

test('mock: error status and body', async () => {
  const mock = await mockUpstream();
  const body = { error: { message: 'boom', type: 'server_error', param: null, code: 'x' } };
  mock.setBehavior({ status: 503, body });
  await assert.rejects(direct(mock).chat.completions.create({ model: 'm', messages: userMsg('x') }), (e) => {
    assert.equal(e.status, 503);
    assert.deepEqual(e.error, body.error);
    return true;
  });
});
