// Hardening at the edge (issue 14): what a hostile or broken client can make
// the gateway spend, echo or store. Each test names the finding it proves.
//
//  1. top-level JSON members are capped and checked for duplicates in
//     O(n log n): a 1 MB body of members is refused at once
//  2. client-chosen strings (model names) are bounded in the usage row and
//     the error text, and never become a metric label
//  3. a missing or unknown key (or admin token) is refused after the head,
//     before a byte of the body is read
//  4. a header deadline and a connection cap, with a log line when the cap
//     is hit
//  5. Transfer-Encoding not ending in chunked, or with Content-Length: 400
//     and the connection closed (no request smuggled behind it)
//  6. invalid UTF-8 (and lone surrogate escapes) are a 400 in the caller's
//     protocol, never a 500
//  7. image URLs never come from the client's Host header
//  8. data files are the owner's alone (0600, directories 0700)

import { before } from 'node:test';
import fs from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { test, assert, mockUpstream, trackMock } from './lib/harness.mjs';
import { Gateway, newKeySecret, rawRequest, makeTempDir, sleep } from './lib/gateway.mjs';
import { ADMIN_TOKEN, adminApi, parsePrometheus } from './lib/admin.mjs';
import { startMockImages, PNG_1PX } from './lib/mock-images.mjs';
import { startMockAnthropic } from './lib/mock-anthropic.mjs';
import { startMockResponses } from './lib/mock-responses.mjs';
import { startMockGemini } from './lib/mock-gemini.mjs';

const keys = { alice: newKeySecret(), artist: newKeySecret() };
const UPSTREAM_KEY = 'sk-upstream-hardening-' + newKeySecret().slice(3, 15);

let mock;
let images;
let same; // upstreams of the other protocols: bodies go to them unparsed
let gw;

before(async () => {
  mock = await mockUpstream();
  mock.setBehavior({ text: 'fine' });
  images = trackMock(await startMockImages());
  images.apiKey = UPSTREAM_KEY;
  same = {
    anthropic: trackMock(await startMockAnthropic()),
    responses: trackMock(await startMockResponses()),
    gemini: trackMock(await startMockGemini()),
  };
  for (const m of Object.values(same)) m.apiKey = UPSTREAM_KEY;
  const channels = [
    { name: 'oa', type: 'openai', base_url: mock.url, api_key: UPSTREAM_KEY, groups: ['openai'], models: ['gpt-4.1'] },
    { name: 'pics', type: 'openai', base_url: `${images.url}/v1`, api_key: UPSTREAM_KEY, groups: ['art'], models: ['dall-e-3'] },
    { name: 'an', type: 'anthropic', base_url: same.anthropic.url, api_key: UPSTREAM_KEY, groups: ['openai'], models: ['claude-x'] },
    { name: 're', type: 'openai-responses', base_url: same.responses.url, api_key: UPSTREAM_KEY, groups: ['openai'], models: ['resp-x'] },
    { name: 'ge', type: 'gemini', base_url: same.gemini.url, api_key: UPSTREAM_KEY, groups: ['openai'], models: ['gemini-x'] },
  ];
  gw = await Gateway.start({
    label: 'hardening',
    config: {
      server: { admin_token: ADMIN_TOKEN },
      groups: [
        { name: 'openai', endpoints: ['chat', 'responses', 'messages', 'gemini'] },
        { name: 'art', endpoints: ['images'] },
      ],
      channels,
      keys: [
        { name: 'alice', key: keys.alice, group: 'openai' },
        { name: 'artist', key: keys.artist, group: 'art' },
      ],
    },
  });
});

// ---------------------------------------------------------------------------
// Raw connections: what the gateway answers on one socket, and whether it
// closed it.

/**
 * Connects, writes `chunks` (strings or Buffers; a number waits that many ms),
 * and collects what comes back until the server closes or `timeoutMs`.
 * Resolves {text, how: 'end'|'error'|'timeout', ms}.
 */
function exchange(port, chunks, { timeoutMs = 5000 } = {}) {
  return new Promise((resolve) => {
    const t0 = Date.now();
    const sock = net.connect(port, '127.0.0.1');
    let buf = Buffer.alloc(0);
    let finished = false;
    const done = (how) => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      sock.destroy();
      resolve({ text: buf.toString('latin1'), how, ms: Date.now() - t0 });
    };
    const timer = setTimeout(() => done('timeout'), timeoutMs);
    sock.on('data', (d) => (buf = Buffer.concat([buf, d])));
    sock.on('end', () => done('end'));
    sock.on('close', () => done('end'));
    sock.on('error', () => done('error'));
    sock.on('connect', async () => {
      for (const c of chunks) {
        if (typeof c === 'number') await sleep(c);
        else if (!sock.destroyed) sock.write(c);
      }
    });
  });
}

/** The responses in a raw byte stream: [{status, headers, body}] (Content-Length framed). */
function parseResponses(text) {
  const out = [];
  let rest = text;
  while (rest.startsWith('HTTP/1.1 ')) {
    const end = rest.indexOf('\r\n\r\n');
    if (end < 0) break;
    const lines = rest.slice(0, end).split('\r\n');
    const status = Number(lines[0].split(' ')[1]);
    const headers = {};
    for (const l of lines.slice(1)) {
      const i = l.indexOf(':');
      headers[l.slice(0, i).toLowerCase()] = l.slice(i + 1).trim();
    }
    const len = Number(headers['content-length'] ?? 0);
    const body = rest.slice(end + 4, end + 4 + len);
    let json;
    try {
      json = JSON.parse(body);
    } catch {}
    out.push({ status, headers, body, json });
    rest = rest.slice(end + 4 + len);
  }
  return out;
}

const head = (lines) => lines.join('\r\n') + '\r\n\r\n';

// ---------------------------------------------------------------------------
// Finding 1

function manyMembers(prefix, bytes) {
  const parts = [prefix];
  let size = prefix.length;
  for (let i = 0; size < bytes; i++) {
    const m = `,"k${i}":0`;
    parts.push(m);
    size += m.length;
  }
  parts.push('}');
  return parts.join('');
}

test('1: a 1 MB body of top-level members is refused with a 400 at once, in the caller\'s protocol', async () => {
  const before = mock.chatRequests.length;
  const chat = manyMembers('{"model":"gpt-4.1","messages":[{"role":"user","content":"hi"}]', 1 << 20);
  let t0 = Date.now();
  const r = await rawRequest(`${gw.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${keys.alice}`, 'content-type': 'application/json' },
    body: chat,
    timeoutMs: 30_000,
  });
  const chatMs = Date.now() - t0;
  assert.equal(r.status, 400, r.text.slice(0, 300));
  assert.match(r.json.error.message, /more than 256 top-level members/);
  // Generous: the quadratic duplicate check took seconds for this body.
  assert.ok(chatMs < 2500, `answered after ${chatMs} ms`);

  const messages = manyMembers('{"model":"gpt-4.1","max_tokens":5,"messages":[{"role":"user","content":"hi"}]', 1 << 20);
  t0 = Date.now();
  const m = await rawRequest(`${gw.url}/v1/messages`, {
    method: 'POST',
    headers: { 'x-api-key': keys.alice, 'anthropic-version': '2023-06-01', 'content-type': 'application/json' },
    body: messages,
    timeoutMs: 30_000,
  });
  const messagesMs = Date.now() - t0;
  assert.equal(m.status, 400, m.text.slice(0, 300));
  assert.equal(m.json.type, 'error');
  assert.match(m.json.error.message, /top-level members/);
  assert.ok(messagesMs < 2500, `answered after ${messagesMs} ms`);
  assert.equal(mock.chatRequests.length, before);
});

// ---------------------------------------------------------------------------
// Finding 2

test('2: huge model names are bounded in the answer and the usage row, and never become metric labels', async () => {
  const names = ['a', 'b', 'c'].map((c) => `huge-${c}-` + c.repeat(1 << 20));
  for (const model of names) {
    const r = await rawRequest(`${gw.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${keys.alice}` },
      body: { model, messages: [{ role: 'user', content: 'hi' }] },
      timeoutMs: 30_000,
    });
    assert.equal(r.status, 404, r.text.slice(0, 300));
    assert.equal(r.json.error.code, 'model_not_found');
    assert.ok(r.text.length < 4096, `the error echoes ${r.text.length} bytes`);
    assert.ok(r.json.error.message.includes(model.slice(0, 100)), 'the error still names the model');
  }
  // Gemini names the model in the path.
  const gemModel = 'huge-gemini-' + 'g'.repeat(30_000);
  const g = await rawRequest(`${gw.url}/v1beta/models/${gemModel}:generateContent`, {
    method: 'POST',
    headers: { 'x-goog-api-key': keys.alice },
    body: { contents: [{ parts: [{ text: 'hi' }] }] },
  });
  assert.equal(g.status, 404, g.text.slice(0, 300));
  assert.ok(g.text.length < 4096, `the error echoes ${g.text.length} bytes`);

  const metrics = await rawRequest(`${gw.url}/metrics`);
  assert.equal(metrics.status, 200);
  assert.ok(metrics.text.length < 256 * 1024, `/metrics is ${metrics.text.length} bytes`);
  for (const model of [...names, gemModel]) assert.ok(!metrics.text.includes(model.slice(0, 40)), 'a client name became a label');
  const { samples } = parsePrometheus(metrics.text);
  const other = [...samples.keys()].filter((k) => k.startsWith('aiohub_requests_total{') && k.includes('model="other"') && k.includes('status="404"'));
  assert.ok(other.length >= 1, 'unknown models are counted as "other"');

  const rows = await gw.waitForLogs((rs) => rs.filter((r) => r.model.startsWith('huge-')).length >= 4);
  for (const row of rows.filter((r) => r.model.startsWith('huge-'))) {
    assert.ok(Buffer.byteLength(row.model) <= 256, `stored model is ${Buffer.byteLength(row.model)} bytes`);
    assert.match(row.model, /…\(\d+ more bytes\)$/);
    assert.ok(Buffer.byteLength(row.error) <= 2048, `stored error is ${Buffer.byteLength(row.error)} bytes`);
  }
});

// ---------------------------------------------------------------------------
// Finding 3

const BIG = 30 * 1024 * 1024;

test('3: a bad key is answered 401 after the head, in the path\'s protocol, without the body being read', async () => {
  const cases = [
    {
      name: 'chat',
      head: ['POST /v1/chat/completions HTTP/1.1', 'Host: x', 'Authorization: Bearer sk-wrong', 'Content-Type: application/json', `Content-Length: ${BIG}`],
      check: (j) => assert.equal(j.error.code, 'invalid_api_key'),
    },
    {
      name: 'chat, no key',
      head: ['POST /v1/chat/completions HTTP/1.1', 'Host: x', 'Content-Type: application/json', 'Transfer-Encoding: chunked'],
      check: (j) => assert.match(j.error.message, /Missing API key/),
    },
    {
      name: 'messages',
      head: ['POST /v1/messages HTTP/1.1', 'Host: x', 'x-api-key: sk-wrong', 'anthropic-version: 2023-06-01', `Content-Length: ${BIG}`],
      check: (j) => {
        assert.equal(j.type, 'error');
        assert.equal(j.error.type, 'authentication_error');
      },
    },
    {
      name: 'gemini',
      head: ['POST /v1beta/models/gemini-x:generateContent?key=sk-wrong HTTP/1.1', 'Host: x', `Content-Length: ${BIG}`],
      check: (j) => assert.equal(j.error.status, 'UNAUTHENTICATED'),
    },
    {
      name: 'images',
      head: ['POST /v1/images/edits HTTP/1.1', 'Host: x', 'Authorization: Bearer sk-wrong', 'Content-Type: multipart/form-data; boundary=b', `Content-Length: ${BIG}`],
      check: (j) => assert.equal(j.error.code, 'invalid_api_key'),
    },
    {
      name: 'expect 100-continue',
      head: ['POST /v1/responses HTTP/1.1', 'Host: x', 'Authorization: Bearer sk-wrong', 'Expect: 100-continue', `Content-Length: ${BIG}`],
      check: (j) => assert.equal(j.error.code, 'invalid_api_key'),
    },
    {
      name: 'admin, wrong token',
      head: ['POST /api/keys HTTP/1.1', 'Host: x', 'Authorization: Bearer not-the-admin-token', `Content-Length: ${BIG}`],
      check: (j) => assert.match(JSON.stringify(j), /admin token is not valid/),
    },
    {
      name: 'admin, no token',
      head: ['PUT /api/settings HTTP/1.1', 'Host: x', `Content-Length: ${BIG}`],
      check: (j) => assert.match(JSON.stringify(j), /needs 'Authorization: Bearer/),
    },
  ];
  for (const c of cases) {
    // The head only: a gateway that waits for the body never answers.
    const r = await exchange(gw.port, [head(c.head)], { timeoutMs: 5000 });
    assert.notEqual(r.how, 'timeout', `${c.name}: no answer before the body (${r.ms} ms): ${r.text.slice(0, 200)}`);
    assert.ok(!r.text.includes('100 Continue'), `${c.name}: the gateway asked for the body`);
    const [res, extra] = parseResponses(r.text);
    assert.ok(res, `${c.name}: ${JSON.stringify(r.text.slice(0, 200))}`);
    assert.equal(res.status, 401, `${c.name}: ${res.body}`);
    assert.equal(res.headers.connection, 'close', c.name);
    assert.equal(extra, undefined, c.name);
    c.check(res.json);
  }
});

test('3: a good key (and admin token) still gets its body read and answered', async () => {
  const body = JSON.stringify({ model: 'gpt-4.1', messages: [{ role: 'user', content: 'hi' }] });
  const r = await exchange(gw.port, [
    head(['POST /v1/chat/completions HTTP/1.1', 'Host: x', `Authorization: Bearer ${keys.alice}`, 'Content-Type: application/json', `Content-Length: ${body.length}`, 'Connection: close']),
    200,
    body,
  ]);
  const [res] = parseResponses(r.text);
  assert.equal(res?.status, 200, r.text.slice(0, 300));
  assert.equal(res.json.choices[0].message.content, 'fine');

  const a = await adminApi(gw, 'POST', '/api/keys', { name: 'screened', group: 'openai' });
  assert.equal(a.status, 201, a.text);
  // A bad key without a body keeps its connection: nothing is pending on it.
  const kept = await exchange(gw.port, [
    head(['GET /v1/models HTTP/1.1', 'Host: x', 'Authorization: Bearer sk-wrong']),
    head(['GET /healthz HTTP/1.1', 'Host: x', 'Connection: close']),
  ]);
  const both = parseResponses(kept.text);
  assert.deepEqual(both.map((x) => x.status), [401, 200]);
});

// ---------------------------------------------------------------------------
// Finding 5

test('5: Transfer-Encoding not ending in chunked is a 400 and nothing behind it is served', async () => {
  const smuggled = head(['GET /healthz HTTP/1.1', 'Host: x']);
  const r = await exchange(gw.port, [
    head(['POST /v1/chat/completions HTTP/1.1', 'Host: x', `Authorization: Bearer ${keys.alice}`, 'Content-Type: application/json', 'Transfer-Encoding: gzip']) +
      smuggled,
  ]);
  assert.notEqual(r.how, 'timeout', r.text);
  const responses = parseResponses(r.text);
  assert.deepEqual(responses.map((x) => x.status), [400], r.text.slice(0, 500));
  assert.match(responses[0].json.error.message, /Transfer-Encoding/);
  assert.equal(responses[0].headers.connection, 'close');
  assert.ok(!r.text.includes('"status":"ok"'), 'the body was served as a second request');
});

test('5: Transfer-Encoding with Content-Length (either order) is a 400 and the connection closed', async () => {
  const body = '{"model":"gpt-4.1","messages":[]}';
  for (const pair of [
    ['Transfer-Encoding: chunked', `Content-Length: ${body.length}`],
    [`Content-Length: ${body.length}`, 'Transfer-Encoding: chunked'],
    ['Transfer-Encoding: identity', `Content-Length: ${body.length}`],
  ]) {
    const r = await exchange(gw.port, [head(['POST /v1/chat/completions HTTP/1.1', 'Host: x', `Authorization: Bearer ${keys.alice}`, ...pair]) + body]);
    const responses = parseResponses(r.text);
    assert.deepEqual(responses.map((x) => x.status), [400], `${pair}: ${r.text.slice(0, 300)}`);
    assert.notEqual(r.how, 'timeout', String(pair));
  }
  // A coding before chunked is one the gateway cannot undo.
  const gz = await exchange(gw.port, [head(['POST /v1/chat/completions HTTP/1.1', 'Host: x', `Authorization: Bearer ${keys.alice}`, 'Transfer-Encoding: gzip, chunked']) + '0\r\n\r\n']);
  assert.deepEqual(parseResponses(gz.text).map((x) => x.status), [501], gz.text.slice(0, 300));
  // Plain chunked still works.
  const ok = await rawRequest(`${gw.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${keys.alice}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'gpt-4.1', messages: [{ role: 'user', content: 'hi' }] }),
    chunked: true,
  });
  assert.equal(ok.status, 200, ok.text);
});

// ---------------------------------------------------------------------------
// Finding 6

test('6: invalid UTF-8 or a lone surrogate is a 400 in the caller\'s protocol, for every protocol', async () => {
  const bad = Buffer.from([0xff, 0xfe]).toString('latin1');
  const raw = (s) => Buffer.from(s, 'latin1');
  const chatHeaders = { authorization: `Bearer ${keys.alice}`, 'content-type': 'application/json' };
  const before = mock.chatRequests.length;
  const cases = [
    {
      name: 'chat stream_options',
      url: '/v1/chat/completions',
      headers: chatHeaders,
      body: raw(`{"model":"gpt-4.1","messages":[{"role":"user","content":"hi"}],"stream":true,"stream_options":{"note":"${bad}"}}`),
      shape: 'openai',
    },
    {
      name: 'chat stream_options, lone surrogate',
      url: '/v1/chat/completions',
      headers: chatHeaders,
      body: raw('{"model":"gpt-4.1","messages":[{"role":"user","content":"hi"}],"stream":true,"stream_options":{"note":"\\ud800"}}'),
      shape: 'openai',
    },
    {
      name: 'chat message',
      url: '/v1/chat/completions',
      headers: chatHeaders,
      body: raw(`{"model":"gpt-4.1","messages":[{"role":"user","content":"hi ${bad}"}]}`),
      shape: 'openai',
    },
    {
      name: 'messages, same protocol',
      url: '/v1/messages',
      headers: { 'x-api-key': keys.alice, 'anthropic-version': '2023-06-01', 'content-type': 'application/json' },
      body: raw(`{"model":"claude-x","max_tokens":5,"messages":[{"role":"user","content":"hi ${bad}"}]}`),
      shape: 'anthropic',
    },
    {
      name: 'responses, same protocol',
      url: '/v1/responses',
      headers: chatHeaders,
      body: raw(`{"model":"resp-x","input":"hi","metadata":{"x":"\\udfff"}}`),
      shape: 'openai',
    },
    {
      name: 'gemini, same protocol',
      url: '/v1beta/models/gemini-x:generateContent',
      headers: { 'x-goog-api-key': keys.alice, 'content-type': 'application/json' },
      body: raw(`{"contents":[{"role":"user","parts":[{"text":"hi ${bad}"}]}]}`),
      shape: 'gemini',
    },
    {
      name: 'messages',
      url: '/v1/messages',
      headers: { 'x-api-key': keys.alice, 'anthropic-version': '2023-06-01', 'content-type': 'application/json' },
      body: raw(`{"model":"gpt-4.1","max_tokens":5,"stream":true,"messages":[{"role":"user","content":"hi ${bad}"}]}`),
      shape: 'anthropic',
    },
    {
      name: 'responses',
      url: '/v1/responses',
      headers: chatHeaders,
      body: raw(`{"model":"gpt-4.1","input":"hi ${bad}","stream":true}`),
      shape: 'openai',
    },
    {
      name: 'gemini',
      url: '/v1beta/models/gpt-4.1:streamGenerateContent?alt=sse',
      headers: { 'x-goog-api-key': keys.alice, 'content-type': 'application/json' },
      body: raw(`{"contents":[{"role":"user","parts":[{"text":"hi ${bad}"}]}],"generationConfig":{"x":"\\udc00"}}`),
      shape: 'gemini',
    },
  ];
  for (const c of cases) {
    const r = await rawRequest(`${gw.url}${c.url}`, { method: 'POST', headers: c.headers, body: c.body });
    assert.equal(r.status, 400, `${c.name}: ${r.status} ${r.text}`);
    if (c.shape === 'openai') assert.equal(r.json.error.type, 'invalid_request_error', c.name);
    if (c.shape === 'anthropic') assert.equal(r.json.type, 'error', c.name);
    if (c.shape === 'gemini') assert.equal(r.json.error.status, 'INVALID_ARGUMENT', c.name);
  }
  assert.equal(mock.chatRequests.length, before, 'nothing malformed went upstream');
  for (const [name, m] of Object.entries(same)) assert.equal(m.requests.length, 0, `${name}: something malformed went upstream`);
  assert.ok(!/request req_\S+ failed/.test(gw.output), 'no request ended in an exception');
});

// ---------------------------------------------------------------------------
// Finding 7

test('7: image URLs use the listening address, whatever Host the client sends', async () => {
  images.reset();
  images.enqueue({ images: [PNG_1PX], usage: null });
  const r = await rawRequest(`${gw.url}/v1/images/generations`, {
    method: 'POST',
    headers: { authorization: `Bearer ${keys.artist}`, host: 'evil.example:666', 'x-forwarded-proto': 'https', 'x-forwarded-host': 'evil.example' },
    body: { model: 'dall-e-3', prompt: 'a fox', response_format: 'url' },
  });
  assert.equal(r.status, 200, r.text);
  const url = new URL(r.json.data[0].url);
  assert.equal(url.origin, `http://127.0.0.1:${gw.port}`);
  const fetched = await fetch(url);
  assert.equal(fetched.status, 200);
});

// ---------------------------------------------------------------------------
// Finding 4

test('4: slow heads are cut at the header deadline, connections are capped (and logged), then service resumes', async () => {
  const small = await Gateway.start({
    label: 'capped',
    config: {
      server: { max_connections: 4, header_timeout_seconds: 1 },
      channels: [{ name: 'oa', type: 'openai', base_url: mock.url, api_key: UPSTREAM_KEY, groups: ['openai'], models: ['gpt-4.1'] }],
      keys: [{ name: 'alice', key: keys.alice, group: 'openai' }],
    },
  });
  try {
    // Four clients that never finish their heads hold every slot...
    const t0 = Date.now();
    const slow = [];
    for (let i = 0; i < 4; i++) slow.push(exchange(small.port, ['POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\n'], { timeoutMs: 10_000 }));
    await sleep(300);
    // ...so a fifth is turned away at once, and the log says why.
    const refused = await exchange(small.port, [head(['GET /healthz HTTP/1.1', 'Host: x'])], { timeoutMs: 3000 });
    assert.notEqual(refused.how, 'timeout', refused.text);
    assert.ok(!refused.text.includes('"status":"ok"'), 'served over the cap');
    if (refused.text) assert.match(refused.text, /^HTTP\/1\.1 503[^]*Retry-After: 1/);
    assert.ok(await small.waitForOutput((o) => /connection limit reached: \d+ client connections are open/.test(o), 3000), 'no log line for the cap');
    // The header deadline (1 s) cuts the slow ones, long before the idle timeout.
    const cut = await Promise.all(slow);
    for (const c of cut) assert.equal(c.how, 'end', `a slow head was kept ${c.ms} ms`);
    assert.ok(Date.now() - t0 < 5000, `slow heads were cut after ${Date.now() - t0} ms`);
    const ok = await rawRequest(`${small.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${keys.alice}` },
      body: { model: 'gpt-4.1', messages: [{ role: 'user', content: 'hi' }] },
    });
    assert.equal(ok.status, 200, ok.text);
    // A kept-alive connection may idle longer than the header deadline.
    const idle = await exchange(small.port, [head(['GET /healthz HTTP/1.1', 'Host: x']), 1500, head(['GET /healthz HTTP/1.1', 'Host: x', 'Connection: close'])]);
    assert.deepEqual(parseResponses(idle.text).map((x) => x.status), [200, 200]);
    assert.match(small.output, /open file limit \d+.*at most 4 client connections/);
  } finally {
    await small.stop();
  }
});

// ---------------------------------------------------------------------------
// Finding 8

async function mode(p) {
  return (await fs.stat(p)).mode & 0o777;
}

test('8: a fresh data directory and its files are the owner\'s alone; a wider database file is narrowed at start', async () => {
  const dir = await makeTempDir();
  const state = path.join(dir, 'state');
  const db = path.join(state, 'aiohub.db');
  const config = {
    server: { database: `sqlite://${db}` },
    groups: [{ name: 'art', endpoints: ['images'] }],
    channels: [{ name: 'pics', type: 'openai', base_url: `${images.url}/v1`, api_key: UPSTREAM_KEY, groups: ['art'], models: ['dall-e-3'] }],
    keys: [{ name: 'artist', key: keys.artist, group: 'art' }],
  };
  let files = await Gateway.start({ label: 'files', dir, config });
  images.reset();
  images.enqueue({ images: [PNG_1PX], usage: null });
  const r = await rawRequest(`${files.url}/v1/images/generations`, {
    method: 'POST',
    headers: { authorization: `Bearer ${keys.artist}` },
    body: { model: 'dall-e-3', prompt: 'a fox', response_format: 'url' },
  });
  assert.equal(r.status, 200, r.text);
  await files.waitForLogs((rows) => rows.length >= 1);
  const imageFile = path.join(state, 'images', new URL(r.json.data[0].url).pathname.split('/').pop());
  const expected = {
    [state]: 0o700,
    [path.join(state, 'images')]: 0o700,
    [db]: 0o600,
    [`${db}.usage-journal`]: 0o600,
    [path.join(state, 'instance-id')]: 0o600,
    [imageFile]: 0o600,
  };
  for (const extra of ['-wal', '-shm']) {
    const p = db + extra;
    if (await fs.stat(p).catch(() => null)) expected[p] = 0o600;
  }
  for (const [p, want] of Object.entries(expected)) assert.equal((await mode(p)).toString(8), want.toString(8), p);
  await files.stop();

  await fs.chmod(db, 0o644);
  files = await Gateway.start({ label: 'files-again', dir, config });
  try {
    assert.equal((await mode(db)).toString(8), '600');
    assert.match(files.output, /aiohub\.db was readable by others \(mode 644\); it is now 0600/);
  } finally {
    await files.stop();
  }
});
