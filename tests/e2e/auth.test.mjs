// Key authentication and the key/channel CLI: missing, unknown, expired, revoked
// and out-of-quota keys; keys created, restricted and revoked with the CLI while
// the server runs; the CLI never prints secrets.

import { before } from 'node:test';
import { test, client, assert, mockUpstream, userMsg, expectApiError, assertOpenAIError } from './lib/harness.mjs';
import { Gateway, newKeySecret, rawRequest, pollUntil, parseJsonList } from './lib/gateway.mjs';

const UPSTREAM_KEY = 'upstream-secret-auth-' + newKeySecret().slice(3, 15);
const keys = {
  alice: newKeySecret(),
  expired: newKeySecret(),
  broke: newKeySecret(),
  limited: newKeySecret(),
};

let mock;
let gw;

before(async () => {
  mock = await mockUpstream();
  mock.setBehavior({ text: 'authorized' });
  gw = await Gateway.start({
    label: 'auth',
    config: {
      channels: [
        {
          name: 'auth-chan',
          type: 'openai',
          base_url: mock.url,
          api_key: UPSTREAM_KEY,
          groups: ['openai'],
          models: ['gpt-4.1', 'gpt-4.1-mini'],
        },
      ],
      keys: [
        { name: 'alice', key: keys.alice, group: 'openai', expires: '2099-01-01T00:00:00Z' },
        { name: 'expired', key: keys.expired, group: 'openai', expires: '2020-01-01T00:00:00Z' },
        { name: 'broke', key: keys.broke, group: 'openai', quota: 0.0 },
        { name: 'limited', key: keys.limited, group: 'openai', models: ['gpt-4.1'] },
      ],
    },
  });
});

const body = { model: 'gpt-4.1', messages: userMsg('hello') };
const chat = (apiKey, model = 'gpt-4.1') => client(gw, apiKey).chat.completions.create({ model, messages: userMsg('hello') });

/** Returns the HTTP status of a chat request with `apiKey`. */
async function statusFor(apiKey, model = 'gpt-4.1') {
  const r = await rawRequest(`${gw.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${apiKey}` },
    body: { ...body, model },
  });
  return r.status;
}

test('a valid key works', async () => {
  const r = await chat(keys.alice);
  assert.equal(r.choices[0].message.content, 'authorized');
});

test('no key: 401 invalid_api_key, upstream not called', async () => {
  const before = mock.chatRequests.length;
  for (const headers of [{}, { authorization: 'Bearer' }, { authorization: 'Bearer ' }, { authorization: 'Basic Zm9vOmJhcg==' }]) {
    const r = await rawRequest(`${gw.url}/v1/chat/completions`, { method: 'POST', headers, body });
    assert.equal(r.status, 401, `headers ${JSON.stringify(headers)}: ${r.text}`);
    assertOpenAIError(r.json, { code: 'invalid_api_key' }, JSON.stringify(headers));
  }
  assert.equal(mock.chatRequests.length, before);
});

test('unknown key: 401 invalid_api_key (SDK AuthenticationError)', async () => {
  const before = mock.chatRequests.length;
  const err = await expectApiError(chat(newKeySecret()), 401);
  assert.equal(err.code, 'invalid_api_key');
  assertOpenAIError({ error: err.error }, { code: 'invalid_api_key' });
  // A well-formed-looking but wrong key via the other auth styles.
  for (const headers of [{ 'x-api-key': newKeySecret() }, { 'x-goog-api-key': 'sk-nope' }]) {
    const r = await rawRequest(`${gw.url}/v1/chat/completions`, { method: 'POST', headers, body });
    assert.equal(r.status, 401, JSON.stringify(headers));
  }
  const r = await rawRequest(`${gw.url}/v1/chat/completions?key=${newKeySecret()}`, { method: 'POST', body });
  assert.equal(r.status, 401, '?key=');
  assert.equal(mock.chatRequests.length, before);
});

test('expired key: 401 invalid_api_key', async () => {
  const before = mock.chatRequests.length;
  const err = await expectApiError(chat(keys.expired), 401);
  assert.equal(err.code, 'invalid_api_key');
  assert.equal(mock.chatRequests.length, before);
});

test('key with quota 0: 429 insufficient_quota', async () => {
  const before = mock.chatRequests.length;
  const err = await expectApiError(chat(keys.broke), 429);
  assertOpenAIError({ error: err.error }, { code: 'insufficient_quota' });
  assert.equal(mock.chatRequests.length, before);
});

test('model outside the key allow list: 404 model_not_found naming model and group', async () => {
  assert.equal((await chat(keys.limited, 'gpt-4.1')).choices[0].message.content, 'authorized');
  const before = mock.chatRequests.length;
  const err = await expectApiError(chat(keys.limited, 'gpt-4.1-mini'), 404);
  assertOpenAIError({ error: err.error }, { code: 'model_not_found', messageIncludes: ['gpt-4.1-mini', 'openai'] });
  assert.equal(mock.chatRequests.length, before);
});

test('key create / revoke with the CLI take effect while the server runs', async () => {
  const secret = await gw.createKey({ name: 'bob', group: 'openai' });
  assert.match(secret, /^sk-[A-Za-z0-9_-]{48}$/);
  await pollUntil(async () => (await statusFor(secret)) === 200, { timeoutMs: 5000, what: 'a CLI-created key to be accepted' });
  assert.equal((await chat(secret)).choices[0].message.content, 'authorized');

  const list = await gw.keyList();
  const bob = list.find((k) => k.name === 'bob');
  assert.ok(bob, `bob missing from key list: ${JSON.stringify(list)}`);
  assert.equal(bob.group, 'openai');

  await gw.cli(['key', 'revoke', 'bob']);
  await pollUntil(async () => (await statusFor(secret)) === 401, { timeoutMs: 5000, what: 'a revoked key to be refused with 401' });
  const err = await expectApiError(chat(secret), 401);
  assert.equal(err.code, 'invalid_api_key');
  // Other keys are unaffected.
  assert.equal((await chat(keys.alice)).choices[0].message.content, 'authorized');
});

test('CLI-created keys: expired (--expires in the past), --quota 0 and --models are enforced', async () => {
  const past = await gw.createKey({ name: 'cli-expired', group: 'openai', expires: '2021-06-01T00:00:00Z' });
  const broke = await gw.createKey({ name: 'cli-broke', group: 'openai', quota: 0 });
  const only = await gw.createKey({ name: 'cli-only', group: 'openai', models: ['gpt-4.1-mini'] });
  const fresh = await gw.createKey({ name: 'cli-fresh', group: 'openai', expires: '2099-12-31T23:59:59Z' });
  // Wait until the server has loaded the new keys (the last one created must work)...
  await pollUntil(async () => (await statusFor(fresh)) === 200, { timeoutMs: 5000, what: 'CLI-created keys to be loaded' });
  await pollUntil(async () => (await statusFor(only, 'gpt-4.1-mini')) === 200, { timeoutMs: 5000, what: 'cli-only key to be loaded' });
  // ...then the others must be refused for their own reason.
  assert.equal(await statusFor(past), 401, 'expired CLI key');
  assert.equal(await statusFor(broke), 429, 'quota 0 CLI key');
  const err = await expectApiError(chat(only, 'gpt-4.1'), 404);
  assertOpenAIError({ error: err.error }, { code: 'model_not_found', messageIncludes: ['gpt-4.1', 'openai'] });
});

test('key list --json shows keys without their secrets; channel list --json never shows api_key', async () => {
  const r = await gw.cli(['key', 'list', '--json']);
  const list = parseJsonList(r.stdout, 'key list --json');
  assert.ok(Array.isArray(list));
  for (const name of ['alice', 'expired', 'broke', 'limited']) {
    assert.ok(list.some((k) => k.name === name), `${name} missing from key list`);
  }
  for (const secret of Object.values(keys)) {
    assert.ok(!r.stdout.includes(secret), 'key list must not print full key secrets');
  }
  const plain = await gw.cli(['key', 'list']);
  for (const secret of Object.values(keys)) assert.ok(!plain.stdout.includes(secret), 'key list (text) must not print secrets');

  const ch = await gw.cli(['channel', 'list', '--json']);
  const channels = parseJsonList(ch.stdout, 'channel list --json');
  assert.ok(Array.isArray(channels));
  assert.ok(channels.some((c) => c.name === 'auth-chan'), `auth-chan missing: ${ch.stdout}`);
  assert.ok(!ch.stdout.includes(UPSTREAM_KEY), 'channel list --json must not print api_key');
  const chText = await gw.cli(['channel', 'list']);
  assert.ok(chText.stdout.includes('auth-chan'));
  assert.ok(!chText.stdout.includes(UPSTREAM_KEY), 'channel list must not print api_key');
});

test('GET /v1/models requires a valid key', async () => {
  const r = await rawRequest(`${gw.url}/v1/models`);
  assert.equal(r.status, 401, r.text);
  assertOpenAIError(r.json, { code: 'invalid_api_key' });
  await expectApiError(client(gw, newKeySecret()).models.list(), 401);
  await expectApiError(client(gw, keys.expired).models.list(), 401);
});
