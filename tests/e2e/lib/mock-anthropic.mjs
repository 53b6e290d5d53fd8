// A scripted mock of the Anthropic Messages upstream (POST /v1/messages).
//
// Wire format (docs/protocols/anthropic-messages.md):
//   - auth: `x-api-key` (must equal mock.apiKey when set, else 401
//     authentication_error); `anthropic-version` is required (else 400).
//   - non-stream: {id:"msg_…", type:"message", role:"assistant", model,
//     content:[thinking|text|tool_use…], stop_reason, stop_sequence:null, usage}
//   - stream: SSE with `event:` names: message_start (usage with input tokens,
//     output_tokens 1), ping, then per block content_block_start /
//     content_block_delta (thinking_delta…, signature_delta | text_delta… |
//     input_json_delta starting with "" then fragments) / content_block_stop,
//     message_delta {delta:{stop_reason, stop_sequence}, usage:{output_tokens}},
//     message_stop.
//   - errors: {"type":"error","error":{"type","message"},"request_id"}.
//
// Requests are checked against the rules the real API enforces (required
// max_tokens, no unknown top-level fields, non-empty text, tool_use answered by
// tool_result blocks in the very next user message, valid tool ids and
// schemas …); a violation is answered with 400 invalid_request_error and kept
// in rec.violations.
//
// Behaviours (see mock-base.mjs): { text, pieces?, thinking?: {text, signature},
// usage?: {input, output}, stopReason? } | { toolCalls:[{id?, name, arguments,
// fragments?}], text? } | { status, body?, headers? }.

import { MockBase, DEFAULT_USAGE, rid, wordPieces, chunkString, sendJson, sleep } from './mock-base.mjs';

const TOP_LEVEL = new Set([
  'model', 'messages', 'max_tokens', 'system', 'metadata', 'stop_sequences', 'stream', 'temperature', 'top_p', 'top_k',
  'tools', 'tool_choice', 'thinking', 'service_tier', 'container', 'mcp_servers', 'context_management', 'output_config',
  'cache_control', 'inference_geo',
]);
const BLOCK_TYPES = new Set([
  'text', 'image', 'document', 'tool_use', 'tool_result', 'thinking', 'redacted_thinking', 'search_result',
  'server_tool_use', 'web_search_tool_result',
]);
const ID_RE = /^[a-zA-Z0-9_-]+$/;
const TOOL_NAME_RE = /^[a-zA-Z0-9_-]{1,128}$/;

export const ERROR_TYPES = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  402: 'billing_error',
  403: 'permission_error',
  404: 'not_found_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  500: 'api_error',
  504: 'timeout_error',
  529: 'overloaded_error',
};

export function anthropicError(status, message, type = ERROR_TYPES[status] ?? 'api_error') {
  return { type: 'error', error: { type, message }, request_id: rid('req_', 24) };
}

export function anthropicUsage(u = DEFAULT_USAGE) {
  return {
    input_tokens: u.input ?? 0,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: 0,
    cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 0 },
    output_tokens: u.output ?? 0,
    service_tier: 'standard',
  };
}

/** The rules of the real API this mock enforces; returns a list of messages. */
export function validateMessagesRequest(body) {
  const v = [];
  if (!body || typeof body !== 'object' || Array.isArray(body)) return ['body must be a JSON object'];
  for (const k of Object.keys(body)) if (!TOP_LEVEL.has(k)) v.push(`${k}: Extra inputs are not permitted`);
  if (typeof body.model !== 'string' || !body.model) v.push('model: Field required');
  if (!Number.isInteger(body.max_tokens) || body.max_tokens < 1) v.push('max_tokens: Field required (integer >= 1)');
  if ('stream' in body && typeof body.stream !== 'boolean') v.push('stream: Input should be a valid boolean');
  if ('temperature' in body && !(typeof body.temperature === 'number' && body.temperature >= 0 && body.temperature <= 1)) {
    v.push('temperature: must be a number in [0, 1]');
  }
  if ('system' in body) {
    const s = body.system;
    const ok = typeof s === 'string' || (Array.isArray(s) && s.every((b) => b && b.type === 'text' && typeof b.text === 'string' && b.text.length));
    if (!ok) v.push('system: must be a string or a list of non-empty text blocks');
  }
  if ('tools' in body) {
    if (!Array.isArray(body.tools)) v.push('tools: Input should be a valid list');
    else
      body.tools.forEach((t, i) => {
        if (t.type && t.type !== 'custom') return; // server tools
        if (typeof t.name !== 'string' || !TOOL_NAME_RE.test(t.name)) v.push(`tools.${i}.name: String should match pattern '^[a-zA-Z0-9_-]{1,128}$'`);
        if (!t.input_schema || t.input_schema.type !== 'object') v.push(`tools.${i}.input_schema.type: Input should be 'object'`);
        for (const k of Object.keys(t)) {
          if (!['name', 'description', 'input_schema', 'cache_control', 'type', 'strict', 'eager_input_streaming', 'defer_loading', 'input_examples'].includes(k)) {
            v.push(`tools.${i}.${k}: Extra inputs are not permitted`);
          }
        }
      });
  }
  if ('tool_choice' in body) {
    const tc = body.tool_choice;
    if (!tc || typeof tc !== 'object' || !['auto', 'any', 'tool', 'none'].includes(tc.type)) v.push('tool_choice: invalid');
    else if (tc.type === 'tool' && typeof tc.name !== 'string') v.push('tool_choice.name: Field required');
  }
  const msgs = body.messages;
  if (!Array.isArray(msgs) || msgs.length === 0) {
    v.push('messages: at least one message is required');
    return v;
  }
  const blocksOf = (m) => (typeof m.content === 'string' ? [{ type: 'text', text: m.content }] : Array.isArray(m.content) ? m.content : null);
  msgs.forEach((m, i) => {
    if (!m || (m.role !== 'user' && m.role !== 'assistant')) {
      v.push(`messages.${i}.role: Input should be 'user' or 'assistant'`);
      return;
    }
    const blocks = blocksOf(m);
    if (!blocks) {
      v.push(`messages.${i}.content: must be a string or a list of blocks`);
      return;
    }
    const isFinalAssistant = i === msgs.length - 1 && m.role === 'assistant';
    if (blocks.length === 0 && !isFinalAssistant) v.push(`messages.${i}: all messages must have non-empty content except for the optional final assistant message`);
    blocks.forEach((b, j) => {
      const where = `messages.${i}.content.${j}`;
      if (!b || !BLOCK_TYPES.has(b.type)) {
        v.push(`${where}.type: unknown block type ${JSON.stringify(b?.type)}`);
        return;
      }
      if (b.type === 'text' && (typeof b.text !== 'string' || (!b.text.length && !isFinalAssistant))) v.push(`${where}: text content blocks must be non-empty`);
      if (b.type === 'tool_use') {
        if (m.role !== 'assistant') v.push(`${where}: tool_use blocks are only allowed in assistant messages`);
        if (typeof b.id !== 'string' || !ID_RE.test(b.id)) v.push(`${where}.id: String should match pattern '^[a-zA-Z0-9_-]+$'`);
        if (typeof b.name !== 'string' || !b.name) v.push(`${where}.name: Field required`);
        if (!b.input || typeof b.input !== 'object' || Array.isArray(b.input)) v.push(`${where}.input: Input should be a valid dictionary`);
      }
      if (b.type === 'tool_result') {
        if (m.role !== 'user') v.push(`${where}: tool_result blocks are only allowed in user messages`);
        if (typeof b.tool_use_id !== 'string' || !ID_RE.test(b.tool_use_id)) v.push(`${where}.tool_use_id: String should match pattern '^[a-zA-Z0-9_-]+$'`);
      }
      if (b.type === 'thinking' && (typeof b.signature !== 'string' || !b.signature)) v.push(`${where}.signature: Field required`);
    });
  });
  // tool_use ↔ tool_result pairing.
  msgs.forEach((m, i) => {
    const blocks = blocksOf(m) ?? [];
    if (m.role === 'assistant') {
      const ids = blocks.filter((b) => b?.type === 'tool_use').map((b) => b.id);
      if (!ids.length) return;
      const next = msgs[i + 1];
      if (!next) return; // a final assistant turn (prefill) — nothing to answer yet
      const nb = next.role === 'user' ? blocksOf(next) ?? [] : [];
      const answered = new Set(nb.filter((b) => b?.type === 'tool_result').map((b) => b.tool_use_id));
      const missing = ids.filter((id) => !answered.has(id));
      if (missing.length) {
        v.push(`messages.${i + 1}: \`tool_use\` ids were found without \`tool_result\` blocks immediately after: ${missing.join(', ')}. Each \`tool_use\` block must have a corresponding \`tool_result\` block in the next message.`);
      }
      // tool_result blocks must come first in that user message.
      const firstOther = nb.findIndex((b) => b?.type !== 'tool_result');
      const lastResult = nb.map((b) => b?.type).lastIndexOf('tool_result');
      if (firstOther >= 0 && lastResult > firstOther) v.push(`messages.${i + 1}: tool_result blocks must come before any other content`);
    } else {
      const results = blocks.filter((b) => b?.type === 'tool_result');
      if (!results.length) return;
      const prev = msgs[i - 1];
      const prevIds = new Set(prev?.role === 'assistant' ? (blocksOf(prev) ?? []).filter((b) => b?.type === 'tool_use').map((b) => b.id) : []);
      for (const r of results) {
        if (!prevIds.has(r.tool_use_id)) {
          v.push(`messages.${i}.content: unexpected \`tool_use_id\` found in \`tool_result\` blocks: ${r.tool_use_id}. Each \`tool_result\` block must have a corresponding \`tool_use\` block in the previous message.`);
        }
      }
    }
  });
  return v;
}

export class MockAnthropic extends MockBase {
  constructor() {
    super('anthropic');
  }

  /** Requests that hit POST /v1/messages. */
  get messageRequests() {
    return this.requests.filter((r) => r.path === '/v1/messages');
  }

  async route(rec, req, res) {
    const reqId = rid('req_', 24);
    const h = { 'request-id': reqId };
    if (rec.method !== 'POST' || rec.path !== '/v1/messages') {
      return sendJson(res, 404, anthropicError(404, `Not found: ${rec.method} ${rec.path}`), h);
    }
    const key = rec.headers['x-api-key'];
    if (!key || (this.apiKey && key !== this.apiKey)) {
      rec.violations.push(`x-api-key ${key ? 'wrong' : 'missing'}`);
      return sendJson(res, 401, anthropicError(401, 'invalid x-api-key'), h);
    }
    if (!rec.headers['anthropic-version']) {
      rec.violations.push('anthropic-version header missing');
      return sendJson(res, 400, anthropicError(400, 'anthropic-version: header is required'), h);
    }
    if (rec.bodyError) return sendJson(res, 400, anthropicError(400, `There was an error parsing the body: ${rec.bodyError}`), h);
    const v = validateMessagesRequest(rec.body);
    if (v.length) {
      rec.violations.push(...v);
      return sendJson(res, 400, anthropicError(400, v.join('; ')), h);
    }

    const b = this.nextBehavior(rec);
    if (b.firstDelayMs) await sleep(b.firstDelayMs);
    if (b.status && b.status >= 300) {
      const payload = b.body ?? anthropicError(b.status, `mock error ${b.status}`);
      if (typeof payload === 'string') {
        res.writeHead(b.status, { 'content-type': 'text/plain', ...h, ...(b.headers ?? {}) });
        return res.end(payload);
      }
      return sendJson(res, b.status, payload, { ...h, ...(b.headers ?? {}) });
    }
    return this.answer(rec, res, b, h);
  }

  /** A successful answer to behaviour `b` (a subclass may frame it differently). */
  async answer(rec, res, b, h) {
    const body = rec.body;
    const id = rid('msg_01', 22);
    const usage = b.usage ?? DEFAULT_USAGE;
    const toolCalls = (b.toolCalls ?? []).map((tc) => ({ ...tc, id: tc.id ?? rid('toolu_01', 22) }));
    const stopReason = b.stopReason ?? (toolCalls.length ? 'tool_use' : 'end_turn');
    const blocks = [];
    if (b.thinking) blocks.push({ type: 'thinking', thinking: b.thinking.text, signature: b.thinking.signature });
    if (b.text) blocks.push({ type: 'text', text: b.text });
    for (const tc of toolCalls) blocks.push({ type: 'tool_use', id: tc.id, name: tc.name, input: JSON.parse(tc.arguments) });

    if (!body.stream) {
      return this.sendMessage(
        res,
        {
          id,
          type: 'message',
          role: 'assistant',
          model: body.model,
          content: blocks.map((x) => (x.type === 'text' ? { ...x, citations: null } : x)),
          stop_reason: stopReason,
          stop_sequence: null,
          usage: anthropicUsage(usage),
        },
        h,
      );
    }

    const ev = (event, data) => ({ event, data: { type: event, ...data } });
    const events = [
      ev('message_start', {
        message: {
          id,
          type: 'message',
          role: 'assistant',
          model: body.model,
          content: [],
          stop_reason: null,
          stop_sequence: null,
          usage: { ...anthropicUsage({ input: usage.input, output: 1 }) },
        },
      }),
      ev('ping', {}),
    ];
    blocks.forEach((blk, index) => {
      if (blk.type === 'thinking') {
        events.push(ev('content_block_start', { index, content_block: { type: 'thinking', thinking: '' } }));
        for (const p of wordPieces(blk.thinking)) events.push(ev('content_block_delta', { index, delta: { type: 'thinking_delta', thinking: p } }));
        events.push(ev('content_block_delta', { index, delta: { type: 'signature_delta', signature: blk.signature } }));
      } else if (blk.type === 'text') {
        events.push(ev('content_block_start', { index, content_block: { type: 'text', text: '' } }));
        for (const p of b.pieces ?? wordPieces(blk.text)) events.push(ev('content_block_delta', { index, delta: { type: 'text_delta', text: p } }));
      } else {
        const tc = toolCalls.find((t) => t.id === blk.id);
        events.push(ev('content_block_start', { index, content_block: { type: 'tool_use', id: blk.id, name: blk.name, input: {} } }));
        for (const frag of ['', ...(tc.fragments ?? chunkString(tc.arguments, 6))]) {
          events.push(ev('content_block_delta', { index, delta: { type: 'input_json_delta', partial_json: frag } }));
        }
      }
      events.push(ev('content_block_stop', { index }));
    });
    events.push(ev('message_delta', { delta: { stop_reason: stopReason, stop_sequence: null }, usage: { output_tokens: usage.output } }));
    events.push(ev('message_stop', {}));
    await this.writeSse(res, events, { delayMs: b.delayMs, endDelayMs: b.endDelayMs, headers: h });
  }

  sendMessage(res, message, h) {
    return sendJson(res, 200, message, h);
  }
}

export async function startMockAnthropic(opts = {}) {
  const m = new MockAnthropic();
  await m.listen(opts);
  return m;
}
