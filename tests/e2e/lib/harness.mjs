// Shared test plumbing: a `test` wrapper that prints the gateway's output and the
// mock's request log when a test fails, cleanup hooks, SDK client and assertions.

import { test as nodeTest, after } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { allGateways, stopAllGateways, removeTempDirs, sleep } from './gateway.mjs';
import { startMockOpenAI } from './mock-openai.mjs';

const mocks = [];

/** Start a mock upstream that is closed when the test file ends. */
export async function mockUpstream(opts) {
  const m = await startMockOpenAI(opts);
  mocks.push(m);
  return m;
}

/** Register any other mock (close() + describe()) so it is closed and described like mockUpstream()'s. */
export function trackMock(m) {
  mocks.push(m);
  return m;
}

after(async () => {
  await stopAllGateways();
  await Promise.all(mocks.map((m) => m.close()));
  await removeTempDirs();
});

function dumpDiagnostics(name, err) {
  const parts = [`\n===== diagnostics for failed test "${name}" =====`, String(err?.stack ?? err)];
  for (const g of allGateways) parts.push(g.describe());
  for (const m of mocks) parts.push(m.describe());
  parts.push('===== end diagnostics =====\n');
  process.stderr.write(parts.join('\n') + '\n');
}

/**
 * node:test `test` that
 *  - restarts a shared gateway that crashed in an earlier test (so one crash does
 *    not fail every later test of the file),
 *  - fails the test during (or right after) which a gateway crashed,
 *  - dumps gateway/mock diagnostics on failure.
 */
export function test(name, optsOrFn, maybeFn) {
  const fn = typeof optsOrFn === 'function' ? optsOrFn : maybeFn;
  const opts = typeof optsOrFn === 'function' ? {} : optsOrFn;
  return nodeTest(name, opts, async (t) => {
    try {
      for (const g of allGateways) if (g.crashed) await g.restart();
      await fn(t);
      // A crash right after the answer was sent still belongs to this test.
      await sleep(40);
      const crashed = [...allGateways].filter((g) => g.crashed);
      if (crashed.length) {
        throw new Error(
          `gateway process exited unexpectedly during this test: ` +
            crashed.map((g) => `${g.label} exit=${JSON.stringify(g.exit)} stderr tail: ${g.stderr.slice(-500)}`).join('; '),
        );
      }
    } catch (err) {
      dumpDiagnostics(name, err);
      throw err;
    }
  });
}

/** Official SDK client against the gateway. */
export function client(gw, apiKey, opts = {}) {
  return new OpenAI({ apiKey, baseURL: `${gw.url}/v1`, maxRetries: 0, timeout: 30_000, ...opts });
}

/** Assert an OpenAI-shaped error body {"error":{"message","type","param","code"}}. */
export function assertOpenAIError(body, { code, type, messageIncludes = [] } = {}, context = '') {
  assert.ok(body && typeof body === 'object', `${context} error body is not JSON: ${JSON.stringify(body)}`);
  const e = body.error;
  assert.ok(e && typeof e === 'object', `${context} no "error" object in ${JSON.stringify(body)}`);
  assert.equal(typeof e.message, 'string', `${context} error.message must be a string: ${JSON.stringify(body)}`);
  assert.ok(e.message.length > 0, `${context} error.message is empty`);
  for (const k of ['type', 'param', 'code']) assert.ok(k in e, `${context} error.${k} missing in ${JSON.stringify(body)}`);
  if (code !== undefined) assert.equal(e.code, code, `${context} error.code in ${JSON.stringify(body)}`);
  if (type !== undefined) assert.equal(e.type, type, `${context} error.type in ${JSON.stringify(body)}`);
  for (const s of messageIncludes) {
    assert.ok(e.message.includes(s), `${context} error.message should mention ${JSON.stringify(s)}: ${JSON.stringify(e.message)}`);
  }
}

/** Expect `promise` (an SDK call) to reject with an APIError of `status`; returns the error. */
export async function expectApiError(promise, status, context = '') {
  let err;
  try {
    const r = await promise;
    assert.fail(`${context} expected HTTP ${status}, but the call succeeded: ${JSON.stringify(r).slice(0, 500)}`);
  } catch (e) {
    err = e;
  }
  if (err instanceof assert.AssertionError) throw err;
  assert.ok(err instanceof OpenAI.APIError, `${context} expected OpenAI.APIError, got ${err?.constructor?.name}: ${err?.message}`);
  assert.equal(err.status, status, `${context} status (message: ${err.message})`);
  return err;
}

export const userMsg = (content) => [{ role: 'user', content }];

export { assert, OpenAI };
