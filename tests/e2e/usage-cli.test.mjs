// `aiohub usage`: the same summaries as GET /api/usage, as a table or JSON;
// `aiohub logs --json`: the rows of GET /api/logs; `aiohub key create` with
// the API's rules (group `auto`); `aiohub channel list` with health;
// `aiohub key list` with balances and limits.

import { before } from 'node:test';
import { test, client, assert, mockUpstream, userMsg } from './lib/harness.mjs';
import { Gateway, newKeySecret, pollUntil } from './lib/gateway.mjs';
import { ADMIN_TOKEN, adminApi } from './lib/admin.mjs';

const USAGE = { prompt: 750_000, completion: 125_000, cached: 500_000 }; // 1.75 USD on gpt-4.1
const keys = { ann: newKeySecret(), ben: newKeySecret() };
let mock;
let gw;

before(async () => {
  mock = await mockUpstream();
  mock.setBehavior({ text: 'counted', usage: USAGE });
  gw = await Gateway.start({
    label: 'usage-cli',
    config: {
      server: { admin_token: ADMIN_TOKEN },
      groups: [{ name: 'team', endpoints: ['chat'], ratio: 1.0 }],
      auto: { groups: ['team'] },
      channels: [{ name: 'up', type: 'openai', base_url: mock.url, api_key: 'sk-usage-cli-upstream-0000', groups: ['team'], models: ['gpt-4.1', 'gpt-mini'] }],
      prices: [
        { model: 'gpt-4.1', input: 2.0, output: 8.0, cache_read: 0.5, cache_write: 0.0 },
        { model: 'gpt-mini', input: 0.5, output: 0.5, cache_read: 0.0, cache_write: 0.0 },
      ],
      keys: [
        { name: 'ann', key: keys.ann, group: 'team', quota: 100.0, rpm: 600 },
        { name: 'ben', key: keys.ben, group: 'team' },
      ],
    },
  });
  for (let i = 0; i < 2; i++) await client(gw, keys.ann).chat.completions.create({ model: 'gpt-4.1', messages: userMsg('a') });
  await client(gw, keys.ben).chat.completions.create({ model: 'gpt-mini', messages: userMsg('b') });
  await gw.waitForLogs((rows) => rows.length >= 3);
});

const api = async (path) => {
  const r = await adminApi(gw, 'GET', path);
  assert.equal(r.status, 200, r.text);
  return r.json;
};

test('usage --json equals GET /api/usage for every grouping, and sums the logs exactly', async () => {
  const logs = (await api('/api/logs?limit=1000')).logs;
  for (const by of ['model', 'key', 'channel', 'group', 'day', 'hour']) {
    const cli = await gw.cliJson(['usage', '--by', by, '--json']);
    const web = await api(`/api/usage?by=${by}`);
    assert.deepEqual(cli, web, `usage --by ${by}`);
    const total = cli.rows.reduce((t, r) => t + r.cost_micros, 0);
    assert.equal(total, logs.reduce((t, r) => t + r.cost_micros, 0), `--by ${by} cost`);
    assert.equal(cli.rows.reduce((t, r) => t + r.requests, 0), logs.length);
  }
  const byModel = await gw.cliJson(['usage', '--by', 'model', '--json']);
  assert.deepEqual(byModel.rows.map((r) => r.bucket), ['gpt-4.1', 'gpt-mini']);
  assert.equal(byModel.rows[0].cost_micros, 3_500_000);
  assert.equal(byModel.rows[0].requests, 2);
  assert.equal(byModel.rows[1].cost_micros, 187_500); // (250000 uncached + 125000 out) * 0.5; cached at 0
  const byKey = await gw.cliJson(['usage', '--by', 'key', '--since', '7d', '--json']);
  assert.deepEqual(byKey.rows.map((r) => [r.bucket, r.cost_micros]), [['ann', 3_500_000], ['ben', 187_500]]);
});

test('usage prints an aligned table with a total; --since filters; bad options fail', async () => {
  const r = await gw.cli(['usage', '--by', 'model']);
  const lines = r.stdout.trimEnd().split('\n');
  assert.match(lines[0], /^model\s+requests\s+errors\s+input\s+output\s+cache_read\s+cache_write\s+cost_usd\s+avg_ms\s+avg_ttfb_ms$/);
  assert.equal(lines.length, 4, r.stdout);
  assert.match(lines[1], /^gpt-4\.1\s+2\s+0\s+1500000\s+250000\s+1000000\s+0\s+3\.500000\s/);
  assert.match(lines[3], /^TOTAL\s+3\s+0\s/);
  assert.ok(lines[3].includes('3.687500'), lines[3]);
  // Right-aligned numbers end in the same column.
  const end = (line, word) => line.indexOf(word) + word.length;
  assert.equal(end(lines[1], '3.500000'), end(lines[3], '3.687500'));

  const future = new Date(Date.now() + 3600_000).toISOString();
  const none = await gw.cliJson(['usage', '--since', future, '--json']);
  assert.deepEqual(none.rows, []);
  const day = await gw.cliJson(['usage', '--by', 'day', '--since', '24h', '--json']);
  assert.equal(day.rows.length >= 1, true);
  assert.match(day.rows[0].bucket, /^\d{4}-\d\d-\d\d$/);

  for (const bad of [['usage', '--by', 'planet'], ['usage', '--since', 'yesterday-ish']]) {
    const x = await gw.cli(bad, { allowFail: true });
    assert.notEqual(x.code, 0, `${bad.join(' ')} must fail`);
    assert.ok(x.stderr.length > 0);
  }
});

test('key list shows used, remaining and limits; channel list shows health', async () => {
  const list = await gw.keyList();
  const ann = list.find((k) => k.name === 'ann');
  assert.equal(ann.used_micros, 3_500_000);
  assert.equal(ann.remaining_micros, 96_500_000);
  assert.equal(ann.limits.rpm, 600);
  const text = (await gw.cli(['key', 'list'])).stdout;
  assert.match(text.split('\n')[0], /^name\s+prefix\s+group\s+used_usd\s+remaining_usd\s+quota_usd\s+limits\s+expires\s+status$/);
  const annLine = text.split('\n').find((l) => l.startsWith('ann '));
  assert.match(annLine, /3\.500000\s+96\.500000\s+100\.000000\s+rpm=600\s+never\s+enabled/);
  for (const s of Object.values(keys)) assert.ok(!text.includes(s));

  const channels = await gw.cliJson(['channel', 'list', '--json']);
  const up = (Array.isArray(channels) ? channels : [channels]).find((c) => c.name === 'up');
  assert.equal(up.health.state, 'healthy');
  assert.ok(!JSON.stringify(channels).includes('sk-usage-cli-upstream-0000'));
  const chText = (await gw.cli(['channel', 'list'])).stdout;
  assert.match(chText.split('\n')[0], /health$/);
  assert.match(chText.split('\n').find((l) => l.startsWith('up ')), /healthy$/);
});

test('logs --json prints the rows of GET /api/logs, field for field', async () => {
  const cli = await gw.logs(1000);
  const web = (await api('/api/logs?limit=1000')).logs;
  assert.ok(cli.length >= 3, JSON.stringify(cli));
  assert.deepEqual(cli, web);
  for (const row of cli) assert.deepEqual(Object.keys(row), Object.keys(web[0]));
  const few = await gw.logs(2);
  assert.deepEqual(few, web.slice(0, 2), 'newest first, --limit rows');
});

// Last: its request adds a row the tests above do not expect.
test('key create --group auto is accepted, as by the admin API, and the key works', async () => {
  const secret = await gw.createKey({ name: 'auto-cli', group: 'auto' });
  const listed = (await gw.keyList()).find((k) => k.name === 'auto-cli');
  assert.equal(listed.group, 'auto');
  const web = (await api('/api/keys')).keys.find((k) => k.name === 'auto-cli');
  assert.deepEqual(listed, web, 'key list --json shows a key as GET /api/keys does');
  const answer = await pollUntil(
    () => client(gw, secret).chat.completions.create({ model: 'gpt-mini', messages: userMsg('via auto') }).catch(() => null),
    { timeoutMs: 5000, what: 'the new key to be accepted' },
  );
  assert.equal(answer.choices[0].message.content, 'counted');
  const rows = await gw.waitForLogs((rows) => rows.some((r) => r.key === 'auto-cli'));
  const row = rows.find((r) => r.key === 'auto-cli');
  assert.equal(row.status, 200);
  assert.equal(row.group, 'team', 'an auto key is served by a group of [auto] groups');

  // Refused as the admin API refuses them, with its words.
  for (const [bad, why] of [
    [['--name', 'x/y', '--group', 'team'], /^aiohub: 'name' must not contain '\/' or control characters\.$/m],
    [['--name', 'nogroup', '--group', 'planet'], /^aiohub: Unknown group 'planet'\.$/m],
    [['--name', 'auto-cli', '--group', 'auto'], /^aiohub: A key named 'auto-cli' already exists\.$/m],
  ]) {
    const r = await gw.cli(['key', 'create', ...bad], { allowFail: true });
    assert.notEqual(r.code, 0, `key create ${bad.join(' ')} must fail`);
    assert.match(r.stderr, why);
  }
  assert.ok(!(await gw.keyList()).some((k) => ['x/y', 'nogroup'].includes(k.name)), 'refused keys are not stored');
});
