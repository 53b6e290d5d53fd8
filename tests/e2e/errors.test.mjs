// Error answers: unknown model, bad bodies, body size limit, common base-URL
// mistakes, endpoint not allowed for the group, channel type that cannot serve
// chat, upstream down, upstream error statuses passed through (or turned into
// 502 for the gateway's own credential problems).

import { before } from 'node:test';
import { test, client, assert, mockUpstream, userMsg, expectApiError, assertOpenAIError, OpenAI } from './lib/harness.mjs';
import { Gateway, newKeySecret, rawRequest, freePort } from './lib/gateway.mjs';

const MAIN_KEY = 'upstream-secret-main-' + newKeySecret().slice(3, 15);
const DEAD_KEY = 'dead-secret-' + newKeySecret().slice(3, 20);
const FLAKY_KEY = 'flaky-secret-' + newKeySecret().slice(3, 20);
const MAX_BODY = 65536;

const keys = { alice: newKeySecret(), msguser: newKeySecret(), gemuser: newKeySecret() };

let mock; // healthy upstream
let flaky; // upstream scripted to fail
let gw;

before(async () => {
  mock = await mockUpstream();
  mock.setBehavior({ text: 'fine' });
  flaky = await mockUpstream();
  const deadPort = await freePort(); // nothing listens there
  gw = await Gateway.start({
    label: 'errors',
    config: {
      server: { max_body_bytes: MAX_BODY },
      groups: [
        { name: 'msgonly', endpoints: ['messages'], ratio: 1.0 },
        // Updates a default group: chat is no longer allowed there.
        { name: 'gemini', endpoints: ['gemini'], ratio: 1.0 },
      ],
      channels: [
        { name: 'main-chan', type: 'openai', base_url: mock.url, api_key: MAIN_KEY, groups: ['openai'], models: ['gpt-4.1'] },
        { name: 'dead-chan', type: 'openai', base_url: `http://127.0.0.1:${deadPort}`, api_key: DEAD_KEY, groups: ['openai'], models: ['dead-model'] },
        { name: 'flaky-chan', type: 'openai', base_url: flaky.url, api_key: FLAKY_KEY, groups: ['openai'], models: ['flaky-model'] },
        { name: 'codex-chan', type: 'openai', base_url: mock.url, api_key: MAIN_KEY, groups: ['codex'], models: ['codex-only-model'] },
        { name: 'msg-chan', type: 'openai', base_url: mock.url, api_key: MAIN_KEY, groups: ['msgonly', 'gemini'], models: ['gpt-4.1'] },
      ],
      keys: [
        { name: 'alice', key: keys.alice, group: 'openai' },
        { name: 'msguser', key: keys.msguser, group: 'msgonly' },
        { name: 'gemuser', key: keys.gemuser, group: 'gemini' },
      ],
    },
  });
});

const url = () => `${gw.url}/v1/chat/completions`;
const auth = { authorization: `Bearer ${keys.alice}` };
const okBody = { model: 'gpt-4.1', messages: userMsg('hi') };
const secrets = [MAIN_KEY, DEAD_KEY, FLAKY_KEY, keys.alice];

function assertNoSecrets(text, context) {
  for (const s of secrets) assert.ok(!text.includes(s), `${context}: response leaks a secret`);
}

test('unknown model: 404 model_not_found naming the model and the group', async () => {
  const before = mock.chatRequests.length;
  const err = await expectApiError(client(gw, keys.alice).chat.completions.create({ model: 'gpt-nope-9', messages: userMsg('x') }), 404);
  assertOpenAIError({ error: err.error }, { code: 'model_not_found', messageIncludes: ['gpt-nope-9', 'openai'] });
  // A model that exists, but only in another group.
  const err2 = await expectApiError(client(gw, keys.alice).chat.completions.create({ model: 'codex-only-model', messages: userMsg('x') }), 404);
  assertOpenAIError({ error: err2.error }, { code: 'model_not_found', messageIncludes: ['codex-only-model', 'openai'] });
  // Streaming requests get the same answer.
  await expectApiError(client(gw, keys.alice).chat.completions.stream({ model: 'gpt-nope-9', messages: userMsg('x') }).finalChatCompletion(), 404);
  assert.equal(mock.chatRequests.length, before);
});

test('malformed JSON body: 400 invalid_request_error', async () => {
  const before = mock.chatRequests.length;
  for (const bad of ['{"model": "gpt-4.1", "messages": [', 'not json at all', '', '[1,2,3]']) {
    const r = await rawRequest(url(), { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: bad });
    assert.equal(r.status, 400, `body ${JSON.stringify(bad)}: ${r.text}`);
    assertOpenAIError(r.json, { type: 'invalid_request_error' }, `body ${JSON.stringify(bad)}`);
  }
  assert.equal(mock.chatRequests.length, before);
});

test('missing model: 400 invalid_request_error', async () => {
  const before = mock.chatRequests.length;
  for (const b of [{ messages: userMsg('x') }, { model: '', messages: userMsg('x') }, { model: 42, messages: userMsg('x') }]) {
    const r = await rawRequest(url(), { method: 'POST', headers: auth, body: b });
    assert.equal(r.status, 400, `${JSON.stringify(b)}: ${r.text}`);
    assertOpenAIError(r.json, { type: 'invalid_request_error' }, JSON.stringify(b));
  }
  assert.equal(mock.chatRequests.length, before);
});

const bigBody = () => JSON.stringify({ model: 'gpt-4.1', messages: userMsg('x'.repeat(MAX_BODY * 3)) });

test('body over max_body_bytes (Content-Length): 413, not sent upstream', async () => {
  const before = mock.chatRequests.length;
  const r = await rawRequest(url(), { method: 'POST', headers: auth, body: bigBody() });
  assert.equal(r.status, 413, r.text);
  assertOpenAIError(r.json, {}, '413 with content-length');
  assert.equal(mock.chatRequests.length, before, 'an oversize body must not reach the upstream');
});

test('body over max_body_bytes (chunked, no Content-Length): 413, not sent upstream', async () => {
  const before = mock.chatRequests.length;
  const r = await rawRequest(url(), { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: bigBody(), chunked: true });
  assert.equal(r.status, 413, r.text);
  assertOpenAIError(r.json, {}, '413 chunked');
  assert.equal(mock.chatRequests.length, before, 'an oversize body must not reach the upstream');
});

test('body just under max_body_bytes passes intact', async () => {
  const small = JSON.stringify({ model: 'gpt-4.1', messages: userMsg('y'.repeat(MAX_BODY - 200)) });
  assert.ok(Buffer.byteLength(small) < MAX_BODY);
  const r = await rawRequest(url(), { method: 'POST', headers: auth, body: small });
  assert.equal(r.status, 200, r.text);
  assert.equal(mock.lastRequest.body.messages[0].content.length, MAX_BODY - 200, 'body forwarded intact');
});

test('base URL with an extra /v1: 404 that says so', async () => {
  const err = await expectApiError(
    new OpenAI({ apiKey: keys.alice, baseURL: `${gw.url}/v1/v1`, maxRetries: 0 }).chat.completions.create(okBody),
    404,
  );
  assert.ok(err.message.includes('extra /v1'), `message should mention "extra /v1": ${err.message}`);
  const r = await rawRequest(`${gw.url}/v1/v1/chat/completions`, { method: 'POST', headers: auth, body: okBody });
  assert.equal(r.status, 404);
  assertOpenAIError(r.json, { messageIncludes: ['extra /v1'] });
});

test('base URL set to the full endpoint: 404 that says so', async () => {
  const err = await expectApiError(
    new OpenAI({ apiKey: keys.alice, baseURL: `${gw.url}/v1/chat/completions`, maxRetries: 0 }).chat.completions.create(okBody),
    404,
  );
  assert.ok(err.message.includes('full endpoint'), `message should mention "full endpoint": ${err.message}`);
  const r = await rawRequest(`${gw.url}/v1/chat/completions/chat/completions`, { method: 'POST', headers: auth, body: okBody });
  assert.equal(r.status, 404);
  assertOpenAIError(r.json, { messageIncludes: ['full endpoint'] });
});

test('group whose endpoints exclude chat: 403', async () => {
  const before = mock.chatRequests.length;
  const err = await expectApiError(client(gw, keys.msguser).chat.completions.create(okBody), 403);
  assertOpenAIError({ error: err.error }, {});
  // The same for a default group whose endpoints were changed by a [[groups]] entry.
  const err2 = await expectApiError(client(gw, keys.gemuser).chat.completions.create(okBody), 403);
  assertOpenAIError({ error: err2.error }, {});
  assert.equal(mock.chatRequests.length, before);
});

test('upstream unreachable: 502 naming the channel, no api_key leaked (stream and non-stream)', async () => {
  const r = await rawRequest(url(), { method: 'POST', headers: auth, body: { model: 'dead-model', messages: userMsg('x') } });
  assert.equal(r.status, 502, r.text);
  assertOpenAIError(r.json, { messageIncludes: ['dead-chan'] });
  assertNoSecrets(r.text, 'upstream down');
  assertNoSecrets(JSON.stringify(r.headers), 'upstream down (headers)');

  const err = await expectApiError(client(gw, keys.alice).chat.completions.create({ model: 'dead-model', messages: userMsg('x') }), 502);
  assert.ok(err.message.includes('dead-chan'));

  const rs = await rawRequest(url(), { method: 'POST', headers: auth, body: { model: 'dead-model', messages: userMsg('x'), stream: true } });
  assert.equal(rs.status, 502, rs.text);
  assertNoSecrets(rs.text, 'upstream down (stream)');
  // The gateway itself is fine afterwards.
  assert.equal((await client(gw, keys.alice).chat.completions.create(okBody)).choices[0].message.content, 'fine');
});

test('upstream 500 with an OpenAI error body: status and body passed through', async () => {
  const upstreamError = {
    error: { message: 'The server had an error while processing your request. Sorry about that!', type: 'server_error', param: null, code: 'mock_internal' },
  };
  flaky.setBehavior({ status: 500, body: upstreamError });
  const err = await expectApiError(client(gw, keys.alice).chat.completions.create({ model: 'flaky-model', messages: userMsg('x') }), 500);
  assert.ok(err instanceof OpenAI.InternalServerError);
  assert.deepEqual(err.error, upstreamError.error);
  assert.equal(flaky.lastRequest.headers.authorization, `Bearer ${FLAKY_KEY}`);
});

test('upstream 429: status and body passed through (non-stream and stream)', async () => {
  const upstreamError = {
    error: {
      message: 'Rate limit reached for gpt-4.1 in organization org-mock on tokens per min (TPM): Limit 30000, Used 30000.',
      type: 'tokens',
      param: null,
      code: 'rate_limit_exceeded',
    },
  };
  flaky.setBehavior({ status: 429, body: upstreamError, headers: { 'retry-after': '1' } });
  const c = client(gw, keys.alice);
  const err = await expectApiError(c.chat.completions.create({ model: 'flaky-model', messages: userMsg('x') }), 429);
  assert.ok(err instanceof OpenAI.RateLimitError);
  assert.deepEqual(err.error, upstreamError.error);

  const err2 = await expectApiError(c.chat.completions.stream({ model: 'flaky-model', messages: userMsg('x') }).finalChatCompletion(), 429);
  assert.deepEqual(err2.error, upstreamError.error);
});

test('upstream 401/403 (the channel credential is bad): 502 naming the channel, no secrets', async () => {
  for (const status of [401, 403]) {
    flaky.setBehavior({
      status,
      body: { error: { message: `Incorrect API key provided: ${FLAKY_KEY.slice(0, 8)}****`, type: 'invalid_request_error', param: null, code: 'invalid_api_key' } },
    });
    const r = await rawRequest(url(), { method: 'POST', headers: auth, body: { model: 'flaky-model', messages: userMsg('x') } });
    assert.equal(r.status, 502, `upstream ${status} must become 502: ${r.text}`);
    assertOpenAIError(r.json, { messageIncludes: ['flaky-chan'] }, `upstream ${status}`);
    assertNoSecrets(r.text, `upstream ${status}`);
  }
  flaky.setBehavior({ text: 'recovered' });
});
