// Requests, tokens, cost and error rate over the last hour, day or month.
import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import { get } from '../api.js';
import { ChartView, PALETTE } from '../chart.js';
import { ErrorNote, num, usd, useLoad } from '../ui.js';

const WINDOWS = [
  { id: 'hour', label: 'Last hour' },
  { id: 'day', label: 'Last day' },
  { id: 'month', label: 'Last month' },
];

function bucketLabel(window, ms) {
  const d = new Date(ms);
  if (window === 'month') return d.toLocaleDateString(undefined, { month: 'short', day: 'numeric' });
  return d.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
}

const costTick = (v) => (v === 0 ? '$0' : `$${Number(v.toPrecision(2))}`);

const topLabel = (row) => row.name ?? row.bucket ?? row.model ?? row.key ?? row.channel ?? '?';

function TopTable({ title, rows }) {
  return html`<div class="panel">
    <h3>${title}</h3>
    ${!rows?.length ? html`<p class="muted">No requests in this window.</p>` : html`
    <div class="table-wrap"><table>
      <thead><tr><th scope="col">Name</th><th scope="col" class="num">Requests</th><th scope="col" class="num">Tokens</th><th scope="col" class="num">Cost</th></tr></thead>
      <tbody>${rows.map((r) => html`<tr>
        <td>${topLabel(r)}</td><td class="num">${num(r.requests)}</td>
        <td class="num">${num((r.input_tokens ?? 0) + (r.output_tokens ?? 0))}</td><td class="num">${usd(r.cost_usd)}</td>
      </tr>`)}</tbody>
    </table></div>`}
  </div>`;
}

export function Dashboard() {
  const [window, setWindow] = useState('day');
  const { data, error, loading, reload } = useLoad(() => get(`overview?window=${window}`), [window]);
  const series = data?.series ?? [];
  const labels = series.map((s) => bucketLabel(window, s.bucket_ms));
  const t = data?.totals ?? {};
  const errorRate = t.requests ? (100 * (t.errors ?? 0)) / t.requests : 0;
  return html`
    <div class="row" style="justify-content: space-between; align-items: center">
      <h1>Dashboard</h1>
      <div class="row" role="group" aria-label="Time window">
        ${WINDOWS.map((w) => html`<button type="button" class=${w.id === window ? 'primary' : ''}
          aria-pressed=${w.id === window} onClick=${() => setWindow(w.id)}>${w.label}</button>`)}
        <button type="button" onClick=${reload} disabled=${loading}>Refresh</button>
      </div>
    </div>
    <${ErrorNote} error=${error} />
    <section class="stats" aria-label="Totals">
      <div class="stat"><div class="v" data-testid="total-requests">${num(t.requests ?? 0)}</div><div class="l">requests</div></div>
      <div class="stat"><div class="v">${num((t.input_tokens ?? 0) + (t.output_tokens ?? 0))}</div><div class="l">tokens (in + out)</div></div>
      <div class="stat"><div class="v">${usd(t.cost_usd ?? 0)}</div><div class="l">cost</div></div>
      <div class="stat"><div class="v">${errorRate.toFixed(1)}%</div><div class="l">error rate (${num(t.errors ?? 0)} errors)</div></div>
    </section>
    <div class="grid charts" style="margin-top: 1rem">
      <div class="panel"><h3>Requests</h3>
        <${ChartView} type="bar" integer label="Requests and errors per bucket" labels=${labels} datasets=${[
          { label: 'requests', data: series.map((s) => s.requests), backgroundColor: PALETTE[0] },
          { label: 'errors', data: series.map((s) => s.errors), backgroundColor: PALETTE[3] },
        ]} /></div>
      <div class="panel"><h3>Tokens</h3>
        <${ChartView} type="line" integer label="Input and output tokens per bucket" labels=${labels} datasets=${[
          { label: 'input', data: series.map((s) => s.input_tokens), borderColor: PALETTE[0], backgroundColor: PALETTE[0], tension: 0.25 },
          { label: 'output', data: series.map((s) => s.output_tokens), borderColor: PALETTE[1], backgroundColor: PALETTE[1], tension: 0.25 },
        ]} /></div>
      <div class="panel"><h3>Cost (USD)</h3>
        <${ChartView} type="line" yFormat=${costTick} label="Cost per bucket" labels=${labels} datasets=${[
          { label: 'cost', data: series.map((s) => s.cost_usd), borderColor: PALETTE[2], backgroundColor: 'rgba(27,158,90,.2)', fill: true, tension: 0.25 },
        ]} /></div>
      <div class="panel"><h3>Error rate (%)</h3>
        <${ChartView} type="line" label="Error rate per bucket" labels=${labels} datasets=${[
          { label: 'error rate', data: series.map((s) => (s.requests ? (100 * s.errors) / s.requests : 0)), borderColor: PALETTE[3], backgroundColor: PALETTE[3], tension: 0.25 },
        ]} /></div>
    </div>
    <div class="grid">
      <${TopTable} title="Top models" rows=${data?.top_models} />
      <${TopTable} title="Top keys" rows=${data?.top_keys} />
      <${TopTable} title="Top channels" rows=${data?.top_channels} />
    </div>`;
}
