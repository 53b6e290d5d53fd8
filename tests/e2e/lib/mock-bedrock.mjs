// A mock of AWS Bedrock Runtime serving Claude: InvokeModel
// (POST /model/{modelId}/invoke) and InvokeModelWithResponseStream
// (POST /model/{modelId}/invoke-with-response-stream).
//
// It checks what the real service checks:
//   - authentication: with mock.credentials ({accessKeyId, secretAccessKey,
//     sessionToken?, region}) the AWS SigV4 signature is recomputed here with
//     node:crypto from the raw request (method, path as sent and encoded once
//     more, sorted query, the signed headers' values, SHA-256 of the raw body)
//     and must match; the scope must name the region and service "bedrock";
//     a session token must be sent and signed as x-amz-security-token. With
//     mock.apiKey instead, "Authorization: Bearer <key>" (Bedrock API keys).
//     Failures answer 403 with x-amzn-errortype, as Bedrock does.
//   - the body: Anthropic's Messages body with anthropic_version
//     "bedrock-2023-05-31", no model and no stream field (the mock's Anthropic
//     validation runs on the rest); anthropic_beta must be an array.
//
// Answers reuse the Anthropic mock's rendering (behaviours as in
// mock-anthropic.mjs). Streams are real event-stream frames (prelude, string
// headers, payload {"bytes": base64 event JSON, "p": padding}, CRC-32s).
// Extra behaviours:
//   { exception: 'throttlingException', status: 429, message? }   a whole error
//   { ...answer, streamException: 'modelStreamErrorException', afterEvents: n }
//       an exception frame after n chunk events
//   { ...answer, corruptAfter: n }  the (n+1)th frame's payload CRC is wrong

import { createHash, createHmac } from 'node:crypto';
import { MockAnthropic, validateMessagesRequest } from './mock-anthropic.mjs';
import { rid, sendJson, sleep } from './mock-base.mjs';

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[i] = c >>> 0;
  }
  return t;
})();

export function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** One event-stream message with string headers. */
export function eventStreamFrame(headers, payload) {
  const hs = [];
  for (const [name, value] of Object.entries(headers)) {
    const n = Buffer.from(name);
    const v = Buffer.from(value);
    const len = Buffer.alloc(2);
    len.writeUInt16BE(v.length);
    hs.push(Buffer.from([n.length]), n, Buffer.from([7]), len, v);
  }
  const h = Buffer.concat(hs);
  const p = Buffer.from(payload);
  const total = 16 + h.length + p.length;
  const prelude = Buffer.alloc(8);
  prelude.writeUInt32BE(total, 0);
  prelude.writeUInt32BE(h.length, 4);
  const preludeCrc = Buffer.alloc(4);
  preludeCrc.writeUInt32BE(crc32(prelude));
  const head = Buffer.concat([prelude, preludeCrc, h, p]);
  const msgCrc = Buffer.alloc(4);
  msgCrc.writeUInt32BE(crc32(head));
  return Buffer.concat([head, msgCrc]);
}

export function chunkFrame(event) {
  const bytes = Buffer.from(JSON.stringify(event)).toString('base64');
  return eventStreamFrame(
    { ':event-type': 'chunk', ':content-type': 'application/json', ':message-type': 'event' },
    JSON.stringify({ bytes, p: 'abcdefghijklmnopqrstuvwxyzABCDEF'.slice(0, 1 + (bytes.length % 30)) }),
  );
}

export function exceptionFrame(name, message) {
  return eventStreamFrame({ ':exception-type': name, ':content-type': 'application/json', ':message-type': 'exception' }, JSON.stringify({ message }));
}

const sha256 = (data) => createHash('sha256').update(data).digest('hex');
const hmac = (key, data) => createHmac('sha256', key).update(data).digest();
const awsEncode = (s) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());

/** The SigV4 signature for a received request (what the service computes). */
export function expectedSignature({ method, rawPath, headers, rawBody, signedHeaders, amzDate, region, service, secretAccessKey }) {
  const [path, query = ''] = rawPath.split('?');
  const canonicalUri = path.split('/').map(awsEncode).join('/');
  const canonicalQuery = query
    .split('&')
    .filter(Boolean)
    .map((kv) => {
      const [k, v = ''] = kv.split('=');
      return [awsEncode(decodeURIComponent(k)), awsEncode(decodeURIComponent(v))];
    })
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : 1))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  const names = signedHeaders.split(';');
  const canonicalHeaders = names.map((n) => `${n}:${String(headers[n] ?? '').trim().replace(/\s+/g, ' ')}\n`).join('');
  const creq = [method, canonicalUri, canonicalQuery, canonicalHeaders, signedHeaders, sha256(rawBody)].join('\n');
  const date = amzDate.slice(0, 8);
  const scope = `${date}/${region}/${service}/aws4_request`;
  const sts = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(creq)].join('\n');
  let key = hmac('AWS4' + secretAccessKey, date);
  key = hmac(key, region);
  key = hmac(key, service);
  key = hmac(key, 'aws4_request');
  return { signature: createHmac('sha256', key).update(sts).digest('hex'), scope, canonicalRequest: creq };
}

function awsError(res, status, type, message, headers = {}) {
  return sendJson(res, status, { message }, { 'x-amzn-errortype': `${type}:http://internal.amazon.com/coral/com.amazon.bedrock/`, 'x-amzn-requestid': rid('', 32), ...headers });
}

export class MockBedrock extends MockAnthropic {
  constructor() {
    super();
    this.name = 'bedrock';
    /** {accessKeyId, secretAccessKey, sessionToken?, region} for SigV4; or set apiKey. */
    this.credentials = null;
    this.signaturesChecked = 0;
  }

  /** Requests that hit an invoke endpoint. */
  get invokeRequests() {
    return this.requests.filter((r) => /^\/model\/[^/]+\/invoke(-with-response-stream)?$/.test(r.path));
  }

  #checkAuth(rec) {
    const auth = rec.headers.authorization ?? '';
    if (this.apiKey) {
      if (auth !== `Bearer ${this.apiKey}`) return 'Authorization must be the Bedrock API key as a bearer token';
      return null;
    }
    const c = this.credentials;
    if (!c) return null;
    const m = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})$/.exec(auth);
    if (!m) return `malformed Authorization header: ${auth}`;
    const [, akid, date, region, service, signedHeaders, signature] = m;
    if (akid !== c.accessKeyId) return `unknown access key ${akid}`;
    if (region !== c.region || service !== 'bedrock') return `credential scope ${region}/${service} is not ${c.region}/bedrock`;
    const amzDate = rec.headers['x-amz-date'] ?? '';
    if (!/^\d{8}T\d{6}Z$/.test(amzDate) || amzDate.slice(0, 8) !== date) return `bad x-amz-date ${amzDate}`;
    const skew = Math.abs(Date.parse(amzDate.replace(/^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z$/, '$1-$2-$3T$4:$5:$6Z')) - Date.now());
    if (skew > 5 * 60_000) return `x-amz-date is ${skew} ms off`;
    const names = signedHeaders.split(';');
    for (const required of ['host', 'x-amz-date']) if (!names.includes(required)) return `${required} is not signed`;
    if (c.sessionToken) {
      if (rec.headers['x-amz-security-token'] !== c.sessionToken) return 'x-amz-security-token missing or wrong';
      if (!names.includes('x-amz-security-token')) return 'x-amz-security-token is not signed';
    }
    const expected = expectedSignature({
      method: rec.method,
      rawPath: rec.url,
      headers: rec.headers,
      rawBody: rec.rawBody,
      signedHeaders,
      amzDate,
      region,
      service,
      secretAccessKey: c.secretAccessKey,
    });
    rec.canonicalRequest = expected.canonicalRequest;
    if (expected.signature !== signature) return `signature mismatch; the canonical request should be:\n${expected.canonicalRequest}`;
    this.signaturesChecked += 1;
    return null;
  }

  async route(rec, req, res) {
    const m = /^\/model\/([^/]+)\/(invoke|invoke-with-response-stream)$/.exec(rec.path);
    if (rec.method !== 'POST' || !m) return awsError(res, 404, 'UnknownOperationException', `Unknown operation ${rec.method} ${rec.path}`);
    rec.modelId = decodeURIComponent(m[1]);
    rec.streamed = m[2] === 'invoke-with-response-stream';
    const authProblem = this.#checkAuth(rec);
    if (authProblem) {
      rec.violations.push(authProblem);
      const type = /signature/.test(authProblem) ? 'InvalidSignatureException' : 'AccessDeniedException';
      return awsError(res, 403, type, authProblem);
    }
    if (rec.bodyError) return awsError(res, 400, 'ValidationException', `Malformed input request: ${rec.bodyError}`);
    const body = rec.body ?? {};
    const v = [];
    if (body.anthropic_version !== 'bedrock-2023-05-31') v.push(`anthropic_version must be bedrock-2023-05-31, got ${JSON.stringify(body.anthropic_version)}`);
    if ('model' in body) v.push('extraneous key [model] is not permitted');
    if ('stream' in body) v.push('extraneous key [stream] is not permitted');
    if ('anthropic_beta' in body && !Array.isArray(body.anthropic_beta)) v.push('anthropic_beta must be an array');
    const { anthropic_version, anthropic_beta, ...rest } = body;
    v.push(...validateMessagesRequest({ ...rest, model: rec.modelId }).filter((x) => !x.startsWith('model:') && !x.startsWith('stream')));
    if (v.length) {
      rec.violations.push(...v);
      return awsError(res, 400, 'ValidationException', v.join('; '));
    }

    const b = this.nextBehavior(rec);
    if (b.firstDelayMs) await sleep(b.firstDelayMs);
    if (b.exception || (b.status && b.status >= 300)) {
      const status = b.status ?? 400;
      const byStatus = { 400: 'ValidationException', 403: 'AccessDeniedException', 429: 'ThrottlingException', 500: 'InternalServerException', 503: 'ServiceUnavailableException' };
      const exception = b.exception ?? byStatus[status] ?? 'InternalServerException';
      return awsError(res, status, exception, b.message ?? b.body?.message ?? `mock ${exception}`, b.headers);
    }
    // Render through the Anthropic mock, as if it had been asked with model and stream.
    rec.body = { ...rest, model: rec.modelId, stream: rec.streamed };
    this.currentBehavior = b;
    return this.answer(rec, res, b, { 'x-amzn-requestid': rid('', 32) });
  }

  sendMessage(res, message, h) {
    return sendJson(res, 200, message, { ...h, 'x-amzn-bedrock-input-token-count': String(message.usage.input_tokens), 'x-amzn-bedrock-output-token-count': String(message.usage.output_tokens) });
  }

  /** Anthropic events out as event-stream frames instead of SSE. */
  async writeSse(res, events, { delayMs = 0, headers = {} } = {}) {
    const b = this.currentBehavior ?? {};
    res.writeHead(200, { 'content-type': 'application/vnd.amazon.eventstream', 'x-amzn-bedrock-content-type': 'application/json', ...headers });
    res.flushHeaders();
    let aborted = false;
    res.on('close', () => {
      if (!res.writableFinished) aborted = true;
    });
    // Bedrock drops pings and adds its metrics to message_stop.
    const real = events.filter((e) => e.event !== 'ping');
    const start = real.find((e) => e.event === 'message_start');
    const delta = real.find((e) => e.event === 'message_delta');
    for (let i = 0; i < real.length; i++) {
      if (aborted) break;
      if (i > 0 && delayMs) await sleep(delayMs);
      if (b.streamException && i === (b.afterEvents ?? 1)) {
        res.write(exceptionFrame(b.streamException, b.message ?? 'mock stream exception'));
        break;
      }
      let data = real[i].data;
      if (data.type === 'message_stop') {
        data = {
          ...data,
          'amazon-bedrock-invocationMetrics': {
            inputTokenCount: start?.data.message.usage.input_tokens ?? 0,
            outputTokenCount: delta?.data.usage.output_tokens ?? 0,
            invocationLatency: 321,
            firstByteLatency: 45,
          },
        };
      }
      const frame = chunkFrame(data);
      if (b.corruptAfter !== undefined && i === b.corruptAfter) frame[frame.length - 6] ^= 0x20;
      // Frames are written in two pieces, so the gateway sees split frames.
      const cut = 1 + (i * 7) % (frame.length - 1);
      res.write(frame.subarray(0, cut));
      res.write(frame.subarray(cut));
    }
    if (aborted) {
      this.streamsAborted += 1;
      return;
    }
    res.end();
    this.streamsFinished += 1;
  }
}

export async function startMockBedrock(opts = {}) {
  const m = new MockBedrock();
  await m.listen(opts);
  return m;
}
