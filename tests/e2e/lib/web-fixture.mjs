// A gateway with a little of everything for the page tests: a mock channel,
// a price, a key with a few answered requests (one streamed) and a failed one.

import { mockUpstream, userMsg } from './harness.mjs';
import { Gateway, newKeySecret, rawRequest } from './gateway.mjs';
import { eventually } from './web.mjs';

export async function startWebFixture(label) {
  const admin = `admin-token-${label}-e2e`;
  const key = newKeySecret();
  const mock = await mockUpstream();
  const gw = await Gateway.start({
    label,
    config: {
      server: { admin_token: admin },
      channels: [{ name: 'mock-main', type: 'openai', base_url: mock.url, api_key: 'sk-upstream-0000000000', groups: ['openai'], models: ['gpt-4o-mini'] }],
      prices: [{ model: 'gpt-4o-mini', input: 1.5, output: 6.0 }],
      keys: [{ name: 'pat', key, group: 'openai', quota: 5 }],
    },
  });
  const chat = (body) => rawRequest(`${gw.url}/v1/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${key}` }, body });
  for (const stream of [false, true]) await chat({ model: 'gpt-4o-mini', messages: userMsg('hello'), stream });
  await chat({ model: 'no-such-model', messages: userMsg('hello') });
  await eventually(async () => {
    const r = await rawRequest(`${gw.url}/api/logs?limit=10`, { headers: { authorization: `Bearer ${admin}` } });
    return r.json?.logs?.length >= 3;
  }, 'the fixture requests in the log');
  return { gw, mock, admin, key };
}

// A page, and a text that shows it is in English or in Chinese.
export const PAGES = [
  { id: 'setup', path: '/setup', en: 'Point your client at this gateway', zh: '把客户端指向本网关' },
  { id: 'chat', path: '/playground/chat', en: 'Conversation', zh: '对话' },
  { id: 'images', path: '/playground/images', en: 'Settings', zh: '设置' },
  { id: 'signin', path: '/console/', en: 'aiohub console', zh: 'aiohub 控制台' },
];
export const CONSOLE = [
  { id: 'dashboard', en: 'Dashboard', zh: '仪表盘' },
  { id: 'keys', en: 'Keys', zh: '密钥' },
  { id: 'channels', en: 'Channels', zh: '渠道' },
  { id: 'groups', en: 'Groups & prices', zh: '分组与价格' },
  { id: 'logs', en: 'Logs', zh: '日志' },
];

