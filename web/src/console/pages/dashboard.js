// Requests, tokens, cost and errors over the last hour, day or month; client
// errors apart from upstream failures; channel health; keys near their quota;
// and, on a new install, the first-hour checklist.
import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import { get } from '../api.js';
import { ChartView, PALETTE } from '../chart.js';
import { Checklist } from '../checklist.js';
import { fmtDay, fmtPercent, fmtTime, fmtUsdShort, t } from '../../shared/i18n/index.js';
import { ErrorNote, num, usd, useLoad, when } from '../ui.js';

const WINDOWS = [
  { id: 'hour', label: () => t('dash.hour') },
  { id: 'day', label: () => t('dash.day') },
  { id: 'month', label: () => t('dash.month') },
];
const NEAR_QUOTA = 0.8;
const ERROR_PAGES = 5; // at most 5 000 error rows are read to split them

const bucketLabel = (window, ms) => (window === 'month' ? fmtDay(ms) : fmtTime(ms));
const costTick = (v) => fmtUsdShort(v);
const topLabel = (row) => row.name ?? row.bucket ?? row.model ?? row.key ?? row.channel ?? '?';

// 4xx (the request's or the client's own fault; 499 = the client hung up)
// against 5xx and no answer at all (upstream failures, timeouts).
export function splitErrors(rows) {
  let client = 0;
  let upstream = 0;
  for (const r of rows) {
    if (r.status >= 400 && r.status < 500) client++;
    else upstream++;
  }
  return { client, upstream };
}

async function errorRows(sinceMs) {
  const rows = [];
  let before = null;
  for (let i = 0; i < ERROR_PAGES; i++) {
    const q = new URLSearchParams({ status: 'error', since: String(sinceMs), limit: '1000' });
    if (before != null) q.set('before_id', before);
    const r = await get(`logs?${q}`);
    rows.push(...r.logs);
    before = r.next_before_id;
    if (before == null) return { rows, complete: true };
  }
  return { rows, complete: false };
}

async function loadDashboard(window) {
  const overview = await get(`overview?window=${window}`);
  const [errors, channels, keys] = await Promise.all([
    errorRows(overview.since_ms).catch(() => null),
    get('channels').then((r) => r.channels).catch(() => []),
    get('keys').then((r) => r.keys).catch(() => []),
  ]);
  return { overview, errors, channels, keys };
}

function TopTable({ title, rows }) {
  return html`<div class="panel">
    <h3>${title}</h3>
    ${!rows?.length ? html`<p class="muted">${t('dash.noRequests')}</p>` : html`
    <div class="table-wrap"><table class="cards">
      <thead><tr><th scope="col">${t('dash.name')}</th><th scope="col" class="num">${t('dash.requests')}</th><th scope="col" class="num">${t('dash.tokens')}</th><th scope="col" class="num">${t('dash.cost')}</th></tr></thead>
      <tbody>${rows.map((r) => html`<tr>
        <td data-label=${t('dash.name')}>${topLabel(r)}</td><td class="num" data-label=${t('dash.requests')}>${num(r.requests)}</td>
        <td class="num" data-label=${t('dash.tokens')}>${num((r.input_tokens ?? 0) + (r.output_tokens ?? 0))}</td><td class="num" data-label=${t('dash.cost')}>${usd(r.cost_usd)}</td>
      </tr>`)}</tbody>
    </table></div>`}
  </div>`;
}

function ChannelHealth({ channels }) {
  const resting = channels.filter((c) => !c.enabled || (c.health?.state && c.health.state !== 'healthy'));
  return html`<div class="panel" data-testid="channel-health">
    <h3>${t('dash.health')}</h3>
    ${!channels.length ? html`<p class="muted">${t('dash.noChannels')}</p>`
      : !resting.length ? html`<p class="ok">${t('dash.allHealthy', { count: channels.length })}</p>`
      : html`<ul>${resting.map((c) => html`<li><strong>${c.name}</strong>: ${!c.enabled ? t('dash.disabled')
          : html`<span class="warn">${c.health.state === 'probing' ? t('dash.probing') : t('dash.coolingDown')}</span>
            ${c.health.reason ? ` — ${c.health.reason}` : ''}${c.health.until_ms ? ` (${t('dash.until', { time: when(c.health.until_ms) })})` : ''}`}</li>`)}</ul>
        <p class="muted small">${t('dash.healthyCount', { healthy: channels.length - resting.length, total: channels.length })}</p>`}
  </div>`;
}

function NearQuota({ keys }) {
  const near = keys
    .filter((k) => k.quota_usd != null && k.quota_usd > 0 && k.used_usd / k.quota_usd >= NEAR_QUOTA)
    .sort((a, b) => b.used_usd / b.quota_usd - a.used_usd / a.quota_usd);
  return html`<div class="panel" data-testid="near-quota">
    <h3>${t('dash.nearQuota')}</h3>
    ${!near.length ? html`<p class="muted">${t('dash.noneNearQuota', { percent: fmtPercent(NEAR_QUOTA) })}</p>`
      : html`<ul>${near.map((k) => html`<li><strong>${k.name}</strong>: ${usd(k.used_usd)} / ${usd(k.quota_usd)}
          (<span class=${k.used_usd >= k.quota_usd ? 'error' : 'warn'}>${fmtPercent(Math.min(k.used_usd / k.quota_usd, 9.99))}</span>)
          ${k.used_usd >= k.quota_usd ? html` — ${t('dash.quotaUsed')}` : ''}</li>`)}</ul>`}
  </div>`;
}

export function Dashboard() {
  const [window, setWindow] = useState('day');
  const { data, error, loading, reload } = useLoad(() => loadDashboard(window), [window]);
  const [version, setVersion] = useState(0);
  const refresh = () => { reload(); setVersion((v) => v + 1); };
  const o = data?.overview;
  const series = o?.series ?? [];
  const labels = series.map((s) => bucketLabel(window, s.bucket_ms));
  const tot = o?.totals ?? {};
  const errorRate = tot.requests ? (tot.errors ?? 0) / tot.requests : 0;
  const split = data?.errors ? splitErrors(data.errors.rows) : null;
  const atLeast = data?.errors && !data.errors.complete ? '≥ ' : '';
  return html`
    <div class="row" style="justify-content: space-between; align-items: center">
      <h1>${t('nav.dashboard')}</h1>
      <div class="row" role="group" aria-label=${t('dash.window')}>
        ${WINDOWS.map((w) => html`<button type="button" class=${w.id === window ? 'primary' : ''}
          aria-pressed=${w.id === window} onClick=${() => setWindow(w.id)}>${w.label()}</button>`)}
        <button type="button" onClick=${refresh} disabled=${loading}>${t('dash.refresh')}</button>
      </div>
    </div>
    <${ErrorNote} error=${error} />
    <${Checklist} version=${version} />
    <section class="stats" aria-label=${t('dash.totals')}>
      <div class="stat"><div class="v" data-testid="total-requests">${num(tot.requests ?? 0)}</div><div class="l">${t('dash.statRequests')}</div></div>
      <div class="stat"><div class="v">${num((tot.input_tokens ?? 0) + (tot.output_tokens ?? 0))}</div><div class="l">${t('dash.statTokens')}</div></div>
      <div class="stat"><div class="v">${usd(tot.cost_usd ?? 0)}</div><div class="l">${t('dash.statCost')}</div></div>
      <div class="stat"><div class="v">${fmtPercent(errorRate)}</div><div class="l">${t('dash.statErrorRate', { count: tot.errors ?? 0, n: num(tot.errors ?? 0) })}</div></div>
      <div class="stat"><div class="v" data-testid="client-errors">${split ? `${atLeast}${num(split.client)}` : '—'}</div><div class="l">${t('dash.statClientErrors')}</div></div>
      <div class="stat"><div class="v" data-testid="upstream-errors">${split ? `${atLeast}${num(split.upstream)}` : '—'}</div><div class="l">${t('dash.statUpstreamErrors')}</div></div>
    </section>
    <div class="grid charts" style="margin-top: 1rem">
      <div class="panel"><h3>${t('dash.chartRequests')}</h3>
        <${ChartView} type="bar" integer label=${t('dash.chartRequestsLabel')} labels=${labels} datasets=${[
          { label: t('dash.seriesRequests'), data: series.map((s) => s.requests), backgroundColor: PALETTE[0] },
          { label: t('dash.seriesErrors'), data: series.map((s) => s.errors), backgroundColor: PALETTE[3] },
        ]} /></div>
      <div class="panel"><h3>${t('dash.chartTokens')}</h3>
        <${ChartView} type="line" integer label=${t('dash.chartTokensLabel')} labels=${labels} datasets=${[
          { label: t('dash.seriesInput'), data: series.map((s) => s.input_tokens), borderColor: PALETTE[0], backgroundColor: PALETTE[0], tension: 0.25 },
          { label: t('dash.seriesOutput'), data: series.map((s) => s.output_tokens), borderColor: PALETTE[1], backgroundColor: PALETTE[1], tension: 0.25 },
        ]} /></div>
      <div class="panel"><h3>${t('dash.chartCost')}</h3>
        <${ChartView} type="line" yFormat=${costTick} label=${t('dash.chartCostLabel')} labels=${labels} datasets=${[
          { label: t('dash.seriesCost'), data: series.map((s) => s.cost_usd), borderColor: PALETTE[2], backgroundColor: 'rgba(27,158,90,.2)', fill: true, tension: 0.25 },
        ]} /></div>
      <div class="panel"><h3>${t('dash.chartErrorRate')}</h3>
        <${ChartView} type="line" label=${t('dash.chartErrorRateLabel')} labels=${labels} datasets=${[
          { label: t('dash.seriesErrorRate'), data: series.map((s) => (s.requests ? (100 * s.errors) / s.requests : 0)), borderColor: PALETTE[3], backgroundColor: PALETTE[3], tension: 0.25 },
        ]} /></div>
    </div>
    <div class="grid">
      <${ChannelHealth} channels=${data?.channels ?? []} />
      <${NearQuota} keys=${data?.keys ?? []} />
    </div>
    <div class="grid">
      <${TopTable} title=${t('dash.topModels')} rows=${o?.top_models} />
      <${TopTable} title=${t('dash.topKeys')} rows=${o?.top_keys} />
      <${TopTable} title=${t('dash.topChannels')} rows=${o?.top_channels} />
    </div>`;
}
