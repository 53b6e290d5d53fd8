// Raw passthrough channels (`passthrough = true`, the codex-passthrough
// group): the request body and an allow list of client headers reach the
// upstream unchanged but for authentication, and the answer comes back byte
// for byte, with usage still tapped for billing. Also the per-channel HTTP
// proxy (absolute-form requests for http upstreams).

import { before, after } from 'node:test';
import http from 'node:http';
import net from 'node:net';
import { test, assert, mockUpstream } from './lib/harness.mjs';
import { Gateway, newKeySecret, rawRequest } from './lib/gateway.mjs';

const UP_KEY = 'codex-upstream-secret-' + newKeySecret().slice(3, 15);
const key = newKeySecret();
const chatKey = newKeySecret();

// A recording upstream that answers with fixed bytes.
class RawUpstream {
  constructor() {
    this.requests = [];
    this.answer = { status: 200, headers: { 'content-type': 'application/json' }, body: '{}' };
  }
  async listen() {
    this.server = http.createServer(async (req, res) => {
      const chunks = [];
      for await (const c of req) chunks.push(c);
      this.requests.push({ method: req.method, url: req.url, headers: { ...req.headers }, rawHeaders: req.rawHeaders, rawBody: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(this.answer.status, this.answer.headers);
      for (const piece of [].concat(this.answer.body)) res.write(piece);
      res.end();
    });
    await new Promise((r) => this.server.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${this.server.address().port}`;
    return this;
  }
  close() {
    return new Promise((r) => this.server.close(r));
  }
  describe() {
    return `raw upstream ${this.url}: ${this.requests.length} request(s)`;
  }
}

// A minimal HTTP proxy: absolute-form requests are forwarded, CONNECT tunnels opened.
class Proxy {
  constructor() {
    this.seen = [];
  }
  async listen() {
    this.server = http.createServer((req, res) => {
      this.seen.push(`${req.method} ${req.url}`);
      const u = new URL(req.url);
      const up = http.request({ host: u.hostname, port: u.port, path: u.pathname + u.search, method: req.method, headers: req.headers }, (r) => {
        res.writeHead(r.statusCode, r.headers);
        r.pipe(res);
      });
      req.pipe(up);
    });
    this.server.on('connect', (req, socket, head) => {
      this.seen.push(`CONNECT ${req.url}`);
      const [host, port] = req.url.split(':');
      const up = net.connect(Number(port), host, () => {
        socket.write('HTTP/1.1 200 Connection established\r\n\r\n');
        up.write(head);
        up.pipe(socket);
        socket.pipe(up);
      });
      up.on('error', () => socket.destroy());
    });
    await new Promise((r) => this.server.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${this.server.address().port}`;
    return this;
  }
  close() {
    this.server.closeAllConnections?.();
    return new Promise((r) => this.server.close(r));
  }
}

let raw;
let proxy;
let mock;
let gw;

before(async () => {
  raw = await new RawUpstream().listen();
  proxy = await new Proxy().listen();
  mock = await mockUpstream();
  gw = await Gateway.start({
    label: 'passthrough',
    config: {
      channels: [
        { name: 'codex-raw', type: 'openai-responses', base_url: raw.url, api_key: UP_KEY, groups: ['codex-passthrough'], models: ['gpt-5-codex'], model_map: { 'gpt-5-codex': 'not-applied' }, passthrough: true },
        { name: 'chat-raw', type: 'openai', base_url: raw.url, api_key: UP_KEY, groups: ['codex-passthrough'], models: ['gpt-raw-chat'], passthrough: true },
        { name: 'via-proxy', type: 'openai', base_url: mock.url, api_key: UP_KEY, groups: ['openai'], models: ['gpt-proxied'], proxy: proxy.url, headers: { 'X-Org': 'team-7' } },
      ],
      keys: [
        { name: 'codex', key, group: 'codex-passthrough' },
        { name: 'chat', key: chatKey, group: 'openai' },
      ],
    },
  });
});

after(async () => {
  await raw?.close();
  await proxy?.close();
});

const codexHeaders = {
  authorization: `Bearer ${key}`,
  'content-type': 'application/json',
  session_id: '0199f1d2-7a3c-7d52-9a43-5c1e2b3c4d5e',
  originator: 'codex_cli_rs',
  'openai-beta': 'responses=experimental',
  'x-codex-turn-metadata': '{"turn":3}',
  'chatgpt-account-id': 'acct-123',
  'user-agent': 'codex_cli_rs/0.58.0 (Linux 6.1; x86_64) xterm',
  // Not on the allow list: never forwarded.
  cookie: 'session=secret-cookie',
  'x-forwarded-for': '10.0.0.1',
  'openai-organization': 'org-should-not-pass',
};
// Odd spacing, key order and unknown fields: only a byte-for-byte relay keeps them.
const codexBody = '{ "model" :"gpt-5-codex","stream":true,  "store":false,"input":[{"type":"message","role":"user","content":[{"type":"input_text","text":"héllo\\u0021"}]}],"include":["reasoning.encrypted_content"],"prompt_cache_key":"0199f1d2","x_unknown_field":{"nested":[1,2.50,true]} }\n';

const sse = [
  'event: response.created\ndata: {"type":"response.created","sequence_number":0,"response":{"id":"resp_1","object":"response","created_at":1,"status":"in_progress","model":"gpt-5-codex","output":[]}}\n\n',
  ': keep-alive comment\n\n',
  'event: response.output_item.added\ndata: {"type":"response.output_item.added","sequence_number":1,"output_index":0,"item":{"id":"msg_1","type":"message","role":"assistant","status":"in_progress","content":[]}}\n\n',
  'event: response.output_text.delta\ndata:{"type":"response.output_text.delta","sequence_number":2,"item_id":"msg_1","output_index":0,"content_index":0,"delta":"Hi"}\r\n\r\n',
  'event: response.completed\ndata: {"type":"response.completed","sequence_number":3,"response":{"id":"resp_1","object":"response","created_at":1,"status":"completed","model":"gpt-5-codex","output":[{"id":"msg_1","type":"message","role":"assistant","status":"completed","content":[{"type":"output_text","text":"Hi","annotations":[]}]}],"usage":{"input_tokens":77,"input_tokens_details":{"cached_tokens":0},"output_tokens":11,"output_tokens_details":{"reasoning_tokens":0},"total_tokens":88}}}\n\n',
];

test('passthrough: body and allow-listed headers go up unchanged, the stream comes back byte for byte, usage is billed', async () => {
  raw.answer = { status: 200, headers: { 'content-type': 'text/event-stream', 'x-upstream-only': '1' }, body: sse };
  const t0 = Date.now();
  const r = await rawRequest(`${gw.url}/v1/responses`, { method: 'POST', headers: codexHeaders, body: codexBody });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.text, sse.join(''), 'the answer byte for byte');
  const got = raw.requests.at(-1);
  assert.equal(got.url, '/v1/responses');
  assert.equal(got.rawBody, codexBody, 'the body byte for byte (model_map not applied)');
  assert.equal(got.headers.authorization, `Bearer ${UP_KEY}`, 'only the credential is replaced');
  for (const h of ['session_id', 'originator', 'openai-beta', 'x-codex-turn-metadata', 'chatgpt-account-id', 'user-agent']) assert.equal(got.headers[h], codexHeaders[h], h);
  for (const h of ['cookie', 'x-forwarded-for', 'openai-organization']) assert.equal(got.headers[h], undefined, `${h} must not be forwarded`);
  assert.ok(!JSON.stringify(got).includes(key), 'the client key never goes upstream');
  const rows = await gw.waitForLogs((rows) => rows.some((x) => x.ts_ms >= t0));
  const row = rows.find((x) => x.ts_ms >= t0);
  assert.equal(row.channel, 'codex-raw');
  assert.equal(row.input_tokens, 77);
  assert.equal(row.output_tokens, 11);
});

test('passthrough: a whole answer (and a Chat channel) byte for byte', async () => {
  const answer = '{"id":"chatcmpl-9",  "object":"chat.completion","created":1,"model":"gpt-raw-chat","choices":[{"index":0,"message":{"role":"assistant","content":"ok"},"finish_reason":"stop"}],"usage":{"prompt_tokens":9,"completion_tokens":2,"total_tokens":11},"system_fingerprint":null}';
  raw.answer = { status: 200, headers: { 'content-type': 'application/json' }, body: answer };
  const body = '{"model":"gpt-raw-chat","messages":[{"role":"user","content":"x"}],  "stream":false, "vendor_extension":1}';
  const t0 = Date.now();
  const r = await rawRequest(`${gw.url}/v1/chat/completions`, { method: 'POST', headers: { ...codexHeaders, 'anthropic-beta': 'x-beta' }, body });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.text, answer);
  const got = raw.requests.at(-1);
  assert.equal(got.rawBody, body, 'no stream_options or model edits on a passthrough channel');
  assert.equal(got.headers['anthropic-beta'], 'x-beta');
  const rows = await gw.waitForLogs((rows) => rows.some((x) => x.ts_ms >= t0));
  assert.equal(rows.find((x) => x.ts_ms >= t0).input_tokens, 9);
});

test('proxy: an http upstream is reached through the channel proxy, with the extra headers', async () => {
  mock.enqueue({ text: 'through the proxy' });
  const r = await rawRequest(`${gw.url}/v1/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${chatKey}` }, body: { model: 'gpt-proxied', messages: [{ role: 'user', content: 'x' }] } });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.choices[0].message.content, 'through the proxy');
  assert.ok(proxy.seen.includes(`POST ${mock.url}/v1/chat/completions`), JSON.stringify(proxy.seen));
  assert.equal(mock.lastRequest.headers['x-org'], 'team-7');
  assert.equal(mock.lastRequest.headers.authorization, `Bearer ${UP_KEY}`);
});

test('passthrough: a Chat stream is asked for usage; without it, it comes back byte for byte and is billed by estimate', async () => {
  const chunks = [
    'data: {"id":"c","object":"chat.completion.chunk","created":1,"model":"gpt-raw-chat","choices":[{"index":0,"delta":{"role":"assistant","content":"Hello"},"finish_reason":null}]}\n\n',
    'data: {"id":"c","object":"chat.completion.chunk","created":1,"model":"gpt-raw-chat","choices":[{"index":0,"delta":{"content":" there, friend."},"finish_reason":"stop"}]}\n\n',
    'data: [DONE]\n\n',
  ];
  raw.answer = { status: 200, headers: { 'content-type': 'text/event-stream' }, body: chunks };
  const body = '{"model":"gpt-raw-chat","stream":true,"messages":[{"role":"user","content":"greet me warmly"}]}';
  const t0 = Date.now();
  const r = await rawRequest(`${gw.url}/v1/chat/completions`, { method: 'POST', headers: codexHeaders, body });
  assert.equal(r.text, chunks.join(''));
  // Usage is asked for even here (hidden reasoning tokens must be billable);
  // the rest of the body goes up byte for byte.
  const sent = raw.requests.at(-1).rawBody;
  assert.ok(sent.startsWith(body.slice(0, -1)), sent);
  assert.deepEqual(JSON.parse(sent), { ...JSON.parse(body), stream_options: { include_usage: true } });
  const rows = await gw.waitForLogs((rows) => rows.some((x) => x.ts_ms >= t0));
  const row = rows.find((x) => x.ts_ms >= t0);
  assert.equal(row.usage_estimated, true, JSON.stringify(row));
  assert.ok(row.input_tokens > 0 && row.output_tokens > 0, JSON.stringify(row));
});
