// A bounded soak: a mix of streamed and whole answers, passthrough and
// translated, at moderate concurrency for SOAK_SECONDS, with a
// reset or a cut body now and then. Every answer must arrive, and afterwards
// the gateway's RSS must be back within a few MB of the baseline taken after
// a warm-up of the same mix: nothing grows with the number of requests.
// What is compared is the anonymous part of the RSS (heap, stacks): the file
// part grows by design while the usage journal (a 64 MB ring of mapped file
// pages, src/store/usage_journal.hpp) fills for the first time, and is
// printed beside it.
// AIOHUB_SOAK_SECONDS changes the length (the warm-up is a fifth of it, at
// least 10 s). The default, 30 s (with 10 s of warm-up), keeps the file well inside npm test's 60 s
// per-file timeout; the 2-minute soak of docs/testing.md is
//   AIOHUB_SOAK_SECONDS=120 node --test soak.test.mjs

import { before } from 'node:test';
import { test, assert } from './lib/harness.mjs';
import { ROUTES, startFaultEnv, chatBody, chatRequest, memKiB } from './lib/faults.mjs';
import { sleep } from './lib/gateway.mjs';

const SOAK_SECONDS = Number(process.env.AIOHUB_SOAK_SECONDS ?? 30);
const WARMUP_SECONDS = Math.max(10, Math.round(SOAK_SECONDS / 5));
const CONCURRENCY = 6;
const MAX_GROWTH_MB = 6;
// Under ASan (make test-sanitize) freed memory sits in its quarantine: the
// RSS bounds say nothing there; every request must still be answered.
const SANITIZED = Boolean(process.env.AIOHUB_E2E_SANITIZED);

let env;
before(async () => {
  env = await startFaultEnv('soak');
  // One request in 20 meets a broken upstream.
  let n = 0;
  env.mock.setBehavior(() => {
    n += 1;
    if (n % 40 === 0) return { fault: 'reset-mid-stream', text: 'broken on purpose' };
    if (n % 40 === 20) return { fault: 'reset-mid-body', text: 'cut on purpose' };
    return { text: 'soak answer number ' + n + ' with a few more words in it' };
  });
});

async function load(seconds) {
  const until = Date.now() + seconds * 1000;
  const routes = Object.values(ROUTES);
  const stats = { requests: 0, ok: 0, upstreamErrors: 0, other: [] };
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async (_, w) => {
      for (let i = 0; Date.now() < until; i++) {
        const route = routes[(w + i) % routes.length];
        const r = await chatRequest(env.gw, env.key, chatBody(route.model, (w + i) % 2 === 0), { keepBody: true, timeoutMs: 30_000 });
        stats.requests += 1;
        if (r.status === 200 && !r.error && /soak/.test(r.text) && !/"error"/.test(r.text)) stats.ok += 1;
        else if (r.status === 502 || (r.status === 200 && /"error"/.test(r.text))) stats.upstreamErrors += 1;
        else stats.other.push(`${r.status} ${r.error ?? ''} ${r.text.slice(0, 200)}`);
      }
    }),
  );
  return stats;
}

test(`soak: ${SOAK_SECONDS} s of mixed traffic, RSS (anonymous) back within ${MAX_GROWTH_MB} MB of the post-warm-up baseline`, { timeout: (SOAK_SECONDS + WARMUP_SECONDS + 120) * 1000 }, async () => {
  const warm = await load(WARMUP_SECONDS);
  assert.deepEqual(warm.other, [], 'warm-up: every request answered');
  await sleep(1500);
  const baseline = memKiB(env.gw);

  const samples = [];
  const sampler = setInterval(() => samples.push(memKiB(env.gw)), 5000);
  let stats;
  try {
    stats = await load(SOAK_SECONDS);
  } finally {
    clearInterval(sampler);
  }
  await sleep(3000); // streams closed, usage batches written
  const after = memKiB(env.gw);
  const growthMB = (after.anon - baseline.anon) / 1024;
  const mb = (k) => (k / 1024).toFixed(1);
  process.stderr.write(
    `[soak] ${stats.requests} requests in ${SOAK_SECONDS} s (${stats.ok} ok, ${stats.upstreamErrors} injected upstream errors); ` +
      `RssAnon baseline ${mb(baseline.anon)} MB, peak ${mb(Math.max(baseline.anon, ...samples.map((x) => x.anon)))} MB, after ${mb(after.anon)} MB (${growthMB >= 0 ? '+' : ''}${growthMB.toFixed(1)} MB); ` +
      `RssFile ${mb(baseline.file)} → ${mb(after.file)} MB; VmRSS ${mb(baseline.rss)} → ${mb(after.rss)} MB\n` +
      `[soak] RssAnon every 5 s: ${samples.map((x) => mb(x.anon)).join(' ')}\n`,
  );
  assert.deepEqual(stats.other, [], 'every request got an answer or a clean upstream error');
  assert.ok(stats.ok > stats.requests * 0.8, `most requests succeeded: ${stats.ok}/${stats.requests}`);
  if (SANITIZED) return;
  assert.ok(growthMB < MAX_GROWTH_MB, `RssAnon ${growthMB.toFixed(1)} MB above the post-warm-up baseline`);
  // The mapped journal can add at most its size on top.
  assert.ok(after.rss - baseline.rss < (64 + MAX_GROWTH_MB) * 1024, `VmRSS ${mb(after.rss - baseline.rss)} MB above the baseline`);
});
