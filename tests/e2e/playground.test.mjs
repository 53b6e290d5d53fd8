// The image playground (/playground/images) in a real browser: Debian's
// Chromium driven by playwright-core, against a gateway whose image channel is
// the mock Images upstream (lib/mock-images.mjs). Paste a key, generate,
// stream partial images, paint a mask and edit, the IndexedDB history across a
// reload, delete and download. Screenshots go to tests/e2e/artifacts/.

import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { after, before } from 'node:test';
import { chromium } from 'playwright-core';
import { test, assert, trackMock } from './lib/harness.mjs';
import { E2E_DIR, Gateway, newKeySecret, rawRequest, sleep } from './lib/gateway.mjs';
import { startMockImages } from './lib/mock-images.mjs';

const CHROMIUM = process.env.AIOHUB_CHROMIUM || '/usr/bin/chromium';
const ARTIFACTS = path.join(E2E_DIR, 'artifacts');
const UPSTREAM_KEY = 'sk-upstream-playground-' + newKeySecret().slice(3, 20);
const KEY = newKeySecret();

let images;
let gw;
let browser;
let context;
let page;
const pageErrors = [];
const requests = [];
const form = { // the prompt form, looked up on the current page
  getByLabel: (...a) => page.getByRole('form', { name: 'Request' }).getByLabel(...a),
  getByRole: (...a) => page.getByRole('form', { name: 'Request' }).getByRole(...a),
};

// A real RGBA PNG of one colour (the browser must be able to decode it).
function solidPng(width, height, [r, g, b, a = 255]) {
  const chunk = (type, data) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(zlib.crc32(td));
    return Buffer.concat([len, td, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // RGBA
  const row = Buffer.alloc(1 + width * 4);
  for (let x = 0; x < width; x++) row.set([r, g, b, a], 1 + x * 4);
  const raw = Buffer.concat(Array.from({ length: height }, () => row));
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', zlib.deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

const RED = solidPng(96, 64, [220, 40, 40]);
const GREEN = solidPng(96, 64, [40, 180, 70]);
const BLUE = solidPng(80, 60, [40, 80, 220]);
const PARTIAL = [solidPng(96, 64, [200, 200, 200]), solidPng(96, 64, [150, 150, 150])];
const UPLOAD = solidPng(120, 90, [240, 200, 40]);

async function shot(name, p = page) {
  await p.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
}

// Decodes an image in the page and counts its pixels by alpha.
async function pixelStats(bytes) {
  return page.evaluate(async (b64) => {
    const bin = atob(b64);
    const arr = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) arr[i] = bin.charCodeAt(i);
    const bmp = await createImageBitmap(new Blob([arr], { type: 'image/png' }));
    const c = new OffscreenCanvas(bmp.width, bmp.height);
    const g = c.getContext('2d');
    g.drawImage(bmp, 0, 0);
    const d = g.getImageData(0, 0, bmp.width, bmp.height).data;
    let transparent = 0;
    let opaque = 0;
    for (let i = 3; i < d.length; i += 4) {
      if (d[i] === 0) transparent++;
      else if (d[i] === 255) opaque++;
    }
    return { width: bmp.width, height: bmp.height, transparent, opaque, total: d.length / 4 };
  }, Buffer.from(bytes).toString('base64'));
}

// Every <img> in the locator has been decoded (a broken image has naturalWidth 0).
async function decodedWidths(locator) {
  return locator.evaluateAll((imgs) => Promise.all(imgs.map(async (img) => {
    try { await img.decode(); } catch { return 0; }
    return img.naturalWidth;
  })));
}

before(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium not found at ${CHROMIUM}: run \`scripts/bootstrap test\` (installs Debian's chromium) or set AIOHUB_CHROMIUM.`);
  }
  mkdirSync(ARTIFACTS, { recursive: true });
  images = trackMock(await startMockImages());
  images.apiKey = UPSTREAM_KEY;
  gw = await Gateway.start({
    label: 'playground',
    config: {
      groups: [{ name: 'art', endpoints: ['images', 'chat'] }],
      channels: [{
        name: 'oai-images',
        type: 'openai',
        base_url: `${images.url}/v1`,
        api_key: UPSTREAM_KEY,
        groups: ['art'],
        models: ['gpt-4o-mini', 'gpt-image-1', 'dall-e-3'],
      }],
      prices: [{ model: 'gpt-image-1', per_image: 0.01 }, { model: 'dall-e-3', per_image: 0.04 }, { model: 'gpt-4o-mini', input: 1, output: 1 }],
      keys: [{ name: 'artist', key: KEY, group: 'art' }],
    },
  });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: process.getuid?.() === 0 ? ['--no-sandbox'] : [],
  });
  context = await browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 900 }, acceptDownloads: true });
  context.setDefaultTimeout(10_000);
  page = await context.newPage();
  page.on('pageerror', (e) => pageErrors.push(e.message));
  page.on('request', (r) => requests.push(r));
});

after(async () => {
  await browser?.close();
});

test('/playground/images and /playground/images/ are served with their assets', async () => {
  for (const p of ['/playground/images', '/playground/images/']) {
    const r = await rawRequest(`${gw.url}${p}`);
    assert.equal(r.status, 200, p);
    assert.match(r.headers['content-type'], /^text\/html/);
    assert.match(r.text, /<title>aiohub — image playground<\/title>/);
    // Pages talk to this origin only; result images are shown from blob: URLs.
    assert.match(r.headers['content-security-policy'], /connect-src 'self'/);
    assert.match(r.headers['content-security-policy'], /img-src 'self' data: blob:/);
    const assets = [...r.text.matchAll(/\/assets\/[^"]+\.(?:js|css)/g)].map((m) => m[0]);
    assert.ok(assets.some((a) => a.endsWith('.js')) && assets.some((a) => a.endsWith('.css')), `assets: ${assets}`);
    for (const a of assets) {
      const asset = await rawRequest(`${gw.url}${a}`);
      assert.equal(asset.status, 200, a);
      assert.match(asset.headers['cache-control'], /immutable/);
    }
  }
  // Client-side sub-paths fall back to the page; the API side is untouched.
  assert.equal((await rawRequest(`${gw.url}/playground/images/anything`)).status, 200);
  assert.equal((await rawRequest(`${gw.url}/playground/missing.js`)).status, 404);
  assert.equal((await rawRequest(`${gw.url}/v1/images/generations`)).status, 405);
});

test('paste a key: its image models suggested, the key kept in localStorage', async () => {
  await page.goto(`${gw.url}/playground/images`);
  await page.getByText('Paste a key to start.').waitFor();
  await page.getByLabel('API key').fill(KEY);
  await page.getByTestId('models-state').getByText('2 image models of 3 for this key').waitFor();
  // The suggestions are the image models only (the chat model is left out).
  const options = await page.locator('#model-list option').evaluateAll((os) => os.map((o) => o.value));
  assert.deepEqual(options, ['dall-e-3', 'gpt-image-1']);
  assert.equal(await page.evaluate(() => localStorage.getItem('aiohub-playground-key')), KEY);
  // A wrong key gets the gateway's own message.
  await page.getByLabel('API key').fill('sk-not-a-real-key-0000000000');
  await page.getByTestId('models-state').locator('.error').waitFor();
  assert.match(await page.getByTestId('models-state').textContent(), /401/);
  await page.getByLabel('API key').fill(KEY);
  await page.getByTestId('models-state').getByText('2 image models of 3').waitFor();
});

test('generate: options reach the upstream, progress while waiting, the images are shown', async () => {
  images.reset();
  images.enqueue({ images: [RED, GREEN], delayMs: 900 });
  await page.locator('input[name="model"]').fill('gpt-image-1');
  await page.locator('select[name="size"]').selectOption('1536x1024');
  await page.locator('select[name="quality"]').selectOption('high');
  await page.locator('input[name="n"]').fill('2');
  await page.locator('select[name="background"]').selectOption('transparent');
  await page.locator('select[name="output_format"]').selectOption('png');
  await form.getByLabel('Prompt').fill('a lighthouse at dusk');
  // Ctrl+Enter in the prompt sends, like the button.
  await form.getByLabel('Prompt').press('Control+Enter');
  await page.getByTestId('progress').waitFor();
  await sleep(300);
  assert.match(await page.getByTestId('elapsed').textContent(), /^\d+\.\d s$/);
  assert.ok(await form.getByRole('button', { name: 'Generate' }).isDisabled(), 'no second request while one runs');
  const current = page.getByTestId('current-result');
  await current.waitFor();
  await page.getByTestId('progress').waitFor({ state: 'detached' });
  const shown = current.getByTestId('result-image');
  assert.equal(await shown.count(), 2);
  assert.deepEqual(await decodedWidths(shown), [96, 96]);

  assert.equal(images.requests.length, 1);
  const seen = images.lastRequest;
  assert.deepEqual(seen.violations, []);
  assert.equal(seen.path, '/v1/images/generations');
  assert.equal(seen.json.model, 'gpt-image-1');
  assert.equal(seen.json.prompt, 'a lighthouse at dusk');
  assert.equal(seen.json.size, '1536x1024');
  assert.equal(seen.json.quality, 'high');
  assert.equal(seen.json.n, 2);
  assert.equal(seen.json.background, 'transparent');
  assert.equal(seen.json.output_format, 'png');
  assert.equal(seen.json.stream, undefined);
  await shot('playground-generate');
});

test('a gateway error is shown with its message', async () => {
  images.reset();
  await page.locator('input[name="model"]').fill('no-such-image-model');
  await form.getByLabel('Prompt').fill('anything');
  await form.getByRole('button', { name: 'Generate' }).click();
  const alert = page.getByTestId('error');
  await alert.waitFor();
  const direct = await rawRequest(`${gw.url}/v1/images/generations`, {
    method: 'POST', headers: { authorization: `Bearer ${KEY}` }, body: { model: 'no-such-image-model', prompt: 'anything' },
  });
  assert.ok(direct.status >= 400);
  assert.equal((await alert.textContent()).trim(), `${direct.status}: ${direct.json.error.message}`);
  assert.equal(images.requests.length, 0, 'nothing reached the upstream');
  // The upstream's own error comes through the gateway too.
  images.enqueue({ status: 400, body: { error: { message: 'Your request was rejected by the safety system.', type: 'invalid_request_error', code: 'moderation_blocked' } } });
  await page.locator('input[name="model"]').fill('gpt-image-1');
  await form.getByRole('button', { name: 'Generate' }).click();
  await page.getByTestId('error').getByText('rejected by the safety system').waitFor();
  await shot('playground-error');
});

test('Escape cancels a request that takes long; nothing is kept', async () => {
  images.reset();
  images.enqueue({ images: [RED], delayMs: 4000 });
  await form.getByLabel('Prompt').fill('never mind');
  await form.getByRole('button', { name: 'Generate' }).click();
  await page.getByTestId('progress').waitFor();
  await page.keyboard.press('Escape');
  await page.getByTestId('error').getByText('Cancelled.').waitFor();
  await page.getByTestId('progress').waitFor({ state: 'detached' });
  assert.equal(await page.getByTestId('current-result').count(), 0);
  assert.ok(!(await form.getByRole('button', { name: 'Generate' }).isDisabled()), 'ready for the next request');
});

test('stream partial images: a partial is shown before the final image', async () => {
  images.reset();
  images.enqueue({ images: [BLUE], partialImages: PARTIAL, partialDelayMs: 700 });
  await page.locator('input[name="n"]').fill('1');
  await page.getByLabel('Stream partial images').check();
  await page.locator('select[name="partial_images"]').selectOption('2');
  await form.getByLabel('Prompt').fill('a blue square, streamed');
  await form.getByRole('button', { name: 'Generate' }).click();
  const partial = page.getByTestId('partial-image');
  await partial.waitFor();
  // The partial is on screen and decoded while the final image has not come yet.
  assert.equal(await page.getByTestId('current-result').count(), 0);
  assert.deepEqual(await decodedWidths(partial), [96]);
  assert.match(await partial.getAttribute('alt'), /Partial image [12]/);
  await shot('playground-partial');
  const current = page.getByTestId('current-result');
  await current.waitFor();
  assert.equal(await partial.count(), 0, 'the partial gives way to the final image');
  assert.deepEqual(await decodedWidths(current.getByTestId('result-image')), [80]);
  const seen = images.lastRequest;
  assert.deepEqual(seen.violations, []);
  assert.equal(seen.json.stream, true);
  assert.equal(seen.json.partial_images, 2);
  assert.equal(seen.json.n, 1);
  await page.getByLabel('Stream partial images').uncheck();
});

test('upload, pick a result, paint a mask and edit: multipart with image[] and a transparent-where-painted mask', async () => {
  images.reset();
  images.enqueue({ images: [GREEN] });
  await form.getByLabel('Edit', { exact: true }).check();
  await page.locator('input[name="upload"]').setInputFiles({ name: 'yellow.png', mimeType: 'image/png', buffer: UPLOAD });
  // The streamed blue result, picked from the result panel.
  await page.getByTestId('current-result').getByRole('button', { name: 'Edit' }).click();
  assert.equal(await page.getByTestId('source').count(), 2);
  const canvas = page.getByTestId('mask-canvas');
  await page.waitForFunction(() => document.querySelector('[data-testid="mask-canvas"]')?.width === 120);
  await page.getByLabel('Brush size').fill('60');
  await canvas.scrollIntoViewIfNeeded();
  const box = await canvas.boundingBox();
  await page.mouse.move(box.x + box.width * 0.3, box.y + box.height * 0.5);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.5, box.y + box.height * 0.5, { steps: 5 });
  await page.mouse.move(box.x + box.width * 0.6, box.y + box.height * 0.4, { steps: 5 });
  await page.mouse.up();
  await page.getByText('Mask painted').waitFor();
  await page.locator('select[name="size"]').selectOption('1024x1024');
  await page.locator('select[name="quality"]').selectOption('low');
  await form.getByLabel('Prompt').fill('put a hat on it');
  await shot('playground-mask');
  await form.getByRole('button', { name: 'Edit', exact: true }).click();
  await page.getByTestId('current-result').getByText('put a hat on it').waitFor();

  const seen = images.lastRequest;
  assert.deepEqual(seen.violations, []);
  assert.equal(seen.path, '/v1/images/edits');
  assert.match(seen.headers['content-type'], /^multipart\/form-data/);
  assert.equal(seen.fields.prompt, 'put a hat on it');
  assert.equal(seen.fields.model, 'gpt-image-1');
  assert.equal(seen.fields.size, '1024x1024');
  assert.equal(seen.fields.quality, 'low');
  assert.equal(seen.fields.n, '1');
  assert.deepEqual(seen.files.map((f) => [f.name, f.type]), [['image[]', 'image/png'], ['image[]', 'image/png'], ['mask', 'image/png']]);
  assert.equal(seen.files[0].filename, 'yellow.png');
  assert.deepEqual(seen.files[0].bytes, UPLOAD, 'the uploaded file, byte for byte');
  assert.deepEqual(seen.files[1].bytes, BLUE, 'the picked result, byte for byte');
  const mask = await pixelStats(seen.files[2].bytes);
  assert.equal(mask.width, 120, 'the mask has the first image\'s size');
  assert.equal(mask.height, 90);
  assert.ok(mask.transparent > 200, `painted pixels are transparent: ${JSON.stringify(mask)}`);
  assert.ok(mask.opaque > mask.total / 2, `the rest stays opaque: ${JSON.stringify(mask)}`);
  assert.deepEqual(await decodedWidths(page.getByTestId('current-result').getByTestId('result-image')), [96]);
  await shot('playground-edit');
});

test('the history survives a reload; download and delete an entry', async () => {
  await page.reload();
  const entries = page.getByTestId('history-entry');
  await entries.first().waitFor();
  // Newest first: the edit, the streamed generation, the first generation (errors are not kept).
  assert.equal(await entries.count(), 3);
  const labels = await entries.evaluateAll((es) => es.map((e) => e.getAttribute('aria-label')));
  assert.deepEqual(labels, ['Edit: put a hat on it', 'Generation: a blue square, streamed', 'Generation: a lighthouse at dusk']);
  assert.match(await entries.nth(2).textContent(), /gpt-image-1 · 1536x1024 · high · transparent · png · n=2/);
  assert.deepEqual(await decodedWidths(entries.nth(2).getByTestId('result-image')), [96, 96]);
  assert.equal(await page.getByLabel('API key').inputValue(), KEY, 'the key is still there');

  const [download] = await Promise.all([
    page.waitForEvent('download'),
    entries.nth(1).getByRole('link', { name: 'Download' }).click(),
  ]);
  assert.match(download.suggestedFilename(), /^aiohub-.+-1\.png$/);
  assert.deepEqual(readFileSync(await download.path()), BLUE);

  await entries.nth(1).getByRole('button', { name: /^Delete/ }).click();
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="history-entry"]').length === 2);
  await page.reload();
  await entries.first().waitFor();
  assert.deepEqual(await entries.evaluateAll((es) => es.map((e) => e.getAttribute('aria-label'))),
    ['Edit: put a hat on it', 'Generation: a lighthouse at dusk']);
  await shot('playground-history');
});

test('the key only ever went to this gateway\'s /v1 endpoints', async () => {
  assert.ok(requests.length > 5);
  for (const r of requests) {
    const u = new URL(r.url());
    if (u.protocol === 'blob:' || u.protocol === 'data:') continue;
    assert.equal(u.origin, gw.url, `a request left the gateway: ${r.url()}`);
    const blob = r.url() + JSON.stringify(await r.allHeaders()) + (r.postData() ?? '');
    if (blob.includes(KEY)) {
      assert.match(u.pathname, /^\/v1\//, `the key went to ${u.pathname}`);
      assert.equal((await r.allHeaders()).authorization, `Bearer ${KEY}`);
    }
  }
  assert.deepEqual(pageErrors, []);
});

test('the playground on a phone-sized screen in dark mode, linked from /setup and the console', async () => {
  const phone = await browser.newContext({ locale: 'en-US', viewport: { width: 390, height: 844 }, colorScheme: 'dark' });
  phone.setDefaultTimeout(10_000);
  const p = await phone.newPage();
  await p.goto(`${gw.url}/setup`);
  await p.getByRole('link', { name: 'Image playground' }).click();
  await p.waitForURL(/\/playground\/images$/);
  assert.equal(await p.evaluate(() => getComputedStyle(document.body).backgroundColor), 'rgb(17, 20, 24)');
  const overflow = await p.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(overflow <= 0, `no sideways scrolling on a phone (${overflow}px)`);
  await p.getByLabel('API key').fill(KEY);
  await p.getByTestId('models-state').getByText('2 image models of 3').waitFor();
  await shot('playground-phone-dark', p);
  await p.getByRole('button', { name: 'Switch to light theme' }).click();
  assert.equal(await p.evaluate(() => getComputedStyle(document.body).backgroundColor), 'rgb(246, 247, 249)');
  await phone.close();
});
