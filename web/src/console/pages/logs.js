// Request logs: filters, paging, and one request's detail with its retries.
import { html } from 'htm/preact';
import { useEffect, useState } from 'preact/hooks';
import { enc, get } from '../api.js';
import { ErrorNote, Modal, ms, num, usd, when } from '../ui.js';

const FILTERS = ['key', 'model', 'channel', 'group', 'status'];
const toMs = (v) => (v ? String(new Date(v).getTime()) : '');

function query(filters, beforeId) {
  const q = new URLSearchParams();
  for (const f of FILTERS) if (filters[f]) q.set(f, filters[f].trim());
  if (filters.since) q.set('since', toMs(filters.since));
  if (filters.until) q.set('until', toMs(filters.until));
  q.set('limit', '50');
  if (beforeId != null) q.set('before_id', beforeId);
  return q.toString();
}

function StatusBadge({ status }) {
  const cls = status >= 400 || status === 499 ? 'error' : 'ok';
  return html`<span class=${`badge ${cls}`}>${status}</span>`;
}

function Detail({ id, onClose }) {
  const [log, setLog] = useState(null);
  const [error, setError] = useState(null);
  useEffect(() => { get(`logs/${enc(id)}`).then((r) => setLog(r.log), setError); }, [id]);
  const rows = log && [
    ['Time', when(log.ts_ms)], ['Request id', html`<code>${log.request_id}</code>`], ['Status', html`<${StatusBadge} status=${log.status} />`],
    ['Key', log.key], ['Group', log.group], ['Endpoint', `${log.endpoint}${log.stream ? ' (stream)' : ''}`],
    ['Model', log.model], ['Upstream', `${log.channel || '—'} → ${log.upstream_model || '—'}`],
    ['Input tokens', num(log.input_tokens)], ['Output tokens', num(log.output_tokens)],
    ['Cache read / write', `${num(log.cache_read_tokens)} / ${num(log.cache_write_tokens)}`],
    ['Reasoning tokens', num(log.reasoning_tokens)],
    ['Cost', `${usd(log.cost_usd)}${log.usage_estimated ? ' (usage estimated)' : ''}`],
    ['Latency', ms(log.latency_ms)], ['Time to first byte', ms(log.ttfb_ms)],
  ];
  return html`<${Modal} title="Request" onClose=${onClose}>
    <${ErrorNote} error=${error} />
    ${log && html`<div data-testid="log-detail">
      <table><tbody>${rows.map(([k, v]) => html`<tr><th scope="row">${k}</th><td>${v}</td></tr>`)}</tbody></table>
      ${log.error && html`<h3>Error</h3><pre class="error">${log.error}</pre>`}
      <h3>Attempts before the answer</h3>
      ${log.attempts?.length ? html`<div class="table-wrap"><table>
        <thead><tr><th scope="col">#</th><th scope="col">Channel</th><th scope="col">Group</th><th scope="col">Status</th><th scope="col" class="num">Time</th><th scope="col">Error</th></tr></thead>
        <tbody>${log.attempts.map((a, i) => html`<tr><td>${i + 1}</td><td>${a.channel}</td><td>${a.group}</td><td><${StatusBadge} status=${a.status} /></td><td class="num">${ms(a.ms)}</td><td>${a.error}</td></tr>`)}</tbody>
      </table></div>` : html`<p class="muted">None: the first try answered.</p>`}
    </div>`}
  </${Modal}>`;
}

export function Logs({ params }) {
  const initial = Object.fromEntries(FILTERS.map((f) => [f, params.get(f) ?? '']));
  const [filters, setFilters] = useState({ ...initial, since: '', until: '' });
  const [applied, setApplied] = useState(filters);
  const [rows, setRows] = useState([]);
  const [next, setNext] = useState(null);
  const [error, setError] = useState(null);
  const [open, setOpen] = useState(null);
  const load = async (f, before) => {
    setError(null);
    try {
      const r = await get(`logs?${query(f, before)}`);
      setRows(before == null ? r.logs : [...rows, ...r.logs]);
      setNext(r.next_before_id ?? null);
    } catch (e) { setError(e); }
  };
  useEffect(() => { load(applied, null); }, [applied]);
  const submit = (e) => { e.preventDefault(); setApplied({ ...filters }); };
  const field = (name, label, type = 'text') => html`<label>${label}<input name=${name} type=${type} value=${filters[name]}
    onInput=${(e) => setFilters({ ...filters, [name]: e.currentTarget.value })} /></label>`;
  return html`
    <h1>Logs</h1>
    <form class="panel row" onSubmit=${submit} aria-label="Filter logs">
      ${field('key', 'Key')} ${field('model', 'Model')} ${field('channel', 'Channel')} ${field('group', 'Group')}
      <label>Status<input name="status" list="status-list" value=${filters.status} placeholder="200, 429 or error"
        onInput=${(e) => setFilters({ ...filters, status: e.currentTarget.value })} /></label>
      <datalist id="status-list"><option value="error" /><option value="200" /><option value="429" /><option value="499" /><option value="502" /></datalist>
      ${field('since', 'Since', 'datetime-local')} ${field('until', 'Until', 'datetime-local')}
      <button class="primary" type="submit">Filter</button>
      <button type="button" onClick=${() => { const empty = { key: '', model: '', channel: '', group: '', status: '', since: '', until: '' }; setFilters(empty); setApplied(empty); }}>Clear</button>
    </form>
    <${ErrorNote} error=${error} />
    <div class="panel table-wrap"><table>
      <thead><tr><th scope="col">Time</th><th scope="col">Key</th><th scope="col">Model</th><th scope="col">Channel</th><th scope="col">Status</th>
        <th scope="col" class="num">Tokens in / out</th><th scope="col" class="num">Cost</th><th scope="col" class="num">Latency</th><th scope="col">Retries</th></tr></thead>
      <tbody>${rows.map((r) => html`<tr data-request=${r.request_id}>
        <td><button type="button" class="link" onClick=${() => setOpen(r.request_id)} aria-label=${`Open request ${r.request_id}`}>${when(r.ts_ms)}</button></td>
        <td>${r.key}</td><td>${r.model}</td><td>${r.channel || '—'}</td><td><${StatusBadge} status=${r.status} /></td>
        <td class="num">${num(r.input_tokens)} / ${num(r.output_tokens)}</td><td class="num">${usd(r.cost_usd)}</td><td class="num">${ms(r.latency_ms)}</td>
        <td>${r.attempts?.length ? r.attempts.length : ''}</td>
      </tr>`)}</tbody>
    </table>
    ${!rows.length && html`<p class="muted">No requests match.</p>`}
    ${next != null && html`<div class="actions"><button type="button" onClick=${() => load(applied, next)}>Older</button></div>`}
    </div>
    ${open && html`<${Detail} id=${open} onClose=${() => setOpen(null)} />`}`;
}
