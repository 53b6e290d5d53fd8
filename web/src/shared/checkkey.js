// "Check my key": which models the key may use (GET /v1/models) and, where the
// gateway reports it, its balance and groups (GET /v1/usage). Runs only when
// asked, and only against this gateway.
import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import { fmtNum, fmtUsd, t } from './i18n/index.js';
import { getUsage, listModels } from './v1.js';

const SHOWN = 40;

export function ErrorLine({ error, testid }) {
  if (!error) return null;
  return html`<div class="notice error" role="alert" data-testid=${testid}>
    <div data-testid=${testid ? `${testid}-message` : undefined}>${error.status ? `${error.status}: ` : ''}${error.message}</div>
    ${error.requestId && html`<div class="small">${t('common.requestId')} <code data-testid="request-id">${error.requestId}</code></div>`}
  </div>`;
}

function value(v) {
  if (Array.isArray(v)) return v.join(', ') || '—';
  if (v && typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

function Usage({ usage }) {
  if (usage === null) return html`<p class="muted" data-testid="balance-unavailable">${t('check.balanceUnavailable')}</p>`;
  const { balance, groups, ...rest } = usage;
  return html`<dl class="pairs" data-testid="usage">
    <dt>${t('check.balance')}</dt><dd data-testid="balance">${typeof balance === 'number' ? fmtUsd(balance) : balance == null ? t('check.unlimited') : value(balance)}</dd>
    ${groups != null && html`<dt>${t('check.groups')}</dt><dd>${value(groups)}</dd>`}
    ${Object.entries(rest).map(([k, v]) => html`<dt><code>${k}</code></dt><dd>${typeof v === 'number' ? fmtNum(v) : value(v)}</dd>`)}
  </dl>`;
}

export function CheckKey({ apiKey }) {
  const [state, setState] = useState(null);
  const [busy, setBusy] = useState(false);
  const run = async () => {
    setBusy(true);
    const [models, usage] = await Promise.allSettled([listModels(apiKey), getUsage(apiKey)]);
    setState({ models, usage });
    setBusy(false);
  };
  const m = state?.models;
  const u = state?.usage;
  return html`<section class="panel check-key" aria-labelledby="check-h">
    <h2 id="check-h" class="first">${t('check.title')}</h2>
    <p class="muted small">${t('check.what')}</p>
    <button type="button" onClick=${run} disabled=${!apiKey || busy}>${busy ? t('check.running') : t('check.button')}</button>
    ${!apiKey && html` <span class="muted small">${t('check.needKey')}</span>`}
    <div role="status" data-testid="check-result">
      ${m?.status === 'rejected' && html`<p class="error"><strong>${t('check.failed')}</strong></p><${ErrorLine} error=${m.reason} />`}
      ${m?.status === 'fulfilled' && html`<p class="ok"><strong>${t('check.works', { count: m.value.length })}</strong></p>
        ${m.value.length > 0 && html`<details open=${m.value.length <= 12}>
          <summary>${t('check.models')}</summary>
          <ul class="models" data-testid="check-models">${m.value.slice(0, SHOWN).map((id) => html`<li><code>${id}</code></li>`)}</ul>
          ${m.value.length > SHOWN && html`<p class="muted small">${t('check.more', { count: m.value.length - SHOWN })}</p>`}
        </details>`}
        ${u?.status === 'fulfilled' && html`<${Usage} usage=${u.value} />`}
        ${u?.status === 'rejected' && html`<p class="muted">${t('check.usageFailed')}</p><${ErrorLine} error=${u.reason} />`}`}
    </div>
  </section>`;
}
