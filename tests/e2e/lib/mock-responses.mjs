// A scripted mock of the OpenAI Responses upstream (POST /v1/responses).
//
// Wire format (docs/protocols/openai-responses.md):
//   - auth: `Authorization: Bearer <key>` (must equal mock.apiKey when set).
//   - non-stream: a response object {id:"resp_…", object:"response",
//     created_at, status:"completed", model, output:[reasoning? message?
//     function_call…], usage:{input_tokens, input_tokens_details, output_tokens,
//     output_tokens_details, total_tokens}, error:null, incomplete_details:null,
//     plus the echoed settings}.
//   - stream: SSE, `event: <type>` + `data: {type, sequence_number, …}` with
//     sequence_number 0,1,2…: response.created, response.in_progress, per item
//     response.output_item.added, (message) response.content_part.added,
//     response.output_text.delta…, response.output_text.done,
//     response.content_part.done, (function_call)
//     response.function_call_arguments.delta…, .done, (reasoning)
//     reasoning_summary_part.added, reasoning_summary_text.delta/done,
//     reasoning_summary_part.done, then response.output_item.done; finally
//     response.completed. No [DONE].
//   - errors: {"error":{"message","type","param","code"}}.
//
// Requests are checked against rules the real API enforces (unknown
// parameters, flat function tools, input item shapes, assistant history parts,
// every function_call_output matching a function_call in the input and vice
// versa); a violation is answered with 400 and kept in rec.violations.
//
// Behaviours (see mock-base.mjs): { text, pieces?, thinking?: {text, signature},
// usage?: {input, output} } | { toolCalls:[{id?, name, arguments, fragments?}],
// text? } | { status, body?, headers? } | { rawBody } (a 200 answer of exactly
// that JSON, e.g. a queued background response).

import { MockBase, DEFAULT_USAGE, rid, wordPieces, chunkString, sendJson, sleep } from './mock-base.mjs';

const TOP_LEVEL = new Set([
  'model', 'input', 'instructions', 'tools', 'tool_choice', 'parallel_tool_calls', 'store', 'previous_response_id',
  'conversation', 'include', 'reasoning', 'text', 'max_output_tokens', 'max_tool_calls', 'temperature', 'top_p',
  'truncation', 'metadata', 'user', 'safety_identifier', 'prompt_cache_key', 'prompt_cache_retention', 'service_tier',
  'stream', 'stream_options', 'background', 'top_logprobs', 'prompt', 'context_management', 'client_metadata',
]);
const INPUT_PARTS = new Set(['input_text', 'input_image', 'input_file', 'input_audio']);
const ASSISTANT_PARTS = new Set(['output_text', 'refusal']);

export function openaiError(status, message, { type = status >= 500 ? 'server_error' : 'invalid_request_error', param = null, code = null } = {}) {
  return { error: { message, type, param, code } };
}

export function responsesUsage(u = DEFAULT_USAGE) {
  return {
    input_tokens: u.input ?? 0,
    input_tokens_details: { cached_tokens: 0 },
    output_tokens: u.output ?? 0,
    output_tokens_details: { reasoning_tokens: u.reasoning ?? 0 },
    total_tokens: (u.input ?? 0) + (u.output ?? 0),
  };
}

export function validateResponsesRequest(body) {
  const v = [];
  if (!body || typeof body !== 'object' || Array.isArray(body)) return ['body must be a JSON object'];
  for (const k of Object.keys(body)) if (!TOP_LEVEL.has(k)) v.push(`Unknown parameter: '${k}'.`);
  if (typeof body.model !== 'string' || !body.model) v.push("Missing required parameter: 'model'.");
  if ('stream_options' in body && body.stream !== true) v.push("Invalid value: 'stream_options' is only allowed when 'stream' is true.");
  if ('instructions' in body && body.instructions !== null && typeof body.instructions !== 'string') v.push("Invalid type for 'instructions'.");
  if ('tools' in body) {
    if (!Array.isArray(body.tools)) v.push("Invalid type for 'tools': expected an array.");
    else
      body.tools.forEach((t, i) => {
        if (t?.type !== 'function') return;
        if (typeof t.name !== 'string' || !t.name) v.push(`Missing required parameter: 'tools[${i}].name'.`);
        if ('function' in t) v.push(`Unknown parameter: 'tools[${i}].function'.`);
      });
  }
  const input = body.input;
  if (typeof input === 'string') return v;
  if (!Array.isArray(input)) {
    v.push("Invalid type for 'input': expected a string or an array of input items.");
    return v;
  }
  const callIds = new Set();
  const outputIds = new Set();
  input.forEach((it, i) => {
    const type = it?.type ?? (it?.role ? 'message' : undefined);
    const where = `input[${i}]`;
    if (type === 'message') {
      if (!['user', 'assistant', 'system', 'developer'].includes(it.role)) v.push(`Invalid value: '${it.role}'. Supported values are: 'assistant', 'system', 'developer', and 'user'. (${where}.role)`);
      if (typeof it.content === 'string') return;
      if (!Array.isArray(it.content)) return v.push(`Invalid type for '${where}.content'.`);
      it.content.forEach((p, j) => {
        const allowed = it.role === 'assistant' ? ASSISTANT_PARTS : INPUT_PARTS;
        if (!allowed.has(p?.type)) {
          v.push(`Invalid value: '${p?.type}'. Supported values are: ${[...allowed].map((x) => `'${x}'`).join(', ')}. (${where}.content[${j}].type)`);
        }
        if ((p?.type === 'input_text' || p?.type === 'output_text') && typeof p.text !== 'string') v.push(`Missing required parameter: '${where}.content[${j}].text'.`);
      });
    } else if (type === 'function_call') {
      if (typeof it.call_id !== 'string' || !it.call_id) v.push(`Missing required parameter: '${where}.call_id'.`);
      if (typeof it.name !== 'string' || !it.name) v.push(`Missing required parameter: '${where}.name'.`);
      if (typeof it.arguments !== 'string') v.push(`Invalid type for '${where}.arguments': expected a string.`);
      if (it.id !== undefined && !/^fc/.test(String(it.id))) v.push(`Invalid '${where}.id': '${it.id}'. Expected an ID that begins with 'fc'.`);
      callIds.add(it.call_id);
    } else if (type === 'function_call_output') {
      if (typeof it.call_id !== 'string' || !it.call_id) v.push(`Missing required parameter: '${where}.call_id'.`);
      if (typeof it.output !== 'string' && !Array.isArray(it.output)) v.push(`Invalid type for '${where}.output'.`);
      if (!callIds.has(it.call_id)) v.push(`No tool call found for function call output with call_id ${it.call_id}.`);
      outputIds.add(it.call_id);
    } else if (type === 'reasoning') {
      if (!Array.isArray(it.summary)) v.push(`Missing required parameter: '${where}.summary'.`);
      if (it.id !== undefined && !/^rs/.test(String(it.id))) v.push(`Invalid '${where}.id'. Expected an ID that begins with 'rs'.`);
    } else if (!['item_reference', 'custom_tool_call', 'custom_tool_call_output', 'compaction'].includes(type)) {
      v.push(`Invalid value: '${type}' (${where}.type).`);
    }
  });
  if (!body.previous_response_id) {
    for (const id of callIds) if (!outputIds.has(id)) v.push(`No tool output found for function call ${id}.`);
  }
  return v;
}

export class MockResponses extends MockBase {
  constructor() {
    super('responses');
  }

  /** Requests that hit POST /v1/responses. */
  get responseRequests() {
    return this.requests.filter((r) => r.path === '/v1/responses');
  }

  async route(rec, req, res) {
    const h = { 'x-request-id': rid('req_', 24) };
    if (rec.method !== 'POST' || rec.path !== '/v1/responses') {
      return sendJson(res, 404, openaiError(404, `mock: unknown route ${rec.method} ${rec.path}`, { code: 'unknown_url' }), h);
    }
    const auth = rec.headers.authorization ?? '';
    const m = /^Bearer (.+)$/.exec(auth);
    if (!m || (this.apiKey && m[1] !== this.apiKey)) {
      rec.violations.push(`authorization ${m ? 'wrong' : 'missing'}`);
      return sendJson(res, 401, openaiError(401, 'Incorrect API key provided.', { code: 'invalid_api_key' }), h);
    }
    if (rec.bodyError) return sendJson(res, 400, openaiError(400, `We could not parse the JSON body of your request. (${rec.bodyError})`), h);
    const v = validateResponsesRequest(rec.body);
    if (v.length) {
      rec.violations.push(...v);
      return sendJson(res, 400, openaiError(400, v.join(' ')), h);
    }

    const b = this.nextBehavior(rec);
    if (b.firstDelayMs) await sleep(b.firstDelayMs);
    if (b.status && b.status >= 300) {
      const payload = b.body ?? openaiError(b.status, `mock error ${b.status}`);
      if (typeof payload === 'string') {
        res.writeHead(b.status, { 'content-type': 'text/plain', ...h, ...(b.headers ?? {}) });
        return res.end(payload);
      }
      return sendJson(res, b.status, payload, { ...h, ...(b.headers ?? {}) });
    }
    if (b.rawBody) return sendJson(res, 200, b.rawBody, h);

    const body = rec.body;
    const usage = b.usage ?? DEFAULT_USAGE;
    const created = Math.floor(Date.now() / 1000);
    const respId = rid('resp_', 40);
    const toolCalls = (b.toolCalls ?? []).map((tc) => ({ ...tc, id: tc.id ?? rid('call_', 24), itemId: rid('fc_', 40) }));

    // Final output items.
    const output = [];
    if (b.thinking) {
      output.push({ id: rid('rs_', 40), type: 'reasoning', summary: [{ type: 'summary_text', text: b.thinking.text }], encrypted_content: b.thinking.signature ?? null });
    }
    if (b.text) {
      output.push({
        id: rid('msg_', 40),
        type: 'message',
        status: 'completed',
        content: [{ type: 'output_text', annotations: [], logprobs: [], text: b.text }],
        role: 'assistant',
      });
    }
    for (const tc of toolCalls) {
      output.push({ id: tc.itemId, type: 'function_call', status: 'completed', arguments: tc.arguments, call_id: tc.id, name: tc.name });
    }
    const response = (status, out, u) => ({
      id: respId,
      object: 'response',
      created_at: created,
      status,
      background: false,
      error: null,
      incomplete_details: null,
      instructions: body.instructions ?? null,
      max_output_tokens: body.max_output_tokens ?? null,
      max_tool_calls: null,
      model: body.model,
      output: out,
      parallel_tool_calls: body.parallel_tool_calls ?? true,
      previous_response_id: body.previous_response_id ?? null,
      reasoning: { effort: body.reasoning?.effort ?? null, summary: body.reasoning?.summary ?? null },
      service_tier: 'default',
      store: body.store ?? true,
      temperature: body.temperature ?? 1,
      text: { format: { type: 'text' }, verbosity: 'medium' },
      tool_choice: body.tool_choice ?? 'auto',
      tools: body.tools ?? [],
      top_logprobs: 0,
      top_p: body.top_p ?? 1,
      truncation: 'disabled',
      usage: u,
      user: null,
      metadata: body.metadata ?? {},
    });

    if (!body.stream) return sendJson(res, 200, response('completed', output, responsesUsage(usage)), h);

    let seq = 0;
    const events = [];
    const ev = (type, data) => events.push({ event: type, data: { type, sequence_number: seq++, ...data } });
    ev('response.created', { response: response('in_progress', [], null) });
    ev('response.in_progress', { response: response('in_progress', [], null) });
    output.forEach((item, output_index) => {
      if (item.type === 'reasoning') {
        ev('response.output_item.added', { output_index, item: { id: item.id, type: 'reasoning', summary: [] } });
        const text = item.summary[0].text;
        ev('response.reasoning_summary_part.added', { item_id: item.id, output_index, summary_index: 0, part: { type: 'summary_text', text: '' } });
        for (const p of wordPieces(text)) ev('response.reasoning_summary_text.delta', { item_id: item.id, output_index, summary_index: 0, delta: p });
        ev('response.reasoning_summary_text.done', { item_id: item.id, output_index, summary_index: 0, text });
        ev('response.reasoning_summary_part.done', { item_id: item.id, output_index, summary_index: 0, part: { type: 'summary_text', text } });
        ev('response.output_item.done', { output_index, item });
      } else if (item.type === 'message') {
        const text = item.content[0].text;
        ev('response.output_item.added', { output_index, item: { id: item.id, type: 'message', status: 'in_progress', content: [], role: 'assistant' } });
        ev('response.content_part.added', { item_id: item.id, output_index, content_index: 0, part: { type: 'output_text', annotations: [], logprobs: [], text: '' } });
        for (const p of b.pieces ?? wordPieces(text)) {
          ev('response.output_text.delta', { item_id: item.id, output_index, content_index: 0, delta: p, logprobs: [] });
        }
        ev('response.output_text.done', { item_id: item.id, output_index, content_index: 0, text, logprobs: [] });
        ev('response.content_part.done', { item_id: item.id, output_index, content_index: 0, part: item.content[0] });
        ev('response.output_item.done', { output_index, item });
      } else {
        const tc = toolCalls.find((t) => t.itemId === item.id);
        ev('response.output_item.added', {
          output_index,
          item: { id: item.id, type: 'function_call', status: 'in_progress', arguments: '', call_id: item.call_id, name: item.name },
        });
        for (const frag of tc.fragments ?? chunkString(tc.arguments, 6)) {
          ev('response.function_call_arguments.delta', { item_id: item.id, output_index, delta: frag });
        }
        ev('response.function_call_arguments.done', { item_id: item.id, output_index, name: item.name, arguments: item.arguments });
        ev('response.output_item.done', { output_index, item });
      }
    });
    ev('response.completed', { response: response('completed', output, responsesUsage(usage)) });
    await this.writeSse(res, events, { delayMs: b.delayMs, endDelayMs: b.endDelayMs, headers: h });
  }
}

export async function startMockResponses(opts = {}) {
  const m = new MockResponses();
  await m.listen(opts);
  return m;
}
