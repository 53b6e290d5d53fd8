// AWS Bedrock channels beyond the translation matrix (which runs every client
// protocol against a SigV4-signed Bedrock channel): Bedrock API keys, the
// anthropic-beta header as an anthropic_beta array, a signature the service
// rejects, Bedrock's exceptions as HTTP statuses (whole answers and in-stream
// exception frames), and a corrupt event-stream frame.

import { before } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import { GoogleGenAI } from '@google/genai';
import { test, assert, trackMock, OpenAI } from './lib/harness.mjs';
import { Gateway, newKeySecret, rawRequest } from './lib/gateway.mjs';
import { startMockBedrock } from './lib/mock-bedrock.mjs';

const MODEL_ID = 'us.anthropic.claude-sonnet-4-5-20250929-v1:0';
const API_KEY = 'ABSKQmVkcm9ja0FQSUtleS' + newKeySecret().slice(3, 30);
const AWS = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', region: 'us-west-2' };
const key = newKeySecret();
let signed; // a mock checking SigV4
let keyed; // a mock checking a Bedrock API key
let wrong; // a mock that knows another secret
let gw;

before(async () => {
  signed = trackMock(await startMockBedrock());
  signed.credentials = AWS;
  keyed = trackMock(await startMockBedrock());
  keyed.apiKey = API_KEY;
  wrong = trackMock(await startMockBedrock());
  wrong.credentials = { ...AWS, secretAccessKey: 'another-secret-the-gateway-does-not-have' };
  const channel = (name, url, model, extra) => ({ name, type: 'bedrock', base_url: url, groups: ['claude-bedrock'], models: [model], model_map: { [model]: MODEL_ID }, ...extra });
  const sigv4 = { region: AWS.region, aws_access_key_id: AWS.accessKeyId, aws_secret_access_key: AWS.secretAccessKey };
  gw = await Gateway.start({
    label: 'bedrock',
    config: {
      channels: [
        channel('br-signed', signed.url, 'claude-sonnet-4-5', sigv4),
        channel('br-apikey', keyed.url, 'claude-apikey', { region: AWS.region, api_key: API_KEY }),
        channel('br-wrong', wrong.url, 'claude-wrong', sigv4),
        // Failover: a throttled first channel, then a second one.
        { ...channel('br-primary', signed.url, 'claude-failover', sigv4), priority: 10 },
        { ...channel('br-backup', signed.url, 'claude-failover', sigv4), model_map: { 'claude-failover': 'anthropic.claude-backup-v1:0' } },
      ],
      keys: [{ name: 'br', key, group: 'claude-bedrock' }],
    },
  });
});

const claude = () => new Anthropic({ apiKey: key, baseURL: gw.url, maxRetries: 0 });
const chat = () => new OpenAI({ apiKey: key, baseURL: `${gw.url}/v1`, maxRetries: 0 });
const gemini = () => new GoogleGenAI({ apiKey: key, httpOptions: { baseUrl: gw.url } });

test('Claude client with a beta header on a SigV4 channel: anthropic_beta array, encoded model id, signature verified', async () => {
  signed.enqueue({ text: 'Hi from Bedrock.' });
  const before = signed.signaturesChecked;
  const msg = await claude().messages.create(
    { model: 'claude-sonnet-4-5', max_tokens: 50, messages: [{ role: 'user', content: 'hello' }] },
    { headers: { 'anthropic-beta': 'interleaved-thinking-2025-05-14,context-1m-2025-08-07' } },
  );
  assert.equal(msg.content[0].text, 'Hi from Bedrock.');
  const rec = signed.lastRequest;
  assert.equal(rec.url, '/model/us.anthropic.claude-sonnet-4-5-20250929-v1%3A0/invoke');
  assert.equal(rec.modelId, MODEL_ID);
  assert.deepEqual(JSON.parse(rec.rawBody).anthropic_beta, ['interleaved-thinking-2025-05-14', 'context-1m-2025-08-07']);
  assert.equal(JSON.parse(rec.rawBody).anthropic_version, 'bedrock-2023-05-31');
  assert.ok(rec.canonicalRequest.includes('/model/us.anthropic.claude-sonnet-4-5-20250929-v1%253A0/invoke\n'), rec.canonicalRequest);
  assert.equal(signed.signaturesChecked, before + 1);
  assert.ok(!rec.headers['x-api-key'] && !rec.headers['anthropic-version'], 'no Anthropic API headers to Bedrock');
});

test('Bedrock API key as a bearer token; Gemini SDK streaming over it', async () => {
  keyed.enqueue({ text: 'Streamed over an API key.' });
  let text = '';
  for await (const c of await gemini().models.generateContentStream({ model: 'claude-apikey', contents: 'hi' })) text += c.text ?? '';
  assert.equal(text, 'Streamed over an API key.');
  assert.equal(keyed.lastRequest.headers.authorization, `Bearer ${API_KEY}`);
  assert.equal(keyed.lastRequest.streamed, true);
  assert.ok(!keyed.lastRequest.headers['x-amz-date'], 'no SigV4 with an API key');
});

test('a signature Bedrock rejects is a gateway credential problem (502), never the client\'s', async () => {
  const r = await rawRequest(`${gw.url}/v1/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${key}` }, body: { model: 'claude-wrong', messages: [{ role: 'user', content: 'x' }] } });
  assert.equal(r.status, 502, r.text);
  assert.ok(r.json.error.message.includes('br-wrong'), r.text);
  assert.ok(wrong.lastRequest.violations.some((v) => v.startsWith('signature mismatch')), 'the mock saw a bad signature');
  assert.ok(!r.text.includes(AWS.secretAccessKey));
});

test('Bedrock exceptions in whole answers map to HTTP statuses for every client', async () => {
  const cases = [
    ['ThrottlingException', 429, 429],
    ['ValidationException', 400, 400],
    ['AccessDeniedException', 403, 502],
    ['ModelNotReadyException', 429, 503],
    ['ServiceUnavailableException', 503, 503],
    ['InternalServerException', 500, 500],
  ];
  for (const [exception, upstreamStatus, want] of cases) {
    signed.enqueue({ exception, status: upstreamStatus, message: `mock ${exception}` }, { exception, status: upstreamStatus, message: `mock ${exception}` });
    const c = await rawRequest(`${gw.url}/v1/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${key}` }, body: { model: 'claude-sonnet-4-5', messages: [{ role: 'user', content: 'x' }] } });
    assert.equal(c.status, want, `${exception} for a Chat client: ${c.text}`);
    assert.ok(c.json.error.message.includes(exception), c.text);
    const m = await rawRequest(`${gw.url}/v1/messages`, { method: 'POST', headers: { 'x-api-key': key, 'anthropic-version': '2023-06-01' }, body: { model: 'claude-sonnet-4-5', max_tokens: 10, messages: [{ role: 'user', content: 'x' }] } });
    assert.equal(m.status, want, `${exception} for a Claude client: ${m.text}`);
    assert.equal(m.json.type, 'error', m.text);
    if (want === 429) assert.equal(m.json.error.type, 'rate_limit_error');
  }
});

test('an exception frame mid-stream ends the stream with an error in the client protocol', async () => {
  signed.enqueue({ text: 'This will be cut short by the exception.', streamException: 'modelStreamErrorException', afterEvents: 3 });
  const t0 = Date.now();
  await assert.rejects(
    claude().messages.stream({ model: 'claude-sonnet-4-5', max_tokens: 50, messages: [{ role: 'user', content: 'x' }] }).finalMessage(),
    (e) => /modelStreamErrorException/.test(String(e?.message ?? e)),
  );
  signed.enqueue({ text: 'This will be cut short by throttling.', streamException: 'throttlingException', afterEvents: 2 });
  await assert.rejects(chat().chat.completions.stream({ model: 'claude-sonnet-4-5', messages: [{ role: 'user', content: 'x' }] }).finalChatCompletion(), (e) => /throttlingException/.test(String(e?.message ?? e)));
  const rows = await gw.waitForLogs((rows) => rows.filter((r) => r.ts_ms >= t0).length >= 2);
  const recent = rows.filter((r) => r.ts_ms >= t0);
  assert.ok(recent.some((r) => /modelStreamErrorException/.test(r.error)), JSON.stringify(recent));
  assert.ok(recent.some((r) => /throttlingException/.test(r.error)), JSON.stringify(recent));
});

test('a frame with a bad CRC is rejected with a clear error', async () => {
  signed.enqueue({ text: 'one two three four five', corruptAfter: 2 });
  const r = await rawRequest(`${gw.url}/v1/messages`, { method: 'POST', headers: { 'x-api-key': key, 'anthropic-version': '2023-06-01' }, body: { model: 'claude-sonnet-4-5', max_tokens: 10, stream: true, messages: [{ role: 'user', content: 'x' }] } });
  assert.equal(r.status, 200);
  assert.match(r.text, /event: error\ndata: .*CRC mismatch/, r.text);
  assert.ok(!r.text.includes('event: message_stop'), 'nothing after the corrupt frame');
  signed.enqueue({ text: 'one two three four five', corruptAfter: 1 });
  await assert.rejects(chat().chat.completions.stream({ model: 'claude-sonnet-4-5', messages: [{ role: 'user', content: 'x' }] }).finalChatCompletion(), (e) => /CRC mismatch/.test(String(e?.message ?? e)));
});

test('usage from Bedrock is billed (stream and non-stream)', async () => {
  signed.enqueue({ text: 'counted', usage: { input: 321, output: 45 } }, { text: 'counted', usage: { input: 123, output: 54 } });
  const t0 = Date.now();
  await claude().messages.create({ model: 'claude-sonnet-4-5', max_tokens: 10, messages: [{ role: 'user', content: 'x' }] });
  await claude().messages.stream({ model: 'claude-sonnet-4-5', max_tokens: 10, messages: [{ role: 'user', content: 'x' }] }).finalMessage();
  const rows = (await gw.waitForLogs((rows) => rows.filter((r) => r.ts_ms >= t0).length >= 2)).filter((r) => r.ts_ms >= t0);
  const got = rows.map((r) => [r.stream, r.input_tokens, r.output_tokens, r.channel]).sort();
  assert.deepEqual(got, [[false, 321, 45, 'br-signed'], [true, 123, 54, 'br-signed']]);
});

test('an exception as the first frame of a stream is answered with its HTTP status', async () => {
  for (const [exception, want] of [['throttlingException', 429], ['serviceUnavailableException', 503], ['accessDeniedException', 502]]) {
    signed.enqueue({ text: 'never sent', streamException: exception, afterEvents: 0 }, { text: 'never sent', streamException: exception, afterEvents: 0 });
    const c = await rawRequest(`${gw.url}/v1/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${key}` }, body: { model: 'claude-sonnet-4-5', stream: true, messages: [{ role: 'user', content: 'x' }] } });
    assert.equal(c.status, want, `${exception}, Chat client: ${c.text}`);
    assert.ok(c.json.error.message.includes(exception), c.text);
    const m = await rawRequest(`${gw.url}/v1/messages`, { method: 'POST', headers: { 'x-api-key': key, 'anthropic-version': '2023-06-01' }, body: { model: 'claude-sonnet-4-5', max_tokens: 10, stream: true, messages: [{ role: 'user', content: 'x' }] } });
    assert.equal(m.status, want, `${exception}, Claude client: ${m.text}`);
    assert.equal(m.json.type, 'error', m.text);
  }
  // The SDK sees a rate-limit error it can retry on.
  signed.enqueue({ text: 'never sent', streamException: 'throttlingException', afterEvents: 0 });
  await assert.rejects(claude().messages.stream({ model: 'claude-sonnet-4-5', max_tokens: 10, messages: [{ role: 'user', content: 'x' }] }).finalMessage(), (e) => e.status === 429);
});

test('a throttled Bedrock channel (whole answer or first frame) fails over to the next one', async () => {
  for (const refusal of [{ exception: 'ThrottlingException', status: 429 }, { text: 'x', streamException: 'throttlingException', afterEvents: 0 }]) {
    signed.setBehavior({ text: 'from the backup' });
    signed.enqueue(refusal);
    const t0 = Date.now();
    const msg = await claude().messages.stream({ model: 'claude-failover', max_tokens: 20, messages: [{ role: 'user', content: 'x' }] }).finalMessage();
    assert.equal(msg.content[0].text, 'from the backup');
    const ids = signed.invokeRequests.slice(-2).map((r) => r.modelId);
    assert.deepEqual(ids, [MODEL_ID, 'anthropic.claude-backup-v1:0']);
    const rows = await gw.waitForLogs((rows) => rows.some((r) => r.ts_ms >= t0 && r.status === 200));
    assert.equal(rows.find((r) => r.ts_ms >= t0 && r.status === 200).channel, 'br-backup');
  }
  signed.setBehavior({ text: 'Hello from the mock bedrock upstream.' });
});
