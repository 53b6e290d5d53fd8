// The gateway's own Images API, called with the pasted key. Every request goes
// to this origin's /v1 (relative URLs; the page's CSP allows nothing else).
const KEY = 'aiohub-playground-key';

export const getKey = () => localStorage.getItem(KEY) || '';
export const setKey = (k) => (k ? localStorage.setItem(KEY, k) : localStorage.removeItem(KEY));

export class ApiError extends Error {
  constructor(status, message, type, code) {
    super(message);
    this.status = status;
    this.type = type;
    this.code = code;
  }
}

// The gateway answers errors in the OpenAI shape {"error": {"message", "type", "code"}}.
async function errorFrom(res) {
  const text = await res.text().catch(() => '');
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch { /* not JSON */ }
  const e = data?.error;
  return new ApiError(res.status, e?.message || text.trim() || `HTTP ${res.status}`, e?.type, e?.code);
}

async function send(path, key, init) {
  let res;
  try {
    res = await fetch(`/v1/${path}`, { ...init, headers: { ...init.headers, Authorization: `Bearer ${key}` } });
  } catch (e) {
    if (e.name === 'AbortError') throw e;
    throw new ApiError(0, `Cannot reach the gateway: ${e.message}`, 'network');
  }
  if (!res.ok) throw await errorFrom(res);
  return res;
}

// Names that look like image models; the model list does not say what a model does.
const IMAGE_MODEL = /image|dall-?e|imagen|flux|stable-?diffusion|sdxl|midjourney|banana|seedream|recraft|ideogram/i;
export const looksLikeImageModel = (id) => IMAGE_MODEL.test(id);

export async function listModels(key) {
  const res = await send('models', key, { method: 'GET' });
  const data = await res.json();
  return (data?.data ?? []).map((m) => m.id).filter(Boolean).sort();
}

// The options shared by generations and edits: empty means "the model's default".
export function optionFields(s) {
  const f = { model: s.model.trim(), prompt: s.prompt, n: Number(s.n) || 1 };
  for (const k of ['size', 'quality', 'background', 'output_format']) if (s[k]) f[k] = s[k];
  if (s.output_format && s.output_format !== 'png' && s.output_compression !== '' && s.output_compression != null) {
    f.output_compression = Number(s.output_compression);
  }
  // The page keeps the bytes, so base64 always (the gateway settles it with the upstream).
  f.response_format = 'b64_json';
  if (s.stream) {
    f.stream = true;
    f.partial_images = Number(s.partial_images) || 1;
  }
  return f;
}

export function b64ToBlob(b64, fallbackType = 'image/png') {
  const bin = atob(b64);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return new Blob([bytes], { type: sniffType(bytes) || fallbackType });
}

function sniffType(b) {
  if (b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47) return 'image/png';
  if (b[0] === 0xff && b[1] === 0xd8) return 'image/jpeg';
  if (b[0] === 0x52 && b[1] === 0x49 && b[2] === 0x46 && b[3] === 0x46 && b[8] === 0x57 && b[9] === 0x45) return 'image/webp';
  return '';
}

const typeFor = (format) => (format === 'jpeg' ? 'image/jpeg' : format === 'webp' ? 'image/webp' : 'image/png');

// Reads a text/event-stream body: calls onEvent(type, data) per event.
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

// Runs one request; when streamed, `onPartial(blob, index)` sees the previews
// and `onImage(blob)` each finished image as it comes. Resolves to
// { images: [Blob], usage }.
export async function runImages({ key, mode, settings, sources = [], mask = null, signal, onPartial, onImage }) {
  const fields = optionFields(settings);
  const fallback = typeFor(fields.output_format);
  let res;
  if (mode === 'edit') {
    const form = new FormData();
    for (const [k, v] of Object.entries(fields)) form.append(k, String(v));
    sources.forEach((s, i) => form.append('image[]', s.blob, s.name || `image-${i + 1}.png`));
    if (mask) form.append('mask', mask, 'mask.png');
    res = await send('images/edits', key, { method: 'POST', body: form, signal });
  } else {
    res = await send('images/generations', key, {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(fields), signal,
    });
  }
  const type = res.headers.get('content-type') || '';
  if (!type.includes('text/event-stream')) {
    const data = await res.json();
    const images = (data.data ?? []).filter((d) => d.b64_json).map((d) => b64ToBlob(d.b64_json, fallback));
    if (!images.length) throw new ApiError(res.status, 'The answer held no image.', 'empty');
    return { images, usage: data.usage ?? null };
  }
  const images = [];
  let usage = null;
  let failure = null;
  await readSse(res.body, (ev, data) => {
    if (ev.endsWith('.partial_image') && data.b64_json) {
      onPartial?.(b64ToBlob(data.b64_json, fallback), data.partial_image_index ?? 0);
    } else if (ev.endsWith('.completed') && data.b64_json) {
      images.push(b64ToBlob(data.b64_json, fallback));
      onImage?.(images[images.length - 1]);
      if (data.usage) usage = data.usage;
    } else if (ev === 'error' || data.error) {
      const e = data.error ?? data;
      failure = new ApiError(res.status, e.message || 'The stream ended with an error.', e.type, e.code);
    }
  });
  if (failure) throw failure;
  if (!images.length) throw new ApiError(res.status, 'The stream ended without an image.', 'empty');
  return { images, usage };
}
