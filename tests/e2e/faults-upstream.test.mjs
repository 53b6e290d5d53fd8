// Fault injection on the upstream side (lib/mock-faults.mjs), for a Chat
// client on a passthrough route (openai channel) and a translated one
// (anthropic channel):
//   - the upstream resets the connection mid-stream: the client's stream
//     (already started) ends with an in-band error, the row says 502;
//   - the upstream resets mid-body (a JSON answer cut halfway): the client
//     gets a 502 error answer, the row says 502;
//   - the upstream trickles its response head one byte a second: the
//     channel's first-byte timeout (2 s here) ends the request;
//   - the upstream sends the head and an event, a few more bytes one a
//     second, then nothing: each byte restarts the idle timeout (2 s), and
//     its expiry ends the stream with an in-band error.
// Every case: a clear error, a usage row, no hang (bounded time).

import { before } from 'node:test';
import { test, assert } from './lib/harness.mjs';
import { ROUTES, startFaultEnv, chatBody, chatRequest, rowOf } from './lib/faults.mjs';

let env;
before(async () => {
  env = await startFaultEnv('faults-upstream', { channel: { first_byte_timeout_seconds: 2, idle_timeout_seconds: 2 } });
});

/** The last SSE data payload of a stream body. */
function lastData(text) {
  const datas = text.split(/\n\n/).map((b) => b.split('\n').filter((l) => l.startsWith('data: ')).map((l) => l.slice(6)).join('\n')).filter(Boolean);
  return datas.at(-1) ?? '';
}

function assertInBandError(r, context) {
  assert.equal(r.status, 200, `${context}: the stream had started`);
  assert.equal(r.error, undefined, `${context}: the gateway ends the body cleanly (${r.error})`);
  const last = lastData(r.text);
  let parsed;
  try {
    parsed = JSON.parse(last);
  } catch {
    assert.fail(`${context}: the stream's last event is not JSON: ${last.slice(0, 200)}\n${r.text.slice(-600)}`);
  }
  assert.ok(parsed.error && typeof parsed.error.message === 'string', `${context}: the last event is an error: ${last.slice(0, 300)}`);
  assert.ok(!r.text.includes('data: [DONE]'), `${context}: no [DONE] after a broken stream`);
  return parsed.error.message;
}

for (const [routeName, route] of Object.entries(ROUTES)) {
  test(`${routeName}: upstream reset mid-stream → in-band error, row 502, no hang`, async () => {
    env.mock.setBehavior({ fault: 'reset-mid-stream', text: 'one two three four five six' });
    const r = await chatRequest(env.gw, env.key, chatBody(route.model, true), { timeoutMs: 20_000 });
    assert.ok(r.ms < 10_000, `answered in ${r.ms} ms`);
    const message = assertInBandError(r, 'reset mid-stream');
    assert.match(message, /upstream|broke|reset|closed/i, 'the error says what happened');
    const row = await rowOf(env.gw, r.requestId);
    assert.equal(row.status, 502, `row status (error: ${row.error})`);
    assert.equal(row.channel, route.channel);
    assert.ok(row.error, 'the row says why');
  });

  test(`${routeName}: upstream reset mid-body (JSON cut halfway) → 502 error answer, row 502, no hang`, async () => {
    env.mock.setBehavior({ fault: 'reset-mid-body', text: 'a fairly long answer '.repeat(20) });
    const r = await chatRequest(env.gw, env.key, chatBody(route.model, false), { timeoutMs: 20_000 });
    assert.ok(r.ms < 10_000, `answered in ${r.ms} ms`);
    assert.equal(r.status, 502, `status, body: ${r.text.slice(0, 300)}`);
    const body = JSON.parse(r.text);
    assert.ok(body.error?.message, `an OpenAI-shaped error: ${r.text.slice(0, 300)}`);
    const row = await rowOf(env.gw, r.requestId);
    assert.equal(row.status, 502, `row status (error: ${row.error})`);
    assert.ok(row.error, 'the row says why');
  });

  test(`${routeName}: upstream trickling its head one byte a second → first-byte timeout (2 s), row logged`, async () => {
    env.mock.setBehavior({ fault: 'trickle-head' });
    const r = await chatRequest(env.gw, env.key, chatBody(route.model, true), { timeoutMs: 30_000 });
    assert.ok(r.ms >= 1500 && r.ms < 8000, `ended by the 2 s first-byte timeout, took ${r.ms} ms`);
    assert.ok(r.status >= 500, `an error status: ${r.status} ${r.text.slice(0, 300)}`);
    const body = JSON.parse(r.text);
    assert.match(body.error?.message ?? '', /upstream|timed? ?out|nothing|response/i, r.text);
    const row = await rowOf(env.gw, r.requestId);
    assert.ok(row.status >= 500, `row status ${row.status}`);
  });

  // Both routes: the in-band error is an event of its own (passthrough once
  // glued it to the half event the upstream left) and names the timeout
  // (translation once passed on the decoder's "closed before message_stop").
  test(`${routeName}: upstream trickling then stalling mid-stream → idle timeout (2 s) after the last byte, in-band error`, async () => {
    env.mock.setBehavior({ fault: 'trickle-then-stall', bytes: 3 });
    const r = await chatRequest(env.gw, env.key, chatBody(route.model, true), { timeoutMs: 30_000 });
    // Three bytes at one a second keep the idle timer from firing; then 2 s of silence.
    assert.ok(r.ms >= 4000 && r.ms < 12_000, `ended by the idle timeout after the trickle, took ${r.ms} ms`);
    const row = await rowOf(env.gw, r.requestId);
    assert.equal(row.status, 502, `row status (error: ${row.error})`);
    assert.match(row.error, /sent nothing for 2 s/, 'the row names the idle timeout');
    const message = assertInBandError(r, 'stall');
    if (routeName === 'passthrough') assert.match(message, /sent nothing for 2 s/, 'the error names the timeout');
  });

  if (routeName === 'translated') {
    test(`${routeName}: the in-band error of an idle timeout names the timeout`, async () => {
      env.mock.setBehavior({ fault: 'trickle-then-stall', bytes: 1 });
      const r = await chatRequest(env.gw, env.key, chatBody(route.model, true), { timeoutMs: 30_000 });
      assert.match(assertInBandError(r, 'stall'), /sent nothing for 2 s|timed? ?out|idle/i, 'the error names the timeout');
    });
  }
}

test('after the faults: a normal request on each route still works (connections not poisoned)', async () => {
  env.mock.setBehavior({ text: 'all good now' });
  for (const route of Object.values(ROUTES)) {
    for (const stream of [false, true]) {
      const r = await chatRequest(env.gw, env.key, chatBody(route.model, stream), { timeoutMs: 20_000 });
      assert.equal(r.status, 200, `${route.model} stream=${stream}: ${r.text.slice(0, 300)}`);
      assert.ok(r.text.includes('all') && r.text.includes('good'), r.text.slice(0, 300));
    }
  }
});
