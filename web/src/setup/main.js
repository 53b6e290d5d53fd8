// /setup: how to point each client at this gateway. Everything is computed in
// the page: the pasted key never leaves it (no request carries it; the page
// makes no requests at all).
import '../shared/style.css';
import { html, render } from 'htm/preact';
import { useEffect, useState } from 'preact/hooks';
import { applyStoredTheme, ThemeToggle } from '../shared/theme.js';
import doc from '../clients.json';
import { fill, renderClient } from './render.js';

function CopyButton({ text, label = 'Copy' }) {
  const [done, setDone] = useState(false);
  const copy = async () => {
    try { await navigator.clipboard.writeText(text); setDone(true); setTimeout(() => setDone(false), 1500); } catch { setDone(false); }
  };
  return html`<button type="button" onClick=${copy}>${done ? 'Copied' : label}</button>`;
}

function ClientView({ client, values }) {
  const r = renderClient(client, values);
  return html`<section class="panel" aria-labelledby=${`c-${client.id}`} data-client=${client.id}>
    <h2 id=${`c-${client.id}`} style="margin-top: 0">${client.name}</h2>
    <ul>
      <li>Protocol: <strong>${client.protocol}</strong> (group endpoint <code>${client.endpoint}</code>)</li>
      <li>Base URL: <code data-testid="base-url">${r.baseUrl}</code> ${client.base === 'v1' ? '(with /v1)' : '(the gateway root, without /v1)'}</li>
      <li>Served by a key whose group allows <code>${client.endpoint}</code> and has the model — for example ${client.groups.map((g, i) => html`${i ? ', ' : ''}<code>${g}</code>`)}</li>
    </ul>
    ${r.files.map((f) => html`<div>
      <div class="row" style="justify-content: space-between; align-items: center">
        <h3>${f.title}${f.path ? html` <code class="muted">${f.path}</code>` : null}</h3>
        <${CopyButton} text=${f.text} />
      </div>
      <pre data-lang=${f.lang}>${f.text}</pre>
    </div>`)}
    ${r.notes.length > 0 && html`<h3>Notes</h3><ul>${r.notes.map((n) => html`<li>${n}</li>`)}</ul>`}
    <details>
      <summary>Plain text (the same as <code>aiohub client-config ${client.id}</code>)</summary>
      <pre data-testid="plain-text">${r.text}</pre>
      <${CopyButton} text=${r.text} label="Copy all" />
    </details>
  </section>`;
}

function Setup() {
  const [root, setRoot] = useState(location.origin);
  const [key, setKey] = useState('');
  const [model, setModel] = useState('');
  const [show, setShow] = useState(false);
  // /setup#codex opens that client; the choice is kept in the address for sharing.
  const fromHash = () => doc.clients.find((c) => `#${c.id}` === location.hash)?.id ?? doc.clients[0].id;
  const [selected, select] = useState(fromHash);
  const setSelected = (id) => { select(id); history.replaceState(null, '', `#${id}`); };
  useEffect(() => {
    const onHash = () => select(fromHash());
    addEventListener('hashchange', onHash);
    return () => removeEventListener('hashchange', onHash);
  }, []);
  const client = doc.clients.find((c) => c.id === selected);
  const values = { root, key: key.trim(), model: model.trim() };
  return html`
    <header class="top">
      <span class="brand">aiohub · client set-up</span>
      <nav class="tabs" aria-label="Pages"><a href="/playground/images">Image playground</a><a href="/console/">Console</a></nav>
      <${ThemeToggle} />
    </header>
    <main>
      <h1>Point your client at this gateway</h1>
      <form class="panel" onSubmit=${(e) => e.preventDefault()} aria-label="Your details">
        <div class="form-grid">
          <label>Gateway address
            <input name="root" value=${root} onInput=${(e) => setRoot(e.currentTarget.value)} />
          </label>
          <label>Your key
            <input name="key" type=${show ? 'text' : 'password'} autocomplete="off" spellcheck="false" placeholder="sk-..."
              value=${key} onInput=${(e) => setKey(e.currentTarget.value)} />
            <small class="muted">Stays in this page: it is never sent anywhere.</small>
          </label>
          <label>Model (optional)
            <input name="model" placeholder=${client.default_model} value=${model} onInput=${(e) => setModel(e.currentTarget.value)} />
          </label>
        </div>
        <label class="check" style="margin-top: .5rem"><input type="checkbox" checked=${show} onChange=${(e) => setShow(e.currentTarget.checked)} /> Show the key</label>
      </form>
      <div class="row" style="align-items: start; flex-wrap: nowrap; gap: 1rem">
        <nav aria-label="Clients" style="min-width: 14rem; max-width: 18rem">
          <ul style="list-style: none; padding: 0; margin: 0; display: grid; gap: .3rem">
            ${doc.clients.map((c) => html`<li><button type="button" style="width: 100%; text-align: left"
              class=${c.id === selected ? 'primary' : ''} aria-pressed=${c.id === selected} onClick=${() => setSelected(c.id)}>${c.name}</button></li>`)}
          </ul>
        </nav>
        <div style="flex: 1; min-width: 0"><${ClientView} client=${client} values=${values} /></div>
      </div>
      <section class="panel" aria-labelledby="trouble">
        <h2 id="trouble" style="margin-top: 0">When it does not work</h2>
        <dl>${doc.troubleshooting.map((t) => html`<dt><strong>${t.symptom}</strong></dt><dd style="margin: .2rem 0 .8rem 1rem">${fill(t.answer, values)}</dd>`)}</dl>
      </section>
    </main>`;
}

applyStoredTheme();
render(html`<${Setup} />`, document.getElementById('app'));
