// The SQLite database cannot be written (as when its disk is full) while the
// gateway keeps answering: no acknowledged row is lost once the condition
// clears, none is logged twice, and the gateway says what is wrong.
//
// How the fault is made without privileges of a file system: the gateway's
// file-size limit (RLIMIT_FSIZE) is lowered to 1 byte on the running process
// with `prlimit --pid`, so that every write past the first byte of any file
// fails. The gateway is started from a shell that ignores SIGXFSZ (an ignored
// signal stays ignored across exec), so that such a write returns EFBIG,
// which SQLite reports as a failed write, instead of killing the process. The
// usage journal is a mapped file, which the limit does not touch, and the
// CLI that reads the log is another process without the limit. (chmod would
// not do: the tests run as root, and SQLite keeps its files open.)

import { before } from 'node:test';
import { execFileSync } from 'node:child_process';
import { test, assert } from './lib/harness.mjs';
import { ROUTES, startFaultEnv, chatBody, chatRequest } from './lib/faults.mjs';
import { Gateway, sleep } from './lib/gateway.mjs';

const haveprlimit = (() => {
  try {
    execFileSync('prlimit', ['--version']);
    return true;
  } catch {
    return false;
  }
})();

let env;
before(async () => {
  env = await startFaultEnv('faults-database', {
    gatewayOpts: { wrapper: ['sh', '-c', 'trap "" XFSZ; exec "$0" "$@"'] },
  });
});

function setFsize(pid, limit) {
  execFileSync('prlimit', ['--pid', String(pid), `--fsize=${limit}:`]);
}

/** Every row in the log, by request id → count. */
async function rowCounts(gw) {
  const rows = await gw.logs(1000);
  const counts = new Map();
  for (const r of rows) counts.set(r.request_id, (counts.get(r.request_id) ?? 0) + 1);
  return counts;
}

async function mixedRequests(n) {
  const ids = [];
  const routes = Object.values(ROUTES);
  for (let i = 0; i < n; i++) {
    const route = routes[i % routes.length];
    const r = await chatRequest(env.gw, env.key, chatBody(route.model, i % 3 !== 0), { timeoutMs: 20_000 });
    assert.equal(r.status, 200, `request ${i} answered: ${r.text.slice(0, 200)}`);
    ids.push(r.requestId);
  }
  return ids;
}

test('database writes failing (file-size limit): requests are answered, a clear log line, every row logged exactly once after it clears', { skip: !haveprlimit && 'prlimit (util-linux) is missing' }, async () => {
  env.mock.setBehavior({ text: 'logged or not' });
  const before = await mixedRequests(4);
  await env.gw.waitForLogs((rows) => before.every((id) => rows.some((r) => r.request_id === id)), { timeoutMs: 10_000 });

  const pid = env.gw.proc.pid;
  const stderrBefore = env.gw.output.length;
  setFsize(pid, 1);
  let during;
  try {
    during = await mixedRequests(24);
    // Several batch intervals: the writer tries, fails, keeps the rows.
    await sleep(2500);
    const log = env.gw.output.slice(stderrBefore);
    assert.match(log, /usage log write failed \(\d+ rows kept for retry\)/, `a clear log line; gateway output since the fault:\n${log.slice(-2000)}`);
    process.stderr.write(`[faults-database] ${log.split('\n').find((l) => /usage log write failed/.test(l))}\n`);
    const counts = await rowCounts(env.gw);
    const written = during.filter((id) => counts.has(id));
    assert.ok(written.length < during.length, `the fault held rows back (${written.length}/${during.length} written during it)`);
    process.stderr.write(`[faults-database] ${written.length}/${during.length} rows written during the fault\n`);
    assert.equal(env.gw.exit, null, 'the gateway is still running');
  } finally {
    setFsize(pid, 'unlimited');
  }

  // Cleared: every answered request's row arrives, exactly once.
  const all = [...before, ...during];
  await env.gw.waitForLogs((rows) => all.every((id) => rows.some((r) => r.request_id === id)), { timeoutMs: 15_000, limit: 1000 });
  let counts = await rowCounts(env.gw);
  for (const id of all) assert.equal(counts.get(id), 1, `row ${id} logged exactly once`);

  // And after a restart on the same data directory (the journal replays
  // nothing twice).
  await env.gw.stop();
  const again = await Gateway.start({ label: 'faults-database-restart', dir: env.gw.dir, config: { server: { log_format: 'text' }, billing: { allow_free_models: true } } });
  try {
    await sleep(1000);
    counts = await rowCounts(again);
    for (const id of all) assert.equal(counts.get(id), 1, `after restart: row ${id} logged exactly once`);
  } finally {
    await again.stop();
  }
});
