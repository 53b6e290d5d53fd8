// Cluster mode with Redis: three gateways on one PostgreSQL database (a
// throwaway server from scripts/test-postgres) and one Redis (scripts/test-redis,
// on a free loopback port). Quota reservations, rate limits, concurrency limits
// and channel health are shared through Redis; PostgreSQL keeps the money.
//
// Redis and PostgreSQL are required: without their server binaries these tests
// fail. AIOHUB_TEST_REDIS=skip (or AIOHUB_TEST_POSTGRES=skip) leaves them out on
// purpose.

import { before, after } from 'node:test';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test, assert, mockUpstream } from './lib/harness.mjs';
import { Gateway, REPO_ROOT, freePort, makeTempDir, newKeySecret, pollUntil, rawRequest, sleep } from './lib/gateway.mjs';

const SKIP = process.env.AIOHUB_TEST_REDIS === 'skip' || process.env.AIOHUB_TEST_POSTGRES === 'skip';
const PG_SCRIPT = path.join(REPO_ROOT, 'scripts', 'test-postgres');
const REDIS_SCRIPT = path.join(REPO_ROOT, 'scripts', 'test-redis');
// 1000 prompt + 500 completion tokens at 1 / 2 USD per 1M: 2000 micro-USD a request.
const USAGE = { prompt: 1000, completion: 500, cached: 0 };
const COST_MICROS = 2000;
// Without max_tokens a request reserves its prompt estimate plus 4096 output
// tokens (8192 micro-USD here): more than it costs.
const QUOTA_MICROS = 20_000;

const keys = {
  quota: newKeySecret(),
  rpm: newKeySecret(),
  conc: newKeySecret(),
  load: newKeySecret(),
  down: newKeySecret(),
  health: newKeySecret(),
};
let pgDir;
let pgUrl;
let redisDir;
let redisUrl;
let mock;
let slow;
let gws = [];

function run(script, command, dir) {
  try {
    return execFileSync(script, [command, dir], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  } catch (e) {
    throw new Error(`${path.basename(script)} ${command} failed: ${e.stderr || e.message}`);
  }
}
const redis = (command) => run(REDIS_SCRIPT, command, redisDir);

function redisCli(...args) {
  const port = new URL(redisUrl).port;
  return execFileSync('redis-cli', ['-h', '127.0.0.1', '-p', port, ...args], { encoding: 'utf8' }).trim();
}

function config(deadPort) {
  const chan = (name, url, models, priority = 0) => ({
    name,
    type: 'openai',
    base_url: url,
    api_key: `upstream-${name}`,
    groups: ['team'],
    models,
    priority,
  });
  return {
    server: { redis: redisUrl },
    routing: { max_attempts: 3, failure_threshold: 2, cooldown_seconds: 60 },
    groups: [{ name: 'team', endpoints: ['chat'] }],
    channels: [
      chan('fast', mock.url, ['gpt-4.1']),
      chan('slow', slow.url, ['gpt-slow']),
      // A dead upstream first, a live one behind it.
      chan('dead', `http://127.0.0.1:${deadPort}`, ['m-health'], 10),
      chan('backup', mock.url, ['m-health'], 0),
    ],
    prices: [
      { model: 'gpt-4.1', input: 1.0, output: 2.0 },
      { model: 'gpt-slow', input: 1.0, output: 2.0 },
      { model: 'm-health', input: 1.0, output: 2.0 },
    ],
    keys: [
      { name: 'quota', key: keys.quota, group: 'team', quota: QUOTA_MICROS / 1e6 },
      { name: 'rpm', key: keys.rpm, group: 'team', rpm: 6 },
      { name: 'conc', key: keys.conc, group: 'team', concurrency: 2 },
      { name: 'load', key: keys.load, group: 'team', quota: 1000 },
      { name: 'down', key: keys.down, group: 'team', quota: 1000, rpm: 1000 },
      { name: 'health', key: keys.health, group: 'team' },
    ],
    billing: { allow_free_models: false },
  };
}

function chat(gw, secret, model = 'gpt-4.1') {
  return rawRequest(`${gw.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${secret}` },
    body: { model, messages: [{ role: 'user', content: 'hello redis' }] },
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

async function loggedMicros(gw, name) {
  const rows = await gw.logs(100_000);
  return rows.filter((r) => r.key === name).reduce((s, r) => s + Math.round(r.cost_usd * 1e6), 0);
}

// Every id in the log once; the key's balance equal to the sum of its logged costs.
async function assertEveryRowOnce(gw, ids) {
  let rows = [];
  await pollUntil(
    async () => {
      rows = await gw.logs(100_000);
      return ids.every((id) => rows.some((r) => r.request_id === id));
    },
    { timeoutMs: 20_000, intervalMs: 250, what: `${ids.length} usage rows in PostgreSQL` },
  );
  for (const id of ids) assert.equal(rows.filter((r) => r.request_id === id).length, 1, `${id} logged once`);
}

before(async () => {
  if (SKIP) return;
  // Not harness temp dirs: those are removed before this file's `after` runs,
  // and the servers' pid files with them (the servers would outlive the run).
  pgDir = fs.mkdtempSync(path.join(os.tmpdir(), 'aiohub-pg-'));
  pgUrl = run(PG_SCRIPT, 'start', pgDir);
  redisDir = fs.mkdtempSync(path.join(os.tmpdir(), 'aiohub-redis-'));
  redisUrl = redis('start');
  mock = await mockUpstream();
  mock.setBehavior({ text: 'shared', usage: USAGE });
  slow = await mockUpstream();
  slow.setBehavior({ text: 'slowly', usage: USAGE, firstDelayMs: 700 });
  const cfg = config(await freePort());
  for (const label of ['r1', 'r2', 'r3'])
    gws.push(await Gateway.start({ label, dir: await makeTempDir(), database: pgUrl, config: cfg }));
});

after(async () => {
  if (SKIP || !pgDir) return;
  for (const g of gws) await g?.stop({ timeoutMs: 5000 });
  if (redisDir) redis('destroy');
  run(PG_SCRIPT, 'destroy', pgDir);
});

test('aiohub status reports the redis back end and that it is reachable', { skip: SKIP }, async () => {
  const st = await status(gws[0]);
  assert.equal(st.shared_state_backend, 'redis');
  assert.equal(st.redis_reachable, true, JSON.stringify(st));
  assert.match(st.redis, /^redis:\/\/127\.0\.0\.1:\d+\/0$/);
  assert.match((await rawRequest(`${gws[0].url}/metrics`)).text, /^aiohub_shared_state_reachable 1$/m);
  const human = await gws[0].cli(['status']);
  assert.match(human.stdout, /shared state: +redis redis:\/\/127\.0\.0\.1:\d+\/0 +\(reachable\)/);
  for (const g of gws) assert.match(g.output, /shared state redis/);
});

test('one key, three instances, concurrent load: quota overspent by no more than the in-flight reservations; balance == logged costs', { skip: SKIP }, async () => {
  const before = await usedMicros(gws[0], 'quota');
  assert.equal(before, 0);
  // Nine clients, three per instance, each sending one request after the
  // other (slow answers keep several in flight at once) until the quota is
  // used up, and for 1.5 s more.
  const responses = [];
  let until = Date.now() + 30_000;
  let served = 0;
  const worker = async (w) => {
    while (Date.now() < until) {
      const r = await chat(gws[w % 3], keys.quota, 'gpt-slow');
      responses.push(r);
      if (r.status === 200 && ++served * COST_MICROS >= QUOTA_MICROS) until = Math.min(until, Date.now() + 1500);
      if (r.status !== 200) await sleep(50);
    }
  };
  await Promise.all(Array.from({ length: 9 }, (_, w) => worker(w)));
  const ok = responses.filter((r) => r.status === 200);
  const refused = responses.filter((r) => r.status === 429);
  assert.equal(ok.length + refused.length, responses.length, responses.map((r) => r.status).join(','));
  assert.ok(refused.length > 0);
  for (const r of refused) assert.match(r.text, /insufficient_quota/);
  await assertEveryRowOnce(gws[1], ok.map((r) => r.headers['x-request-id']));
  const used = await usedMicros(gws[0], 'quota');
  assert.equal(used, ok.length * COST_MICROS, 'the balance moved by exactly what was served');
  assert.equal(used, await loggedMicros(gws[0], 'quota'), 'balance == sum of logged costs');
  // Each reservation (8192+) exceeds a request's cost, so the cluster-wide check
  // admits nothing once used + open reservations reach the quota: at most the
  // last admitted request's cost beyond it. (Three instances counting alone
  // would admit about three quotas' worth.)
  const dump = () =>
    redisCli('--scan', '--pattern', 'aiohub:*:quota')
      .split('\n')
      .filter(Boolean)
      .map((h) => `${h}: ${redisCli('HGETALL', h).replace(/\n/g, ' ')}`)
      .join('; ');
  assert.ok(used >= QUOTA_MICROS, `the quota was used up (${used}); Redis: ${dump()}`);
  assert.ok(used - QUOTA_MICROS <= COST_MICROS, `overspent by ${used - QUOTA_MICROS} micro-USD`);
  // Redis's running balance agrees with PostgreSQL's.
  const id = (await gws[0].keyList()).find((k) => k.name === 'quota');
  assert.ok(id);
  const hashes = redisCli('--scan', '--pattern', 'aiohub:*:quota').split('\n').filter(Boolean);
  const values = hashes.map((h) => Number(redisCli('HGET', h, 'used')));
  assert.ok(values.includes(used), `a Redis quota hash holds used=${used}: ${values}`);
});

test('rpm is enforced across instances', { skip: SKIP }, async () => {
  // Keep the burst inside one minute (the window is per wall-clock minute).
  const intoMinute = Date.now() % 60_000;
  if (intoMinute > 50_000) await sleep(60_500 - intoMinute);
  const responses = [];
  for (let i = 0; i < 15; i++) responses.push(await chat(gws[i % 3], keys.rpm));
  const ok = responses.filter((r) => r.status === 200).length;
  assert.equal(ok, 6, responses.map((r) => r.status).join(','));
  const limited = responses.filter((r) => r.status === 429);
  assert.equal(limited.length, 9);
  for (const r of limited) {
    assert.match(r.text, /6 requests per minute/);
    assert.ok(Number(r.headers['retry-after']) >= 1, JSON.stringify(r.headers));
  }
});

test('the concurrency limit holds across instances, and slots come back', { skip: SKIP }, async () => {
  const responses = await Promise.all(Array.from({ length: 9 }, (_, i) => chat(gws[i % 3], keys.conc, 'gpt-slow')));
  const ok = responses.filter((r) => r.status === 200).length;
  assert.equal(ok, 2, responses.map((r) => r.status).join(','));
  for (const r of responses.filter((x) => x.status !== 200)) {
    assert.equal(r.status, 429);
    assert.match(r.text, /its limit is 2 at once/);
  }
  await sleep(300);  // settlements are queued right after the answer
  const again = await Promise.all([chat(gws[0], keys.conc), chat(gws[2], keys.conc)]);
  assert.deepEqual(again.map((r) => r.status), [200, 200]);
});

test('a channel cooled down by one instance is avoided by the others', { skip: SKIP }, async () => {
  // Two connection failures on r1 take `dead` out of rotation there...
  for (let i = 0; i < 2; i++) assert.equal((await chat(gws[0], keys.health, 'm-health')).status, 200);
  await pollUntil(async () => /channel 'dead' is out of rotation/.test(gws[1].output), {
    timeoutMs: 3000,
    what: 'r2 to hear of the cool-down',
  });
  // ...and r2 and r3, which never tried it, go straight to the backup.
  const ids = [];
  for (const g of [gws[1], gws[2]]) {
    const r = await chat(g, keys.health, 'm-health');
    assert.equal(r.status, 200, r.text);
    ids.push(r.headers['x-request-id']);
  }
  const rows = await gws[0].waitForLogs((rs) => ids.every((id) => rs.some((r) => r.request_id === id)));
  for (const id of ids) {
    const row = rows.find((r) => r.request_id === id);
    assert.equal(row.channel, 'backup');
    assert.deepEqual(row.attempts, [], `the dead channel was not tried: ${JSON.stringify(row.attempts)}`);
  }
});

test('Redis restarted in the middle of a load run: requests keep being served, no money lost', { skip: SKIP }, async () => {
  const before = await usedMicros(gws[0], 'load');
  const ids = [];
  const failures = [];
  let running = true;
  const worker = async (w) => {
    for (let i = 0; running; i++) {
      const r = await chat(gws[(w + i) % 3], keys.load);
      if (r.status === 200) ids.push(r.headers['x-request-id']);
      else failures.push(`${r.status} ${r.text}`);
    }
  };
  const workers = Array.from({ length: 6 }, (_, w) => worker(w));
  await sleep(1000);
  redis('stop');
  await sleep(1500);
  redis('resume');  // back empty: no persistence
  await sleep(2500);
  running = false;
  await Promise.all(workers);
  assert.deepEqual(failures, [], 'every request was served');
  assert.ok(ids.length > 30, `load ran (${ids.length} requests)`);
  await assertEveryRowOnce(gws[0], ids);
  assert.equal((await usedMicros(gws[0], 'load')) - before, ids.length * COST_MICROS);
  assert.equal(await usedMicros(gws[0], 'load'), await loggedMicros(gws[0], 'load'));
  for (const g of gws) {
    assert.match(g.output, /redis .* unreachable/);
    assert.match(g.output, /redis .* is back/);
  }
  // Redis was re-seeded from PostgreSQL: its balance converges to the same sum.
  const total = await usedMicros(gws[0], 'load');
  await pollUntil(
    async () => {
      const hashes = redisCli('--scan', '--pattern', 'aiohub:*:quota').split('\n').filter(Boolean);
      return hashes.some((h) => Number(redisCli('HGET', h, 'used')) === total);
    },
    { timeoutMs: 8000, intervalMs: 250, what: `Redis used == ${total}` },
  );
});

test('Redis stopped: instances keep serving with local accounting and aiohub status says so', { skip: SKIP }, async () => {
  const before = await usedMicros(gws[0], 'down');
  redis('stop');
  const ids = [];
  try {
    for (let i = 0; i < 9; i++) {
      const r = await chat(gws[i % 3], keys.down);
      assert.equal(r.status, 200, r.text);
      ids.push(r.headers['x-request-id']);
    }
    const st = await status(gws[1]);
    assert.equal(st.shared_state_backend, 'redis');
    assert.equal(st.redis_reachable, false, JSON.stringify(st));
    assert.ok(st.redis_error, JSON.stringify(st));
    assert.equal(st.database_reachable, true);
    const human = await gws[1].cli(['status']);
    assert.match(human.stdout, /UNREACHABLE.*locally/);
    // Each instance marks itself degraded.
    for (const g of gws) {
      const m = await rawRequest(`${g.url}/metrics`);
      assert.match(m.text, /^aiohub_shared_state_reachable 0$/m);
    }
  } finally {
    redis('resume');
  }
  await assertEveryRowOnce(gws[0], ids);
  assert.equal((await usedMicros(gws[0], 'down')) - before, ids.length * COST_MICROS);
  await pollUntil(async () => (await status(gws[0])).redis_reachable === true, { timeoutMs: 5000, what: 'redis reachable again' });
  // And the instances use it again.
  await pollUntil(async () => gws.every((g) => /redis .* is back/.test(g.output)), { timeoutMs: 5000, what: 'reconnected' });
  assert.equal((await chat(gws[2], keys.down)).status, 200);
});
