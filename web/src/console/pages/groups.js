// Groups (endpoints, ratio, limits), the auto-group order and free-model
// setting, and model prices.
import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import { del, enc, get, patch, put } from '../api.js';
import { ErrorNote, Input, intOrNull, mapToText, Modal, numOrNull, textToMap, useLoad } from '../ui.js';

const ENDPOINTS = ['chat', 'responses', 'messages', 'gemini', 'images'];
const PRICE_FIELDS = [
  ['input', 'Input / 1M tokens'], ['output', 'Output / 1M tokens'], ['cache_read', 'Cache read / 1M'],
  ['cache_write', 'Cache write / 1M'], ['per_call', 'Per call'], ['per_image', 'Per image'],
];

function GroupForm({ existing, onDone, onClose }) {
  const [form, set] = useState({
    name: existing?.name ?? '', endpoints: existing?.endpoints ?? ['chat', 'responses', 'messages', 'gemini'],
    ratio: existing?.ratio ?? 1, rpm: existing?.limits?.rpm ?? '', tpm: existing?.limits?.tpm ?? '',
    concurrency: existing?.limits?.concurrency ?? '',
  });
  const [error, setError] = useState(null);
  const toggle = (ep) => set({ ...form, endpoints: form.endpoints.includes(ep) ? form.endpoints.filter((x) => x !== ep) : [...form.endpoints, ep] });
  const submit = async (e) => {
    e.preventDefault();
    try {
      await put(`groups/${enc(form.name.trim())}`, {
        endpoints: form.endpoints, ratio: Number(form.ratio),
        limits: { rpm: intOrNull(form.rpm), tpm: intOrNull(form.tpm), concurrency: intOrNull(form.concurrency) },
      });
      onDone();
    } catch (err) { setError(err); }
  };
  return html`<${Modal} title=${existing ? `Edit group ${existing.name}` : 'New group'} onClose=${onClose}>
    <form onSubmit=${submit}>
      <div class="form-grid">
        ${!existing && html`<${Input} form=${form} set=${set} name="name" label="Name" required />`}
        <${Input} form=${form} set=${set} name="ratio" label="Price ratio" type="number" step="0.01" min="0" hint="multiplies model prices" />
        <${Input} form=${form} set=${set} name="rpm" label="Requests / minute" type="number" min="1" />
        <${Input} form=${form} set=${set} name="tpm" label="Tokens / minute" type="number" min="1" />
        <${Input} form=${form} set=${set} name="concurrency" label="Concurrent requests" type="number" min="1" />
      </div>
      <fieldset style="margin-top: .7rem; border: 1px solid var(--border); border-radius: 6px">
        <legend>Client protocols (endpoints) this group answers</legend>
        <div class="row">${ENDPOINTS.map((ep) => html`<label class="check"><input type="checkbox" name=${`ep-${ep}`}
          checked=${form.endpoints.includes(ep)} onChange=${() => toggle(ep)} /> ${ep}</label>`)}</div>
      </fieldset>
      <${ErrorNote} error=${error} />
      <div class="actions"><button class="primary" type="submit">Save</button><button type="button" onClick=${onClose}>Cancel</button></div>
    </form>
  </${Modal}>`;
}

function PriceForm({ existing, onDone, onClose }) {
  const [form, set] = useState(() => {
    const f = { model: existing?.model ?? '' };
    for (const [k] of PRICE_FIELDS) f[k] = existing?.[k] ?? '';
    f.image_prices = mapToText(existing?.image_prices);
    return f;
  });
  const [error, setError] = useState(null);
  const submit = async (e) => {
    e.preventDefault();
    const body = {};
    for (const [k] of PRICE_FIELDS) body[k] = numOrNull(form[k]) ?? 0;
    // A value that is not a number goes up as null: the API names the field.
    body.image_prices = Object.fromEntries(Object.entries(textToMap(form.image_prices)).map(([k, v]) => [k, numOrNull(v)]));
    try { await put(`prices/${enc(form.model.trim())}`, body); onDone(); } catch (err) { setError(err); }
  };
  return html`<${Modal} title=${existing ? `Price of ${existing.model}` : 'New price'} onClose=${onClose}>
    <form onSubmit=${submit}>
      <div class="form-grid">
        ${!existing && html`<${Input} form=${form} set=${set} name="model" label="Model" required />`}
        ${PRICE_FIELDS.map(([k, label]) => html`<${Input} form=${form} set=${set} name=${k} label=${`${label} (USD)`} type="number" step="any" min="0" />`)}
      </div>
      <label style="margin-top: .7rem">Image prices (one "SIZE/QUALITY = USD" or "SIZE = USD" a line; ahead of the per-image price)
        <textarea name="image_prices" rows="3" placeholder="1024x1024/high = 0.167" value=${form.image_prices} onInput=${(e) => set({ ...form, image_prices: e.currentTarget.value })}></textarea>
      </label>
      <${ErrorNote} error=${error} />
      <div class="actions"><button class="primary" type="submit">Save</button><button type="button" onClick=${onClose}>Cancel</button></div>
    </form>
  </${Modal}>`;
}

function AutoSettings({ settings, groups, onSaved }) {
  const [order, setOrder] = useState(settings.auto_groups ?? []);
  const [free, setFree] = useState(!!settings.allow_free_models);
  const [error, setError] = useState(null);
  const [saved, setSaved] = useState(false);
  const move = (i, d) => {
    const next = [...order];
    [next[i], next[i + d]] = [next[i + d], next[i]];
    setOrder(next);
  };
  const save = async () => {
    setError(null);
    try { await patch('settings', { auto_groups: order, allow_free_models: free }); setSaved(true); onSaved(); } catch (e) { setError(e); }
  };
  const unused = groups.filter((g) => !order.includes(g));
  return html`<div class="panel">
    <h2 style="margin-top: 0">Auto group order</h2>
    <p class="muted">Keys in group <code>auto</code> are routed over these groups, first to last.</p>
    <ol>${order.map((g, i) => html`<li><span style="display: inline-block; min-width: 12rem">${g}</span>
      <button type="button" aria-label=${`Move ${g} up`} disabled=${i === 0} onClick=${() => move(i, -1)}>↑</button>
      <button type="button" aria-label=${`Move ${g} down`} disabled=${i === order.length - 1} onClick=${() => move(i, 1)}>↓</button>
      <button type="button" aria-label=${`Remove ${g}`} onClick=${() => setOrder(order.filter((x) => x !== g))}>✕</button></li>`)}</ol>
    ${unused.length > 0 && html`<label>Add a group
      <select onChange=${(e) => { if (e.currentTarget.value) setOrder([...order, e.currentTarget.value]); e.currentTarget.value = ''; }}>
        <option value="">—</option>${unused.map((g) => html`<option value=${g}>${g}</option>`)}
      </select></label>`}
    <label class="check" style="margin-top: .7rem"><input type="checkbox" checked=${free} onChange=${(e) => setFree(e.currentTarget.checked)} />
      Allow models without a price (served free)</label>
    <${ErrorNote} error=${error} />
    <div class="actions"><button class="primary" type="button" onClick=${save}>Save settings</button>${saved && html`<span class="ok" role="status">Saved</span>`}</div>
  </div>`;
}

export function Groups() {
  const { data, error, reload } = useLoad(async () => {
    const [g, p, s] = await Promise.all([get('groups'), get('prices'), get('settings')]);
    return { groups: g.groups, prices: p.prices, settings: s };
  });
  const [editGroup, setEditGroup] = useState(null);
  const [editPrice, setEditPrice] = useState(null);
  const [actionError, setActionError] = useState(null);
  const act = async (fn) => { setActionError(null); try { await fn(); reload(); } catch (e) { setActionError(e); } };
  const done = () => { setEditGroup(null); setEditPrice(null); reload(); };
  return html`
    <h1>Groups & prices</h1>
    <${ErrorNote} error=${error || actionError} />
    <div class="panel">
      <div class="row" style="justify-content: space-between; align-items: center">
        <h2 style="margin: 0">Groups</h2><button type="button" class="primary" onClick=${() => setEditGroup('new')}>New group</button>
      </div>
      <div class="table-wrap"><table>
        <thead><tr><th scope="col">Name</th><th scope="col">Endpoints</th><th scope="col" class="num">Ratio</th><th scope="col">Limits</th><th scope="col">Actions</th></tr></thead>
        <tbody>${(data?.groups ?? []).map((g) => html`<tr data-group=${g.name}>
          <td><strong>${g.name}</strong></td><td>${g.endpoints.join(', ')}</td><td class="num">${g.ratio}</td>
          <td class="muted">${['rpm', 'tpm', 'concurrency'].filter((f) => g.limits?.[f] != null).map((f) => `${f} ${g.limits[f]}`).join(', ') || '—'}</td>
          <td><div class="row"><button type="button" onClick=${() => setEditGroup(g)}>Edit</button>
            <button type="button" class="danger" onClick=${() => confirm(`Delete group ${g.name}?`) && act(() => del(`groups/${enc(g.name)}`))}>Delete</button></div></td>
        </tr>`)}</tbody>
      </table></div>
    </div>
    ${data && html`<${AutoSettings} settings=${data.settings} groups=${data.groups.map((g) => g.name)} onSaved=${reload} />`}
    <div class="panel">
      <div class="row" style="justify-content: space-between; align-items: center">
        <h2 style="margin: 0">Model prices (USD)</h2><button type="button" class="primary" onClick=${() => setEditPrice('new')}>New price</button>
      </div>
      <div class="table-wrap"><table>
        <thead><tr><th scope="col">Model</th>${PRICE_FIELDS.map(([, l]) => html`<th scope="col" class="num">${l}</th>`)}<th scope="col">Actions</th></tr></thead>
        <tbody>${(data?.prices ?? []).map((p) => html`<tr>
          <td><strong>${p.model}</strong></td>${PRICE_FIELDS.map(([k]) => html`<td class="num">${p[k] ?? 0}</td>`)}
          <td><div class="row"><button type="button" onClick=${() => setEditPrice(p)}>Edit</button>
            <button type="button" class="danger" onClick=${() => confirm(`Delete the price of ${p.model}?`) && act(() => del(`prices/${enc(p.model)}`))}>Delete</button></div></td>
        </tr>`)}</tbody>
      </table></div>
    </div>
    ${editGroup && html`<${GroupForm} existing=${editGroup === 'new' ? null : editGroup} onClose=${() => setEditGroup(null)} onDone=${done} />`}
    ${editPrice && html`<${PriceForm} existing=${editPrice === 'new' ? null : editPrice} onClose=${() => setEditPrice(null)} onDone=${done} />`}`;
}
