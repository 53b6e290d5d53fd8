// A client that hangs up as soon as it has read the stream's terminal event
// (Codex CLI drops the connection on `response.completed`, before the chunked
// body's end) got the whole answer: its usage row says 200, not 499. A client
// that hangs up before the terminal event still gets 499. Found by
// agents-codex.test.mjs (Codex CLI's rows were all 499). Either way the
// upstream's own usage is billed: the gateway reads on for a few seconds
// after the client left (issue 14, finding 5b).

import { before } from 'node:test';
import { test, assert } from './lib/harness.mjs';
import { startTranslateEnv } from './lib/translate.mjs';
import { sleep, readUntilThenHangUp } from './lib/gateway.mjs';

let env;
before(async () => {
  env = await startTranslateEnv('stream-hangup');
});

const CLIENTS = {
  chat: {
    path: '/v1/chat/completions',
    headers: () => ({ authorization: `Bearer ${env.key}` }),
    body: (model) => ({ model, messages: [{ role: 'user', content: 'hi' }], stream: true, stream_options: { include_usage: true } }),
    terminal: /data: \[DONE\]\n\n/,
    firstDelta: /"content":"[^"]+"[^\n]*\n\n/,
  },
  responses: {
    path: '/v1/responses',
    headers: () => ({ authorization: `Bearer ${env.key}` }),
    body: (model) => ({ model, input: 'hi', stream: true }),
    terminal: /"type":"response\.completed"[^\n]*\n\n/,
    firstDelta: /response\.output_text\.delta[^\n]*\n[^\n]*\n\n/,
  },
  messages: {
    path: '/v1/messages',
    headers: () => ({ 'x-api-key': env.key, 'anthropic-version': '2023-06-01' }),
    body: (model) => ({ model, max_tokens: 100, messages: [{ role: 'user', content: 'hi' }], stream: true }),
    terminal: /event: message_stop\ndata: [^\n]*\n\n/,
    firstDelta: /event: content_block_delta\ndata: [^\n]*\n\n/,
  },
};

const CASES = [
  ['chat', 'openai'],
  ['chat', 'anthropic'],
  ['responses', 'openai-responses'],
  ['responses', 'anthropic'],
  ['messages', 'anthropic'],
  ['messages', 'openai-responses'],
];

for (const [clientName, upType] of CASES) {
  const client = CLIENTS[clientName];
  const up = () => env.up[upType];
  for (const when of ['terminal', 'firstDelta']) {
    const want = when === 'terminal' ? 200 : 499;
    test(`${clientName} client, ${upType} upstream: hang-up right after the ${when === 'terminal' ? 'terminal event' : 'first delta'} is logged ${want}`, async () => {
      const usage = { input: 500 + Math.floor(Math.random() * 400), output: 9 };
      // The upstream keeps the stream open a moment after its last event, so
      // the gateway has relayed the terminal event before the body ends; for
      // the early hang-up it pauses between events.
      up().script({ text: 'one two three four', usage, endDelayMs: 400, ...(when === 'firstDelta' ? { delayMs: 150 } : {}) });
      const t0 = Date.now();
      const r = await readUntilThenHangUp(env.gw.url + client.path, client.headers(), client.body(up().model), client[when]);
      assert.equal(r.status, 200);
      assert.ok(!r.ended, `the client hung up before the body ended: ${r.text.slice(-300)}`);
      const rows = await env.gw.waitForLogs((rows) => rows.some((x) => x.ts_ms >= t0 && x.model === up().model && x.endpoint === clientName), { timeoutMs: 8000, limit: 20 });
      const row = rows.find((x) => x.ts_ms >= t0 && x.model === up().model && x.endpoint === clientName);
      assert.equal(row.status, want, `row status (error: ${row.error ?? ''})`);
      // Before the terminal event too: the gateway keeps reading a moment
      // after the client left, so the upstream's own usage is billed.
      assert.equal(row.input_tokens, usage.input, 'the upstream usage is logged');
      assert.equal(row.output_tokens, usage.output);
      assert.equal(row.usage_estimated, false);
      await sleep(500); // let the upstream stream end before the next case
    });
  }
}
