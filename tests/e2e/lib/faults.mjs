// Shared by the fault-injection tests (faults-*.test.mjs, soak.test.mjs): one
// gateway with an `openai` channel (Chat passthrough) and an `anthropic`
// channel (Chat translated) on one MockFaults upstream, a raw streaming
// client that can pause, and the gateway's resident set size.

import fs from 'node:fs';
import http from 'node:http';
import { Gateway, newKeySecret } from './gateway.mjs';
import { MockFaults } from './mock-faults.mjs';
import { trackMock } from './harness.mjs';

export const ROUTES = {
  passthrough: { model: 'pass-model', channel: 'fault-openai' },
  translated: { model: 'xlate-model', channel: 'fault-anthropic' },
};

/** Start the mock and a gateway; `channel` adds per-channel settings (timeouts). */
export async function startFaultEnv(label, { channel = {}, server = {}, gatewayOpts = {} } = {}) {
  const mock = trackMock(await new MockFaults().listen());
  const key = newKeySecret();
  const gw = await Gateway.start({
    label,
    ...gatewayOpts,
    config: {
      server: { log_format: 'text', ...server },
      // Every request here fails on purpose: keep the channels in rotation.
      routing: { failure_threshold: 100000, max_attempts: 1 },
      groups: [{ name: 'faults', endpoints: ['chat'], ratio: 1.0 }],
      channels: [
        { name: 'fault-openai', type: 'openai', base_url: mock.url, api_key: 'k-openai', groups: ['faults'], models: ['pass-model'], ...channel },
        { name: 'fault-anthropic', type: 'anthropic', base_url: mock.url, api_key: 'k-anthropic', groups: ['faults'], models: ['xlate-model'], ...channel },
      ],
      keys: [{ name: 'faulty', key, group: 'faults' }],
    },
  });
  return { mock, gw, key };
}

export function chatBody(model, stream, extra = {}) {
  return { model, stream, messages: [{ role: 'user', content: 'hi' }], ...extra };
}

/**
 * POST a Chat request on a fresh connection and read the whole answer.
 * Resolves { status, headers, text, ms, requestId, error } — `error` when the
 * connection broke (no throw: breaking is what some tests expect).
 * opts.pauseAfterBytes / opts.pauseMs: stop reading for a while once that
 * many body bytes arrived, calling opts.onPause() in the pause.
 * opts.timeoutMs: give up (error 'client timeout').
 */
export function chatRequest(gw, key, body, opts = {}) {
  return new Promise((resolve) => {
    const t0 = Date.now();
    const payload = JSON.stringify(body);
    let settled = false;
    const done = (r) => {
      if (settled) return;
      settled = true;
      resolve({ ms: Date.now() - t0, ...r });
    };
    const req = http.request(
      {
        host: '127.0.0.1',
        port: gw.port,
        path: '/v1/chat/completions',
        method: 'POST',
        agent: false,
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) },
      },
      (res) => {
        const chunks = [];
        let bytes = 0;
        let paused = false;
        res.on('data', (c) => {
          if (opts.keepBody !== false) chunks.push(c);
          bytes += c.length;
          if (!paused && opts.pauseAfterBytes !== undefined && bytes >= opts.pauseAfterBytes) {
            paused = true;
            res.pause();
            Promise.resolve(opts.onPause?.())
              .then(() => new Promise((r) => setTimeout(r, opts.pauseMs ?? 0)))
              .then(() => Promise.resolve(opts.onResume?.()))
              .finally(() => res.resume());
          }
        });
        const finish = (error) =>
          done({ status: res.statusCode, headers: res.headers, text: Buffer.concat(chunks).toString('utf8'), bytes, requestId: res.headers['x-request-id'], error });
        res.on('end', () => finish(undefined));
        res.on('error', (e) => finish(e.message));
        res.on('close', () => finish(res.complete ? undefined : 'connection closed before the end of the body'));
      },
    );
    if (opts.timeoutMs) req.setTimeout(opts.timeoutMs, () => req.destroy(new Error('client timeout')));
    req.on('error', (e) => done({ status: 0, text: '', error: e.message }));
    req.end(payload);
  });
}

/** The gateway process's resident set size in KiB (VmRSS). */
export function rssKiB(gw) {
  return memKiB(gw).rss;
}

/**
 * VmRSS and its parts in KiB: anon (heap, stacks), file (mapped files: the
 * binary, and the usage journal, a 64 MB ring mapped from data_dir whose
 * pages stay resident once written, until they are reused) and shmem.
 */
export function memKiB(gw) {
  const status = fs.readFileSync(`/proc/${gw.proc.pid}/status`, 'utf8');
  const field = (name) => {
    const m = status.match(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm'));
    if (!m) throw new Error(`no ${name} in /proc/${gw.proc.pid}/status`);
    return Number(m[1]);
  };
  return { rss: field('VmRSS'), anon: field('RssAnon'), file: field('RssFile'), shmem: field('RssShmem') };
}

/** The usage row of one request id, waiting for the writer's batch. */
export async function rowOf(gw, requestId, timeoutMs = 10_000) {
  const rows = await gw.waitForLogs((rows) => rows.some((r) => r.request_id === requestId), { timeoutMs, limit: 200 });
  return rows.find((r) => r.request_id === requestId);
}
