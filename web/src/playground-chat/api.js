// Chat Completions through this gateway with the pasted key: the request body
// from the page's settings, the streamed answer read as it arrives, and the
// same request as a curl command line.
import { ApiError, readSse, v1 } from '../shared/v1.js';
import { t } from '../shared/i18n/index.js';

const numberOrSkip = (v) => (v === '' || v == null || Number.isNaN(Number(v)) ? undefined : Number(v));

// settings: { model, system, temperature, max_tokens, top_p, stream }; messages: [{role, content}]
export function chatBody(settings, messages) {
  const body = { model: settings.model.trim(), messages: [] };
  if (settings.system.trim()) body.messages.push({ role: 'system', content: settings.system });
  body.messages.push(...messages.map(({ role, content }) => ({ role, content })));
  const temperature = numberOrSkip(settings.temperature);
  const maxTokens = numberOrSkip(settings.max_tokens);
  const topP = numberOrSkip(settings.top_p);
  if (temperature !== undefined) body.temperature = temperature;
  if (maxTokens !== undefined) body.max_tokens = Math.trunc(maxTokens);
  if (topP !== undefined) body.top_p = topP;
  if (settings.stream) {
    body.stream = true;
    body.stream_options = { include_usage: true };
  }
  return body;
}

const shellQuote = (s) => `'${s.replaceAll("'", `'\\''`)}'`;

export function curlCommand(origin, key, body) {
  return [
    `curl${body.stream ? ' -N' : ''} ${origin}/v1/chat/completions`,
    `  -H ${shellQuote(`Authorization: Bearer ${key}`)}`,
    "  -H 'Content-Type: application/json'",
    `  -d ${shellQuote(JSON.stringify(body, null, 2))}`,
  ].join(' \\\n');
}

// Sends one request; onDelta(text) and onReasoning(text) see the streamed
// pieces. Resolves to { text, reasoning, usage, finish, requestId, ttfbMs }.
export async function runChat({ key, body, signal, onDelta, onReasoning }) {
  const started = performance.now();
  const res = await v1('chat/completions', key, {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body), signal,
  });
  const requestId = res.headers.get('x-request-id') || '';
  const type = res.headers.get('content-type') || '';
  if (!type.includes('text/event-stream')) {
    const data = await res.json();
    const choice = data.choices?.[0];
    const text = choice?.message?.content ?? '';
    const reasoning = choice?.message?.reasoning_content ?? '';
    onDelta?.(text);
    return { text, reasoning, usage: data.usage ?? null, finish: choice?.finish_reason ?? '', requestId, ttfbMs: performance.now() - started };
  }
  let text = '';
  let reasoning = '';
  let usage = null;
  let finish = '';
  let ttfbMs = null;
  let failure = null;
  await readSse(res.body, (_ev, chunk) => {
    if (chunk.error) {
      const e = chunk.error;
      failure = new ApiError(res.status, e.message || t('chat.streamError'), { type: e.type, code: e.code, requestId });
      return;
    }
    const choice = chunk.choices?.[0];
    const delta = choice?.delta ?? {};
    const think = delta.reasoning_content ?? delta.reasoning;
    if (typeof think === 'string' && think) {
      ttfbMs ??= performance.now() - started;
      reasoning += think;
      onReasoning?.(think);
    }
    if (typeof delta.content === 'string' && delta.content) {
      ttfbMs ??= performance.now() - started;
      text += delta.content;
      onDelta?.(delta.content);
    }
    if (choice?.finish_reason) finish = choice.finish_reason;
    if (chunk.usage) usage = chunk.usage;
  });
  if (failure) throw failure;
  return { text, reasoning, usage, finish, requestId, ttfbMs };
}
