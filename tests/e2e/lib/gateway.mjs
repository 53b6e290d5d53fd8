// Start and drive an aiohub gateway process for end-to-end tests.
//
// Each gateway lives in its own temp directory (config + SQLite database), listens
// on a free 127.0.0.1 port, and is killed when the test file ends (also on
// failure). Its stdout/stderr are kept so a failing test can print them.

import { spawn, execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
export const E2E_DIR = path.resolve(here, '..');
export const REPO_ROOT = path.resolve(E2E_DIR, '..', '..');
export const BIN = process.env.AIOHUB_BIN || path.join(REPO_ROOT, 'build', 'aiohub');

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Resolves to null after ms without keeping the process alive (for Promise.race deadlines). */
export const deadline = (ms) => new Promise((r) => setTimeout(() => r(null), ms).unref());

/** Every gateway started in this process that has not exited yet. */
const live = new Set();
/** Every gateway started in this process (for diagnostics and crash checks). */
export const allGateways = new Set();
const tempDirs = [];

process.on('exit', () => {
  for (const g of live) {
    try {
      g.proc.kill('SIGKILL');
    } catch {}
  }
});

export function assertBinary() {
  if (!existsSync(BIN)) {
    throw new Error(`aiohub binary not found at ${BIN} (set AIOHUB_BIN or run "make build" in ${REPO_ROOT})`);
  }
}

/** A fresh temp directory, removed by cleanupAll() unless AIOHUB_E2E_KEEP is set. */
export async function makeTempDir(prefix = 'aiohub-e2e-') {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
}

/** A TCP port that was free on 127.0.0.1 a moment ago. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** A random secret in the gateway's key format: sk- + 48 URL-safe chars. */
export function newKeySecret() {
  return 'sk-' + randomBytes(48).toString('base64url').slice(0, 48);
}

export const KEY_RE = /sk-[A-Za-z0-9_-]{48}(?![A-Za-z0-9_-])/;

// ---------------------------------------------------------------------------
// TOML writer (only what the gateway config needs).

const FLOAT_KEYS = new Set(['input', 'output', 'cache_read', 'cache_write', 'quota', 'ratio']);

function tomlKey(k) {
  return /^[A-Za-z0-9_-]+$/.test(k) ? k : JSON.stringify(k);
}

function tomlValue(v, key) {
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new Error(`bad number for ${key}`);
    if (FLOAT_KEYS.has(key) && Number.isInteger(v)) return `${v}.0`;
    return String(v);
  }
  if (Array.isArray(v)) return `[${v.map((x) => tomlValue(x, key)).join(', ')}]`;
  if (v && typeof v === 'object') {
    // Inline table; keys are always quoted so that "gpt-4.1" is not a dotted key.
    return `{ ${Object.entries(v)
      .map(([k, x]) => `${JSON.stringify(k)} = ${tomlValue(x, k)}`)
      .join(', ')} }`;
  }
  throw new Error(`cannot write ${key}=${v} as TOML`);
}

export function toToml(cfg) {
  const out = [];
  const isTable = (v) => v && typeof v === 'object' && !Array.isArray(v);
  const isTableArray = (v) => Array.isArray(v) && v.length > 0 && v.every(isTable);
  for (const [k, v] of Object.entries(cfg)) {
    if (v === undefined || isTable(v) || isTableArray(v)) continue;
    out.push(`${tomlKey(k)} = ${tomlValue(v, k)}`);
  }
  for (const [k, v] of Object.entries(cfg)) {
    if (isTable(v)) {
      out.push('', `[${tomlKey(k)}]`);
      for (const [k2, v2] of Object.entries(v)) if (v2 !== undefined) out.push(`${tomlKey(k2)} = ${tomlValue(v2, k2)}`);
    } else if (isTableArray(v)) {
      for (const item of v) {
        out.push('', `[[${tomlKey(k)}]]`);
        for (const [k2, v2] of Object.entries(item)) if (v2 !== undefined) out.push(`${tomlKey(k2)} = ${tomlValue(v2, k2)}`);
      }
    }
  }
  return out.join('\n') + '\n';
}

// ---------------------------------------------------------------------------
// Raw HTTP helper: a fresh connection per call (no keep-alive pool), so tests
// see exactly what the gateway answers on one connection.

export function rawRequest(url, { method = 'GET', headers = {}, body, chunked = false, timeoutMs = 15_000 } = {}) {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const h = { ...headers };
    let payload = body;
    if (payload !== undefined && typeof payload !== 'string' && !Buffer.isBuffer(payload)) {
      payload = JSON.stringify(payload);
      h['content-type'] ??= 'application/json';
    }
    if (payload !== undefined && !chunked) h['content-length'] = Buffer.byteLength(payload);
    const req = http.request(
      { host: u.hostname, port: u.port, path: u.pathname + u.search, method, headers: h, agent: false },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json;
          try {
            json = JSON.parse(text);
          } catch {}
          resolve({ status: res.statusCode, headers: res.headers, text, json });
        });
      },
    );
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`timeout after ${timeoutMs} ms: ${method} ${url}`)));
    // A server may answer (e.g. 413) and close before the whole body is written:
    // a write error after the response started is not a failure of the request.
    req.on('error', (e) => {
      if (!req.res) reject(e);
    });
    if (payload !== undefined) {
      if (chunked) {
        const buf = Buffer.isBuffer(payload) ? payload : Buffer.from(payload);
        const step = 16 * 1024;
        for (let i = 0; i < buf.length; i += step) req.write(buf.subarray(i, i + step));
      } else {
        req.write(payload);
      }
    }
    req.end();
  });
}

/**
 * POSTs a streaming JSON request and hangs up (destroys the socket) once the
 * body read so far matches `until`. Resolves {status, text, ended}.
 */
export function readUntilThenHangUp(url, headers, body, until) {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const payload = JSON.stringify(body);
    const req = http.request(
      { host: u.hostname, port: u.port, path: u.pathname, method: 'POST', agent: false, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload), ...headers } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d) => {
          text += d;
          if (until.test(text)) {
            res.socket.destroy();
            resolve({ status: res.statusCode, text });
          }
        });
        res.on('end', () => resolve({ status: res.statusCode, text, ended: true }));
        res.on('error', () => {});
      },
    );
    req.on('error', (e) => {
      if (!req.res) reject(e);
    });
    req.end(payload);
  });
}

/** Parse an SSE body into its `data:` payloads (strings), in order. */
export function sseData(text) {
  const out = [];
  for (const block of text.split(/\r?\n\r?\n/)) {
    const lines = block.split(/\r?\n/).filter((l) => l.startsWith('data:'));
    if (!lines.length) continue;
    out.push(lines.map((l) => l.slice(5).replace(/^ /, '')).join('\n'));
  }
  return out;
}

// ---------------------------------------------------------------------------

export class Gateway {
  constructor() {
    this.proc = null;
    this.port = 0;
    this.dir = '';
    this.configPath = null;
    this.database = null;
    this.env = {};
    this.stdout = '';
    this.stderr = '';
    this.exit = null; // {code, signal} once exited
    this.exited = null; // Promise<{code, signal}>
    this.label = '';
    this.stopping = false; // set once the test asked it to stop
    this.crashes = [];
  }

  /** True when the process ended without a test asking it to. */
  get crashed() {
    return Boolean(this.exit) && !this.stopping;
  }

  /** Start the same process again (same port, config and database) after a crash. */
  async restart() {
    this.crashes.push(this.exit);
    this.stdout += `\n[e2e] ---- restarted after unexpected exit ${JSON.stringify(this.exit)} ----\n`;
    this.exit = null;
    this.#spawn(this.cwd);
    await this.waitHealthy();
  }

  get url() {
    return `http://127.0.0.1:${this.port}`;
  }

  get output() {
    return this.stdout + this.stderr;
  }

  /** Arguments that let a CLI subcommand find this gateway's database. */
  get dbArgs() {
    return this.configPath ? ['--config', this.configPath] : ['--database', this.database];
  }

  describe() {
    const tail = (s) => (s.length > 6000 ? '…' + s.slice(-6000) : s);
    return [
      `--- gateway ${this.label} ${this.url} dir=${this.dir} exit=${JSON.stringify(this.exit)}`,
      this.configPath ? `config:\n${this.configText}` : `args: ${JSON.stringify(this.args)}`,
      `stdout:\n${tail(this.stdout)}`,
      `stderr:\n${tail(this.stderr)}`,
    ].join('\n');
  }

  /**
   * Start a gateway.
   *  - opts.config: object written as TOML (server.listen/database filled in when absent)
   *  - opts.noConfig: start with `--listen` and `--database` only (demo mode)
   *  - opts.dir: reuse a directory (e.g. to restart on the same database)
   *  - opts.database: database URL (default sqlite://<dir>/aiohub.db)
   *  - opts.env: extra environment; opts.cwd: working directory (default dir)
   *  - opts.wrapper: a command line the binary and its arguments are appended
   *    to (e.g. a shell that sets a signal disposition, then execs: the pid
   *    stays the gateway's)
   */
  static async start(opts = {}) {
    assertBinary();
    const dir = opts.dir ?? (await makeTempDir());
    let lastErr;
    for (let attempt = 0; attempt < 3; attempt++) {
      const g = new Gateway();
      g.dir = dir;
      g.label = opts.label ?? '';
      g.env = { ...process.env, ...(opts.env ?? {}) };
      g.wrapper = opts.wrapper ?? null;
      g.port = await freePort();
      g.database = opts.database ?? `sqlite://${path.join(dir, 'aiohub.db')}`;
      if (opts.noConfig) {
        g.args = ['serve', '--listen', `127.0.0.1:${g.port}`, '--database', g.database, ...(opts.extraArgs ?? [])];
      } else {
        const given = structuredClone(opts.config ?? {});
        const cfg = { server: { database: g.database, ...(given.server ?? {}), listen: `127.0.0.1:${g.port}` }, ...given };
        cfg.server = { database: g.database, ...(given.server ?? {}), listen: `127.0.0.1:${g.port}` };
        // Most tests are not about prices: let unpriced models through unless a
        // test sets [billing] itself.
        if (!given.billing) cfg.billing = { allow_free_models: true };
        g.configText = toToml(cfg);
        g.configPath = path.join(dir, opts.configName ?? 'aiohub.toml');
        await fs.writeFile(g.configPath, g.configText);
        g.args = ['serve', '--config', g.configPath, ...(opts.extraArgs ?? [])];
      }
      g.cwd = opts.cwd ?? dir;
      g.#spawn(g.cwd);
      try {
        await g.waitHealthy(opts.startTimeoutMs ?? 20_000);
        return g;
      } catch (e) {
        lastErr = e;
        await g.kill();
        if (!/address.*(in use|already)|EADDRINUSE|bind/i.test(g.output)) break;
      }
    }
    throw lastErr;
  }

  #spawn(cwd) {
    const [cmd, args] = this.wrapper ? [this.wrapper[0], [...this.wrapper.slice(1), BIN, ...this.args]] : [BIN, this.args];
    this.proc = spawn(cmd, args, { cwd, env: this.env, stdio: ['ignore', 'pipe', 'pipe'] });
    live.add(this);
    allGateways.add(this);
    this.proc.stdout.setEncoding('utf8').on('data', (d) => (this.stdout += d));
    this.proc.stderr.setEncoding('utf8').on('data', (d) => (this.stderr += d));
    this.exited = new Promise((resolve) => {
      this.proc.on('exit', (code, signal) => {
        this.exit = { code, signal };
        live.delete(this);
        resolve(this.exit);
      });
      this.proc.on('error', (err) => {
        this.stderr += `\n[spawn error] ${err.message}\n`;
        this.exit = { code: null, signal: null, error: err.message };
        live.delete(this);
        resolve(this.exit);
      });
    });
  }

  async waitHealthy(timeoutMs = 20_000) {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.exit) throw new Error(`gateway exited before it was ready: ${JSON.stringify(this.exit)}\n${this.describe()}`);
      try {
        const r = await rawRequest(`${this.url}/healthz`, { timeoutMs: 1000 });
        if (r.status === 200) return;
      } catch {}
      await sleep(50);
    }
    throw new Error(`gateway not healthy after ${timeoutMs} ms\n${this.describe()}`);
  }

  /** Wait until `pred()` is true in the process output (stdout+stderr). */
  async waitForOutput(pred, timeoutMs = 5000) {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (pred(this.output)) return true;
      await sleep(25);
    }
    return pred(this.output);
  }

  /** Send a signal and wait for exit; SIGKILL after timeoutMs. */
  async stop({ signal = 'SIGTERM', timeoutMs = 15_000 } = {}) {
    this.stopping = true;
    if (this.exit) return this.exit;
    this.proc.kill(signal);
    const r = await Promise.race([this.exited, deadline(timeoutMs)]);
    if (r) return r;
    this.proc.kill('SIGKILL');
    await this.exited;
    return { ...this.exit, timedOut: true };
  }

  async kill() {
    this.stopping = true;
    if (this.exit) return this.exit;
    this.proc.kill('SIGKILL');
    return this.exited;
  }

  /**
   * Run `aiohub <args...> --config FILE` (or --database URL).
   * Resolves {code, stdout, stderr}; throws if the exit code is non-zero unless allowFail.
   */
  cli(args, { allowFail = false, timeoutMs = 20_000 } = {}) {
    return runCli([...args, ...this.dbArgs], { env: this.env, cwd: this.dir, allowFail, timeoutMs });
  }

  /** Run a CLI command that prints JSON: one document, or JSON Lines (returned as an array). */
  async cliJson(args) {
    const r = await this.cli(args);
    return parseJsonOutput(r.stdout, `aiohub ${args.join(' ')}`, r.stderr);
  }

  /** `aiohub key create …` → the printed secret. */
  async createKey({ name, group, quota, expires, models }) {
    const args = ['key', 'create', '--name', name, '--group', group];
    if (quota !== undefined) args.push('--quota', String(quota));
    if (expires !== undefined) args.push('--expires', expires);
    if (models !== undefined) args.push('--models', models.join(','));
    const r = await this.cli(args);
    const line = r.stdout
      .split(/\r?\n/)
      .map((l) => l.trim())
      .find((l) => /^sk-[A-Za-z0-9_-]{48}$/.test(l));
    if (!line) throw new Error(`key create printed no secret on its own line:\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`);
    return line;
  }

  async keyList() {
    const r = await this.cli(['key', 'list', '--json']);
    return parseJsonList(r.stdout, 'aiohub key list --json', r.stderr);
  }

  async logs(limit = 100) {
    const rows = await this.cliJson(['logs', '--limit', String(limit), '--json']);
    if (!Array.isArray(rows)) throw new Error(`aiohub logs --json did not print an array: ${JSON.stringify(rows)}`);
    return rows;
  }

  /** Poll `aiohub logs` until pred(rows) is true (rows are written asynchronously). */
  async waitForLogs(pred, { timeoutMs = 8000, limit = 100 } = {}) {
    const deadline = Date.now() + timeoutMs;
    let rows = [];
    while (Date.now() < deadline) {
      rows = await this.logs(limit);
      if (pred(rows)) return rows;
      await sleep(150);
    }
    throw new Error(`usage rows did not reach the expected state in ${timeoutMs} ms; last rows:\n${JSON.stringify(rows, null, 1)}`);
  }
}

/** Parse CLI output: a single JSON document, or JSON Lines (one value per line → array). */
export function parseJsonOutput(stdout, what = 'output', stderr = '') {
  try {
    return JSON.parse(stdout);
  } catch (e1) {
    const lines = stdout.split(/\r?\n/).filter((l) => l.trim());
    try {
      return lines.map((l) => JSON.parse(l));
    } catch (e2) {
      throw new Error(`${what} did not print JSON: ${e1.message}\nstdout:\n${stdout}\nstderr:\n${stderr}`);
    }
  }
}

/** Like parseJsonOutput, for list commands: a JSON array, or JSON Lines (even a single line). */
export function parseJsonList(stdout, what = 'output', stderr = '') {
  const v = parseJsonOutput(stdout, what, stderr);
  return Array.isArray(v) ? v : [v];
}

export function runCli(args, { env = process.env, cwd, allowFail = false, timeoutMs = 20_000 } = {}) {
  assertBinary();
  return new Promise((resolve, reject) => {
    execFile(BIN, args, { env, cwd, timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : null) : 0;
      const r = { code, stdout: String(stdout), stderr: String(stderr) };
      if (code !== 0 && !allowFail) {
        reject(new Error(`aiohub ${args.join(' ')} failed (${err?.message})\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`));
      } else resolve(r);
    });
  });
}

/** Poll `fn` until it returns a truthy value; returns that value or throws with `what`. */
export async function pollUntil(fn, { timeoutMs = 5000, intervalMs = 100, what = 'condition' } = {}) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    last = await fn();
    if (last) return last;
    await sleep(intervalMs);
  }
  last = await fn();
  if (last) return last;
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

/** Send a signal on purpose (not counted as a crash when the process exits). */
Gateway.prototype.signal = function (sig) {
  this.stopping = true;
  this.proc.kill(sig);
};

export async function stopAllGateways() {
  await Promise.all([...live].map((g) => g.stop({ timeoutMs: 5000 })));
}

export async function removeTempDirs() {
  if (process.env.AIOHUB_E2E_KEEP) return;
  await Promise.all(tempDirs.splice(0).map((d) => fs.rm(d, { recursive: true, force: true })));
}
