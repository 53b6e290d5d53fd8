// Request logs: filters, paging, totals and a CSV file of the filtered rows,
// and one request's detail with its retries.
import { html } from 'htm/preact';
import { useEffect, useState } from 'preact/hooks';
import { enc, get } from '../api.js';
import { fmtNum, t } from '../../shared/i18n/index.js';
import { ErrorNote, Modal, ms, num, usd, when } from '../ui.js';

const FILTERS = ['key', 'model', 'channel', 'group', 'status'];
const EMPTY = { key: '', model: '', channel: '', group: '', status: '', since: '', until: '' };
const PAGE = 50;
const TOTALS_MAX = 20_000; // rows read to add up the totals
const CSV_MAX = 100_000;   // rows in one CSV file
const toMs = (v) => (v ? String(new Date(v).getTime()) : '');

function query(filters, beforeId, limit = PAGE) {
  const q = new URLSearchParams();
  for (const f of FILTERS) if (filters[f]) q.set(f, filters[f].trim());
  if (filters.since) q.set('since', toMs(filters.since));
  if (filters.until) q.set('until', toMs(filters.until));
  q.set('limit', String(limit));
  if (beforeId != null) q.set('before_id', beforeId);
  return q.toString();
}

// Every row matching the filters, newest first, up to `max`, 1000 a page.
export async function fetchAllLogs(filters, max) {
  const rows = [];
  let before = null;
  while (rows.length < max) {
    const r = await get(`logs?${query(filters, before, Math.min(1000, max - rows.length))}`);
    rows.push(...r.logs);
    before = r.next_before_id ?? null;
    if (before == null) return { rows, complete: true };
  }
  return { rows, complete: false };
}

export function totalsOf(rows) {
  const out = { requests: rows.length, input: 0, output: 0, costMicros: 0 };
  for (const r of rows) {
    out.input += r.input_tokens ?? 0;
    out.output += r.output_tokens ?? 0;
    out.costMicros += r.cost_micros ?? Math.round((r.cost_usd ?? 0) * 1e6);
  }
  return out;
}

// The columns of the CSV file: the API's field names, one row per request.
const CSV_COLUMNS = [
  ['time', (r) => new Date(r.ts_ms).toISOString()], ['request_id'], ['key'], ['group'], ['model'], ['upstream_model'],
  ['endpoint'], ['stream'], ['channel'], ['status'], ['input_tokens'], ['output_tokens'], ['cache_read_tokens'],
  ['cache_write_tokens'], ['reasoning_tokens'], ['usage_estimated'], ['cost_usd'], ['cost_micros'], ['latency_ms'],
  ['ttfb_ms'], ['attempts', (r) => (r.attempts ?? []).length], ['error'],
];
const csvCell = (v) => {
  const s = v == null ? '' : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
};
export function toCsv(rows) {
  const lines = [CSV_COLUMNS.map(([name]) => name).join(',')];
  for (const r of rows) lines.push(CSV_COLUMNS.map(([name, get]) => csvCell(get ? get(r) : r[name])).join(','));
  return lines.join('\r\n') + '\r\n';
}

function download(name, text) {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/csv;charset=utf-8' }));
  const a = Object.assign(document.createElement('a'), { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

const failed = (status) => status >= 400 || status === 0;

function StatusBadge({ status }) {
  return html`<span class=${`badge ${failed(status) ? 'error' : 'ok'}`}>${status}</span>`;
}

// No first byte came: an error with ttfb 0 shows a dash, not "0 ms".
const ttfb = (log) => (failed(log.status) && !log.ttfb_ms ? '—' : ms(log.ttfb_ms));

function Detail({ id, onClose }) {
  const [log, setLog] = useState(null);
  const [error, setError] = useState(null);
  useEffect(() => { get(`logs/${enc(id)}`).then((r) => setLog(r.log), setError); }, [id]);
  const tries = (log?.attempts?.length ?? 0) + 1;
  const rows = log && [
    [t('logs.time'), when(log.ts_ms)], [t('common.requestId'), html`<code>${log.request_id}</code>`], [t('logs.status'), html`<${StatusBadge} status=${log.status} />`],
    [t('logs.key'), log.key], [t('logs.group'), log.group], [t('logs.endpoint'), `${log.endpoint}${log.stream ? ` (${t('logs.streamed')})` : ''}`],
    [t('logs.model'), log.model], [t('logs.upstream'), `${log.channel || '—'} → ${log.upstream_model || '—'}`],
    [t('logs.inputTokens'), num(log.input_tokens)], [t('logs.outputTokens'), num(log.output_tokens)],
    [t('logs.cacheTokens'), `${num(log.cache_read_tokens)} / ${num(log.cache_write_tokens)}`],
    [t('logs.reasoningTokens'), num(log.reasoning_tokens)],
    [t('logs.cost'), `${usd(log.cost_usd)}${log.usage_estimated ? ` ${t('logs.estimated')}` : ''}`],
    [t('logs.latency'), ms(log.latency_ms)], [t('logs.ttfb'), html`<span data-testid="ttfb">${ttfb(log)}</span>`],
  ];
  return html`<${Modal} title=${t('logs.request')} onClose=${onClose}>
    <${ErrorNote} error=${error} />
    ${log && html`<div data-testid="log-detail">
      ${failed(log.status) && log.status !== 499 && log.attempts?.length > 0 && html`<div class="notice error" data-testid="all-failed">
        ${t('logs.allFailed', { count: tries })}</div>`}
      <table><tbody>${rows.map(([k, v]) => html`<tr><th scope="row">${k}</th><td>${v}</td></tr>`)}</tbody></table>
      ${log.error && html`<h3>${t('logs.error')}</h3><pre class="error wrap" data-testid="log-error">${log.error}</pre>`}
      <h3>${t('logs.attempts')}</h3>
      ${log.attempts?.length ? html`<div class="table-wrap"><table class="cards">
        <thead><tr><th scope="col">#</th><th scope="col">${t('logs.channel')}</th><th scope="col">${t('logs.group')}</th><th scope="col">${t('logs.status')}</th><th scope="col" class="num">${t('logs.time')}</th><th scope="col">${t('logs.error')}</th></tr></thead>
        <tbody>${log.attempts.map((a, i) => html`<tr><td data-label="#">${i + 1}</td><td data-label=${t('logs.channel')}>${a.channel}</td><td data-label=${t('logs.group')}>${a.group}</td>
          <td data-label=${t('logs.status')}><${StatusBadge} status=${a.status} /></td><td class="num" data-label=${t('logs.time')}>${ms(a.ms)}</td><td class="wrap" data-label=${t('logs.error')}>${a.error}</td></tr>`)}</tbody>
      </table></div>` : html`<p class="muted">${failed(log.status) ? t('logs.oneTry') : t('logs.firstTry')}</p>`}
    </div>`}
  </${Modal}>`;
}

function Totals({ totals }) {
  if (!totals) return html`<p class="muted small" data-testid="log-totals">${t('logs.totalsLoading')}</p>`;
  const tot = totalsOf(totals.rows);
  return html`<p data-testid="log-totals" aria-live="polite">
    ${t('logs.totals', { count: tot.requests, requests: fmtNum(tot.requests), input: fmtNum(tot.input), output: fmtNum(tot.output), cost: usd(tot.costMicros / 1e6) })}
    ${!totals.complete && html` <span class="muted small">${t('logs.totalsCapped', { count: fmtNum(TOTALS_MAX) })}</span>`}
  </p>`;
}

export function Logs({ params }) {
  const initial = Object.fromEntries(FILTERS.map((f) => [f, params.get(f) ?? '']));
  const [filters, setFilters] = useState({ ...EMPTY, ...initial });
  const [applied, setApplied] = useState(filters);
  const [rows, setRows] = useState([]);
  const [next, setNext] = useState(null);
  const [error, setError] = useState(null);
  const [open, setOpen] = useState(null);
  const [totals, setTotals] = useState(null);
  const [exporting, setExporting] = useState('');
  const load = async (f, before) => {
    setError(null);
    try {
      const r = await get(`logs?${query(f, before)}`);
      setRows(before == null ? r.logs : [...rows, ...r.logs]);
      setNext(r.next_before_id ?? null);
    } catch (e) { setError(e); }
  };
  useEffect(() => {
    load(applied, null);
    let live = true;
    setTotals(null);
    fetchAllLogs(applied, TOTALS_MAX).then((r) => live && setTotals(r), () => {});
    return () => { live = false; };
  }, [applied]);
  const submit = (e) => { e.preventDefault(); setApplied({ ...filters }); };
  const exportCsv = async () => {
    setExporting(t('logs.exporting'));
    try {
      const all = await fetchAllLogs(applied, CSV_MAX);
      download(`aiohub-logs-${new Date().toISOString().slice(0, 19).replaceAll(':', '-')}.csv`, toCsv(all.rows));
      setExporting(all.complete ? t('logs.exported', { count: all.rows.length }) : t('logs.exportedCapped', { count: all.rows.length }));
    } catch (e) { setError(e); setExporting(''); }
  };
  const field = (name, label, type = 'text') => html`<label>${label}<input name=${name} type=${type} value=${filters[name]}
    onInput=${(e) => setFilters({ ...filters, [name]: e.currentTarget.value })} /></label>`;
  return html`
    <h1>${t('nav.logs')}</h1>
    <form class="panel row" onSubmit=${submit} aria-label=${t('logs.filterForm')}>
      ${field('key', t('logs.key'))} ${field('model', t('logs.model'))} ${field('channel', t('logs.channel'))} ${field('group', t('logs.group'))}
      <label>${t('logs.status')}<input name="status" list="status-list" value=${filters.status} placeholder=${t('logs.statusHint')}
        onInput=${(e) => setFilters({ ...filters, status: e.currentTarget.value })} /></label>
      <datalist id="status-list"><option value="error" /><option value="200" /><option value="429" /><option value="499" /><option value="502" /></datalist>
      ${field('since', t('logs.since'), 'datetime-local')} ${field('until', t('logs.until'), 'datetime-local')}
      <button class="primary" type="submit">${t('logs.filter')}</button>
      <button type="button" onClick=${() => { setFilters(EMPTY); setApplied(EMPTY); }}>${t('logs.clear')}</button>
    </form>
    <${ErrorNote} error=${error} />
    <div class="panel">
      <div class="row" style="justify-content: space-between; align-items: center">
        <${Totals} totals=${totals} />
        <span class="row" style="align-items: center">
          <button type="button" onClick=${exportCsv} disabled=${exporting === t('logs.exporting')}>${t('logs.exportCsv')}</button>
          <span class="muted small" role="status" data-testid="export-state">${exporting}</span>
        </span>
      </div>
      <div class="table-wrap"><table class="cards">
      <thead><tr><th scope="col">${t('logs.time')}</th><th scope="col">${t('logs.key')}</th><th scope="col">${t('logs.model')}</th><th scope="col">${t('logs.endpoint')}</th>
        <th scope="col">${t('logs.stream')}</th><th scope="col">${t('logs.channel')}</th><th scope="col">${t('logs.status')}</th>
        <th scope="col" class="num">${t('logs.tokensInOut')}</th><th scope="col" class="num">${t('logs.cost')}</th><th scope="col" class="num">${t('logs.latency')}</th>
        <th scope="col">${t('logs.retries')}</th><th scope="col">${t('logs.error')}</th></tr></thead>
      <tbody>${rows.map((r) => html`<tr data-request=${r.request_id}>
        <td data-label=${t('logs.time')}><button type="button" class="link" onClick=${() => setOpen(r.request_id)}>${when(r.ts_ms)}<span class="sr-only"> — ${t('logs.open', { id: r.request_id })}</span></button></td>
        <td data-label=${t('logs.key')}>${r.key}</td><td data-label=${t('logs.model')}>${r.model}</td><td data-label=${t('logs.endpoint')}>${r.endpoint}</td>
        <td data-label=${t('logs.stream')}>${r.stream ? t('common.yes') : t('common.no')}</td>
        <td data-label=${t('logs.channel')}>${r.channel || '—'}</td><td data-label=${t('logs.status')}><${StatusBadge} status=${r.status} /></td>
        <td class="num" data-label=${t('logs.tokensInOut')}>${num(r.input_tokens)} / ${num(r.output_tokens)}</td><td class="num" data-label=${t('logs.cost')}>${usd(r.cost_usd)}</td><td class="num" data-label=${t('logs.latency')}>${ms(r.latency_ms)}</td>
        <td data-label=${t('logs.retries')}>${r.attempts?.length ? r.attempts.length : ''}</td>
        <td class="error-cell" data-label=${t('logs.error')} title=${r.error || undefined}>${r.error ? (r.error.length > 80 ? `${r.error.slice(0, 80)}…` : r.error) : ''}</td>
      </tr>`)}</tbody>
    </table></div>
    ${!rows.length && html`<p class="muted">${t('logs.none')}</p>`}
    ${next != null && html`<div class="actions"><button type="button" onClick=${() => load(applied, next)}>${t('logs.older')}</button></div>`}
    </div>
    ${open && html`<${Detail} id=${open} onClose=${() => setOpen(null)} />`}`;
}
