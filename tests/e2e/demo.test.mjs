// First start without a config on a fresh database: the admin token and a demo
// key are printed once, and the built-in `demo` channel serves `aiohub-demo`
// (echoes the last user message; word by word when streaming). A second start on
// the same database does not print the key again.

import { test, client, assert, userMsg } from './lib/harness.mjs';
import { Gateway, KEY_RE, makeTempDir, rawRequest } from './lib/gateway.mjs';

const demoKeyLines = (out) => out.split(/\r?\n/).filter((l) => KEY_RE.test(l));

let dir;
let demoKey;

test('fresh database: prints the admin token and a demo key once', async () => {
  dir = await makeTempDir('aiohub-e2e-demo-');
  const gw = await Gateway.start({ label: 'demo-1', noConfig: true, dir });
  // The lines may be printed right after /healthz turns green.
  await gw.waitForOutput((o) => KEY_RE.test(o) && /admin/i.test(o), 3000);
  const out = gw.output;
  const keyLines = demoKeyLines(out);
  assert.ok(keyLines.length >= 1, `no demo key sk-… (48 chars) printed:\n${out}`);
  demoKey = keyLines[0].match(KEY_RE)[0];
  assert.equal(new Set(keyLines.map((l) => l.match(KEY_RE)[0])).size, 1, 'only one demo key is printed');
  const adminLine = out.split(/\r?\n/).find((l) => /admin/i.test(l) && /token/i.test(l));
  assert.ok(adminLine, `no line with the admin token:\n${out}`);
  assert.match(adminLine, /[A-Za-z0-9_-]{16,}/, `admin token line has no token: ${adminLine}`);

  // The demo key works: non-stream echo of the last user message.
  const c = client(gw, demoKey);
  const r = await c.chat.completions.create({
    model: 'aiohub-demo',
    messages: [
      { role: 'system', content: 'ignored' },
      { role: 'user', content: 'first message' },
      { role: 'assistant', content: 'an earlier answer' },
      { role: 'user', content: 'echo this back, please' },
    ],
  });
  assert.equal(r.object, 'chat.completion');
  assert.match(r.id, /^chatcmpl-/);
  assert.equal(r.choices[0].message.role, 'assistant');
  assert.equal(r.choices[0].message.content, 'echo this back, please');
  assert.equal(r.choices[0].finish_reason, 'stop');

  // Streaming: word by word, rebuilt exactly by the SDK.
  const sentence = 'the quick brown fox jumps over the lazy dog';
  const deltas = [];
  const stream = c.chat.completions.stream({ model: 'aiohub-demo', messages: userMsg(sentence) });
  stream.on('content', (d) => deltas.push(d));
  const final = await stream.finalChatCompletion();
  assert.equal(final.choices[0].message.content, sentence);
  assert.equal(final.choices[0].finish_reason, 'stop');
  const nonEmpty = deltas.filter((d) => d.length > 0);
  assert.ok(nonEmpty.length >= sentence.split(' ').length, `expected word-by-word deltas, got ${JSON.stringify(deltas)}`);

  // Raw stream framing from the demo channel too.
  const raw = await rawRequest(`${gw.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${demoKey}` },
    body: { model: 'aiohub-demo', messages: userMsg('a b'), stream: true },
  });
  assert.equal(raw.status, 200);
  assert.match(String(raw.headers['content-type']), /^text\/event-stream/);
  assert.match(raw.text, /data: \[DONE\]\s*$/);

  // /v1/models lists the demo model for the demo key.
  const ids = [];
  for await (const m of c.models.list()) ids.push(m.id);
  assert.ok(ids.includes('aiohub-demo'), `aiohub-demo missing from /v1/models: ${ids}`);

  const exit = await gw.stop();
  assert.equal(exit.code, 0, `exit ${JSON.stringify(exit)}`);
});

test('second start on the same database: the demo key is not printed again and still works', async () => {
  assert.ok(demoKey, 'depends on the previous test');
  const gw = await Gateway.start({ label: 'demo-2', noConfig: true, dir });
  const r = await client(gw, demoKey).chat.completions.create({ model: 'aiohub-demo', messages: userMsg('still here') });
  assert.equal(r.choices[0].message.content, 'still here');
  await gw.stop();
  assert.ok(!gw.output.includes(demoKey), `demo key printed again:\n${gw.output}`);
  assert.equal(demoKeyLines(gw.output).length, 0, `a key was printed on the second start:\n${gw.output}`);
});

test('relative sqlite://aiohub.db (resolved against the working directory) opens the same database', async () => {
  assert.ok(demoKey, 'depends on the first test');
  const gw = await Gateway.start({ label: 'demo-3', noConfig: true, dir, cwd: dir, database: 'sqlite://aiohub.db' });
  const r = await client(gw, demoKey).chat.completions.create({ model: 'aiohub-demo', messages: userMsg('relative path') });
  assert.equal(r.choices[0].message.content, 'relative path');
  await gw.stop();
  assert.equal(demoKeyLines(gw.output).length, 0, `a key was printed on a start with an existing database:\n${gw.output}`);
});
