// A client that reads slowly from a fast, large stream: the gateway must
// apply back-pressure (stop reading the upstream while the client's socket is
// full), not buffer the stream. The mock upstream writes a 64 MB stream as
// fast as the gateway takes it; the client reads 64 KB, pauses 4 s, then
// reads the rest. During the pause the gateway's RSS (/proc/<pid>/status)
// must grow by far less than the stream (under 16 MB), and the upstream must
// be held back too; afterwards the whole stream arrives intact and the row
// says 200. Passthrough (openai channel) and translated (anthropic channel).

import { before } from 'node:test';
import { test, assert } from './lib/harness.mjs';
import { ROUTES, startFaultEnv, chatBody, chatRequest, rowOf, rssKiB } from './lib/faults.mjs';
import { sleep } from './lib/gateway.mjs';

const CHUNKS = 64 * 1024;
const CHUNK_BYTES = 1024;
const STREAM_MB = (CHUNKS * CHUNK_BYTES) / (1 << 20);
const MAX_GROWTH_MB = 16;
// Under ASan (make test-sanitize) freed memory sits in its quarantine: the
// RSS bound says nothing there, the rest of the test still holds.
const SANITIZED = Boolean(process.env.AIOHUB_E2E_SANITIZED);

let env;
before(async () => {
  env = await startFaultEnv('faults-slow-client');
});

for (const [routeName, route] of Object.entries(ROUTES)) {
  test(`${routeName}: a client pausing on a ${STREAM_MB} MB stream → gateway RSS grows < ${MAX_GROWTH_MB} MB, stream intact`, async () => {
    // Warm up: allocator pools, the upstream connection, the code paths.
    env.mock.setBehavior({ fault: 'big-stream', chunks: 2048, chunkBytes: CHUNK_BYTES });
    const warm = await chatRequest(env.gw, env.key, chatBody(route.model, true), { keepBody: false, timeoutMs: 60_000 });
    assert.equal(warm.status, 200);
    await sleep(300);
    const baseline = rssKiB(env.gw);

    env.mock.setBehavior({ fault: 'big-stream', chunks: CHUNKS, chunkBytes: CHUNK_BYTES });
    let peak = baseline;
    let upstreamWrittenInPause = 0;
    const r = await chatRequest(env.gw, env.key, chatBody(route.model, true), {
      keepBody: false,
      timeoutMs: 120_000,
      pauseAfterBytes: 64 * 1024,
      onPause: async () => {
        for (let i = 0; i < 8; i++) {
          await sleep(500);
          peak = Math.max(peak, rssKiB(env.gw));
        }
        upstreamWrittenInPause = env.mock.bigWritten;
      },
    });
    const growthMB = (peak - baseline) / 1024;
    process.stderr.write(
      `[faults-slow-client] ${routeName}: baseline ${(baseline / 1024).toFixed(1)} MB, peak during pause ${(peak / 1024).toFixed(1)} MB ` +
        `(+${growthMB.toFixed(1)} MB), upstream had written ${(upstreamWrittenInPause / (1 << 20)).toFixed(1)} MB of ${STREAM_MB} MB when the pause ended\n`,
    );
    assert.equal(r.status, 200);
    assert.equal(r.error, undefined, `the stream ended cleanly: ${r.error}`);
    assert.ok(r.bytes > CHUNKS * CHUNK_BYTES, `the whole stream arrived: ${r.bytes} bytes`);
    assert.ok(env.mock.bigDone, 'the upstream finished its stream');
    if (!SANITIZED) assert.ok(growthMB < MAX_GROWTH_MB, `gateway RSS grew ${growthMB.toFixed(1)} MB while the client paused on a ${STREAM_MB} MB stream`);
    assert.ok(
      upstreamWrittenInPause < (CHUNKS * CHUNK_BYTES) / 2,
      `back-pressure reached the upstream: it had written ${upstreamWrittenInPause} bytes while the client paused`,
    );
    const row = await rowOf(env.gw, r.requestId);
    assert.equal(row.status, 200, `row status (error: ${row.error})`);
  });
}
