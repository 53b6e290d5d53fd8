// A scripted mock of the OpenAI Chat Completions upstream (POST /v1/chat/completions).
//
// It follows the real wire format (see docs/protocols/openai-chat.md):
//   - non-stream: {id:"chatcmpl-…", object:"chat.completion", created, model, choices, usage, …}
//   - stream: `data: <chunk>\n\n` lines, no event names; first chunk carries
//     delta {role:"assistant", content:""}; content deltas; tool-call deltas with
//     id/type/name on the first fragment of an index and argument text after;
//     a last chunk with an empty delta and finish_reason; with
//     stream_options.include_usage every chunk has usage:null and one extra final
//     chunk has choices:[] plus usage; then `data: [DONE]`.
//   - errors: {"error":{"message","type","param","code"}} with the chosen status.
//
// Every request is recorded (method, path, headers, raw and parsed body) and
// every accepted TCP connection is counted.
//
// Behaviour per request is chosen with mock.setBehavior(b) (for all following
// requests) or mock.enqueue(b) (one request each, first in first out). `b` is an
// object or a function (req) => object. Recognised behaviour objects:
//   { text, pieces?, usage?, finishReason?, delayMs?, firstDelayMs?, endDelayMs? }
//       answer with assistant text; when streaming, `pieces` (default: the text
//       split into words, keeping spaces) become the content deltas, `delayMs`
//       waits between stream chunks, `firstDelayMs` before the first byte.
//   { toolCalls: [{ id?, name, arguments, fragments? }], text?, usage? }
//       answer with tool calls (finish_reason "tool_calls"); when streaming each
//       call's arguments go out as `fragments` (default: pieces of 7 chars).
//   { status, body?, headers? }
//       answer with an error status and body (object → JSON, string → as is).
//   { rawChunks: [chunk object | string], done? }
//       stream exactly these data payloads (objects as compact JSON), then
//       [DONE] unless done === false: how quirky OpenAI-compatible servers
//       (vLLM, Ollama, DeepSeek …) are reproduced.
//   { rawBody: object }
//       a whole answer, exactly this object.
// mock.acceptPaths lists the paths answered as chat completions (add one to
// test a channel's custom `path`).
//   { destroy: true }            close the connection without answering.
//   { text, dropAfter: n }       stream n events, then cut the connection.
// `usage` is { prompt, completion, cached } (prompt includes cached).

import http from 'node:http';
import https from 'node:https';
import { randomBytes } from 'node:crypto';

export const DEFAULT_USAGE = Object.freeze({ prompt: 12, completion: 7, cached: 0 });

let idCounter = 0;
function chatId() {
  idCounter += 1;
  return `chatcmpl-${randomBytes(9).toString('base64url')}${idCounter}`;
}
function callId() {
  return `call_${randomBytes(12).toString('base64url').replace(/[-_]/g, 'x')}`;
}

/** Build an OpenAI usage object from {prompt, completion, cached}. */
export function usageObject(u = DEFAULT_USAGE) {
  const prompt = u.prompt ?? 0;
  const completion = u.completion ?? 0;
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
    prompt_tokens_details: { cached_tokens: u.cached ?? 0, audio_tokens: 0 },
    completion_tokens_details: {
      reasoning_tokens: 0,
      audio_tokens: 0,
      accepted_prediction_tokens: 0,
      rejected_prediction_tokens: 0,
    },
  };
}

/** Split text into word pieces that concatenate back to the exact text. */
export function wordPieces(text) {
  const pieces = text.match(/\s*\S+\s*/g);
  if (!pieces || pieces.join('') !== text) return text.length ? [text] : [];
  return pieces;
}

function chunkString(s, n) {
  const out = [];
  for (let i = 0; i < s.length; i += n) out.push(s.slice(i, i + n));
  return out;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export class MockOpenAI {
  constructor() {
    /** @type {Array<{method:string,url:string,path:string,query:string,headers:object,rawBody:string,body:any,bodyError:string|null,at:number}>} */
    this.requests = [];
    this.connections = 0;
    this.sockets = new Set();
    this.behavior = { text: 'Hello from the mock upstream.' };
    this.queue = [];
    this.server = null;
    this.port = 0;
    this.protocol = 'http';
    this.host = '127.0.0.1';
    this.streamsFinished = 0;
    this.streamsAborted = 0;
    this.acceptPaths = new Set(['/v1/chat/completions']);
  }

  /** Base URL for a channel's base_url (provider root, no /v1). */
  get url() {
    return `${this.protocol}://${this.host}:${this.port}`;
  }

  /** Same port, but addressed as "localhost" (for TLS name checks). */
  get localhostUrl() {
    return `${this.protocol}://localhost:${this.port}`;
  }

  setBehavior(b) {
    this.behavior = b;
    this.queue = [];
  }

  enqueue(...bs) {
    this.queue.push(...bs);
  }

  /** Requests that hit the chat completions path. */
  get chatRequests() {
    return this.requests.filter((r) => this.acceptPaths.has(r.path));
  }

  get lastRequest() {
    return this.requests[this.requests.length - 1];
  }

  reset() {
    this.requests = [];
    this.connections = 0;
    this.streamsFinished = 0;
    this.streamsAborted = 0;
  }

  describe() {
    const lines = [`mock ${this.url}: ${this.requests.length} request(s), ${this.connections} connection(s)`];
    for (const r of this.requests.slice(-10)) {
      lines.push(`  ${r.method} ${r.url} body=${r.rawBody.slice(0, 300)}`);
    }
    return lines.join('\n');
  }

  async listen({ tls, host = '127.0.0.1' } = {}) {
    this.host = host;
    const handler = (req, res) => this.#handle(req, res);
    if (tls) {
      this.protocol = 'https';
      this.server = https.createServer({ key: tls.key, cert: tls.cert }, handler);
    } else {
      this.server = http.createServer(handler);
    }
    this.server.keepAliveTimeout = 60_000;
    this.server.headersTimeout = 65_000;
    this.server.requestTimeout = 0;
    this.server.on('connection', (socket) => {
      this.connections += 1;
      socket.setNoDelay(true);
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    // TLS handshake failures (e.g. a client that rejects our certificate) are expected in tests.
    this.server.on('tlsClientError', () => {});
    this.server.on('clientError', (err, socket) => socket.destroy());
    await new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(0, host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    this.port = this.server.address().port;
    return this;
  }

  async close() {
    if (!this.server) return;
    const closed = new Promise((r) => this.server.close(() => r()));
    for (const s of this.sockets) s.destroy();
    await closed;
    this.server = null;
  }

  #nextBehavior(rec) {
    let b = this.queue.length ? this.queue.shift() : this.behavior;
    if (typeof b === 'function') b = b(rec);
    return b ?? { text: '' };
  }

  async #handle(req, res) {
    const chunks = [];
    for await (const c of req) chunks.push(c);
    const rawBody = Buffer.concat(chunks).toString('utf8');
    const u = new URL(req.url, 'http://mock');
    let body = null;
    let bodyError = null;
    if (rawBody.length) {
      try {
        body = JSON.parse(rawBody);
      } catch (e) {
        bodyError = String(e.message);
      }
    }
    const rec = {
      method: req.method,
      url: req.url,
      path: u.pathname,
      query: u.search,
      headers: { ...req.headers },
      rawBody,
      body,
      bodyError,
      at: Date.now(),
    };
    this.requests.push(rec);
    // When the caller hangs up before the answer is complete.
    res.on('close', () => {
      if (!res.writableFinished) rec.abortedAt = Date.now();
    });

    if (req.method !== 'POST' || !this.acceptPaths.has(u.pathname)) {
      return sendJson(res, 404, {
        error: {
          message: `mock: unknown route ${req.method} ${u.pathname}`,
          type: 'invalid_request_error',
          param: null,
          code: 'unknown_url',
        },
      });
    }
    if (bodyError || !body || typeof body !== 'object') {
      return sendJson(res, 400, {
        error: {
          message: `mock: We could not parse the JSON body of your request. (${bodyError})`,
          type: 'invalid_request_error',
          param: null,
          code: null,
        },
      });
    }

    const b = this.#nextBehavior(rec);
    if (b.firstDelayMs) await sleep(b.firstDelayMs);
    if (b.destroy) {
      req.socket.destroy();
      return;
    }

    if (b.status && b.status >= 300) {
      const headers = { ...(b.headers ?? {}) };
      const payload = b.body ?? {
        error: { message: `mock error ${b.status}`, type: 'server_error', param: null, code: null },
      };
      if (typeof payload === 'string') {
        res.writeHead(b.status, { 'content-type': 'text/plain', ...headers });
        return res.end(payload);
      }
      return sendJson(res, b.status, payload, headers);
    }

    if (b.rawBody) return sendJson(res, 200, b.rawBody);
    if (b.rawChunks) {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      for (const c of b.rawChunks) res.write(`data: ${typeof c === 'string' ? c : JSON.stringify(c)}\n\n`);
      if (b.done !== false) res.write('data: [DONE]\n\n');
      res.end();
      this.streamsFinished += 1;
      return;
    }

    const model = body.model;
    const created = Math.floor(Date.now() / 1000);
    const id = chatId();
    const usage = usageObject(b.usage ?? DEFAULT_USAGE);
    const toolCalls = (b.toolCalls ?? []).map((tc) => ({ ...tc, id: tc.id ?? callId() }));
    const finishReason = b.finishReason ?? (toolCalls.length ? 'tool_calls' : 'stop');
    const text = b.text ?? (toolCalls.length ? null : '');

    if (!body.stream) {
      const message = { role: 'assistant', content: text, refusal: null, annotations: [] };
      if (toolCalls.length) {
        message.tool_calls = toolCalls.map((tc) => ({
          id: tc.id,
          type: 'function',
          function: { name: tc.name, arguments: tc.arguments },
        }));
      }
      return sendJson(res, 200, {
        id,
        object: 'chat.completion',
        created,
        model,
        choices: [{ index: 0, message, logprobs: null, finish_reason: finishReason }],
        usage,
        service_tier: 'default',
        system_fingerprint: 'fp_mock0001',
      });
    }

    // Streaming.
    const includeUsage = body.stream_options?.include_usage === true;
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      'x-request-id': `req_${randomBytes(8).toString('hex')}`,
    });
    res.flushHeaders();
    let aborted = false;
    res.on('close', () => {
      if (!res.writableFinished) aborted = true;
    });

    const base = { id, object: 'chat.completion.chunk', created, model, service_tier: 'default', system_fingerprint: 'fp_mock0001' };
    const chunk = (delta, finish = null) => {
      const c = { ...base, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }] };
      if (includeUsage) c.usage = null;
      return c;
    };
    const events = [];
    events.push(chunk({ role: 'assistant', content: text === null ? null : '', refusal: null }));
    if (text) {
      for (const p of b.pieces ?? wordPieces(text)) events.push(chunk({ content: p }));
    }
    toolCalls.forEach((tc, index) => {
      events.push(
        chunk({
          tool_calls: [{ index, id: tc.id, type: 'function', function: { name: tc.name, arguments: '' } }],
        }),
      );
      for (const frag of tc.fragments ?? chunkString(tc.arguments, 7)) {
        events.push(chunk({ tool_calls: [{ index, function: { arguments: frag } }] }));
      }
    });
    events.push(chunk({}, finishReason));
    if (includeUsage) events.push({ ...base, choices: [], usage });

    for (let i = 0; i < events.length; i++) {
      if (aborted) break;
      if (b.dropAfter !== undefined && i === b.dropAfter) {
        res.socket.destroy();
        this.streamsAborted += 1;
        return;
      }
      if (i > 0 && b.delayMs) await sleep(b.delayMs);
      if (aborted) break;
      res.write(`data: ${JSON.stringify(events[i])}\n\n`);
    }
    if (aborted) {
      this.streamsAborted += 1;
      return;
    }
    if (b.delayMs) await sleep(b.delayMs);
    if (b.endDelayMs) {
      // [DONE], then the body stays open a moment, as a slow proxy would.
      res.write('data: [DONE]\n\n');
      await sleep(b.endDelayMs);
      res.end();
    } else {
      res.end('data: [DONE]\n\n');
    }
    this.streamsFinished += 1;
  }
}

function sendJson(res, status, obj, headers = {}) {
  const s = JSON.stringify(obj);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(s),
    'x-request-id': `req_${randomBytes(8).toString('hex')}`,
    ...headers,
  });
  res.end(s);
}

/** Start a mock upstream on a free loopback port. opts.tls = {key, cert} for https. */
export async function startMockOpenAI(opts = {}) {
  const m = new MockOpenAI();
  await m.listen(opts);
  return m;
}
