// Calling the admin API (/api/...) of a gateway started by lib/gateway.mjs.
import { rawRequest } from './gateway.mjs';

/** An admin token in the format the tests give [server] admin_token. */
export const ADMIN_TOKEN = 'aiohub-admin-e2e-' + Math.random().toString(36).slice(2, 12);

/** `method path` with a JSON body; resolves {status, headers, text, json}. */
export function adminApi(gw, method, path, body, { token = ADMIN_TOKEN, headers = {} } = {}) {
  const h = { ...headers };
  if (token !== null) h.authorization = `Bearer ${token}`;
  return rawRequest(`${gw.url}${path}`, { method, headers: h, body });
}

/** Parse Prometheus text format 0.0.4 into {samples: Map(name{labels} -> number), types: Map}. */
export function parsePrometheus(text) {
  const samples = new Map();
  const types = new Map();
  const lineRe = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\["\\n])*",?)*\})? (-?[0-9.eE+-]+|\+Inf|-Inf|NaN)$/;
  for (const line of text.split('\n')) {
    if (line === '') continue;
    if (line.startsWith('# TYPE ')) {
      const [, , name, type] = line.split(' ');
      if (!['counter', 'gauge', 'histogram', 'summary', 'untyped'].includes(type)) throw new Error(`bad TYPE line: ${line}`);
      types.set(name, type);
      continue;
    }
    if (line.startsWith('# HELP ')) continue;
    if (line.startsWith('#')) throw new Error(`unexpected comment: ${line}`);
    const m = lineRe.exec(line);
    if (!m) throw new Error(`not a valid sample line: ${JSON.stringify(line)}`);
    const value = Number(m[3]);
    if (Number.isNaN(value) && m[3] !== 'NaN') throw new Error(`bad value in ${line}`);
    samples.set(m[1] + (m[2] ?? ''), value);
  }
  return { samples, types };
}

/** Sum of the samples of `name` whose labels include every pair in `match`. */
export function sumSamples(samples, name, match = {}) {
  let total = 0;
  for (const [key, value] of samples) {
    const brace = key.indexOf('{');
    const n = brace < 0 ? key : key.slice(0, brace);
    if (n !== name) continue;
    const labels = {};
    if (brace >= 0) {
      for (const m of key.slice(brace + 1, -1).matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[m[1]] = m[2];
    }
    if (Object.entries(match).every(([k, v]) => labels[k] === String(v))) total += value;
  }
  return total;
}
