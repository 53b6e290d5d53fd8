// /setup: how to point each client at this gateway. Everything is computed in
// the page: the pasted key never leaves it, except to this gateway's /v1 when
// "Check my key" is pressed.
import '../shared/style.css';
import { html } from 'htm/preact';
import { useEffect, useState } from 'preact/hooks';
import { mount, TopBar } from '../shared/chrome.js';
import { CheckKey } from '../shared/checkkey.js';
import { t, tx } from '../shared/i18n/index.js';
import doc from '../clients.json';
import { fill, findClient, localized, normalizeRoot, renderClient } from './render.js';

function CopyButton({ text, label }) {
  const [done, setDone] = useState(false);
  const copy = async () => {
    try { await navigator.clipboard.writeText(text); setDone(true); setTimeout(() => setDone(false), 1500); } catch { setDone(false); }
  };
  return html`<button type="button" onClick=${copy}>${done ? t('common.copied') : label ?? t('common.copy')}</button>`;
}

const groupList = (groups) => groups.map((g, i) => html`${i ? ', ' : ''}<code>${g}</code>`);

function ClientView({ client, values }) {
  const r = renderClient(client, values);
  return html`<section class="panel" aria-labelledby=${`c-${client.id}`} data-client=${client.id}>
    <h2 id=${`c-${client.id}`} style="margin-top: 0">${r.name}</h2>
    <ul>
      <li>${tx('setup.protocolLine', { protocol: html`<strong>${r.protocol}</strong>`, endpoint: html`<code>${client.endpoint}</code>` })}</li>
      <li>${tx('setup.baseUrlLine', { url: html`<code data-testid="base-url">${r.baseUrl}</code>` })} ${client.base === 'v1' ? t('setup.withV1') : t('setup.withoutV1')}</li>
      <li>${tx('setup.servedByLine', { endpoint: html`<code>${client.endpoint}</code>`, groups: groupList(client.groups) })}</li>
    </ul>
    ${r.files.map((f) => html`<div>
      <div class="row" style="justify-content: space-between; align-items: center">
        <h3>${f.title}${f.path ? html` <code class="muted">${f.path}</code>` : null}</h3>
        <${CopyButton} text=${f.text} />
      </div>
      <pre data-lang=${f.lang} tabindex="0">${f.text}</pre>
    </div>`)}
    ${r.notes.length > 0 && html`<h3>${t('setup.notes')}</h3><ul>${r.notes.map((n) => html`<li>${n}</li>`)}</ul>`}
    <details>
      <summary>${tx('setup.plainText', { cmd: html`<code>aiohub client-config ${client.id}</code>` })}</summary>
      <pre data-testid="plain-text" tabindex="0">${r.text}</pre>
      <${CopyButton} text=${r.text} label=${t('setup.copyAll')} />
    </details>
  </section>`;
}

// Client -> protocol -> base URL -> groups, for every client at once.
function QuickReference({ root, onPick }) {
  const r = normalizeRoot(root);
  return html`<section class="panel" aria-labelledby="quick-h">
    <h2 id="quick-h" style="margin-top: 0">${t('setup.quickTitle')}</h2>
    <div class="table-wrap"><table class="cards" data-testid="quick-reference">
      <thead><tr><th scope="col">${t('setup.colClient')}</th><th scope="col">${t('setup.colProtocol')}</th>
        <th scope="col">${t('setup.colBaseUrl')}</th><th scope="col">${t('setup.colGroups')}</th></tr></thead>
      <tbody>${doc.clients.map((entry) => {
        const c = localized(entry);
        return html`<tr data-quick=${c.id}>
          <td data-label=${t('setup.colClient')}>${c.name}<br /><a href=${`#${c.id}`} onClick=${() => onPick(c.id)}><code>${c.id}</code></a></td>
          <td data-label=${t('setup.colProtocol')}>${c.protocol}</td>
          <td data-label=${t('setup.colBaseUrl')}><code>${c.base === 'v1' ? `${r}/v1` : r}</code></td>
          <td data-label=${t('setup.colGroups')}>${groupList(c.groups)}</td>
        </tr>`;
      })}</tbody>
    </table></div>
  </section>`;
}

function Setup() {
  const [root, setRoot] = useState(location.origin);
  const [key, setKey] = useState('');
  const [model, setModel] = useState('');
  const [show, setShow] = useState(false);
  // /setup#codex (or an alias: #cline) opens that client; the choice is kept in the address.
  const fromHash = () => findClient(doc.clients, decodeURIComponent(location.hash.slice(1)))?.id ?? doc.clients[0].id;
  const [selected, select] = useState(fromHash);
  const setSelected = (id) => { select(id); history.replaceState(null, '', `#${id}`); };
  useEffect(() => {
    const onHash = () => select(fromHash());
    addEventListener('hashchange', onHash);
    return () => removeEventListener('hashchange', onHash);
  }, []);
  useEffect(() => { document.title = t('setup.docTitle'); });
  const client = doc.clients.find((c) => c.id === selected);
  const values = { root, key: key.trim(), model: model.trim() };
  return html`
    <${TopBar} brand=${t('setup.brand')} current="/setup" />
    <main id="main" tabindex="-1">
      <h1>${t('setup.title')}</h1>
      <form class="panel" onSubmit=${(e) => e.preventDefault()} aria-label=${t('setup.details')}>
        <div class="form-grid">
          <label>${t('setup.address')}
            <input name="root" value=${root} onInput=${(e) => setRoot(e.currentTarget.value)} />
          </label>
          <label>${t('setup.key')}
            <input name="key" type=${show ? 'text' : 'password'} autocomplete="off" spellcheck="false" placeholder="sk-..."
              value=${key} onInput=${(e) => setKey(e.currentTarget.value)} />
            <small class="muted">${t('setup.keyStays')}</small>
          </label>
          <label>${t('setup.model')}
            <input name="model" placeholder=${client.default_model} value=${model} onInput=${(e) => setModel(e.currentTarget.value)} />
          </label>
        </div>
        <label class="check" style="margin-top: .5rem"><input type="checkbox" checked=${show} onChange=${(e) => setShow(e.currentTarget.checked)} /> ${t('setup.showKey')}</label>
      </form>
      <${CheckKey} apiKey=${key.trim()} />
      <p>${tx('setup.tryIt', { chat: html`<a href="/playground/chat">${t('nav.chat')}</a>`, images: html`<a href="/playground/images">/playground/images</a>` })}</p>
      <div class="row client-row">
        <nav class="client-picker" aria-label=${t('setup.clients')}>
          <ul style="list-style: none; padding: 0; margin: 0; display: grid; gap: .3rem">
            ${doc.clients.map((c) => html`<li><button type="button" style="width: 100%; text-align: left"
              class=${c.id === selected ? 'primary' : ''} aria-pressed=${c.id === selected} onClick=${() => setSelected(c.id)}>${localized(c).name}</button></li>`)}
          </ul>
        </nav>
        <div style="flex: 1; min-width: 0"><${ClientView} client=${client} values=${values} /></div>
      </div>
      <${QuickReference} root=${root} onPick=${select} />
      <section class="panel" aria-labelledby="trouble">
        <h2 id="trouble" style="margin-top: 0">${t('setup.trouble')}</h2>
        <dl>${doc.troubleshooting.map((entry) => {
          const tr = localized(entry);
          return html`<dt><strong>${tr.symptom}</strong></dt><dd style="margin: .2rem 0 .8rem 1rem">${fill(tr.answer, values)}</dd>`;
        })}</dl>
      </section>
    </main>`;
}

mount(Setup);
