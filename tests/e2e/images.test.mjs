// The Images API (issue 6) with the official openai SDK: images.generate and
// images.edit (several images and a mask) through an OpenAI-style mock image
// upstream that checks what it receives (fields, file bytes, the model
// rename, auth), streaming partial images, Gemini image models reached by
// translation, URLs served without a key, CORS, multipart mistakes answered
// 400/413 in the OpenAI error shape, and the exact billing rows.

import { before } from 'node:test';
import { toFile } from 'openai';
import { test, client, assert, trackMock, expectApiError, assertOpenAIError } from './lib/harness.mjs';
import { Gateway, newKeySecret, rawRequest, pollUntil } from './lib/gateway.mjs';
import { startMockImages, fakePng, PNG_1PX, DEFAULT_IMAGE_USAGE } from './lib/mock-images.mjs';
import { startMockGemini } from './lib/mock-gemini.mjs';

const UPSTREAM_KEY = 'sk-upstream-images-' + newKeySecret().slice(3, 20);
const GEMINI_KEY = 'gemini-upstream-' + newKeySecret().slice(3, 20);
const keys = { artist: newKeySecret(), texter: newKeySecret(), capped: newKeySecret() };
const MAX_FILE = 64 * 1024;

let images;
let broken;
let gemini;
let gw;
let sdk;

before(async () => {
  images = trackMock(await startMockImages());
  images.apiKey = UPSTREAM_KEY;
  broken = trackMock(await startMockImages());
  broken.setBehavior({ status: 500 });
  gemini = trackMock(await startMockGemini());
  gemini.apiKey = GEMINI_KEY;
  gw = await Gateway.start({
    label: 'images',
    config: {
      groups: [
        { name: 'art', endpoints: ['images', 'chat'] },
        { name: 'words', endpoints: ['chat'] },
      ],
      channels: [
        {
          name: 'oai-images',
          type: 'openai',
          base_url: `${images.url}/v1`,
          api_key: UPSTREAM_KEY,
          groups: ['art', 'words'],
          models: ['gpt-image-1', 'dall-e-3', 'house-image', 'failover-image'],
          model_map: { 'house-image': 'gpt-image-1.5' },
        },
        {
          name: 'broken-images',
          type: 'openai-compatible',
          base_url: broken.url,
          groups: ['art'],
          models: ['failover-image'],
          priority: 10,
        },
        {
          name: 'gem-images',
          type: 'gemini',
          base_url: gemini.url,
          api_key: GEMINI_KEY,
          groups: ['art'],
          models: ['banana'],
          model_map: { banana: 'gemini-2.5-flash-image' },
        },
      ],
      prices: [
        // gpt-image-1: by tokens ($5 in, $40 out per 1M).
        { model: 'gpt-image-1', input: 5.0, output: 40.0 },
        // dall-e-3: by size and quality, a flat price for the rest.
        { model: 'dall-e-3', per_image: 0.04, image_prices: { '1024x1024/hd': 0.08, '1792x1024': 0.12 } },
        // Gemini: by tokens plus a flat price per image.
        { model: 'banana', input: 1.0, output: 30.0, per_image: 0.001 },
        { model: 'house-image', per_image: 0.01 },
        { model: 'failover-image', per_image: 0.02 },
      ],
      keys: [
        { name: 'artist', key: keys.artist, group: 'art' },
        { name: 'texter', key: keys.texter, group: 'words' },
        { name: 'capped', key: keys.capped, group: 'art', quota: 0.2 },
      ],
      billing: { allow_free_models: false },
      images: { max_file_bytes: MAX_FILE, retention_hours: 1 },
    },
  });
  sdk = client(gw, keys.artist);
});

const rowFor = async (requestId) =>
  (await gw.waitForLogs((rows) => rows.some((r) => r.request_id === requestId))).find((r) => r.request_id === requestId);

const close = (a, b) => Math.abs(a - b) < 1e-9;

test('images.generate: gpt-image-1 passthrough with every option, b64 back, billed by tokens', async () => {
  images.reset();
  const { data: res, response } = await sdk.images
    .generate({
      model: 'gpt-image-1',
      prompt: 'a lighthouse at dusk',
      n: 2,
      size: '1536x1024',
      quality: 'high',
      background: 'transparent',
      output_format: 'webp',
      output_compression: 80,
      moderation: 'low',
      user: 'user-42',
    })
    .withResponse();
  const seen = images.lastRequest;
  assert.deepEqual(seen.violations, []);
  assert.equal(seen.path, '/v1/images/generations');
  assert.equal(seen.headers.authorization, `Bearer ${UPSTREAM_KEY}`);
  assert.deepEqual(seen.json, {
    model: 'gpt-image-1',
    prompt: 'a lighthouse at dusk',
    n: 2,
    size: '1536x1024',
    quality: 'high',
    background: 'transparent',
    output_format: 'webp',
    output_compression: 80,
    moderation: 'low',
    user: 'user-42',
  });
  assert.equal(res.data.length, 2);
  assert.deepEqual(Buffer.from(res.data[1].b64_json, 'base64'), fakePng('gpt-image-1#1'));
  assert.equal(res.usage.output_tokens, DEFAULT_IMAGE_USAGE.output_tokens);
  assert.equal(res.size, '1536x1024');
  const row = await rowFor(response.headers.get('x-request-id'));
  assert.equal(row.endpoint, 'images');
  assert.equal(row.channel, 'oai-images');
  assert.equal(row.status, 200);
  assert.equal(row.input_tokens, 50);
  assert.equal(row.output_tokens, 4160);
  // 50 x $5/M + 4160 x $40/M = 0.00025 + 0.1664
  assert.ok(close(row.cost_usd, 0.16665), `cost ${row.cost_usd}`);
});

test('model_map renames the model for the upstream; the client sees its own name in the log', async () => {
  images.reset();
  const { response } = await sdk.images.generate({ model: 'house-image', prompt: 'x' }).withResponse();
  assert.equal(images.lastRequest.json.model, 'gpt-image-1.5');
  const row = await rowFor(response.headers.get('x-request-id'));
  assert.equal(row.model, 'house-image');
  assert.equal(row.upstream_model, 'gpt-image-1.5');
});

test('response_format=url: the gateway stores the image and serves it without a key', async () => {
  images.reset();
  images.enqueue({ images: [PNG_1PX], usage: null, quality: 'hd', size: '1024x1024' });
  const { data: res, response } = await sdk.images
    .generate({ model: 'dall-e-3', prompt: 'a red fox', size: '1024x1024', quality: 'hd', response_format: 'url', style: 'vivid' })
    .withResponse();
  // DALL-E upstreams are asked for base64: the gateway makes the URL.
  assert.equal(images.lastRequest.json.response_format, 'b64_json');
  assert.equal(images.lastRequest.json.style, 'vivid');
  assert.equal(res.data.length, 1);
  assert.equal(res.data[0].b64_json, undefined);
  const url = new URL(res.data[0].url);
  assert.match(url.pathname, /^\/v1\/images\/files\/[A-Za-z0-9_-]{32}\.png$/);
  assert.equal(url.port, String(gw.port));
  const fetched = await fetch(url);
  assert.equal(fetched.status, 200);
  assert.equal(fetched.headers.get('content-type'), 'image/png');
  assert.equal(fetched.headers.get('access-control-allow-origin'), '*');
  assert.deepEqual(Buffer.from(await fetched.arrayBuffer()), PNG_1PX);
  // Unknown or malformed names are 404, never a path outside the folder.
  for (const name of ['AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA.png', '..%2F..%2Faiohub.db', 'x.png']) {
    const r = await rawRequest(`${gw.url}/v1/images/files/${name}`);
    assert.equal(r.status, 404, name);
    assertOpenAIError(r.json);
  }
  const row = await rowFor(response.headers.get('x-request-id'));
  assert.ok(close(row.cost_usd, 0.08), `size/quality price: ${row.cost_usd}`);

  // DALL-E answers URLs by default; other sizes fall back to their own or the flat price.
  const { data: wide, response: r2 } = await sdk.images
    .generate({ model: 'dall-e-3', prompt: 'wide', size: '1792x1024' })
    .withResponse();
  assert.ok(wide.data[0].url, 'dall-e default is a URL');
  assert.ok(close((await rowFor(r2.headers.get('x-request-id'))).cost_usd, 0.12));
  const { data: plain, response: r3 } = await sdk.images
    .generate({ model: 'dall-e-3', prompt: 'plain', size: '1024x1024', quality: 'standard', response_format: 'b64_json' })
    .withResponse();
  assert.ok(plain.data[0].b64_json);
  assert.ok(close((await rowFor(r3.headers.get('x-request-id'))).cost_usd, 0.04));
});

test('stream: partial images and the completed image are relayed as the upstream sent them', async () => {
  images.reset();
  const stream = await sdk.images.generate({ model: 'gpt-image-1', prompt: 'a boat', stream: true, partial_images: 2 });
  const events = [];
  for await (const e of stream) events.push(e);
  assert.equal(images.lastRequest.json.stream, true);
  assert.equal(images.lastRequest.json.partial_images, 2);
  assert.deepEqual(
    events.map((e) => e.type),
    ['image_generation.partial_image', 'image_generation.partial_image', 'image_generation.completed'],
  );
  assert.equal(events[1].partial_image_index, 1);
  assert.deepEqual(Buffer.from(events[2].b64_json, 'base64'), fakePng('gpt-image-1#0'));
  const rows = await gw.waitForLogs((rs) => rs.some((r) => r.stream && r.model === 'gpt-image-1'));
  const row = rows.find((r) => r.stream && r.model === 'gpt-image-1');
  assert.equal(row.output_tokens, 4160);
  assert.ok(close(row.cost_usd, 0.16665));
});

test('images.edit: several images and a mask reach the upstream byte for byte', async () => {
  images.reset();
  const a = fakePng('first');
  const b = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.from('jpeg body')]);
  const mask = fakePng('mask');
  const { data: res, response } = await sdk.images
    .edit({
      model: 'house-image',
      prompt: 'add a hat',
      image: [await toFile(a, 'a.png', { type: 'image/png' }), await toFile(b, 'b.jpg', { type: 'image/jpeg' })],
      mask: await toFile(mask, 'mask.png', { type: 'image/png' }),
      size: '1024x1024',
      quality: 'low',
      input_fidelity: 'high',
      n: 1,
    })
    .withResponse();
  const seen = images.lastRequest;
  assert.deepEqual(seen.violations, []);
  assert.equal(seen.path, '/v1/images/edits');
  assert.equal(seen.headers.authorization, `Bearer ${UPSTREAM_KEY}`);
  assert.equal(seen.fields.model, 'gpt-image-1.5');
  assert.equal(seen.fields.prompt, 'add a hat');
  assert.equal(seen.fields.input_fidelity, 'high');
  assert.equal(seen.fields.quality, 'low');
  assert.equal(seen.fields.response_format, undefined);
  assert.deepEqual(
    seen.files.map((f) => [f.name, f.filename, f.type]),
    [
      ['image[]', 'a.png', 'image/png'],
      ['image[]', 'b.jpg', 'image/jpeg'],
      ['mask', 'mask.png', 'image/png'],
    ],
  );
  assert.deepEqual(seen.files[0].bytes, a);
  assert.deepEqual(seen.files[1].bytes, b);
  assert.deepEqual(seen.files[2].bytes, mask);
  assert.deepEqual(Buffer.from(res.data[0].b64_json, 'base64'), fakePng('gpt-image-1.5#0'));
  const row = await rowFor(response.headers.get('x-request-id'));
  assert.equal(row.endpoint, 'images');
  assert.equal(row.upstream_model, 'gpt-image-1.5');
});

test('images.edit streaming relays image_edit events; a plain "image" field works too', async () => {
  images.reset();
  const form = new FormData();
  form.append('model', 'gpt-image-1');
  form.append('prompt', 'sepia');
  form.append('stream', 'true');
  form.append('partial_images', '1');
  form.append('image', new Blob([fakePng('single')], { type: 'image/png' }), 'single.png');
  const r = await fetch(`${gw.url}/v1/images/edits`, { method: 'POST', headers: { authorization: `Bearer ${keys.artist}` }, body: form });
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type'), /text\/event-stream/);
  const text = await r.text();
  assert.match(text, /event: image_edit\.partial_image/);
  assert.match(text, /event: image_edit\.completed/);
  assert.equal(images.lastRequest.fields.stream, 'true');
  assert.deepEqual(images.lastRequest.files.map((f) => f.name), ['image']);
  assert.deepEqual(images.lastRequest.files[0].bytes, fakePng('single'));
});

test('Gemini image model behind the same endpoint: generate n=2, billed by tokens and per image', async () => {
  gemini.reset();
  const imgA = fakePng('gemA').toString('base64');
  const imgB = fakePng('gemB').toString('base64');
  gemini.enqueue(
    { text: 'Here you go', images: [{ mimeType: 'image/png', data: imgA }], usage: { input: 10, output: 1290 } },
    { images: [{ mimeType: 'image/png', data: imgB }], usage: { input: 10, output: 1290 } },
  );
  const { data: res, response } = await sdk.images.generate({ model: 'banana', prompt: 'a banana in a suit', n: 2, size: '1024x1536' }).withResponse();
  const calls = gemini.generateRequests;
  assert.equal(calls.length, 2);
  for (const c of calls) {
    assert.deepEqual(c.violations, []);
    assert.equal(c.model, 'gemini-2.5-flash-image');
    assert.equal(c.action, 'generateContent');
    assert.equal(c.headers['x-goog-api-key'], GEMINI_KEY);
    assert.deepEqual(c.body.generationConfig.responseModalities, ['TEXT', 'IMAGE']);
    assert.deepEqual(c.body.generationConfig.imageConfig, { aspectRatio: '2:3' });
    assert.deepEqual(c.body.contents[0].parts, [{ text: 'a banana in a suit' }]);
  }
  assert.deepEqual(res.data.map((d) => d.b64_json), [imgA, imgB]);
  assert.equal(res.usage.input_tokens, 20);
  assert.equal(res.usage.output_tokens, 2580);
  const row = await rowFor(response.headers.get('x-request-id'));
  assert.equal(row.channel, 'gem-images');
  assert.equal(row.input_tokens, 20);
  assert.equal(row.output_tokens, 2580);
  // 20 x $1/M + 2580 x $30/M + 2 x $0.001 = 0.00002 + 0.0774 + 0.002
  assert.ok(close(row.cost_usd, 0.07942), `cost ${row.cost_usd}`);
});

test('Gemini edit: images and mask go up as inlineData; url and stream answers', async () => {
  gemini.reset();
  const out = fakePng('edited').toString('base64');
  gemini.setBehavior({ images: [{ mimeType: 'image/png', data: out }], usage: { input: 300, output: 1290 } });
  const src = fakePng('source');
  const mask = fakePng('gmask');
  const res = await sdk.images.edit({
    model: 'banana',
    prompt: 'make it night',
    image: await toFile(src, 'src.png', { type: 'image/png' }),
    mask: await toFile(mask, 'm.png', { type: 'image/png' }),
    response_format: 'url',
  });
  const parts = gemini.generateRequests[0].body.contents[0].parts;
  assert.equal(parts[0].text, 'make it night');
  assert.deepEqual(parts[1], { inlineData: { mimeType: 'image/png', data: src.toString('base64') } });
  assert.match(parts[2].text, /mask/);
  assert.deepEqual(parts[3], { inlineData: { mimeType: 'image/png', data: mask.toString('base64') } });
  const fetched = await fetch(res.data[0].url);
  assert.equal(fetched.status, 200);
  assert.deepEqual(Buffer.from(await fetched.arrayBuffer()), Buffer.from(out, 'base64'));

  const stream = await sdk.images.generate({ model: 'banana', prompt: 'stream me', stream: true });
  const events = [];
  for await (const e of stream) events.push(e);
  assert.deepEqual(events.map((e) => e.type), ['image_generation.completed']);
  assert.equal(events[0].b64_json, out);
  assert.equal(events[0].usage.output_tokens, 1290);
  gemini.setBehavior({ text: 'Hello from the mock gemini upstream.' });
});

test('Gemini safety refusal is a 400 moderation error; upstream errors keep their status', async () => {
  gemini.enqueue({ text: 'I cannot make that.', finishReason: 'IMAGE_SAFETY' });
  const err = await expectApiError(sdk.images.generate({ model: 'banana', prompt: 'forbidden' }), 400);
  assert.equal(err.code, 'moderation_blocked');
  assert.match(err.message, /IMAGE_SAFETY/);

  images.enqueue({ status: 400, body: { error: { message: 'Your prompt was rejected by the mock.', type: 'invalid_request_error', param: null, code: 'moderation_blocked' } } });
  const e2 = await expectApiError(sdk.images.generate({ model: 'gpt-image-1', prompt: 'bad' }), 400);
  assert.match(e2.message, /rejected by the mock/);
  assert.ok(!JSON.stringify(e2.error).includes(UPSTREAM_KEY));
});

test('routing and key checks: a group without images, an unknown model', async () => {
  const words = client(gw, keys.texter);
  const e1 = await expectApiError(words.images.generate({ model: 'gpt-image-1', prompt: 'x' }), 403);
  assert.match(e1.message, /does not allow the images endpoint/);
  const e2 = await expectApiError(sdk.images.generate({ model: 'nope', prompt: 'x' }), 404);
  assert.equal(e2.code, 'model_not_found');
  const e3 = await expectApiError(client(gw, 'sk-wrong').images.generate({ model: 'gpt-image-1', prompt: 'x' }), 401);
  assert.ok(e3);
});

test('bad requests get a clear 400/413 in the OpenAI error shape', async () => {
  const auth = { authorization: `Bearer ${keys.artist}` };
  const post = (path, body, headers = {}) => rawRequest(`${gw.url}${path}`, { method: 'POST', headers: { ...auth, ...headers }, body });
  const expect = async (r, status, words) => {
    assert.equal(r.status, status, r.text);
    assertOpenAIError(r.json, { messageIncludes: [words] });
  };
  await expect(await post('/v1/images/generations', { model: 'gpt-image-1' }), 400, 'prompt');
  await expect(await post('/v1/images/generations', { model: 'gpt-image-1', prompt: 'x', n: 11 }), 400, "'n' must be between 1 and 10");
  await expect(await post('/v1/images/generations', '{not json', { 'content-type': 'application/json' }), 400, 'JSON');

  const boundary = 'b0undary';
  const mp = { 'content-type': `multipart/form-data; boundary=${boundary}` };
  const field = (name, value) => `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`;
  const file = (name, bytes) =>
    Buffer.concat([
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"; filename="f.png"\r\nContent-Type: image/png\r\n\r\n`),
      bytes,
      Buffer.from('\r\n'),
    ]);
  const body = (...parts) => Buffer.concat([...parts.map((p) => (Buffer.isBuffer(p) ? p : Buffer.from(p))), Buffer.from(`--${boundary}--\r\n`)]);
  const good = [field('model', 'gpt-image-1'), field('prompt', 'p')];

  await expect(await post('/v1/images/edits', body(...good, file('image', fakePng('x'))), { 'content-type': 'multipart/form-data' }), 400, 'boundary');
  await expect(await post('/v1/images/edits', '{}', { 'content-type': 'application/json' }), 400, 'multipart/form-data');
  const whole = body(...good, file('image', fakePng('x')));
  await expect(await post('/v1/images/edits', whole.subarray(0, whole.length - 12), mp), 400, 'closing boundary');
  await expect(await post('/v1/images/edits', body(...good, file('image', Buffer.from('GIF89a not allowed'))), mp), 400, 'not a PNG, JPEG or WebP');
  await expect(await post('/v1/images/edits', body(...good, field('colour', 'red'), file('image', fakePng('x'))), mp), 400, "Unknown parameter: 'colour'");
  await expect(await post('/v1/images/edits', body(...good), mp), 400, 'at least one file');
  await expect(await post('/v1/images/edits', body(...good, field('image', 'text')), mp), 400, 'file upload');
  const big = Buffer.concat([PNG_1PX, Buffer.alloc(MAX_FILE)]);
  await expect(await post('/v1/images/edits', body(...good, file('image[]', big)), mp), 413, 'larger than the limit');
  // None of these reached the upstream.
  assert.ok(images.requests.every((r) => r.path !== '/v1/images/edits' || r.fields.prompt !== 'p'));
});

test('CORS: preflight answered 204 without a key; API answers carry the headers', async () => {
  const pre = await rawRequest(`${gw.url}/v1/images/generations`, {
    method: 'OPTIONS',
    headers: {
      origin: 'https://playground.example',
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'authorization, content-type, x-stainless-os, x-stainless-arch',
    },
  });
  assert.equal(pre.status, 204);
  assert.equal(pre.headers['access-control-allow-origin'], '*');
  assert.match(pre.headers['access-control-allow-methods'], /POST/);
  const allowed = pre.headers['access-control-allow-headers'];
  for (const h of ['authorization', 'x-api-key', 'x-goog-api-key', 'content-type', 'openai-beta', 'anthropic-version', 'anthropic-beta', 'x-stainless-os', 'x-stainless-arch'])
    assert.ok(allowed.includes(h), `${h} in ${allowed}`);
  assert.equal(pre.text, '');
  const beta = await rawRequest(`${gw.url}/v1beta/models/x:generateContent`, { method: 'OPTIONS' });
  assert.equal(beta.status, 204);

  const denied = await rawRequest(`${gw.url}/v1/chat/completions`, { method: 'POST', body: { model: 'x', messages: [] } });
  assert.equal(denied.status, 401);
  assert.equal(denied.headers['access-control-allow-origin'], '*');
  assert.match(denied.headers['access-control-expose-headers'], /x-request-id/);
  const health = await rawRequest(`${gw.url}/healthz`);
  assert.equal(health.headers['access-control-allow-origin'], undefined);
});

test('failover: a channel answering 500 is skipped for the next one, which is billed', async () => {
  images.reset();
  broken.reset();
  const { data: res, response } = await sdk.images.generate({ model: 'failover-image', prompt: 'x' }).withResponse();
  assert.equal(res.data.length, 1);
  assert.equal(broken.requests.length, 1);
  assert.equal(images.lastRequest.json.model, 'failover-image');
  const row = await rowFor(response.headers.get('x-request-id'));
  assert.equal(row.channel, 'oai-images');
  assert.ok(close(row.cost_usd, 0.02), `cost ${row.cost_usd}`);
  // Image requests are counted in /metrics like the text endpoints.
  const metrics = (await rawRequest(`${gw.url}/metrics`)).text;
  const served = metrics.split('\n').find((l) => l.startsWith('aiohub_requests_total{') && l.includes('model="failover-image"') && l.includes('channel="oai-images"'));
  assert.ok(served && Number(served.split(' ').pop()) >= 1, `no image request in /metrics:\n${metrics.slice(0, 2000)}`);
});

test('billing rules of the text endpoints hold here too: unpriced models, quotas', async () => {
  // 'unpriced' is not offered by any channel: 404 before the price check; a
  // priced route with no price is refused.
  const e1 = await expectApiError(sdk.images.generate({ model: 'unpriced', prompt: 'x' }), 404);
  assert.equal(e1.code, 'model_not_found');
  const capped = client(gw, keys.capped);
  // Each gpt-image-1 picture costs 0.16665 USD against a 0.2 quota: the
  // second is admitted on the remaining credit, the third is refused.
  await capped.images.generate({ model: 'gpt-image-1', prompt: 'one' });
  await capped.images.generate({ model: 'gpt-image-1', prompt: 'two' });
  const e2 = await expectApiError(capped.images.generate({ model: 'gpt-image-1', prompt: 'three' }), 429);
  assert.equal(e2.code, 'insufficient_quota');
  await pollUntil(async () => close((await gw.keyList()).find((k) => k.name === 'capped').used_usd, 0.3333), {
    timeoutMs: 8000,
    what: 'the capped key to have used 0.3333 USD',
  });
});

test('Gemini stream with n=2: images go out one by one, usage on the last; a later failure still delivers what was made', async () => {
  gemini.reset();
  const a = fakePng('s1').toString('base64');
  const b = fakePng('s2').toString('base64');
  gemini.enqueue(
    { images: [{ mimeType: 'image/png', data: a }], usage: { input: 10, output: 1290 } },
    { images: [{ mimeType: 'image/png', data: b }], usage: { input: 10, output: 1290 } },
  );
  const events = [];
  for await (const e of await sdk.images.generate({ model: 'banana', prompt: 'two', n: 2, stream: true })) events.push(e);
  assert.deepEqual(events.map((e) => e.b64_json), [a, b]);
  assert.equal(events[0].usage, undefined);
  assert.equal(events[1].usage.output_tokens, 2580);

  // The second call fails: the first image is still delivered (and billed),
  // streamed or not; the failure is in the log.
  for (const stream of [true, false]) {
    gemini.enqueue({ images: [{ mimeType: 'image/png', data: a }], usage: { input: 10, output: 1290 } }, { status: 503 });
    const prompt = `half-${stream}`;
    let got;
    if (stream) {
      got = [];
      for await (const e of await sdk.images.generate({ model: 'banana', prompt, n: 2, stream: true })) got.push(e.b64_json);
    } else {
      got = (await sdk.images.generate({ model: 'banana', prompt, n: 2 })).data.map((d) => d.b64_json);
    }
    assert.deepEqual(got, [a]);
    const rows = await gw.waitForLogs((rs) => rs.filter((r) => r.model === 'banana' && /503/.test(r.error)).length >= (stream ? 1 : 2));
    const row = rows.find((r) => r.model === 'banana' && /503/.test(r.error));
    assert.equal(row.status, 200);
    assert.equal(row.stream, stream);
    // 10 x $1/M + 1290 x $30/M + one image at $0.001.
    assert.ok(close(row.cost_usd, 0.03971), `cost ${row.cost_usd}`);
  }
});
