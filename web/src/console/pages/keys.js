// Keys: create (the secret is shown once), edit, enable/disable, revoke, usage.
import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import { del, enc, get, patch, post } from '../api.js';
import { t, tx } from '../../shared/i18n/index.js';
import {
  Check, copyText, ErrorNote, Input, intOrNull, list, Modal, num, numOrNull, splitList, usd, useLoad, when,
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

// The groups no enabled channel serves yet; `auto` when none of its groups is served.
export function unservedGroups(groups, channels, autoGroups) {
  const served = new Set(channels.filter((c) => c.enabled).flatMap((c) => c.groups ?? []));
  const out = new Set(groups.filter((g) => !served.has(g)));
  if (!(autoGroups ?? []).some((g) => served.has(g))) out.add('auto');
  return out;
}

function KeyForm({ existing, groups, unserved, onDone, onClose }) {
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
    return html`<${Modal} title=${t('keys.created')} onClose=${onDone}>
      <p>${tx('keys.copyNow', { once: html`<strong>${t('keys.onlyOnce')}</strong>` })}</p>
      <pre data-testid="new-secret">${secret}</pre>
      <div class="actions">
        <button type="button" class="primary" onClick=${async () => setCopied(await copyText(secret))}>${copied ? t('common.copied') : t('common.copy')}</button>
        <a href="/setup">${t('keys.setUpClient')}</a>
        <a href="/playground/chat">${t('keys.tryChat')}</a>
        <button type="button" onClick=${onDone}>${t('common.done')}</button>
      </div>
    </${Modal}>`;
  }
  const all = ['auto', ...groups];
  return html`<${Modal} title=${existing ? t('keys.editTitle', { name: existing.name }) : t('keys.new')} onClose=${onClose}>
    <form onSubmit=${submit}>
      <div class="form-grid">
        ${!existing && html`<${Input} form=${form} set=${set} name="name" label=${t('common.name')} required />`}
        <label>${t('keys.group')}
          <select name="group" value=${form.group} aria-describedby="group-note" onChange=${(e) => set({ ...form, group: e.currentTarget.value })}>
            ${all.map((g) => html`<option value=${g}>${unserved.has(g) ? t('keys.groupNoChannel', { group: g }) : g}</option>`)}
          </select>
          <small id="group-note" class=${unserved.has(form.group) ? 'warn' : 'muted'} data-testid="group-note">${unserved.has(form.group)
            ? t('keys.groupUnserved', { group: form.group }) : t('keys.groupServed')}</small>
        </label>
        <${Input} form=${form} set=${set} name="quota_usd" label=${t('keys.quota')} type="number" step="0.01" min="0" hint=${t('keys.quotaHint')} />
        <${Input} form=${form} set=${set} name="expires" label=${t('keys.expires')} type="datetime-local" hint=${t('keys.expiresHint')} />
        <${Input} form=${form} set=${set} name="rpm" label=${t('common.rpm')} type="number" min="1" />
        <${Input} form=${form} set=${set} name="tpm" label=${t('common.tpm')} type="number" min="1" />
        <${Input} form=${form} set=${set} name="concurrency" label=${t('common.concurrency')} type="number" min="1" />
      </div>
      ${unserved.size > 0 && html`<p class="muted small" data-testid="unserved-groups">${t('keys.unservedList', { groups: [...unserved].join(', ') })}</p>`}
      <label style="margin-top: .7rem">${t('keys.models')}
        <textarea name="models" rows="2" value=${form.models} onInput=${(e) => set({ ...form, models: e.currentTarget.value })}></textarea>
      </label>
      <div style="margin-top: .7rem"><${Check} form=${form} set=${set} name="enabled" label=${t('common.enabled')} /></div>
      <${ErrorNote} error=${error} />
      <div class="actions">
        <button class="primary" type="submit">${existing ? t('common.save') : t('keys.create')}</button>
        <button type="button" onClick=${onClose}>${t('common.cancel')}</button>
      </div>
    </form>
  </${Modal}>`;
}

export function Keys() {
  const { data, error, reload } = useLoad(async () => {
    const [keys, groups, usage, channels, settings] = await Promise.all([
      get('keys'), get('groups'), get('usage?by=key').catch(() => ({ rows: [] })),
      get('channels').catch(() => ({ channels: [] })), get('settings').catch(() => ({ auto_groups: [] })),
    ]);
    const names = groups.groups.map((g) => g.name);
    return {
      keys: keys.keys, groups: names, usage: usage.rows ?? [],
      unserved: unservedGroups(names, channels.channels, settings.auto_groups),
    };
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
      <h1>${t('nav.keys')}</h1>
      <button class="primary" type="button" onClick=${() => setEditing('new')}>${t('keys.new')}</button>
    </div>
    <${ErrorNote} error=${error || actionError} />
    <div class="panel table-wrap"><table class="cards">
      <thead><tr>
        <th scope="col">${t('common.name')}</th><th scope="col">${t('keys.group')}</th><th scope="col" class="num">${t('keys.usedQuota')}</th>
        <th scope="col" class="num">${t('dash.requests')}</th><th scope="col" class="num">${t('dash.tokens')}</th>
        <th scope="col">${t('keys.modelsCol')}</th><th scope="col">${t('keys.limits')}</th><th scope="col">${t('keys.expires')}</th><th scope="col">${t('keys.state')}</th><th scope="col">${t('common.actions')}</th>
      </tr></thead>
      <tbody>${(data?.keys ?? []).map((k) => {
        const u = usageOf(k.name);
        return html`<tr data-key=${k.name}>
          <td data-label=${t('common.name')}><span><strong>${k.name}</strong><br /><code class="muted">${k.prefix}…</code></span></td>
          <td data-label=${t('keys.group')}>${k.group}${data.unserved.has(k.group) ? html` <span class="badge warn">${t('keys.noChannelBadge')}</span>` : null}</td>
          <td class="num" data-label=${t('keys.usedQuota')}>${usd(k.used_usd)} / ${k.quota_usd == null ? '∞' : usd(k.quota_usd)}</td>
          <td class="num" data-label=${t('dash.requests')}>${num(u?.requests ?? 0)}</td>
          <td class="num" data-label=${t('dash.tokens')}>${num((u?.input_tokens ?? 0) + (u?.output_tokens ?? 0))}</td>
          <td data-label=${t('keys.modelsCol')}>${list(k.models)}</td>
          <td class="muted" data-label=${t('keys.limits')}>${['rpm', 'tpm', 'concurrency'].filter((f) => k.limits?.[f] != null).map((f) => `${f} ${k.limits[f]}`).join(', ') || '—'}</td>
          <td data-label=${t('keys.expires')}>${k.expires_at ? when(k.expires_at * 1000) : t('keys.never')}</td>
          <td data-label=${t('keys.state')}>${k.enabled ? html`<span class="badge ok">${t('common.enabledState')}</span>` : html`<span class="badge muted">${t('common.disabledState')}</span>`}</td>
          <td data-label=${t('common.actions')}><div class="row">
            <button type="button" onClick=${() => setEditing(k)}>${t('common.edit')}</button>
            <button type="button" onClick=${() => act(() => patch(`keys/${enc(k.name)}`, { enabled: !k.enabled }))}>${k.enabled ? t('common.disable') : t('common.enable')}</button>
            <a href=${`#/logs?key=${enc(k.name)}`}>${t('keys.usage')}</a>
            <button type="button" class="danger" onClick=${() => confirm(t('keys.revokeConfirm', { name: k.name })) && act(() => del(`keys/${enc(k.name)}`))}>${t('keys.revoke')}</button>
          </div></td>
        </tr>`;
      })}</tbody>
    </table>
    ${data && !data.keys.length && html`<p class="muted">${t('keys.none')}</p>`}
    </div>
    ${editing && html`<${KeyForm} existing=${editing === 'new' ? null : editing} groups=${data?.groups ?? []} unserved=${data?.unserved ?? new Set()}
      onClose=${() => setEditing(null)} onDone=${() => { setEditing(null); reload(); }} />`}`;
}
