// Channels: every field of the config contract, a test button, health.
import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import { del, enc, get, patch, post } from '../api.js';
import { Checklist } from '../checklist.js';
import { t } from '../../shared/i18n/index.js';
import { Check, ErrorNote, Input, intOrNull, list, mapToText, Modal, ms, splitList, textToMap, useLoad, when } from '../ui.js';

const TYPES = ['openai', 'openai-compatible', 'anthropic', 'openai-responses', 'gemini', 'bedrock', 'demo'];
const SETTINGS = [
  ['connect_timeout_seconds', () => t('channels.connectTimeout')],
  ['first_byte_timeout_seconds', () => t('channels.firstByteTimeout')],
  ['idle_timeout_seconds', () => t('channels.idleTimeout')],
];

function formFromChannel(c) {
  const f = {
    name: c?.name ?? '', type: c?.type ?? 'openai', base_url: c?.base_url ?? '', api_key: '',
    groups: (c?.groups ?? []).join(', '), models: (c?.models ?? []).join(', '), model_map: mapToText(c?.model_map),
    priority: c?.priority ?? 0, weight: c?.weight ?? 1, enabled: c?.enabled ?? true,
  };
  for (const [k] of SETTINGS) f[k] = c?.settings?.[k] ?? '';
  return f;
}

function bodyFromForm(f, creating) {
  const settings = {};
  for (const [k] of SETTINGS) settings[k] = intOrNull(f[k]);
  const body = {
    type: f.type, base_url: f.base_url.trim(), groups: splitList(f.groups), models: splitList(f.models),
    model_map: textToMap(f.model_map), priority: Number(f.priority) || 0, weight: Number(f.weight) || 0,
    enabled: f.enabled, settings,
  };
  if (creating) body.name = f.name.trim();
  // Write-only: an empty field keeps the stored key.
  if (f.api_key) body.api_key = f.api_key;
  return body;
}

function ChannelForm({ existing, groups, onDone, onClose }) {
  const [form, set] = useState(formFromChannel(existing));
  const [error, setError] = useState(null);
  const submit = async (e) => {
    e.preventDefault();
    setError(null);
    try {
      if (existing) await patch(`channels/${enc(existing.name)}`, bodyFromForm(form, false));
      else await post('channels', bodyFromForm(form, true));
      onDone();
    } catch (err) { setError(err); }
  };
  return html`<${Modal} title=${existing ? t('channels.editTitle', { name: existing.name }) : t('channels.new')} onClose=${onClose}>
    <form onSubmit=${submit}>
      <div class="form-grid">
        ${!existing && html`<${Input} form=${form} set=${set} name="name" label=${t('common.name')} required />`}
        <label>${t('channels.type')}
          <select name="type" value=${form.type} onChange=${(e) => set({ ...form, type: e.currentTarget.value })}>
            ${TYPES.map((t) => html`<option value=${t}>${t}</option>`)}
          </select>
        </label>
        <${Input} form=${form} set=${set} name="base_url" label=${t('channels.baseUrl')} placeholder="https://api.openai.com" hint=${t('channels.baseUrlHint')} />
        <${Input} form=${form} set=${set} name="api_key" label=${t('channels.apiKey')} type="password" autocomplete="off"
          hint=${existing ? (existing.api_key_set ? t('channels.keySet', { hint: existing.api_key_hint }) : t('channels.keyNotSet')) : t('channels.keyWriteOnly')} />
        <${Input} form=${form} set=${set} name="priority" label=${t('channels.priority')} type="number" hint=${t('channels.priorityHint')} />
        <${Input} form=${form} set=${set} name="weight" label=${t('channels.weight')} type="number" min="0" hint=${t('channels.weightHint')} />
        ${SETTINGS.map(([k, label]) => html`<${Input} form=${form} set=${set} name=${k} label=${label()} type="number" min="1" max="86400" hint=${t('channels.timeoutHint')} />`)}
      </div>
      <label style="margin-top: .7rem">${t('channels.groupsField', { known: groups.join(', ') })}
        <input name="groups" value=${form.groups} onInput=${(e) => set({ ...form, groups: e.currentTarget.value })} />
      </label>
      <label style="margin-top: .7rem">${t('channels.modelsField')}
        <textarea name="models" rows="3" value=${form.models} onInput=${(e) => set({ ...form, models: e.currentTarget.value })}></textarea>
      </label>
      <label style="margin-top: .7rem">${t('channels.mapField')}
        <textarea name="model_map" rows="3" value=${form.model_map} onInput=${(e) => set({ ...form, model_map: e.currentTarget.value })}></textarea>
      </label>
      <div style="margin-top: .7rem"><${Check} form=${form} set=${set} name="enabled" label=${t('common.enabled')} /></div>
      <${ErrorNote} error=${error} />
      <div class="actions">
        <button class="primary" type="submit">${existing ? t('common.save') : t('channels.create')}</button>
        <button type="button" onClick=${onClose}>${t('common.cancel')}</button>
      </div>
    </form>
  </${Modal}>`;
}

function TestDialog({ channel, onClose }) {
  const [model, setModel] = useState(channel.models?.[0] ?? '');
  const [result, setResult] = useState(null);
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const run = async (e) => {
    e.preventDefault();
    setBusy(true); setResult(null); setError(null);
    try { setResult(await post(`channels/${enc(channel.name)}/test`, model ? { model } : {})); }
    catch (err) { setError(err); }
    finally { setBusy(false); }
  };
  return html`<${Modal} title=${t('channels.testTitle', { name: channel.name })} onClose=${onClose}>
    <form onSubmit=${run} class="row">
      <label>${t('channels.model')}
        <input name="model" list="test-models" value=${model} onInput=${(e) => setModel(e.currentTarget.value)} />
        <datalist id="test-models">${(channel.models ?? []).map((m) => html`<option value=${m} />`)}</datalist>
      </label>
      <button class="primary" type="submit" disabled=${busy}>${busy ? t('channels.testing') : t('channels.sendTest')}</button>
    </form>
    <p class="muted">${t('channels.testHint')}</p>
    <${ErrorNote} error=${error} />
    ${result && html`<div class="panel" data-testid="test-result" role="status">
      <p><strong class=${result.ok ? 'ok' : 'error'}>${result.ok ? t('channels.ok') : t('channels.failed')}</strong>${' — '}${result.model ? t('channels.testModel', { model: result.model }) : ''}${t('channels.testStatus', {
        status: result.status || t('channels.noAnswer'), time: ms(result.latency_ms) })}</p>
      ${result.ok ? html`<h3>${t('channels.answer')}</h3><pre class="wrap">${result.answer}</pre>` : html`<h3>${t('channels.error')}</h3><pre class="error wrap">${result.error}</pre>`}
    </div>`}
  </${Modal}>`;
}

function Health({ h }) {
  if (!h || h.state === 'healthy' || !h.state) return html`<span class="badge ok">${t('dash.healthy')}</span>`;
  return html`<span class="badge warn">${h.state === 'probing' ? t('dash.probing') : t('dash.coolingDown')}</span>
    <div class="muted" style="font-size: .8rem">${h.reason}${h.consecutive_failures ? ` ${t('channels.failures', { count: h.consecutive_failures })}` : ''}
    ${h.until_ms ? html`<br />${t('dash.until', { time: when(h.until_ms) })}` : null}</div>`;
}

export function Channels() {
  const { data, error, reload } = useLoad(async () => {
    const [c, g] = await Promise.all([get('channels'), get('groups')]);
    return { channels: c.channels, groups: g.groups.map((x) => x.name) };
  });
  const [editing, setEditing] = useState(null);
  const [testing, setTesting] = useState(null);
  const [actionError, setActionError] = useState(null);
  const [version, setVersion] = useState(0);
  const changed = () => { reload(); setVersion((v) => v + 1); };
  const act = async (fn) => {
    setActionError(null);
    try { await fn(); changed(); } catch (e) { setActionError(e); }
  };
  return html`
    <div class="row" style="justify-content: space-between; align-items: center">
      <h1>${t('nav.channels')}</h1>
      <button class="primary" type="button" onClick=${() => setEditing('new')}>${t('channels.new')}</button>
    </div>
    <${ErrorNote} error=${error || actionError} />
    <${Checklist} version=${version} />
    <div class="panel table-wrap"><table class="cards">
      <thead><tr>
        <th scope="col">${t('common.name')}</th><th scope="col">${t('channels.typeUrl')}</th><th scope="col">${t('channels.groups')}</th><th scope="col">${t('channels.models')}</th>
        <th scope="col" class="num">${t('channels.priority')}</th><th scope="col" class="num">${t('channels.weight')}</th><th scope="col">${t('channels.health')}</th><th scope="col">${t('common.actions')}</th>
      </tr></thead>
      <tbody>${(data?.channels ?? []).map((c) => html`<tr data-channel=${c.name}>
        <td data-label=${t('common.name')}><strong>${c.name}</strong>${c.enabled ? null : html`<br /><span class="badge muted">${t('common.disabledState')}</span>`}</td>
        <td data-label=${t('channels.typeUrl')}>${c.type}<br /><code class="muted">${c.base_url || '—'}</code><br />
          <span class="muted">${t('channels.keyHint', { hint: c.api_key_set ? c.api_key_hint : t('channels.keyNotSet') })}</span></td>
        <td data-label=${t('channels.groups')}>${list(c.groups)}</td>
        <td data-label=${t('channels.models')}>${list(c.models)}${Object.keys(c.model_map ?? {}).length ? html`<br /><span class="muted">${t('channels.map', { map: Object.entries(c.model_map).map(([a, b]) => `${a}→${b}`).join(', ') })}</span>` : null}</td>
        <td class="num" data-label=${t('channels.priority')}>${c.priority}</td><td class="num" data-label=${t('channels.weight')}>${c.weight}</td>
        <td data-label=${t('channels.health')}>${c.enabled ? html`<${Health} h=${c.health} />` : html`<span class="muted">${t('channels.outDisabled')}</span>`}</td>
        <td data-label=${t('common.actions')}><div class="row">
          <button type="button" onClick=${() => setTesting(c)}>${t('channels.test')}</button>
          <button type="button" onClick=${() => setEditing(c)}>${t('common.edit')}</button>
          <button type="button" onClick=${() => act(() => patch(`channels/${enc(c.name)}`, { enabled: !c.enabled }))}>${c.enabled ? t('common.disable') : t('common.enable')}</button>
          <button type="button" class="danger" onClick=${() => confirm(t('channels.deleteConfirm', { name: c.name })) && act(() => del(`channels/${enc(c.name)}`))}>${t('common.delete')}</button>
        </div></td>
      </tr>`)}</tbody>
    </table>
    ${data && !data.channels.length && html`<p class="muted">${t('channels.none')}</p>`}
    </div>
    ${editing && html`<${ChannelForm} existing=${editing === 'new' ? null : editing} groups=${data?.groups ?? []}
      onClose=${() => setEditing(null)} onDone=${() => { setEditing(null); changed(); }} />`}
    ${testing && html`<${TestDialog} channel=${testing} onClose=${() => setTesting(null)} />`}`;
}
