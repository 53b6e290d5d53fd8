// A scripted mock of the Gemini Developer API upstream.
//
// Wire format (docs/protocols/gemini.md):
//   - POST /v1beta/models/{model}:generateContent → one GenerateContentResponse
//   - POST /v1beta/models/{model}:streamGenerateContent?alt=sse → SSE, each
//     event one line `data: <compact JSON>` + "\r\n\r\n", no event names, no
//     [DONE]; each chunk carries only new parts; the last one has finishReason
//     and the complete usageMetadata (earlier ones carry a partial, cumulative
//     usageMetadata). Without alt=sse the real API streams a JSON array; so does
//     this mock.
//   - auth: `x-goog-api-key` (or ?key=); a wrong key → 400 API_KEY_INVALID.
//   - response: {candidates:[{content:{role:"model", parts}, finishReason, index}],
//     usageMetadata:{promptTokenCount, candidatesTokenCount, totalTokenCount,
//     promptTokensDetails}, modelVersion, responseId}. Function calls are
//     whole parts {functionCall:{name, args}} (with `id` only when the
//     behaviour says so, like newer models) and end with finishReason STOP.
//   - errors: {"error":{"code","message","status"}}.
//
// Requests are checked against rules the real API enforces (unknown fields,
// non-empty parts with exactly one data field, functionResponse count and names
// equal to the preceding function-call turn, schema keywords `parameters`
// rejects); a violation is answered with 400 INVALID_ARGUMENT and kept in
// rec.violations. rec.model is the model from the path, rec.action the method.
//
// Behaviours (see mock-base.mjs): { text, pieces?, usage?: {input, output},
// finishReason? } | { toolCalls:[{name, arguments, id?, thoughtSignature?}],
// text?, withIds? } | { status, body?, headers? }.

import { MockBase, DEFAULT_USAGE, rid, wordPieces, sendJson, sleep } from './mock-base.mjs';

export const STATUS_NAMES = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  429: 'RESOURCE_EXHAUSTED',
  499: 'CANCELLED',
  500: 'INTERNAL',
  503: 'UNAVAILABLE',
  504: 'DEADLINE_EXCEEDED',
};

export function geminiError(code, message, status = STATUS_NAMES[code] ?? 'UNKNOWN', details) {
  const error = { code, message, status };
  if (details) error.details = details;
  return { error };
}

const camel = (k) => k.replace(/_([a-z])/g, (_, c) => c.toUpperCase());
/** Read a field that REST accepts in camelCase or snake_case. */
export function field(obj, name) {
  if (!obj || typeof obj !== 'object') return undefined;
  if (name in obj) return obj[name];
  const snake = name.replace(/[A-Z]/g, (c) => '_' + c.toLowerCase());
  return obj[snake];
}

const TOP_LEVEL = new Set(['contents', 'tools', 'toolConfig', 'safetySettings', 'systemInstruction', 'generationConfig', 'cachedContent', 'labels']);
const GEN_CONFIG = new Set([
  'temperature', 'topP', 'topK', 'candidateCount', 'maxOutputTokens', 'stopSequences', 'presencePenalty', 'frequencyPenalty',
  'seed', 'responseMimeType', 'responseSchema', 'responseJsonSchema', 'responseModalities', 'thinkingConfig', 'mediaResolution',
  'responseLogprobs', 'logprobs', 'speechConfig', 'imageConfig', 'enableEnhancedCivicAnswers', 'routingConfig',
]);
const PART_DATA = ['text', 'inlineData', 'fileData', 'functionCall', 'functionResponse', 'executableCode', 'codeExecutionResult'];
const PART_MODIFIERS = ['thought', 'thoughtSignature', 'videoMetadata', 'partMetadata', 'mediaResolution'];
// Keywords the OpenAPI-subset `parameters` schema rejects (use parametersJsonSchema for those).
const BAD_SCHEMA_KEYS = new Set(['$schema', 'additionalProperties', 'const', 'exclusiveMinimum', 'exclusiveMaximum', 'propertyNames', 'patternProperties', '$ref', '$defs', 'readOnly', '$comment']);

function badSchemaKeys(schema, path, out) {
  if (!schema || typeof schema !== 'object') return;
  if (Array.isArray(schema)) return schema.forEach((s, i) => badSchemaKeys(s, `${path}[${i}]`, out));
  for (const [k, v] of Object.entries(schema)) {
    if (BAD_SCHEMA_KEYS.has(k)) out.push(`${path}: Unknown name "${k}": Cannot find field.`);
    if (k === 'properties' && v && typeof v === 'object') {
      for (const [pk, pv] of Object.entries(v)) badSchemaKeys(pv, `${path}.properties.${pk}`, out);
    } else if (typeof v === 'object') badSchemaKeys(v, `${path}.${k}`, out);
  }
}

export function validateGenerateContentRequest(body) {
  const v = [];
  if (!body || typeof body !== 'object' || Array.isArray(body)) return ['Invalid JSON payload received: body must be an object'];
  for (const k of Object.keys(body)) if (!TOP_LEVEL.has(camel(k))) v.push(`Invalid JSON payload received. Unknown name "${k}": Cannot find field.`);
  const gc = field(body, 'generationConfig');
  if (gc !== undefined) {
    if (!gc || typeof gc !== 'object') v.push('generation_config: must be an object');
    else for (const k of Object.keys(gc)) if (!GEN_CONFIG.has(camel(k))) v.push(`Invalid JSON payload received. Unknown name "${k}" at 'generation_config': Cannot find field.`);
  }
  const si = field(body, 'systemInstruction');
  if (si !== undefined && !(si && Array.isArray(si.parts) && si.parts.length)) v.push('system_instruction: must have parts');
  const tools = field(body, 'tools');
  if (tools !== undefined) {
    if (!Array.isArray(tools)) v.push('tools: must be a list');
    else
      tools.forEach((t, i) => {
        const fds = field(t, 'functionDeclarations');
        if (!fds) return;
        fds.forEach((fd, j) => {
          if (typeof fd.name !== 'string' || !/^[a-zA-Z_][a-zA-Z0-9_.:-]{0,127}$/.test(fd.name)) v.push(`tools[${i}].function_declarations[${j}].name: invalid`);
          const params = field(fd, 'parameters');
          if (params !== undefined && field(fd, 'parametersJsonSchema') !== undefined) v.push(`tools[${i}].function_declarations[${j}]: parameters and parameters_json_schema are mutually exclusive`);
          if (params !== undefined) badSchemaKeys(params, `tools[${i}].function_declarations[${j}].parameters`, v);
        });
      });
  }
  const contents = field(body, 'contents');
  if (!Array.isArray(contents) || !contents.length) {
    v.push('* GenerateContentRequest.contents: contents is not specified');
    return v;
  }
  const calls = (c) => (c.parts ?? []).map((p) => field(p, 'functionCall')).filter(Boolean);
  const responses = (c) => (c.parts ?? []).map((p) => field(p, 'functionResponse')).filter(Boolean);
  contents.forEach((c, i) => {
    if (!c || typeof c !== 'object') return v.push(`contents[${i}]: must be an object`);
    if (c.role !== undefined && c.role !== 'user' && c.role !== 'model') v.push(`contents[${i}].role: Please use a valid role: user, model.`);
    if (!Array.isArray(c.parts) || !c.parts.length) return v.push(`* GenerateContentRequest.contents[${i}].parts: contents.parts must not be empty.`);
    c.parts.forEach((p, j) => {
      const keys = Object.keys(p ?? {}).map(camel);
      const data = keys.filter((k) => PART_DATA.includes(k));
      const other = keys.filter((k) => !PART_DATA.includes(k) && !PART_MODIFIERS.includes(k));
      if (data.length !== 1) v.push(`contents[${i}].parts[${j}]: a part must have exactly one data field, got [${keys.join(', ')}]`);
      if (other.length) v.push(`Invalid JSON payload received. Unknown name "${other[0]}" at 'contents[${i}].parts[${j}]': Cannot find field.`);
      const fc = field(p, 'functionCall');
      if (fc && (typeof fc.name !== 'string' || !fc.name || (fc.args !== undefined && (typeof fc.args !== 'object' || Array.isArray(fc.args))))) v.push(`contents[${i}].parts[${j}].function_call: name and object args required`);
      const fr = field(p, 'functionResponse');
      if (fr && (typeof fr.name !== 'string' || !fr.name)) v.push(`* GenerateContentRequest.contents[${i}].parts[${j}].function_response.name: Name cannot be empty.`);
      if (fr && (!fr.response || typeof fr.response !== 'object' || Array.isArray(fr.response))) v.push(`contents[${i}].parts[${j}].function_response.response: must be an object (google.protobuf.Struct)`);
      if (fc && c.role !== 'model') v.push(`contents[${i}]: functionCall parts must be in a model turn`);
    });
  });
  contents.forEach((c, i) => {
    const fcs = calls(c);
    if (!fcs.length) return;
    const prev = contents[i - 1];
    if (i > 0 && prev && prev.role === 'model') {
      v.push('Please ensure that function call turn comes immediately after a user turn or after a function response turn.');
    }
    const next = contents[i + 1];
    if (!next) return;
    const frs = responses(next);
    if (frs.length !== fcs.length) {
      v.push('Please ensure that the number of function response parts is equal to the number of function call parts of the function call turn.');
    }
    const names = (xs) => xs.map((x) => x.name).sort().join(',');
    if (frs.length === fcs.length && names(frs) !== names(fcs)) v.push(`function response names [${names(frs)}] do not match the function call names [${names(fcs)}]`);
  });
  return v;
}

export function usageMetadata(u = DEFAULT_USAGE, { partial = false } = {}) {
  const m = { promptTokenCount: u.input ?? 0 };
  if (!partial) m.candidatesTokenCount = u.output ?? 0;
  m.totalTokenCount = (u.input ?? 0) + (partial ? 0 : u.output ?? 0);
  m.promptTokensDetails = [{ modality: 'TEXT', tokenCount: u.input ?? 0 }];
  return m;
}

export class MockGemini extends MockBase {
  constructor() {
    super('gemini');
  }

  /** Requests that hit a generateContent / streamGenerateContent path. */
  get generateRequests() {
    return this.requests.filter((r) => r.action === 'generateContent' || r.action === 'streamGenerateContent');
  }

  async route(rec, req, res) {
    const m = /^\/v1beta\/models\/([^/:]+):([A-Za-z]+)$/.exec(rec.path);
    if (m) {
      rec.model = decodeURIComponent(m[1]);
      rec.action = m[2];
    }
    if (rec.method !== 'POST' || !m || !['generateContent', 'streamGenerateContent'].includes(rec.action)) {
      return sendJson(res, 404, geminiError(404, `mock: unknown route ${rec.method} ${rec.path}`));
    }
    const key = rec.headers['x-goog-api-key'] ?? rec.searchParams.get('key');
    if (!key || (this.apiKey && key !== this.apiKey)) {
      rec.violations.push(`api key ${key ? 'wrong' : 'missing'}`);
      if (!key) {
        return sendJson(res, 403, geminiError(403, 'Method doesn\'t allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.'));
      }
      return sendJson(
        res,
        400,
        geminiError(400, 'API key not valid. Please pass a valid API key.', 'INVALID_ARGUMENT', [
          { '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'API_KEY_INVALID', domain: 'googleapis.com', metadata: { service: 'generativelanguage.googleapis.com' } },
        ]),
      );
    }
    if (rec.bodyError) return sendJson(res, 400, geminiError(400, `Invalid JSON payload received. ${rec.bodyError}`));
    const v = validateGenerateContentRequest(rec.body);
    if (v.length) {
      rec.violations.push(...v);
      return sendJson(res, 400, geminiError(400, v.join('\n')));
    }

    const b = this.nextBehavior(rec);
    if (b.firstDelayMs) await sleep(b.firstDelayMs);
    if (b.status && b.status >= 300) {
      const payload = b.body ?? geminiError(b.status, `mock error ${b.status}`);
      if (typeof payload === 'string') {
        res.writeHead(b.status, { 'content-type': 'text/plain', ...(b.headers ?? {}) });
        return res.end(payload);
      }
      return sendJson(res, b.status, payload, b.headers ?? {});
    }

    const usage = b.usage ?? DEFAULT_USAGE;
    const responseId = rid('', 22);
    const modelVersion = rec.model;
    const finishReason = b.finishReason ?? 'STOP';
    const callParts = (b.toolCalls ?? []).map((tc) => {
      const functionCall = { name: tc.name, args: JSON.parse(tc.arguments) };
      const id = tc.id ?? (b.withIds ? rid('', 8).toLowerCase() : undefined);
      if (id) functionCall.id = id;
      const part = { functionCall };
      if (tc.thoughtSignature) part.thoughtSignature = tc.thoughtSignature;
      return part;
    });
    const text = b.text ?? '';
    const candidate = (parts, last) => {
      const c = { content: { parts, role: 'model' } };
      if (last) c.finishReason = finishReason;
      c.index = 0;
      return c;
    };

    if (rec.action === 'generateContent') {
      const parts = [];
      if (text) parts.push({ text });
      parts.push(...callParts);
      // Image models: { images: [{ mimeType, data (base64) }] } answers with inlineData parts.
      for (const img of b.images ?? []) parts.push({ inlineData: { mimeType: img.mimeType, data: img.data } });
      if (!parts.length) parts.push({ text: '' });
      return sendJson(res, 200, { candidates: [candidate(parts, true)], usageMetadata: usageMetadata(usage), modelVersion, responseId });
    }

    // streamGenerateContent: chunks of new parts.
    const partsPerChunk = [];
    if (text) for (const p of b.pieces ?? wordPieces(text)) partsPerChunk.push([{ text: p }]);
    if (callParts.length) partsPerChunk.push(callParts);
    if (!partsPerChunk.length) partsPerChunk.push([{ text: '' }]);
    const chunks = partsPerChunk.map((parts, i) => {
      const last = i === partsPerChunk.length - 1;
      return { candidates: [candidate(parts, last)], usageMetadata: usageMetadata(usage, { partial: !last }), modelVersion, responseId };
    });
    if (rec.searchParams.get('alt') !== 'sse') {
      // The real API streams a JSON array when alt=sse is missing.
      rec.violations.push('streamGenerateContent without alt=sse');
      return sendJson(res, 200, chunks);
    }
    await this.writeSse(
      res,
      chunks.map((c) => ({ data: c })),
      { delayMs: b.delayMs, sep: '\r\n\r\n' },
    );
  }
}

export async function startMockGemini(opts = {}) {
  const m = new MockGemini();
  await m.listen(opts);
  return m;
}
