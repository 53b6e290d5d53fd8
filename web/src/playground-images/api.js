// The gateway's own Images API, called with the pasted key (shared/v1.js: to
// this origin's /v1 only).
import { ApiError, readSse, v1 } from '../shared/v1.js';
import { t } from '../shared/i18n/index.js';

// Names that look like image models; the model list does not say what a model does.
const IMAGE_MODEL = /image|dall-?e|imagen|flux|stable-?diffusion|sdxl|midjourney|banana|seedream|recraft|ideogram/i;
export const looksLikeImageModel = (id) => IMAGE_MODEL.test(id);

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
    res = await v1('images/edits', key, { method: 'POST', body: form, signal });
  } else {
    res = await v1('images/generations', key, {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(fields), signal,
    });
  }
  const type = res.headers.get('content-type') || '';
  if (!type.includes('text/event-stream')) {
    const data = await res.json();
    const images = (data.data ?? []).filter((d) => d.b64_json).map((d) => b64ToBlob(d.b64_json, fallback));
    if (!images.length) throw new ApiError(res.status, t('img.noImage'), { type: 'empty' });
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
      failure = new ApiError(res.status, e.message || t('img.streamError'), { type: e.type, code: e.code, requestId: res.headers.get('x-request-id') });
    }
  });
  if (failure) throw failure;
  if (!images.length) throw new ApiError(res.status, t('img.streamNoImage'), { type: 'empty' });
  return { images, usage };
}
