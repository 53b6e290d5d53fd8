// Channels: every field of the config contract, a test button, health.
import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import { del, enc, get, patch, post } from '../api.js';
import { Check, ErrorNote, Input, intOrNull, list, mapToText, Modal, ms, splitList, textToMap, useLoad, when } from '../ui.js';

const TYPES = ['openai', 'openai-compatible', 'anthropic', 'openai-responses', 'gemini', 'bedrock', 'demo'];
const SETTINGS = [
  ['connect_timeout_seconds', 'Connect timeout (s)'],
  ['first_byte_timeout_seconds', 'First byte timeout (s)'],
  ['idle_timeout_seconds', 'Idle timeout between chunks (s)'],
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
  return html`<${Modal} title=${existing ? `Edit channel ${existing.name}` : 'New channel'} onClose=${onClose}>
    <form onSubmit=${submit}>
      <div class="form-grid">
        ${!existing && html`<${Input} form=${form} set=${set} name="name" label="Name" required />`}
        <label>Type
          <select name="type" value=${form.type} onChange=${(e) => set({ ...form, type: e.currentTarget.value })}>
            ${TYPES.map((t) => html`<option value=${t}>${t}</option>`)}
          </select>
        </label>
        <${Input} form=${form} set=${set} name="base_url" label="Base URL" placeholder="https://api.openai.com" hint="provider root; a trailing /v1 is accepted" />
        <${Input} form=${form} set=${set} name="api_key" label="API key" type="password" autocomplete="off"
          hint=${existing ? (existing.api_key_set ? `set (${existing.api_key_hint}); leave empty to keep it` : 'not set') : 'write-only: never shown again'} />
        <${Input} form=${form} set=${set} name="priority" label="Priority" type="number" hint="higher is tried first" />
        <${Input} form=${form} set=${set} name="weight" label="Weight" type="number" min="0" hint="share among equal priorities" />
        ${SETTINGS.map(([k, label]) => html`<${Input} form=${form} set=${set} name=${k} label=${label} type="number" min="1" max="86400" hint="empty = server default" />`)}
      </div>
      <label style="margin-top: .7rem">Groups (comma separated; known: ${groups.join(', ')})
        <input name="groups" value=${form.groups} onInput=${(e) => set({ ...form, groups: e.currentTarget.value })} />
      </label>
      <label style="margin-top: .7rem">Models (comma or newline separated)
        <textarea name="models" rows="3" value=${form.models} onInput=${(e) => set({ ...form, models: e.currentTarget.value })}></textarea>
      </label>
      <label style="margin-top: .7rem">Model map (one "client model = upstream model" a line)
        <textarea name="model_map" rows="3" value=${form.model_map} onInput=${(e) => set({ ...form, model_map: e.currentTarget.value })}></textarea>
      </label>
      <div style="margin-top: .7rem"><${Check} form=${form} set=${set} name="enabled" label="Enabled" /></div>
      <${ErrorNote} error=${error} />
      <div class="actions">
        <button class="primary" type="submit">${existing ? 'Save' : 'Create channel'}</button>
        <button type="button" onClick=${onClose}>Cancel</button>
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
  return html`<${Modal} title=${`Test channel ${channel.name}`} onClose=${onClose}>
    <form onSubmit=${run} class="row">
      <label>Model
        <input name="model" list="test-models" value=${model} onInput=${(e) => setModel(e.currentTarget.value)} />
        <datalist id="test-models">${(channel.models ?? []).map((m) => html`<option value=${m} />`)}</datalist>
      </label>
      <button class="primary" type="submit" disabled=${busy}>${busy ? 'Testing…' : 'Send test request'}</button>
    </form>
    <p class="muted">Sends a tiny request (at most 16 output tokens) through this channel in its own protocol.</p>
    <${ErrorNote} error=${error} />
    ${result && html`<div class="panel" data-testid="test-result" role="status">
      <p><strong class=${result.ok ? 'ok' : 'error'}>${result.ok ? 'OK' : 'Failed'}</strong>${' — '}${result.model ? `model ${result.model}, ` : ''}upstream
        status ${result.status || 'none (no answer came)'}, ${ms(result.latency_ms)}</p>
      ${result.ok ? html`<h3>Answer</h3><pre>${result.answer}</pre>` : html`<h3>Error</h3><pre class="error">${result.error}</pre>`}
    </div>`}
  </${Modal}>`;
}

function Health({ h }) {
  if (!h || h.state === 'healthy' || !h.state) return html`<span class="badge ok">healthy</span>`;
  return html`<span class="badge warn">${h.state.replace('_', ' ')}</span>
    <div class="muted" style="font-size: .8rem">${h.reason}${h.consecutive_failures ? ` (${h.consecutive_failures} failures)` : ''}
    ${h.until_ms ? html`<br />until ${when(h.until_ms)}` : null}</div>`;
}

export function Channels() {
  const { data, error, reload } = useLoad(async () => {
    const [c, g] = await Promise.all([get('channels'), get('groups')]);
    return { channels: c.channels, groups: g.groups.map((x) => x.name) };
  });
  const [editing, setEditing] = useState(null);
  const [testing, setTesting] = useState(null);
  const [actionError, setActionError] = useState(null);
  const act = async (fn) => {
    setActionError(null);
    try { await fn(); reload(); } catch (e) { setActionError(e); }
  };
  return html`
    <div class="row" style="justify-content: space-between; align-items: center">
      <h1>Channels</h1>
      <button class="primary" type="button" onClick=${() => setEditing('new')}>New channel</button>
    </div>
    <${ErrorNote} error=${error || actionError} />
    <div class="panel table-wrap"><table>
      <thead><tr>
        <th scope="col">Name</th><th scope="col">Type / base URL</th><th scope="col">Groups</th><th scope="col">Models</th>
        <th scope="col" class="num">Priority</th><th scope="col" class="num">Weight</th><th scope="col">Health</th><th scope="col">Actions</th>
      </tr></thead>
      <tbody>${(data?.channels ?? []).map((c) => html`<tr data-channel=${c.name}>
        <td><strong>${c.name}</strong>${c.enabled ? null : html`<br /><span class="badge muted">disabled</span>`}</td>
        <td>${c.type}<br /><code class="muted">${c.base_url || '—'}</code><br />
          <span class="muted">key: ${c.api_key_set ? c.api_key_hint : 'not set'}</span></td>
        <td>${list(c.groups)}</td>
        <td>${list(c.models)}${Object.keys(c.model_map ?? {}).length ? html`<br /><span class="muted">map: ${Object.entries(c.model_map).map(([a, b]) => `${a}→${b}`).join(', ')}</span>` : null}</td>
        <td class="num">${c.priority}</td><td class="num">${c.weight}</td>
        <td>${c.enabled ? html`<${Health} h=${c.health} />` : html`<span class="muted">out of rotation: disabled</span>`}</td>
        <td><div class="row">
          <button type="button" onClick=${() => setTesting(c)}>Test</button>
          <button type="button" onClick=${() => setEditing(c)}>Edit</button>
          <button type="button" onClick=${() => act(() => patch(`channels/${enc(c.name)}`, { enabled: !c.enabled }))}>${c.enabled ? 'Disable' : 'Enable'}</button>
          <button type="button" class="danger" onClick=${() => confirm(`Delete channel ${c.name}?`) && act(() => del(`channels/${enc(c.name)}`))}>Delete</button>
        </div></td>
      </tr>`)}</tbody>
    </table></div>
    ${editing && html`<${ChannelForm} existing=${editing === 'new' ? null : editing} groups=${data?.groups ?? []}
      onClose=${() => setEditing(null)} onDone=${() => { setEditing(null); reload(); }} />`}
    ${testing && html`<${TestDialog} channel=${testing} onClose=${() => setTesting(null)} />`}`;
}
