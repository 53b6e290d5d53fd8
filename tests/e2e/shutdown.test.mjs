// Graceful shutdown: on SIGTERM the gateway stops accepting new connections,
// lets the in-flight stream finish, and exits with code 0.

import { test, client, assert, mockUpstream, userMsg } from './lib/harness.mjs';
import { Gateway, newKeySecret, rawRequest, sleep, deadline } from './lib/gateway.mjs';

const aliceKey = newKeySecret();

async function startPair(label) {
  const mock = await mockUpstream();
  const gw = await Gateway.start({
    label,
    config: {
      channels: [
        { name: 'slow-chan', type: 'openai', base_url: mock.url, api_key: 'upstream-secret-shutdown', groups: ['openai'], models: ['gpt-4.1'] },
      ],
      keys: [{ name: 'alice', key: aliceKey, group: 'openai' }],
    },
  });
  return { mock, gw };
}

test('SIGTERM during a slow stream: the stream completes, then exit code 0', async () => {
  const { mock, gw } = await startPair('shutdown-stream');
  const words = Array.from({ length: 12 }, (_, i) => `word${i}`);
  const text = words.join(' ');
  // 1 role chunk + 12 pieces + finish chunk + [DONE], 150 ms apart: about 2 s.
  mock.setBehavior({ text, delayMs: 150 });

  const deltas = [];
  const stream = client(gw, aliceKey).chat.completions.stream({ model: 'gpt-4.1', messages: userMsg('go slowly') });
  let terminatedAt = null;
  let deltasAtSignal = 0;
  const signalled = new Promise((resolve) => {
    stream.on('content', (d) => {
      deltas.push(d);
      if (deltas.length === 2 && terminatedAt === null) {
        terminatedAt = Date.now();
        deltasAtSignal = deltas.length;
        gw.signal('SIGTERM');
        resolve();
      }
    });
  });
  const finalP = stream.finalChatCompletion();
  await signalled;
  const final = await finalP;
  assert.ok(deltasAtSignal < words.length, 'SIGTERM was sent mid-stream');
  assert.equal(final.choices[0].message.content, text, 'the in-flight stream must complete intact');
  assert.equal(final.choices[0].finish_reason, 'stop');
  assert.equal(mock.streamsFinished, 1, 'the upstream stream ran to its end');

  const exit = await Promise.race([gw.exited, deadline(15_000)]);
  assert.ok(exit, 'gateway did not exit within 15 s after SIGTERM');
  assert.equal(exit.signal, null, `gateway died by signal ${exit.signal}`);
  assert.equal(exit.code, 0, `exit code after SIGTERM: ${JSON.stringify(exit)}`);
});

test('SIGTERM: new connections are refused while an in-flight stream drains', async () => {
  const { mock, gw } = await startPair('shutdown-accept');
  // About 3.5 s of stream, so there is time to probe the listener.
  mock.setBehavior({ text: Array.from({ length: 20 }, (_, i) => `w${i}`).join(' '), delayMs: 150 });
  const stream = client(gw, aliceKey).chat.completions.stream({ model: 'gpt-4.1', messages: userMsg('drain') });
  const firstDelta = new Promise((resolve) => stream.once('content', resolve));
  const finalP = stream.finalChatCompletion();
  await firstDelta;
  gw.signal('SIGTERM');

  // Within 1.5 s a fresh connection must no longer get a normal answer
  // (connection refused/reset, or a 503), while the stream is still running.
  const probeUntil = Date.now() + 1500;
  let refused = false;
  let last = '';
  while (Date.now() < probeUntil && !refused) {
    try {
      const r = await rawRequest(`${gw.url}/healthz`, { timeoutMs: 1000 });
      last = `status ${r.status}`;
      if (r.status === 503) refused = true;
    } catch (e) {
      last = e.code ?? e.message;
      refused = true;
    }
    if (!refused) await sleep(50);
  }
  assert.ok(mock.streamsFinished === 0, 'probe finished before the stream ended (test timing)');
  assert.ok(refused, `a new connection was still served after SIGTERM (last probe: ${last})`);

  const final = await finalP;
  assert.equal(final.choices[0].message.content.split(' ').length, 20);
  const exit = await Promise.race([gw.exited, deadline(15_000)]);
  assert.ok(exit, 'gateway did not exit within 15 s after SIGTERM');
  assert.equal(exit.code, 0, JSON.stringify(exit));
});

test('SIGTERM on an idle gateway: exits promptly with code 0', async () => {
  const { gw } = await startPair('shutdown-idle');
  // An idle keep-alive client connection must not hold the shutdown up.
  const r = await client(gw, aliceKey).models.list();
  assert.ok(r.data.some((m) => m.id === 'gpt-4.1'));
  const t0 = Date.now();
  const exit = await gw.stop({ timeoutMs: 10_000 });
  assert.equal(exit.timedOut, undefined, 'gateway had to be killed');
  assert.equal(exit.code, 0, JSON.stringify(exit));
  assert.ok(Date.now() - t0 < 5000, `idle shutdown took ${Date.now() - t0} ms`);
});
