// The first hour: add a channel -> price it -> make a key -> set up a client,
// each step ticked from what the admin API says. Shown on the dashboard and
// the channel page until every step is done.
import { html } from 'htm/preact';
import { get } from './api.js';
import { t } from '../shared/i18n/index.js';
import { useLoad } from './ui.js';

// The built-in demo channel and key (a fresh database without config) do not count.
const DEMO_KEY = 'demo';

export function checklistSteps({ channels, prices, keys, settings, usage }) {
  const real = channels.filter((c) => c.type !== 'demo');
  const realNames = new Set(real.map((c) => c.name));
  const priced = new Set(prices.map((p) => p.model));
  const models = [...new Set(real.flatMap((c) => c.models ?? []))];
  const unpriced = models.filter((m) => !priced.has(m));
  const served = usage.some((r) => realNames.has(r.bucket) && r.requests > (r.errors ?? 0));
  return [
    {
      id: 'channel', done: real.length > 0, href: '#/channels',
      label: t('check.step.channel'), hint: t('check.step.channelHint'), action: t('check.step.channelAction'),
    },
    {
      id: 'price', href: '#/groups', done: models.length > 0 && (settings.allow_free_models || unpriced.length === 0),
      label: t('check.step.price'), hint: t('check.step.priceHint'), action: t('check.step.priceAction'),
      detail: unpriced.length && !settings.allow_free_models ? t('check.step.priceMissing', { models: unpriced.join(', ') }) : '',
    },
    {
      id: 'key', done: keys.some((k) => k.name !== DEMO_KEY), href: '#/keys',
      label: t('check.step.key'), hint: t('check.step.keyHint'), action: t('check.step.keyAction'),
    },
    {
      id: 'client', done: served, href: '/setup',
      label: t('check.step.client'), hint: t('check.step.clientHint'), action: t('check.step.clientAction'),
    },
  ];
}

async function loadFacts() {
  const [c, p, k, s, u] = await Promise.all([
    get('channels'), get('prices'), get('keys'), get('settings'), get('usage?by=channel'),
  ]);
  return { channels: c.channels, prices: p.prices, keys: k.keys, settings: s, usage: u.rows ?? [] };
}

// `version`: changes when the page around it reloads its data.
export function Checklist({ version = 0 }) {
  const { data: facts } = useLoad(loadFacts, [version]);
  const data = facts && checklistSteps(facts);
  if (!data || data.every((s) => s.done)) return null;
  const done = data.filter((s) => s.done).length;
  return html`<section class="panel" aria-labelledby="checklist-h" data-testid="checklist">
    <h2 id="checklist-h" class="first">${t('check.step.title')}</h2>
    <p class="muted" data-testid="checklist-progress">${t('check.step.progress', { done, total: data.length })}</p>
    <ol class="checklist">${data.map((s, i) => html`<li class=${s.done ? 'done' : 'todo'} data-step=${s.id} data-done=${String(s.done)}>
      <span class="mark" aria-hidden="true">${s.done ? '✓' : i + 1}</span>
      <span><strong>${s.label}</strong>
        <span class="sr-only"> — ${s.done ? t('check.step.isDone') : t('check.step.isTodo')}</span>
        <br /><span class="muted small">${s.hint}</span>
        ${s.detail && html`<br /><span class="warn small">${s.detail}</span>`}
        ${!s.done && html`<br /><a href=${s.href}>${s.action}</a>`}
      </span>
    </li>`)}</ol>
  </section>`;
}
