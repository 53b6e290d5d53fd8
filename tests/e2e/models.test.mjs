// GET /v1/models lists exactly the models a key may use: the models of its
// group's channels, intersected with the key's allow list.

import { before } from 'node:test';
import { test, client, assert, mockUpstream } from './lib/harness.mjs';
import { Gateway, newKeySecret, rawRequest } from './lib/gateway.mjs';

const keys = { team: newKeySecret(), picky: newKeySecret(), other: newKeySecret(), empty: newKeySecret() };
let gw;

before(async () => {
  const mock = await mockUpstream();
  const secret = 'upstream-secret-models';
  gw = await Gateway.start({
    label: 'models',
    config: {
      groups: [
        { name: 'team', endpoints: ['chat'], ratio: 1.0 },
        { name: 'other', endpoints: ['chat'], ratio: 1.0 },
        { name: 'nobody', endpoints: ['chat'], ratio: 1.0 },
      ],
      channels: [
        { name: 'c1', type: 'openai', base_url: mock.url, api_key: secret, groups: ['team'], models: ['m-a', 'm-b'], model_map: { 'm-a': 'upstream-a' } },
        { name: 'c2', type: 'openai', base_url: mock.url, api_key: secret, groups: ['team'], models: ['m-b', 'm-c'] },
        { name: 'c3', type: 'openai', base_url: mock.url, api_key: secret, groups: ['other'], models: ['m-x'] },
      ],
      keys: [
        { name: 'team', key: keys.team, group: 'team' },
        { name: 'picky', key: keys.picky, group: 'team', models: ['m-c', 'm-a', 'm-x', 'not-served'] },
        { name: 'other', key: keys.other, group: 'other' },
        { name: 'empty', key: keys.empty, group: 'nobody' },
      ],
    },
  });
});

async function listIds(apiKey) {
  const ids = [];
  for await (const m of client(gw, apiKey).models.list()) ids.push(m.id);
  return ids.sort();
}

test('raw /v1/models shape', async () => {
  const r = await rawRequest(`${gw.url}/v1/models`, { headers: { authorization: `Bearer ${keys.team}` } });
  assert.equal(r.status, 200, r.text);
  assert.match(String(r.headers['content-type']), /application\/json/);
  assert.equal(r.json.object, 'list');
  assert.ok(Array.isArray(r.json.data));
  for (const m of r.json.data) {
    assert.equal(typeof m.id, 'string');
    assert.equal(m.object, 'model');
    assert.ok(Number.isInteger(m.created), `created must be an integer: ${JSON.stringify(m)}`);
    assert.equal(typeof m.owned_by, 'string');
  }
  const ids = r.json.data.map((m) => m.id);
  assert.equal(new Set(ids).size, ids.length, `no duplicates (m-b is on two channels): ${ids}`);
});

test('key without allow list sees its group channels models (client names, no duplicates)', async () => {
  assert.deepEqual(await listIds(keys.team), ['m-a', 'm-b', 'm-c']);
});

test('allow list intersects the group models', async () => {
  assert.deepEqual(await listIds(keys.picky), ['m-a', 'm-c']);
});

test('another group sees only its own models', async () => {
  assert.deepEqual(await listIds(keys.other), ['m-x']);
});

test('a group with no channels lists nothing', async () => {
  assert.deepEqual(await listIds(keys.empty), []);
});
