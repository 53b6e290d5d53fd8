// /playground/chat: talk to any model of this gateway with a pasted key. The
// answer streams in as it arrives (Escape or Stop cancels); the request can be
// shown as a curl command line. The key stays in this browser (localStorage)
// and is only sent to this gateway's /v1 endpoints.
import '../shared/style.css';
import './style.css';
import { html } from 'htm/preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { mount, TopBar } from '../shared/chrome.js';
import { CheckKey, ErrorLine } from '../shared/checkkey.js';
import { fmtNum, fmtSeconds, t } from '../shared/i18n/index.js';
import { getKey, listModels, maskKey, setKey } from '../shared/v1.js';
import { chatBody, curlCommand, runChat } from './api.js';

const SETTINGS = 'aiohub-chat-settings';
const DEFAULTS = { model: '', system: '', temperature: '', max_tokens: '', top_p: '', stream: true };

function loadSettings() {
  try { return { ...DEFAULTS, ...JSON.parse(localStorage.getItem(SETTINGS) || '{}') }; } catch { return { ...DEFAULTS }; }
}

function KeyPanel({ apiKey, onKey, modelsState, count, onReload }) {
  const [show, setShow] = useState(false);
  return html`<form class="panel" aria-labelledby="key-h" onSubmit=${(e) => { e.preventDefault(); onReload(); }}>
    <h2 id="key-h" class="first">${t('pg.keyTitle')}</h2>
    <label>${t('pg.apiKey')}
      <input name="key" type=${show ? 'text' : 'password'} autocomplete="off" spellcheck="false" placeholder="sk-..."
        value=${apiKey} onInput=${(e) => onKey(e.currentTarget.value.trim())} />
      <small class="muted">${t('pg.keyKept')}</small>
    </label>
    <div class="row tight">
      <label class="check"><input type="checkbox" checked=${show} onChange=${(e) => setShow(e.currentTarget.checked)} /> ${t('common.show')}</label>
      <button type="submit" disabled=${!apiKey}>${t('pg.loadModels')}</button>
      <button type="button" onClick=${() => onKey('')} disabled=${!apiKey}>${t('pg.forgetKey')}</button>
    </div>
    <p class="muted small" data-testid="models-state" role="status">
      ${modelsState.error ? html`<span class="error">${modelsState.error}</span>`
        : modelsState.loading ? t('pg.loadingModels')
        : count ? t('chat.modelCount', { count })
        : apiKey ? t('chat.typeModel') : t('pg.pasteKey')}
    </p>
  </form>`;
}

function SettingsPanel({ settings, set, models }) {
  const upd = (k) => (e) => set({ ...settings, [k]: e.currentTarget.type === 'checkbox' ? e.currentTarget.checked : e.currentTarget.value });
  const options = settings.model && !models.includes(settings.model) ? [settings.model, ...models] : models;
  return html`<section class="panel" aria-labelledby="set-h">
    <h2 id="set-h" class="first">${t('pg.settings')}</h2>
    <label>${t('chat.model')}
      ${models.length
        ? html`<select name="model" value=${settings.model} onChange=${upd('model')}>
            ${options.map((m) => html`<option value=${m}>${m}</option>`)}</select>`
        : html`<input name="model" value=${settings.model} autocomplete="off" spellcheck="false" placeholder="aiohub-demo" onInput=${upd('model')} />`}
    </label>
    <label class="spaced">${t('chat.system')}
      <textarea name="system" rows="3" value=${settings.system} placeholder=${t('chat.systemHint')} onInput=${upd('system')}></textarea>
    </label>
    <div class="form-grid spaced">
      <label>${t('chat.temperature')}
        <input name="temperature" type="number" min="0" max="2" step="0.1" placeholder=${t('pg.default')} value=${settings.temperature} onInput=${upd('temperature')} />
      </label>
      <label>${t('chat.maxTokens')}
        <input name="max_tokens" type="number" min="1" step="1" placeholder=${t('pg.default')} value=${settings.max_tokens} onInput=${upd('max_tokens')} />
      </label>
      <label>${t('chat.topP')}
        <input name="top_p" type="number" min="0" max="1" step="0.05" placeholder=${t('pg.default')} value=${settings.top_p} onInput=${upd('top_p')} />
      </label>
    </div>
    <label class="check spaced"><input type="checkbox" name="stream" checked=${settings.stream} onChange=${upd('stream')} /> ${t('chat.stream')}</label>
  </section>`;
}

function Message({ m }) {
  return html`<article class=${`msg ${m.role}`} data-testid="message" data-role=${m.role} aria-label=${m.role === 'user' ? t('chat.you') : t('chat.assistant')}>
    <div class="who">${m.role === 'user' ? t('chat.you') : t('chat.assistant')}${m.model ? html` · <code>${m.model}</code>` : null}</div>
    ${m.reasoning && html`<details class="reasoning"><summary>${t('chat.reasoning')}</summary><div class="text">${m.reasoning}</div></details>`}
    <div class="text">${m.content}</div>
    ${m.stopped && html`<div class="muted small">${t('chat.stopped')}</div>`}
    ${m.meta && html`<div class="muted small meta" data-testid="answer-meta">${m.meta}</div>`}
  </article>`;
}

function metaLine(r, elapsed) {
  const parts = [];
  if (r.usage) parts.push(t('chat.tokens', { input: fmtNum(r.usage.prompt_tokens), output: fmtNum(r.usage.completion_tokens) }));
  if (r.ttfbMs != null) parts.push(t('chat.firstToken', { time: fmtSeconds(r.ttfbMs) }));
  parts.push(t('chat.total', { time: fmtSeconds(elapsed) }));
  if (r.finish) parts.push(t('chat.finish', { reason: r.finish }));
  if (r.requestId) parts.push(r.requestId);
  return parts.join(' · ');
}

function CurlPanel({ apiKey, body }) {
  const [reveal, setReveal] = useState(false);
  const [copied, setCopied] = useState(false);
  const text = curlCommand(location.origin, reveal ? apiKey || 'sk-...' : apiKey ? maskKey(apiKey) : 'sk-...', body);
  const copy = async () => {
    try { await navigator.clipboard.writeText(curlCommand(location.origin, apiKey || 'sk-...', body)); setCopied(true); setTimeout(() => setCopied(false), 1500); } catch { setCopied(false); }
  };
  return html`<details class="panel curl" data-testid="curl-panel">
    <summary>${t('chat.showCurl')}</summary>
    <p class="muted small">${t('chat.curlHint')}</p>
    <div class="row tight">
      <label class="check"><input type="checkbox" name="reveal" checked=${reveal} onChange=${(e) => setReveal(e.currentTarget.checked)} /> ${t('chat.revealKey')}</label>
      <button type="button" onClick=${copy}>${copied ? t('common.copied') : t('chat.copyCurl')}</button>
    </div>
    <pre data-testid="curl">${text}</pre>
  </details>`;
}

function App() {
  const [apiKey, setApiKey] = useState(getKey());
  const [models, setModels] = useState([]);
  const [modelsState, setModelsState] = useState({ loading: false, error: '' });
  const [settings, setSettings] = useState(loadSettings);
  const [messages, setMessages] = useState([]);
  const [draft, setDraft] = useState('');
  const [answer, setAnswer] = useState(null); // the message being streamed
  const [error, setError] = useState(null);
  const [note, setNote] = useState('');
  const abort = useRef(null);
  const draftRef = useRef();

  useEffect(() => { document.title = t('chat.docTitle'); });
  useEffect(() => { localStorage.setItem(SETTINGS, JSON.stringify(settings)); }, [settings]);
  const onKey = (k) => { setApiKey(k); setKey(k); if (!k) setModels([]); };
  const seq = useRef(0);
  const loadModels = async (k = apiKey) => {
    if (!k) return;
    const mine = ++seq.current;
    setModelsState({ loading: true, error: '' });
    try {
      const all = await listModels(k);
      if (mine !== seq.current) return;
      setModels(all);
      setSettings((s) => (all.length && !all.includes(s.model) ? { ...s, model: all[0] } : s));
      setModelsState({ loading: false, error: '' });
    } catch (e) {
      if (mine !== seq.current) return;
      setModels([]);
      setModelsState({ loading: false, error: t('pg.modelsFailed', { status: e.status ? ` (${e.status})` : '', message: e.message }) });
    }
  };
  useEffect(() => {
    if (!/^sk-\S{8,}/.test(apiKey)) return undefined;
    const timer = setTimeout(() => loadModels(apiKey), 350);
    return () => clearTimeout(timer);
  }, [apiKey]);
  // Escape stops the answer; listening from the start leaves no moment in
  // which a request runs and Escape does nothing.
  useEffect(() => {
    const onEsc = (e) => { if (e.key === 'Escape') abort.current?.abort(); };
    addEventListener('keydown', onEsc);
    return () => removeEventListener('keydown', onEsc);
  }, []);

  const busy = answer != null;
  const pending = draft.trim() ? [...messages, { role: 'user', content: draft }] : messages;
  const body = chatBody({ ...settings, model: settings.model || 'aiohub-demo' }, pending);
  const canSend = !busy && apiKey && settings.model.trim() && draft.trim();

  const send = async (e) => {
    e?.preventDefault();
    if (!canSend) return;
    const history = [...messages, { role: 'user', content: draft }];
    const request = chatBody(settings, history);
    setMessages(history);
    setDraft('');
    setError(null);
    setNote(t('chat.answering'));
    const live = { role: 'assistant', content: '', reasoning: '', model: request.model };
    setAnswer({ ...live });
    const controller = new AbortController();
    abort.current = controller;
    const started = performance.now();
    try {
      const r = await runChat({
        key: apiKey, body: request, signal: controller.signal,
        onDelta: (d) => { live.content += d; setAnswer({ ...live }); },
        onReasoning: (d) => { live.reasoning += d; setAnswer({ ...live }); },
      });
      setMessages([...history, { ...live, content: r.text, reasoning: r.reasoning, meta: metaLine(r, performance.now() - started) }]);
      setNote(t('chat.answered'));
    } catch (err) {
      if (err.name === 'AbortError') {
        // What came stays, marked as stopped.
        if (live.content || live.reasoning) setMessages([...history, { ...live, stopped: true }]);
        setNote(t('chat.cancelled'));
        setError({ message: t('chat.cancelled') });
      } else {
        // The question goes back to the box, ready to send again.
        setMessages(messages);
        setDraft(history[history.length - 1].content);
        setNote('');
        setError(err);
      }
    } finally {
      setAnswer(null);
      abort.current = null;
      setTimeout(() => draftRef.current?.focus(), 0);
    }
  };
  const onDraftKey = (e) => { if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) send(e); };
  const clear = () => { setMessages([]); setError(null); setNote(''); };

  return html`
    <${TopBar} brand=${t('chat.brand')} current="/playground/chat" />
    <main id="main" tabindex="-1" class="playground chat">
      <h1 class="sr-only">${t('nav.chat')}</h1>
      <div class="pg-side">
        <${KeyPanel} apiKey=${apiKey} onKey=${onKey} modelsState=${modelsState} count=${models.length} onReload=${() => loadModels()} />
        <${SettingsPanel} settings=${settings} set=${setSettings} models=${models} />
        <${CheckKey} apiKey=${apiKey} />
      </div>
      <div class="pg-main">
        <section class="panel" aria-labelledby="conv-h">
          <div class="row" style="justify-content: space-between; align-items: center">
            <h2 id="conv-h" class="first">${t('chat.conversation')}</h2>
            <button type="button" onClick=${clear} disabled=${busy || !messages.length}>${t('chat.clear')}</button>
          </div>
          <div class="transcript" data-testid="chat-transcript">
            ${!messages.length && !busy && html`<p class="muted">${t('chat.empty')}</p>`}
            ${messages.map((m, i) => html`<${Message} key=${i} m=${m} />`)}
            ${busy && html`<div data-testid="answer"><${Message} m=${answer} /></div>`}
          </div>
          <p class="sr-only" role="status">${note}</p>
        </section>
        <form class="panel" onSubmit=${send} aria-label=${t('chat.composer')}>
          <label>${t('chat.message')}
            <textarea ref=${draftRef} name="message" rows="3" value=${draft} placeholder=${t('chat.messageHint')}
              onInput=${(e) => setDraft(e.currentTarget.value)} onKeyDown=${onDraftKey}></textarea>
          </label>
          <div class="actions">
            <button class="primary" type="submit" disabled=${!canSend}>${t('chat.send')}</button>
            ${busy && html`<button type="button" onClick=${() => abort.current?.abort()} aria-keyshortcuts="Escape">${t('chat.stop')}</button>`}
            <span class="muted small">${t('chat.keys')}${!apiKey ? ` ${t('pg.pasteKeyFirst')}` : ''}</span>
          </div>
          <${ErrorLine} error=${error} testid="chat-error" />
        </form>
        <${CurlPanel} apiKey=${apiKey} body=${body} />
      </div>
    </main>`;
}

mount(App);
