// This gateway's own /v1 API, called with a pasted key. Every request goes to
// this origin (relative URLs; the pages' CSP allows nothing else). Shared by
// both playgrounds and the "Check my key" panel; the playgrounds keep the key
// in localStorage under one name, so it is pasted once for both.
import { t } from './i18n/index.js';

const KEY = 'aiohub-playground-key';

export const getKey = () => localStorage.getItem(KEY) || '';
export const setKey = (k) => (k ? localStorage.setItem(KEY, k) : localStorage.removeItem(KEY));

export class ApiError extends Error {
  constructor(status, message, { type, code, requestId } = {}) {
    super(message);
    this.status = status;
    this.type = type;
    this.code = code;
    this.requestId = requestId || '';
  }
}

// The gateway answers errors in the client protocol's shape; for /v1 that is
// OpenAI's {"error": {"message", "type", "code"}}.
export async function errorFrom(res) {
  const text = await res.text().catch(() => '');
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch { /* not JSON */ }
  const e = data?.error;
  return new ApiError(res.status, e?.message || text.trim() || `HTTP ${res.status}`, {
    type: e?.type, code: e?.code, requestId: res.headers.get('x-request-id'),
  });
}

export async function v1(path, key, init = {}) {
  let res;
  try {
    res = await fetch(`/v1/${path}`, { ...init, headers: { ...init.headers, Authorization: `Bearer ${key}` } });
  } catch (e) {
    if (e.name === 'AbortError') throw e;
    throw new ApiError(0, t('common.unreachable', { message: e.message }), { type: 'network' });
  }
  if (!res.ok) throw await errorFrom(res);
  return res;
}

export async function listModels(key) {
  const res = await v1('models', key, { method: 'GET' });
  const data = await res.json();
  return (data?.data ?? []).map((m) => m.id).filter(Boolean).sort();
}

// GET /v1/usage: the key's balance and groups. null when this gateway does not
// have the endpoint (404 that is not about the key).
export async function getUsage(key) {
  try {
    const res = await v1('usage', key, { method: 'GET' });
    return await res.json();
  } catch (e) {
    if (e.status === 404) return null;
    throw e;
  }
}

// Reads a text/event-stream body: calls onEvent(type, data) per JSON event.
export async function readSse(body, onEvent) {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buf = '';
  const dispatch = (block) => {
    let type = 'message';
    const data = [];
    for (const line of block.split('\n')) {
      if (line.startsWith('event:')) type = line.slice(6).trim();
      else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
    }
    if (!data.length) return;
    const text = data.join('\n');
    if (text === '[DONE]') return;
    let parsed;
    try { parsed = JSON.parse(text); } catch { return; }
    onEvent(parsed.type || type, parsed);
  };
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buf += decoder.decode(value, { stream: true }).replace(/\r\n?/g, '\n');
    let cut;
    while ((cut = buf.indexOf('\n\n')) >= 0) {
      dispatch(buf.slice(0, cut));
      buf = buf.slice(cut + 2);
    }
  }
  buf += decoder.decode();
  if (buf.trim()) dispatch(buf);
}

// "sk-abc…wxyz": enough to recognise a key, not enough to use it.
export const maskKey = (k) => (k.length > 12 ? `${k.slice(0, 5)}…${k.slice(-4)}` : '••••');
