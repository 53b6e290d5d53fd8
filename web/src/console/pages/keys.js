// Keys: create (the secret is shown once), edit, enable/disable, revoke, usage.
import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import { del, enc, get, patch, post } from '../api.js';
import {
  Check, copyText, ErrorNote, Input, intOrNull, list, Modal, num, numOrNull, splitList, usd, useLoad,
} from '../ui.js';

const toLocalInput = (s) => (s ? new Date(s * 1000 - new Date().getTimezoneOffset() * 60000).toISOString().slice(0, 16) : '');
const fromLocalInput = (v) => (v ? Math.floor(new Date(v).getTime() / 1000) : null);

function formFromKey(k) {
  return {
    name: k?.name ?? '',
    group: k?.group ?? 'openai',
    quota_usd: k?.quota_usd ?? '',
    expires: toLocalInput(k?.expires_at),
    models: (k?.models ?? []).join(', '),
    rpm: k?.limits?.rpm ?? '',
    tpm: k?.limits?.tpm ?? '',
    concurrency: k?.limits?.concurrency ?? '',
    enabled: k?.enabled ?? true,
  };
}

function bodyFromForm(f) {
  return {
    group: f.group,
    quota_usd: numOrNull(f.quota_usd),
    expires_at: fromLocalInput(f.expires),
    models: splitList(f.models),
    limits: { rpm: intOrNull(f.rpm), tpm: intOrNull(f.tpm), concurrency: intOrNull(f.concurrency) },
    enabled: f.enabled,
  };
}

function KeyForm({ existing, groups, onDone, onClose }) {
  const [form, set] = useState(formFromKey(existing));
  const [error, setError] = useState(null);
  const [secret, setSecret] = useState(null);
  const [copied, setCopied] = useState(false);
  const submit = async (e) => {
    e.preventDefault();
    setError(null);
    try {
      if (existing) {
        await patch(`keys/${enc(existing.name)}`, bodyFromForm(form));
        onDone();
      } else {
        const body = { name: form.name.trim(), ...bodyFromForm(form) };
        if (body.quota_usd == null) delete body.quota_usd;
        if (body.expires_at == null) delete body.expires_at;
        const r = await post('keys', body);
        setSecret(r.secret);
      }
    } catch (err) { setError(err); }
  };
  if (secret) {
    return html`<${Modal} title="Key created" onClose=${onDone}>
      <p>Copy the secret now: it is shown <strong>only once</strong>.</p>
      <pre data-testid="new-secret">${secret}</pre>
      <div class="actions">
        <button type="button" class="primary" onClick=${async () => setCopied(await copyText(secret))}>${copied ? 'Copied' : 'Copy'}</button>
        <a href="/setup">Set up a client with it</a>
        <button type="button" onClick=${onDone}>Done</button>
      </div>
    </${Modal}>`;
  }
  return html`<${Modal} title=${existing ? `Edit key ${existing.name}` : 'New key'} onClose=${onClose}>
    <form onSubmit=${submit}>
      <div class="form-grid">
        ${!existing && html`<${Input} form=${form} set=${set} name="name" label="Name" required />`}
        <label>Group
          <select name="group" value=${form.group} onChange=${(e) => set({ ...form, group: e.currentTarget.value })}>
            ${['auto', ...groups].map((g) => html`<option value=${g}>${g}</option>`)}
          </select>
        </label>
        <${Input} form=${form} set=${set} name="quota_usd" label="Quota (USD)" type="number" step="0.01" min="0" hint="empty = unlimited" />
        <${Input} form=${form} set=${set} name="expires" label="Expires" type="datetime-local" hint="empty = never" />
        <${Input} form=${form} set=${set} name="rpm" label="Requests / minute" type="number" min="1" />
        <${Input} form=${form} set=${set} name="tpm" label="Tokens / minute" type="number" min="1" />
        <${Input} form=${form} set=${set} name="concurrency" label="Concurrent requests" type="number" min="1" />
      </div>
      <label style="margin-top: .7rem">Allowed models (comma separated; empty = every model of the group)
        <textarea name="models" rows="2" value=${form.models} onInput=${(e) => set({ ...form, models: e.currentTarget.value })}></textarea>
      </label>
      <div style="margin-top: .7rem"><${Check} form=${form} set=${set} name="enabled" label="Enabled" /></div>
      <${ErrorNote} error=${error} />
      <div class="actions">
        <button class="primary" type="submit">${existing ? 'Save' : 'Create key'}</button>
        <button type="button" onClick=${onClose}>Cancel</button>
      </div>
    </form>
  </${Modal}>`;
}

export function Keys() {
  const { data, error, reload } = useLoad(async () => {
    const [keys, groups, usage] = await Promise.all([
      get('keys'), get('groups'), get('usage?by=key').catch(() => ({ rows: [] })),
    ]);
    return { keys: keys.keys, groups: groups.groups.map((g) => g.name), usage: usage.rows ?? [] };
  });
  const [editing, setEditing] = useState(null); // null | 'new' | key
  const [actionError, setActionError] = useState(null);
  const act = async (fn) => {
    setActionError(null);
    try { await fn(); reload(); } catch (e) { setActionError(e); }
  };
  const usageOf = (name) => data?.usage.find((r) => r.bucket === name);
  return html`
    <div class="row" style="justify-content: space-between; align-items: center">
      <h1>Keys</h1>
      <button class="primary" type="button" onClick=${() => setEditing('new')}>New key</button>
    </div>
    <${ErrorNote} error=${error || actionError} />
    <div class="panel table-wrap"><table>
      <thead><tr>
        <th scope="col">Name</th><th scope="col">Group</th><th scope="col" class="num">Used / quota</th>
        <th scope="col" class="num">Requests</th><th scope="col" class="num">Tokens</th>
        <th scope="col">Models</th><th scope="col">Limits</th><th scope="col">Expires</th><th scope="col">State</th><th scope="col">Actions</th>
      </tr></thead>
      <tbody>${(data?.keys ?? []).map((k) => {
        const u = usageOf(k.name);
        return html`<tr data-key=${k.name}>
          <td><strong>${k.name}</strong><br /><code class="muted">${k.prefix}…</code></td>
          <td>${k.group}</td>
          <td class="num">${usd(k.used_usd)} / ${k.quota_usd == null ? '∞' : usd(k.quota_usd)}</td>
          <td class="num">${num(u?.requests ?? 0)}</td>
          <td class="num">${num((u?.input_tokens ?? 0) + (u?.output_tokens ?? 0))}</td>
          <td>${list(k.models)}</td>
          <td class="muted">${['rpm', 'tpm', 'concurrency'].filter((f) => k.limits?.[f] != null).map((f) => `${f} ${k.limits[f]}`).join(', ') || '—'}</td>
          <td>${k.expires_at ? new Date(k.expires_at * 1000).toLocaleString() : 'never'}</td>
          <td>${k.enabled ? html`<span class="badge ok">enabled</span>` : html`<span class="badge muted">disabled</span>`}</td>
          <td><div class="row">
            <button type="button" onClick=${() => setEditing(k)}>Edit</button>
            <button type="button" onClick=${() => act(() => patch(`keys/${enc(k.name)}`, { enabled: !k.enabled }))}>${k.enabled ? 'Disable' : 'Enable'}</button>
            <a href=${`#/logs?key=${enc(k.name)}`}>Usage</a>
            <button type="button" class="danger" onClick=${() => confirm(`Revoke key ${k.name}? It stops working within a second.`) && act(() => del(`keys/${enc(k.name)}`))}>Revoke</button>
          </div></td>
        </tr>`;
      })}</tbody>
    </table>
    ${data && !data.keys.length && html`<p class="muted">No keys yet.</p>`}
    </div>
    ${editing && html`<${KeyForm} existing=${editing === 'new' ? null : editing} groups=${data?.groups ?? []}
      onClose=${() => setEditing(null)} onDone=${() => { setEditing(null); reload(); }} />`}`;
}
