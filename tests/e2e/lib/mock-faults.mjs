// A mock upstream that misbehaves on purpose, for the fault-injection tests
// (faults-*.test.mjs). It speaks just enough of two wire formats to be a
// channel of either type:
//   POST /v1/chat/completions  OpenAI Chat Completions (an `openai` channel:
//                              passthrough for Chat clients)
//   POST /v1/messages          Anthropic Messages (an `anthropic` channel:
//                              translated for Chat clients)
// Both answer the same scripted behaviour (mock.setBehavior / mock.enqueue, as
// the other mocks), rendered in the route's format:
//   { text, usage? }                      a normal answer (stream or not, as asked)
//   { fault: 'reset-mid-stream', text }   head and the first events, then a TCP reset
//   { fault: 'reset-mid-body', text }     non-streamed: Content-Length of the whole
//                                         JSON, half of it, then a TCP reset
//   { fault: 'trickle-head' }             the response head one byte a second
//   { fault: 'trickle-then-stall', bytes } the head and the first event, then
//                                         `bytes` bytes of the rest one a second,
//                                         then silence with the connection open
//   { fault: 'big-stream', chunks, chunkBytes } a fast stream of `chunks` deltas
//                                         of `chunkBytes` bytes each, written as
//                                         fast as the gateway takes them (the
//                                         mock itself waits for 'drain')
// `usage` is { input, output }.

import http from 'node:http';
import { randomBytes } from 'node:crypto';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** The events of one answer in the route's SSE format, as strings. */
function sseEvents(route, { text = 'fault mock text', usage = { input: 11, output: 5 }, model = 'm' }) {
  const pieces = text.match(/\s*\S+\s*/g) ?? [text];
  if (route === 'chat') {
    const id = 'chatcmpl-' + randomBytes(6).toString('hex');
    const base = { id, object: 'chat.completion.chunk', created: 1, model };
    const chunk = (delta, finish = null) =>
      `data: ${JSON.stringify({ ...base, choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
    return [
      chunk({ role: 'assistant', content: '' }),
      ...pieces.map((p) => chunk({ content: p })),
      chunk({}, 'stop'),
      `data: ${JSON.stringify({ ...base, choices: [], usage: { prompt_tokens: usage.input, completion_tokens: usage.output, total_tokens: usage.input + usage.output } })}\n\n`,
      'data: [DONE]\n\n',
    ];
  }
  const ev = (type, data) => `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
  return [
    ev('message_start', { message: { id: 'msg_' + randomBytes(6).toString('hex'), type: 'message', role: 'assistant', model, content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: usage.input, output_tokens: 1 } } }),
    ev('content_block_start', { index: 0, content_block: { type: 'text', text: '' } }),
    ...pieces.map((p) => ev('content_block_delta', { index: 0, delta: { type: 'text_delta', text: p } })),
    ev('content_block_stop', { index: 0 }),
    ev('message_delta', { delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: usage.output } }),
    ev('message_stop', {}),
  ];
}

/** A whole non-streamed answer in the route's format. */
function jsonAnswer(route, { text = 'fault mock text', usage = { input: 11, output: 5 }, model = 'm' }) {
  if (route === 'chat')
    return {
      id: 'chatcmpl-' + randomBytes(6).toString('hex'),
      object: 'chat.completion',
      created: 1,
      model,
      choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' }],
      usage: { prompt_tokens: usage.input, completion_tokens: usage.output, total_tokens: usage.input + usage.output },
    };
  return {
    id: 'msg_' + randomBytes(6).toString('hex'),
    type: 'message',
    role: 'assistant',
    model,
    content: [{ type: 'text', text }],
    stop_reason: 'end_turn',
    stop_sequence: null,
    usage: { input_tokens: usage.input, output_tokens: usage.output },
  };
}

export class MockFaults {
  constructor() {
    this.requests = [];
    this.behavior = { text: 'fine' };
    this.queue = [];
    this.sockets = new Set();
    this.server = null;
    this.port = 0;
    /** Bytes written by the current/last big stream, and whether it ended. */
    this.bigWritten = 0;
    this.bigDone = false;
  }

  get url() {
    return `http://127.0.0.1:${this.port}`;
  }

  setBehavior(b) {
    this.behavior = b;
    this.queue = [];
  }

  enqueue(...bs) {
    this.queue.push(...bs);
  }

  describe() {
    return `mock-faults ${this.url}: ${this.requests.length} request(s); last: ${JSON.stringify(this.requests.at(-1)?.behavior ?? null)}`;
  }

  async listen() {
    this.server = http.createServer((req, res) => this.#handle(req, res).catch(() => res.destroy()));
    this.server.keepAliveTimeout = 60_000;
    this.server.requestTimeout = 0;
    this.server.on('connection', (s) => {
      s.setNoDelay(true);
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    await new Promise((r) => this.server.listen(0, '127.0.0.1', r));
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

  async #handle(req, res) {
    const chunks = [];
    for await (const c of req) chunks.push(c);
    let body = {};
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {}
    const route = req.url.startsWith('/v1/chat/completions') ? 'chat' : req.url.startsWith('/v1/messages') ? 'messages' : null;
    let b = this.queue.length ? this.queue.shift() : this.behavior;
    if (typeof b === 'function') b = b(body);
    this.requests.push({ url: req.url, stream: Boolean(body.stream), behavior: b, at: Date.now() });
    if (!route) {
      res.writeHead(404, { 'content-type': 'application/json' });
      return res.end('{"error":{"message":"mock-faults: unknown route"}}');
    }
    const opts = { ...b, model: body.model ?? 'm' };
    const sock = req.socket;

    switch (b.fault) {
      case 'reset-mid-stream': {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        const events = sseEvents(route, opts);
        for (const e of events.slice(0, 3)) res.write(e);
        await sleep(200);
        sock.resetAndDestroy();
        return;
      }
      case 'reset-mid-body': {
        const s = JSON.stringify(jsonAnswer(route, opts));
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(s) });
        res.write(s.slice(0, Math.floor(s.length / 2)));
        await sleep(200);
        sock.resetAndDestroy();
        return;
      }
      case 'trickle-head': {
        // Raw bytes, below Node's HTTP layer: the status line and headers,
        // one byte a second, for as long as the gateway listens.
        const head = 'HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ncache-control: no-cache\r\nx-padding: ' + 'p'.repeat(200) + '\r\n\r\n';
        for (const ch of head) {
          if (sock.destroyed) return;
          sock.write(ch);
          await sleep(1000);
        }
        return;
      }
      case 'trickle-then-stall': {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        const events = sseEvents(route, opts);
        res.write(events[0]);
        const rest = events.slice(1).join('');
        for (let i = 0; i < (b.bytes ?? 3) && i < rest.length; i++) {
          await sleep(1000);
          if (sock.destroyed) return;
          res.write(rest[i]);
        }
        // Silence, connection open, until the gateway gives up.
        await new Promise((r) => sock.once('close', r));
        return;
      }
      case 'big-stream': {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        this.bigWritten = 0;
        this.bigDone = false;
        const filler = 'x'.repeat(Math.max(1, (b.chunkBytes ?? 1024) - 1)) + ' ';
        const events = sseEvents(route, { ...opts, text: 'start ' });
        const head = events.slice(0, route === 'chat' ? 1 : 2);
        const tail = events.slice(route === 'chat' ? 2 : 3);
        const delta =
          route === 'chat'
            ? `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 1, model: opts.model, choices: [{ index: 0, delta: { content: filler }, finish_reason: null }] })}\n\n`
            : `event: content_block_delta\ndata: ${JSON.stringify({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: filler } })}\n\n`;
        const write = async (s) => {
          this.bigWritten += s.length;
          if (!res.write(s)) await new Promise((r) => res.once('drain', r));
        };
        for (const e of head) await write(e);
        for (let i = 0; i < (b.chunks ?? 1000); i++) {
          if (sock.destroyed) return;
          await write(delta);
        }
        for (const e of tail) await write(e);
        res.end();
        this.bigDone = true;
        return;
      }
    }

    if (!body.stream) {
      const s = JSON.stringify(jsonAnswer(route, opts));
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(s) });
      return res.end(s);
    }
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    for (const e of sseEvents(route, opts)) res.write(e);
    res.end();
  }
}
