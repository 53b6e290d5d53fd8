// Cluster mode on PostgreSQL: two gateways share one database (a throwaway
// server started by scripts/test-postgres on a Unix socket). Requests through
// either are logged and charged once; a key revoked from the shell is refused
// by both within the config poll; with PostgreSQL stopped the gateways keep
// serving and queue usage rows on local disk, and the rows appear once it is
// back, also after a kill -9 of the gateway that queued them.
//
// PostgreSQL is required: without its server binaries these tests fail.
// AIOHUB_TEST_POSTGRES=skip leaves them out on purpose.

import { before, after } from 'node:test';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test, assert, mockUpstream } from './lib/harness.mjs';
import { Gateway, REPO_ROOT, makeTempDir, newKeySecret, pollUntil, rawRequest, sleep } from './lib/gateway.mjs';

const SKIP = process.env.AIOHUB_TEST_POSTGRES === 'skip';
const PG_SCRIPT = path.join(REPO_ROOT, 'scripts', 'test-postgres');
// 1000 prompt + 500 completion tokens at 1 / 2 USD per 1M: 2000 micro-USD a request.
const USAGE = { prompt: 1000, completion: 500, cached: 0 };
const COST_MICROS = 2000;

const keys = { alice: newKeySecret(), bob: newKeySecret(), carol: newKeySecret() };
let pgDir;
let pgUrl;
let mock;
let a;
let b;

function pg(command) {
  try {
    return execFileSync(PG_SCRIPT, [command, pgDir], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  } catch (e) {
    throw new Error(`scripts/test-postgres ${command} failed: ${e.stderr || e.message}`);
  }
}

function config() {
  return {
    groups: [{ name: 'team', endpoints: ['chat'] }],
    channels: [
      { name: 'pg-chan', type: 'openai', base_url: mock.url, api_key: 'upstream-secret-pg', groups: ['team'], models: ['gpt-4.1'] },
    ],
    prices: [{ model: 'gpt-4.1', input: 1.0, output: 2.0, cache_read: 0.0, cache_write: 0.0 }],
    keys: [
      { name: 'alice', key: keys.alice, group: 'team' },
      { name: 'bob', key: keys.bob, group: 'team' },
      // 10000 micro-USD: five requests in the whole cluster.
      { name: 'carol', key: keys.carol, group: 'team', quota: 0.01 },
    ],
    billing: { allow_free_models: false },
  };
}

function startGateway(label, dir) {
  return Gateway.start({ label, dir, database: pgUrl, config: config() });
}

function chat(gw, secret) {
  return rawRequest(`${gw.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${secret}` },
    body: { model: 'gpt-4.1', messages: [{ role: 'user', content: 'hello cluster' }] },
  });
}

async function status(gw) {
  const r = await gw.cli(['status', '--json'], { allowFail: true });
  try {
    return JSON.parse(r.stdout);
  } catch {
    throw new Error(`aiohub status --json printed no JSON:\n${r.stdout}\n${r.stderr}`);
  }
}

async function usedMicros(gw, name) {
  const k = (await gw.keyList()).find((x) => x.name === name);
  return Math.round(k.used_usd * 1e6);
}

// Every request id in the log exactly once, and the key's balance equal to
// the sum of its logged costs.
async function waitForRows(gw, ids) {
  let rows = [];
  await pollUntil(
    async () => {
      rows = await gw.logs(1000);
      return ids.every((id) => rows.some((r) => r.request_id === id));
    },
    { timeoutMs: 15_000, intervalMs: 200, what: `${ids.length} usage rows in PostgreSQL` },
  ).catch((e) => {
    const missing = ids.filter((id) => !rows.some((r) => r.request_id === id));
    throw new Error(`${e.message}; missing ${JSON.stringify(missing)}`);
  });
  for (const id of ids) assert.equal(rows.filter((r) => r.request_id === id).length, 1, `${id} logged once`);
  return rows;
}

async function assertBalanceMatchesLog(gw, name) {
  const rows = await gw.logs(100_000);
  const logged = rows.filter((r) => r.key === name).reduce((s, r) => s + Math.round(r.cost_usd * 1e6), 0);
  assert.equal(await usedMicros(gw, name), logged, `${name}: balance moved by the sum of logged costs`);
}

before(async () => {
  if (SKIP) return;
  // Not a harness temp dir: those are removed before this file's `after`
  // runs, and the server's pid file with them (it would outlive the run).
  pgDir = fs.mkdtempSync(path.join(os.tmpdir(), 'aiohub-pg-'));
  pgUrl = pg('start');
  mock = await mockUpstream();
  mock.setBehavior({ text: 'clustered', usage: USAGE });
  a = await startGateway('a', await makeTempDir());
  b = await startGateway('b', await makeTempDir());
});

after(async () => {
  if (SKIP || !pgDir) return;
  for (const g of [a, b]) await g?.stop({ timeoutMs: 5000 });
  pg('destroy');
});

test('both instances serve on one PostgreSQL database; rows logged once, balances match', { skip: SKIP }, async () => {
  const before = await usedMicros(a, 'alice');
  const ids = [];
  for (let i = 0; i < 6; i++) {
    const r = await chat(i % 2 ? a : b, keys.alice);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.choices[0].message.content, 'clustered');
    ids.push(r.headers['x-request-id']);
  }
  const rows = await waitForRows(b, ids);
  for (const id of ids) {
    const row = rows.find((r) => r.request_id === id);
    assert.equal(row.key, 'alice');
    assert.equal(Math.round(row.cost_usd * 1e6), COST_MICROS, JSON.stringify(row));
  }
  assert.equal((await usedMicros(a, 'alice')) - before, 6 * COST_MICROS);
  await assertBalanceMatchesLog(a, 'alice');
});

test('aiohub status names the back end, the schema and both instances', { skip: SKIP }, async () => {
  const st = await pollUntil(
    async () => {
      const s = await status(a);
      return s.instances?.length >= 2 ? s : null;
    },
    { timeoutMs: 8000, what: 'two instances in aiohub status' },
  );
  assert.equal(st.database_backend, 'postgresql');
  assert.equal(st.database_reachable, true);
  assert.ok(Number(st.schema_version) >= 2, JSON.stringify(st));
  assert.ok(st.instance_id, JSON.stringify(st));
  const other = await status(b);
  assert.notEqual(other.instance_id, st.instance_id, 'each instance has its own id');
  const ids = st.instances.map((i) => i.id);
  assert.ok(ids.includes(st.instance_id) && ids.includes(other.instance_id), JSON.stringify(st.instances));
  assert.equal(st.usage_queue_rows, 0);
  assert.equal(st.usage_queue_lag_seconds, null);
  const human = await a.cli(['status']);
  assert.match(human.stdout, /postgresql/);
  const migrate = await a.cli(['migrate']);
  assert.match(migrate.stdout, /schema version \d+/);
});

test('a key revoked from the shell is refused by every instance within a second', { skip: SKIP }, async () => {
  for (const gw of [a, b]) assert.equal((await chat(gw, keys.bob)).status, 200);
  const t0 = Date.now();
  await a.cli(['key', 'revoke', 'bob']);
  await pollUntil(
    async () => {
      const [ra, rb] = await Promise.all([chat(a, keys.bob), chat(b, keys.bob)]);
      return ra.status === 401 && rb.status === 401;
    },
    { timeoutMs: 4000, intervalMs: 50, what: 'bob refused by both instances' },
  );
  const elapsed = Date.now() - t0;
  // A change notice (LISTEN/NOTIFY) wakes the instances; the 1 s poll is the fallback.
  assert.ok(elapsed < 1000, `revocation took ${elapsed} ms to reach both instances`);
});

test('a quota is shared: an instance counts what the others spent', { skip: SKIP }, async () => {
  for (let i = 0; i < 3; i++) assert.equal((await chat(a, keys.carol)).status, 200);
  // a writes its rows within 200 ms; b reads the balances about once a second.
  await sleep(2500);
  const statuses = [];
  for (let i = 0; i < 4; i++) statuses.push((await chat(b, keys.carol)).status);
  assert.deepEqual(statuses, [200, 200, 429, 429], 'b admits only what is left of the quota');
  await sleep(2500);
  assert.equal((await chat(a, keys.carol)).status, 429, 'and a sees what b spent');
  assert.equal(await usedMicros(a, 'carol'), 5 * COST_MICROS);
});

test('PostgreSQL stopped: requests still served, rows queued on disk, logged once it is back', { skip: SKIP }, async () => {
  const before = await usedMicros(a, 'alice');
  pg('stop');
  const ids = [];
  try {
    for (let i = 0; i < 8; i++) {
      const r = await chat(i % 2 ? a : b, keys.alice);
      assert.equal(r.status, 200, r.text);
      ids.push(r.headers['x-request-id']);
    }
    const queued = await pollUntil(
      async () => {
        const [sa, sb] = await Promise.all([status(a), status(b)]);
        return sa.usage_queue_rows + sb.usage_queue_rows >= ids.length ? [sa, sb] : null;
      },
      { timeoutMs: 8000, what: 'usage rows queued on local disk' },
    );
    assert.equal(queued[0].database_reachable, false);
    const lagging = queued.find((s) => s.usage_queue_rows > 0);
    assert.equal(typeof lagging.usage_queue_lag_seconds, 'number', JSON.stringify(lagging));
    await sleep(1500);  // a few replay attempts against the stopped server
  } finally {
    pg('resume');
  }
  await waitForRows(a, ids);
  assert.equal((await usedMicros(a, 'alice')) - before, ids.length * COST_MICROS);
  await assertBalanceMatchesLog(a, 'alice');
  await pollUntil(async () => (await status(a)).usage_queue_rows === 0 && (await status(b)).usage_queue_rows === 0, {
    timeoutMs: 5000,
    what: 'empty usage queues',
  });
  assert.match(a.output, /usage rows now queue on local disk/);
});

test('kill -9 with rows queued on disk: the restarted instance replays them, none twice', { skip: SKIP }, async () => {
  const before = await usedMicros(a, 'alice');
  pg('stop');
  const ids = [];
  let restarted;
  try {
    for (let i = 0; i < 5; i++) {
      const r = await chat(a, keys.alice);
      assert.equal(r.status, 200, r.text);
      ids.push(r.headers['x-request-id']);
    }
    await pollUntil(async () => (await status(a)).usage_queue_rows >= ids.length, {
      timeoutMs: 8000,
      what: 'rows queued on disk',
    });
    await a.kill();
  } finally {
    pg('resume');
  }
  restarted = await startGateway('a-restarted', a.dir);
  a = restarted;
  await waitForRows(a, ids);
  assert.equal((await usedMicros(a, 'alice')) - before, ids.length * COST_MICROS);
  await assertBalanceMatchesLog(a, 'alice');
  assert.equal((await status(a)).usage_queue_rows, 0);
});

test('SIGTERM while PostgreSQL is down: queued rows survive the shutdown and replay on the next start', { skip: SKIP }, async () => {
  const before = await usedMicros(a, 'alice');
  pg('stop');
  const ids = [];
  try {
    for (let i = 0; i < 3; i++) {
      const r = await chat(a, keys.alice);
      assert.equal(r.status, 200, r.text);
      ids.push(r.headers['x-request-id']);
    }
    const exit = await a.stop();
    assert.equal(exit.code, 0, a.output);
    assert.match(a.output, /usage rows wait in .*usage-queue/);
  } finally {
    pg('resume');
  }
  a = await startGateway('a-after-sigterm', a.dir);
  await waitForRows(a, ids);
  assert.equal((await usedMicros(a, 'alice')) - before, ids.length * COST_MICROS);
  await assertBalanceMatchesLog(a, 'alice');
});

test('three instances under concurrent load, PostgreSQL stopped halfway: every row once, balance to the micro-credit', { skip: SKIP }, async () => {
  const c = await startGateway('c', await makeTempDir());
  const gws = [a, b, c];
  const before = await usedMicros(a, 'alice');
  const burst = (n) =>
    Promise.all(Array.from({ length: n }, (_, i) => chat(gws[i % 3], keys.alice)));
  const ids = [];
  const collect = (responses) => {
    for (const r of responses) {
      assert.equal(r.status, 200, r.text);
      ids.push(r.headers['x-request-id']);
    }
  };
  collect(await burst(60));
  pg('stop');
  try {
    collect(await burst(60));
  } finally {
    pg('resume');
  }
  collect(await burst(30));
  assert.equal(new Set(ids).size, ids.length, 'request ids are unique');
  await waitForRows(a, ids);
  assert.equal((await usedMicros(a, 'alice')) - before, ids.length * COST_MICROS);
  await assertBalanceMatchesLog(a, 'alice');
  await c.stop();
});

test('kill -9 right after answering under load: every acknowledged row is logged after the restart', { skip: SKIP }, async () => {
  const before = await usedMicros(a, 'alice');
  const responses = await Promise.all(Array.from({ length: 100 }, () => chat(a, keys.alice)));
  const ids = responses.map((r) => {
    assert.equal(r.status, 200, r.text);
    return r.headers['x-request-id'];
  });
  // Before the writer's next batch (200 ms): the rows are only in memory and in
  // the mapped journal.
  await a.kill();
  a = await startGateway('a-after-kill', a.dir);
  await waitForRows(a, ids);
  assert.equal((await usedMicros(a, 'alice')) - before, ids.length * COST_MICROS);
  await assertBalanceMatchesLog(a, 'alice');
});
