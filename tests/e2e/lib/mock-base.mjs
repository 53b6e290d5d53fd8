// Plumbing shared by the mock upstreams of the other protocols (Anthropic
// Messages, OpenAI Responses, Gemini): an HTTP server that records every
// request, counts connections and picks a scripted behaviour per request, plus
// small helpers to write JSON and SSE answers.
//
// A subclass implements `route(rec, req, res)`; it gets the recorded request
// (method, url, path, query, headers, rawBody, parsed body or bodyError) and
// answers it. Behaviours are chosen like in mock-openai.mjs:
// mock.setBehavior(b) for all following requests, mock.enqueue(b) for one
// request each (first in, first out); b is an object or (rec) => object.
//
// Common behaviour objects (each mock renders them in its own wire format):
//   { text, pieces?, usage?, thinking?, delayMs?, firstDelayMs?, endDelayMs? }
//       (endDelayMs: keep the stream open that long after its last event, as
//       real upstreams sometimes do before they end the body)
//   { toolCalls: [{ id?, name, arguments (JSON text), fragments? }], text?, usage? }
//   { status, body?, headers? }            an error answer
// `usage` is { input, output } (input: prompt tokens, none cached).

import http from 'node:http';
import { randomBytes } from 'node:crypto';

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export const DEFAULT_USAGE = Object.freeze({ input: 12, output: 7 });

/** A random id with a prefix, e.g. rid('msg_') → msg_3kQ… (only [A-Za-z0-9]). */
export function rid(prefix, n = 18) {
  return prefix + randomBytes(n * 2).toString('base64').replace(/[^A-Za-z0-9]/g, '').slice(0, n);
}

/** Split text into word pieces that concatenate back to the exact text. */
export function wordPieces(text) {
  const pieces = text.match(/\s*\S+\s*/g);
  if (!pieces || pieces.join('') !== text) return text.length ? [text] : [];
  return pieces;
}

export function chunkString(s, n) {
  const out = [];
  for (let i = 0; i < s.length; i += n) out.push(s.slice(i, i + n));
  return out;
}

export function sendJson(res, status, obj, headers = {}) {
  const s = JSON.stringify(obj);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(s),
    ...headers,
  });
  res.end(s);
}

export class MockBase {
  constructor(name) {
    this.name = name;
    this.requests = [];
    this.connections = 0;
    this.sockets = new Set();
    this.behavior = { text: `Hello from the mock ${name} upstream.` };
    this.queue = [];
    this.server = null;
    this.port = 0;
    this.host = '127.0.0.1';
    this.streamsFinished = 0;
    this.streamsAborted = 0;
    /** When set, the credential the mock demands (checked by the subclass). */
    this.apiKey = null;
  }

  get url() {
    return `http://${this.host}:${this.port}`;
  }

  setBehavior(b) {
    this.behavior = b;
    this.queue = [];
  }

  enqueue(...bs) {
    this.queue.push(...bs);
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
    const lines = [`mock ${this.name} ${this.url}: ${this.requests.length} request(s), ${this.connections} connection(s)`];
    for (const r of this.requests.slice(-6)) {
      lines.push(`  ${r.method} ${r.url} -> ${r.answeredStatus ?? '?'} body=${r.rawBody.slice(0, 600)}`);
      if (r.violations?.length) lines.push(`    violations: ${r.violations.join('; ')}`);
    }
    return lines.join('\n');
  }

  async listen({ host = '127.0.0.1' } = {}) {
    this.host = host;
    this.server = http.createServer((req, res) => this.#handle(req, res));
    this.server.keepAliveTimeout = 60_000;
    this.server.headersTimeout = 65_000;
    this.server.requestTimeout = 0;
    this.server.on('connection', (socket) => {
      this.connections += 1;
      socket.setNoDelay(true);
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
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

  nextBehavior(rec) {
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
      searchParams: u.searchParams,
      headers: { ...req.headers },
      rawBody,
      body,
      bodyError,
      violations: [],
      answeredStatus: null,
      at: Date.now(),
    };
    this.requests.push(rec);
    const origWriteHead = res.writeHead.bind(res);
    res.writeHead = (status, ...rest) => {
      rec.answeredStatus = status;
      return origWriteHead(status, ...rest);
    };
    try {
      await this.route(rec, req, res);
    } catch (e) {
      if (!res.headersSent) sendJson(res, 500, { mockError: String(e?.stack ?? e) });
      else res.destroy();
    }
  }

  /**
   * Write an SSE stream: `events` is a list of {event?, data} (data: object →
   * compact JSON). `sep` is the event terminator. Honours b.delayMs between
   * events (and endDelayMs after the last one) and stops when the client goes away.
   */
  async writeSse(res, events, { delayMs = 0, endDelayMs = 0, sep = '\n\n', headers = {} } = {}) {
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      ...headers,
    });
    res.flushHeaders();
    let aborted = false;
    res.on('close', () => {
      if (!res.writableFinished) aborted = true;
    });
    for (let i = 0; i < events.length; i++) {
      if (aborted) break;
      if (i > 0 && delayMs) await sleep(delayMs);
      if (aborted) break;
      const e = events[i];
      const data = typeof e.data === 'string' ? e.data : JSON.stringify(e.data);
      res.write((e.event ? `event: ${e.event}\n` : '') + `data: ${data}${sep}`);
    }
    if (!aborted && endDelayMs) await sleep(endDelayMs);
    if (aborted) {
      this.streamsAborted += 1;
      return;
    }
    res.end();
    this.streamsFinished += 1;
  }
}
