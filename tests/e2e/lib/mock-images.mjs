// A mock OpenAI Images API upstream: POST /v1/images/generations (JSON) and
// POST /v1/images/edits (multipart/form-data, read back with the platform's
// own form parser, so the gateway's encoder is checked by an independent
// decoder). Every request is recorded with its parsed fields and file bytes;
// the answer is scripted per request like the other mocks:
//   { images?: [Buffer], usage?: {...}|null, status?, body?, delayMs?,
//     partialImages?: [Buffer], partialDelayMs? }
// (delayMs waits before answering; partialImages replace the made-up partial
// bytes, partialDelayMs is the pause after each partial event.)
// Streaming requests get partial_image events then one completed event per
// image, named image_generation.* or image_edit.*.

import http from 'node:http';

/** A valid 1x1 PNG. */
export const PNG_1PX = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
);

/** A PNG-looking buffer whose bytes say which one it is. */
export function fakePng(tag) {
  return Buffer.concat([PNG_1PX.subarray(0, 16), Buffer.from(`::${tag}::`)]);
}

export const DEFAULT_IMAGE_USAGE = Object.freeze({
  input_tokens: 50,
  input_tokens_details: { text_tokens: 40, image_tokens: 10 },
  output_tokens: 4160,
  total_tokens: 4210,
});

export class MockImages {
  constructor() {
    this.requests = [];
    this.queue = [];
    this.behavior = {};
    this.apiKey = null;
    this.server = null;
    this.port = 0;
    this.sockets = new Set();
  }

  get url() {
    return `http://127.0.0.1:${this.port}`;
  }

  get lastRequest() {
    return this.requests[this.requests.length - 1];
  }

  setBehavior(b) {
    this.behavior = b;
    this.queue = [];
  }

  enqueue(...bs) {
    this.queue.push(...bs);
  }

  reset() {
    this.requests = [];
  }

  describe() {
    const lines = [`mock images ${this.url}: ${this.requests.length} request(s)`];
    for (const r of this.requests.slice(-6)) {
      lines.push(`  ${r.method} ${r.path} -> ${r.answeredStatus ?? '?'} fields=${JSON.stringify(r.fields ?? r.json ?? {}).slice(0, 400)}`);
      if (r.violations.length) lines.push(`    violations: ${r.violations.join('; ')}`);
    }
    return lines.join('\n');
  }

  async listen() {
    this.server = http.createServer((req, res) => this.#handle(req, res).catch((e) => {
      if (!res.headersSent) this.#json(res, 500, { mockError: String(e?.stack ?? e) });
      else res.destroy();
    }));
    this.server.on('connection', (s) => {
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

  #json(res, status, obj) {
    const s = JSON.stringify(obj);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(s) });
    res.end(s);
  }

  async #handle(req, res) {
    const chunks = [];
    for await (const c of req) chunks.push(c);
    const raw = Buffer.concat(chunks);
    const rec = { method: req.method, path: req.url, headers: { ...req.headers }, raw, violations: [], answeredStatus: null };
    this.requests.push(rec);
    const writeHead = res.writeHead.bind(res);
    res.writeHead = (status, ...rest) => {
      rec.answeredStatus = status;
      return writeHead(status, ...rest);
    };
    const edit = req.url === '/v1/images/edits';
    if (req.method !== 'POST' || (!edit && req.url !== '/v1/images/generations')) {
      return this.#json(res, 404, { error: { message: `mock: unknown route ${req.method} ${req.url}`, type: 'invalid_request_error' } });
    }
    const auth = req.headers.authorization ?? '';
    if (this.apiKey && auth !== `Bearer ${this.apiKey}`) {
      rec.violations.push(`auth ${auth ? 'wrong' : 'missing'}`);
      return this.#json(res, 401, { error: { message: 'Incorrect API key provided.', type: 'invalid_request_error', code: 'invalid_api_key' } });
    }

    let params;
    if (edit) {
      const type = req.headers['content-type'] ?? '';
      if (!type.startsWith('multipart/form-data')) rec.violations.push(`edit content-type ${type}`);
      const form = await new Request('http://mock/', { method: 'POST', headers: { 'content-type': type }, body: raw }).formData();
      rec.fields = {};
      rec.files = [];
      for (const [name, value] of form.entries()) {
        if (typeof value === 'string') {
          if (name in rec.fields) rec.violations.push(`field ${name} twice`);
          rec.fields[name] = value;
        } else {
          rec.files.push({ name, filename: value.name, type: value.type, bytes: Buffer.from(await value.arrayBuffer()) });
        }
      }
      params = rec.fields;
    } else {
      if (!(req.headers['content-type'] ?? '').startsWith('application/json')) rec.violations.push('generation content-type');
      try {
        rec.json = JSON.parse(raw.toString('utf8'));
      } catch (e) {
        rec.violations.push(`bad JSON: ${e.message}`);
        return this.#json(res, 400, { error: { message: 'We could not parse the JSON body of your request.', type: 'invalid_request_error' } });
      }
      params = rec.json;
    }
    const model = String(params.model ?? '');
    if (/^gpt-image/.test(model) && params.response_format !== undefined) {
      // The real API refuses it for GPT-image models.
      rec.violations.push('response_format sent to a gpt-image model');
      return this.#json(res, 400, { error: { message: "Unknown parameter: 'response_format'.", type: 'invalid_request_error', param: 'response_format', code: 'unknown_parameter' } });
    }

    let b = this.queue.length ? this.queue.shift() : this.behavior;
    if (typeof b === 'function') b = b(rec);
    b = b ?? {};
    if (b.delayMs) await new Promise((r) => setTimeout(r, b.delayMs));
    if (b.status) {
      return this.#json(res, b.status, b.body ?? { error: { message: `mock error ${b.status}`, type: 'invalid_request_error' } });
    }
    const n = Number(params.n ?? 1);
    const images = b.images ?? Array.from({ length: n }, (_, i) => fakePng(`${model}#${i}`));
    const usage = b.usage === undefined ? DEFAULT_IMAGE_USAGE : b.usage;
    const meta = {
      background: params.background ?? 'opaque',
      output_format: params.output_format ?? 'png',
      quality: b.quality ?? (params.quality && params.quality !== 'auto' ? params.quality : 'medium'),
      size: b.size ?? (params.size && params.size !== 'auto' ? params.size : '1024x1024'),
    };
    const stream = params.stream === true || params.stream === 'true';
    if (!stream) {
      const body = { created: Math.floor(Date.now() / 1000), data: images.map((img) => ({ b64_json: img.toString('base64') })), ...meta };
      if (usage) body.usage = usage;
      return this.#json(res, 200, body);
    }
    const prefix = edit ? 'image_edit' : 'image_generation';
    const partials = Number(params.partial_images ?? 0);
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' });
    const created_at = Math.floor(Date.now() / 1000);
    const send = (type, data) => res.write(`event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`);
    for (let i = 0; i < partials; i++) {
      const bytes = b.partialImages?.[i] ?? fakePng(`partial${i}`);
      send(`${prefix}.partial_image`, { b64_json: bytes.toString('base64'), created_at, partial_image_index: i, ...meta });
      await new Promise((r) => setTimeout(r, b.partialDelayMs ?? 5));
    }
    images.forEach((img, i) => {
      const data = { b64_json: img.toString('base64'), created_at, ...meta };
      if (usage) data.usage = usage;
      send(`${prefix}.completed`, data);
    });
    res.end();
  }
}

export async function startMockImages() {
  const m = new MockImages();
  await m.listen();
  return m;
}
