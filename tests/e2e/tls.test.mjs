// TLS to the upstream: an https base_url is verified against the system CA store,
// which honours SSL_CERT_FILE. A CA and a `localhost` certificate are generated
// with openssl for this test; the mock upstream serves https with it.

import { before } from 'node:test';
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { test, client, assert, mockUpstream, userMsg, expectApiError, assertOpenAIError } from './lib/harness.mjs';
import { Gateway, newKeySecret, makeTempDir, rawRequest } from './lib/gateway.mjs';

const run = promisify(execFile);
const UPSTREAM_KEY = 'upstream-secret-tls-' + newKeySecret().slice(3, 15);
const aliceKey = newKeySecret();

let dir;
let mock;

async function openssl(args) {
  await run('openssl', args, { cwd: dir });
}

/** A self-signed CA (name.key/name.pem). */
async function makeCa(name, cn) {
  await openssl([
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-keyout', `${name}.key`, '-out', `${name}.pem`, '-days', '2', '-subj', `/CN=${cn}`,
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
  ]);
}

before(async () => {
  dir = await makeTempDir('aiohub-e2e-tls-');
  await makeCa('ca', 'aiohub e2e test CA');
  await makeCa('other-ca', 'unrelated e2e CA');
  await openssl([
    'req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=localhost',
  ]);
  await fs.writeFile(
    path.join(dir, 'server.ext'),
    'subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n',
  );
  await openssl([
    'x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial',
    '-out', 'server.pem', '-days', '2', '-extfile', 'server.ext',
  ]);
  mock = await mockUpstream({
    tls: { key: await fs.readFile(path.join(dir, 'server.key')), cert: await fs.readFile(path.join(dir, 'server.pem')) },
  });
  mock.setBehavior({ text: 'secure hello from the other side' });
});

function config() {
  return {
    channels: [
      {
        name: 'tls-chan',
        type: 'openai',
        base_url: mock.localhostUrl, // https://localhost:PORT
        api_key: UPSTREAM_KEY,
        groups: ['openai'],
        models: ['gpt-4.1'],
      },
    ],
    keys: [{ name: 'alice', key: aliceKey, group: 'openai' }],
  };
}

test('https upstream signed by a CA given in SSL_CERT_FILE works (non-stream and stream)', async () => {
  const gw = await Gateway.start({ label: 'tls-trusted', config: config(), env: { SSL_CERT_FILE: path.join(dir, 'ca.pem') } });
  const c = client(gw, aliceKey);
  const r = await c.chat.completions.create({ model: 'gpt-4.1', messages: userMsg('hi over tls') });
  assert.equal(r.choices[0].message.content, 'secure hello from the other side');
  assert.equal(mock.lastRequest.headers.authorization, `Bearer ${UPSTREAM_KEY}`);
  assert.equal(mock.lastRequest.body.messages[0].content, 'hi over tls');
  assert.match(String(mock.lastRequest.headers.host), /^localhost(:\d+)?$/, 'Host header should name the upstream host');

  const final = await c.chat.completions.stream({ model: 'gpt-4.1', messages: userMsg('stream over tls') }).finalChatCompletion();
  assert.equal(final.choices[0].message.content, 'secure hello from the other side');
  await gw.stop();
});

test('https upstream whose CA is not trusted: 502, no api_key leaked', async () => {
  const before = mock.chatRequests.length;
  const gw = await Gateway.start({ label: 'tls-untrusted', config: config(), env: { SSL_CERT_FILE: path.join(dir, 'other-ca.pem') } });
  const r = await rawRequest(`${gw.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${aliceKey}` },
    body: { model: 'gpt-4.1', messages: userMsg('should not arrive') },
  });
  assert.equal(r.status, 502, r.text);
  assertOpenAIError(r.json, { messageIncludes: ['tls-chan'] });
  assert.ok(!r.text.includes(UPSTREAM_KEY), 'the api_key must not leak');
  assert.equal(mock.chatRequests.length, before, 'no request may be sent over an unverified connection');
  await expectApiError(client(gw, aliceKey).chat.completions.stream({ model: 'gpt-4.1', messages: userMsg('x') }).finalChatCompletion(), 502);
  assert.equal(mock.chatRequests.length, before);
  await gw.stop();
});

test('https upstream through a channel proxy: CONNECT tunnel, certificate still verified', async () => {
  const tunnels = [];
  const proxy = net.createServer((client) => {
    client.once('data', (head) => {
      const line = head.toString('latin1').split('\r\n')[0];
      tunnels.push(line);
      const m = /^CONNECT ([^:\s]+):(\d+) HTTP\/1\.1$/.exec(line);
      if (!m) return client.end('HTTP/1.1 405 Method Not Allowed\r\n\r\n');
      const up = net.connect(Number(m[2]), m[1] === 'localhost' ? '127.0.0.1' : m[1], () => {
        client.write('HTTP/1.1 200 Connection established\r\n\r\n');
        up.pipe(client);
        client.pipe(up);
      });
      up.on('error', () => client.destroy());
    });
  });
  await new Promise((r) => proxy.listen(0, '127.0.0.1', r));
  const cfg = config();
  cfg.channels[0].proxy = `http://127.0.0.1:${proxy.address().port}`;
  try {
    const gw = await Gateway.start({ label: 'tls-proxy', config: cfg, env: { SSL_CERT_FILE: path.join(dir, 'ca.pem') } });
    const r = await client(gw, aliceKey).chat.completions.create({ model: 'gpt-4.1', messages: userMsg('hi through a tunnel') });
    assert.equal(r.choices[0].message.content, 'secure hello from the other side');
    assert.deepEqual(tunnels, [`CONNECT localhost:${new URL(mock.localhostUrl).port} HTTP/1.1`]);
    assert.equal(mock.lastRequest.body.messages[0].content, 'hi through a tunnel');
    await gw.stop();
    // An untrusted certificate is still refused inside the tunnel.
    const bad = await Gateway.start({ label: 'tls-proxy-untrusted', config: cfg, env: { SSL_CERT_FILE: path.join(dir, 'other-ca.pem') } });
    await expectApiError(client(bad, aliceKey).chat.completions.create({ model: 'gpt-4.1', messages: userMsg('x') }), 502);
    await bad.stop();
  } finally {
    await new Promise((r) => proxy.close(r));
  }
});
