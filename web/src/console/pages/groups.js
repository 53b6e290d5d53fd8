// Groups (endpoints, ratio, limits), the auto-group order and free-model
// setting, and model prices.
import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import { del, enc, get, patch, put } from '../api.js';
import { t } from '../../shared/i18n/index.js';
import { ErrorNote, Input, intOrNull, mapToText, Modal, numOrNull, textToMap, useLoad } from '../ui.js';

const ENDPOINTS = ['chat', 'responses', 'messages', 'gemini', 'images'];
const PRICE_FIELDS = [
  ['input', () => t('groups.priceInput')], ['output', () => t('groups.priceOutput')], ['cache_read', () => t('groups.priceCacheRead')],
  ['cache_write', () => t('groups.priceCacheWrite')], ['per_call', () => t('groups.pricePerCall')], ['per_image', () => t('groups.pricePerImage')],
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
  return html`<${Modal} title=${existing ? t('groups.editTitle', { name: existing.name }) : t('groups.new')} onClose=${onClose}>
    <form onSubmit=${submit}>
      <div class="form-grid">
        ${!existing && html`<${Input} form=${form} set=${set} name="name" label=${t('common.name')} required />`}
        <${Input} form=${form} set=${set} name="ratio" label=${t('groups.ratio')} type="number" step="0.01" min="0" hint=${t('groups.ratioHint')} />
        <${Input} form=${form} set=${set} name="rpm" label=${t('common.rpm')} type="number" min="1" />
        <${Input} form=${form} set=${set} name="tpm" label=${t('common.tpm')} type="number" min="1" />
        <${Input} form=${form} set=${set} name="concurrency" label=${t('common.concurrency')} type="number" min="1" />
      </div>
      <fieldset style="margin-top: .7rem; border: 1px solid var(--border); border-radius: 6px">
        <legend>${t('groups.endpointsLegend')}</legend>
        <div class="row">${ENDPOINTS.map((ep) => html`<label class="check"><input type="checkbox" name=${`ep-${ep}`}
          checked=${form.endpoints.includes(ep)} onChange=${() => toggle(ep)} /> ${ep}</label>`)}</div>
      </fieldset>
      <${ErrorNote} error=${error} />
      <div class="actions"><button class="primary" type="submit">${t('common.save')}</button><button type="button" onClick=${onClose}>${t('common.cancel')}</button></div>
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
  return html`<${Modal} title=${existing ? t('groups.priceOf', { model: existing.model }) : t('groups.newPrice')} onClose=${onClose}>
    <form onSubmit=${submit}>
      <div class="form-grid">
        ${!existing && html`<${Input} form=${form} set=${set} name="model" label=${t('channels.model')} required />`}
        ${PRICE_FIELDS.map(([k, label]) => html`<${Input} form=${form} set=${set} name=${k} label=${t('groups.usd', { label: label() })} type="number" step="any" min="0" />`)}
      </div>
      <label style="margin-top: .7rem">${t('groups.imagePrices')}
        <textarea name="image_prices" rows="3" placeholder="1024x1024/high = 0.167" value=${form.image_prices} onInput=${(e) => set({ ...form, image_prices: e.currentTarget.value })}></textarea>
      </label>
      <${ErrorNote} error=${error} />
      <div class="actions"><button class="primary" type="submit">${t('common.save')}</button><button type="button" onClick=${onClose}>${t('common.cancel')}</button></div>
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
    <h2 style="margin-top: 0">${t('groups.autoTitle')}</h2>
    <p class="muted">${t('groups.autoHint')}</p>
    <ol>${order.map((g, i) => html`<li><span style="display: inline-block; min-width: 12rem">${g}</span>
      <button type="button" aria-label=${t('groups.moveUp', { name: g })} disabled=${i === 0} onClick=${() => move(i, -1)}>↑</button>
      <button type="button" aria-label=${t('groups.moveDown', { name: g })} disabled=${i === order.length - 1} onClick=${() => move(i, 1)}>↓</button>
      <button type="button" aria-label=${t('groups.removeNamed', { name: g })} onClick=${() => setOrder(order.filter((x) => x !== g))}>✕</button></li>`)}</ol>
    ${unused.length > 0 && html`<label>${t('groups.addGroup')}
      <select onChange=${(e) => { if (e.currentTarget.value) setOrder([...order, e.currentTarget.value]); e.currentTarget.value = ''; }}>
        <option value="">—</option>${unused.map((g) => html`<option value=${g}>${g}</option>`)}
      </select></label>`}
    <label class="check" style="margin-top: .7rem"><input type="checkbox" checked=${free} onChange=${(e) => setFree(e.currentTarget.checked)} />
      ${t('groups.allowFree')}</label>
    <${ErrorNote} error=${error} />
    <div class="actions"><button class="primary" type="button" onClick=${save}>${t('groups.saveSettings')}</button>${saved && html`<span class="ok" role="status">${t('groups.saved')}</span>`}</div>
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
    <h1>${t('nav.groups')}</h1>
    <${ErrorNote} error=${error || actionError} />
    <div class="panel">
      <div class="row" style="justify-content: space-between; align-items: center">
        <h2 style="margin: 0">${t('groups.title')}</h2><button type="button" class="primary" onClick=${() => setEditGroup('new')}>${t('groups.new')}</button>
      </div>
      <div class="table-wrap"><table class="cards">
        <thead><tr><th scope="col">${t('common.name')}</th><th scope="col">${t('groups.endpoints')}</th><th scope="col" class="num">${t('groups.ratioCol')}</th><th scope="col">${t('keys.limits')}</th><th scope="col">${t('common.actions')}</th></tr></thead>
        <tbody>${(data?.groups ?? []).map((g) => html`<tr data-group=${g.name}>
          <td data-label=${t('common.name')}><strong>${g.name}</strong></td><td data-label=${t('groups.endpoints')}>${g.endpoints.join(', ')}</td><td class="num" data-label=${t('groups.ratioCol')}>${g.ratio}</td>
          <td class="muted" data-label=${t('keys.limits')}>${['rpm', 'tpm', 'concurrency'].filter((f) => g.limits?.[f] != null).map((f) => `${f} ${g.limits[f]}`).join(', ') || '—'}</td>
          <td data-label=${t('common.actions')}><div class="row"><button type="button" onClick=${() => setEditGroup(g)}>${t('common.edit')}</button>
            <button type="button" class="danger" onClick=${() => confirm(t('groups.deleteConfirm', { name: g.name })) && act(() => del(`groups/${enc(g.name)}`))}>${t('common.delete')}</button></div></td>
        </tr>`)}</tbody>
      </table></div>
    </div>
    ${data && html`<${AutoSettings} settings=${data.settings} groups=${data.groups.map((g) => g.name)} onSaved=${reload} />`}
    <div class="panel">
      <div class="row" style="justify-content: space-between; align-items: center">
        <h2 style="margin: 0">${t('groups.prices')}</h2><button type="button" class="primary" onClick=${() => setEditPrice('new')}>${t('groups.newPrice')}</button>
      </div>
      <div class="table-wrap"><table class="cards">
        <thead><tr><th scope="col">${t('channels.model')}</th>${PRICE_FIELDS.map(([, l]) => html`<th scope="col" class="num">${l()}</th>`)}<th scope="col">${t('common.actions')}</th></tr></thead>
        <tbody>${(data?.prices ?? []).map((p) => html`<tr>
          <td data-label=${t('channels.model')}><strong>${p.model}</strong></td>${PRICE_FIELDS.map(([k, l]) => html`<td class="num" data-label=${l()}>${p[k] ?? 0}</td>`)}
          <td data-label=${t('common.actions')}><div class="row"><button type="button" onClick=${() => setEditPrice(p)}>${t('common.edit')}</button>
            <button type="button" class="danger" onClick=${() => confirm(t('groups.deletePriceConfirm', { model: p.model })) && act(() => del(`prices/${enc(p.model)}`))}>${t('common.delete')}</button></div></td>
        </tr>`)}</tbody>
      </table></div>
    </div>
    ${editGroup && html`<${GroupForm} existing=${editGroup === 'new' ? null : editGroup} onClose=${() => setEditGroup(null)} onDone=${done} />`}
    ${editPrice && html`<${PriceForm} existing=${editPrice === 'new' ? null : editPrice} onClose=${() => setEditPrice(null)} onDone=${done} />`}`;
}
