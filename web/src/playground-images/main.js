// /playground/images: generate and edit images through this gateway with a
// pasted key. The key stays in this browser (localStorage) and is only sent to
// this gateway's /v1 endpoints; results are kept in IndexedDB.
// ?model=&size=&prompt= in the address fill the form (links from /setup).
import '../shared/style.css';
import './style.css';
import { html } from 'htm/preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { mount, TopBar } from '../shared/chrome.js';
import { CheckKey } from '../shared/checkkey.js';
import { fmtDateTime, fmtSeconds, t } from '../shared/i18n/index.js';
import { getKey, listModels, setKey } from '../shared/v1.js';
import { looksLikeImageModel, runImages } from './api.js';
import { addEntry, deleteEntry, listEntries } from './history.js';
import { MaskEditor } from './mask.js';

const SETTINGS = 'aiohub-playground-settings';
const DEFAULTS = {
  model: 'gpt-image-1', size: '', quality: '', n: 1, background: '', output_format: '', output_compression: '',
  stream: false, partial_images: 2,
};
const SIZES = ['1024x1024', '1536x1024', '1024x1536', '256x256', '512x512', '1792x1024', '1024x1792', 'auto'];
const QUALITIES = ['low', 'medium', 'high', 'auto', 'standard', 'hd'];
const BACKGROUNDS = ['transparent', 'opaque', 'auto'];
const FORMATS = ['png', 'jpeg', 'webp'];

// The address's ?model=, ?size= and ?prompt=, when given.
export function fromAddress(search) {
  const q = new URLSearchParams(search);
  const out = {};
  if (q.get('model')?.trim()) out.model = q.get('model').trim();
  const size = q.get('size')?.trim();
  if (size && /^(\d{2,5}x\d{2,5}|auto)$/.test(size)) out.size = size;
  if (q.get('prompt')) out.prompt = q.get('prompt');
  return out;
}
const ADDRESS = fromAddress(location.search);

function loadSettings() {
  let stored = {};
  try { stored = JSON.parse(localStorage.getItem(SETTINGS) || '{}'); } catch { /* start from the defaults */ }
  const { prompt, ...fromUrl } = ADDRESS;
  return { ...DEFAULTS, ...stored, ...fromUrl };
}

const extOf = (blob) => (blob.type === 'image/jpeg' ? 'jpg' : blob.type === 'image/webp' ? 'webp' : 'png');
let sourceSeq = 0;
const asSource = (blob, name) => ({ id: ++sourceSeq, blob, name: name || `image-${sourceSeq}.${extOf(blob)}` });

// An <img> for a Blob: the object URL lives as long as the element.
function BlobImage({ blob, alt, ...rest }) {
  const [url, setUrl] = useState('');
  useEffect(() => {
    const u = URL.createObjectURL(blob);
    setUrl(u);
    return () => URL.revokeObjectURL(u);
  }, [blob]);
  return url ? html`<img src=${url} alt=${alt} ...${rest} />` : null;
}

function DownloadLink({ blob, name }) {
  const [url, setUrl] = useState('');
  useEffect(() => {
    const u = URL.createObjectURL(blob);
    setUrl(u);
    return () => URL.revokeObjectURL(u);
  }, [blob]);
  return html`<a class="button" href=${url} download=${name}>${t('img.download')}</a>`;
}

function Select({ label, value, options, onChange, name }) {
  const all = value && !options.includes(value) ? [...options, value] : options;
  return html`<label>${label}
    <select name=${name} value=${value} onChange=${(e) => onChange(e.currentTarget.value)}>
      <option value="">${t('pg.default')}</option>
      ${all.map((o) => html`<option value=${o}>${o}</option>`)}
    </select>
  </label>`;
}

function modelSummary(models) {
  const images = models.filter(looksLikeImageModel).length;
  return images
    ? t('img.modelSummary', { count: images, total: models.length })
    : t('img.noImageModels', { count: models.length });
}

function KeyPanel({ apiKey, onKey, models, modelsState, onReload }) {
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
        : models.length ? modelSummary(models)
        : apiKey ? t('img.typeModel') : t('pg.pasteKey')}
    </p>
  </form>`;
}

function SettingsPanel({ settings, set, models }) {
  const upd = (k) => (v) => set({ ...settings, [k]: v });
  // Only the image models when the names tell; otherwise every model (any name can be typed).
  const images = models.filter(looksLikeImageModel);
  const suggestions = images.length ? images : models;
  return html`<section class="panel" aria-labelledby="set-h">
    <h2 id="set-h" class="first">${t('pg.settings')}</h2>
    <div class="form-grid">
      <label>${t('img.model')}
        <input name="model" list="model-list" value=${settings.model} autocomplete="off" spellcheck="false"
          onInput=${(e) => upd('model')(e.currentTarget.value)} />
        <datalist id="model-list">${suggestions.map((m) => html`<option value=${m}></option>`)}</datalist>
      </label>
      <${Select} label=${t('img.size')} name="size" value=${settings.size} options=${SIZES} onChange=${upd('size')} />
      <${Select} label=${t('img.quality')} name="quality" value=${settings.quality} options=${QUALITIES} onChange=${upd('quality')} />
      <label>${t('img.n')}
        <input name="n" type="number" min="1" max="10" value=${settings.n} onInput=${(e) => upd('n')(e.currentTarget.value)} />
      </label>
      <${Select} label=${t('img.background')} name="background" value=${settings.background} options=${BACKGROUNDS} onChange=${upd('background')} />
      <${Select} label=${t('img.format')} name="output_format" value=${settings.output_format} options=${FORMATS} onChange=${upd('output_format')} />
      ${(settings.output_format === 'jpeg' || settings.output_format === 'webp') && html`<label>${t('img.compression')}
        <input name="output_compression" type="number" min="0" max="100" value=${settings.output_compression}
          onInput=${(e) => upd('output_compression')(e.currentTarget.value)} />
      </label>`}
    </div>
    <div class="row tight">
      <label class="check"><input type="checkbox" name="stream" checked=${settings.stream}
        onChange=${(e) => upd('stream')(e.currentTarget.checked)} /> ${t('img.stream')}</label>
      ${settings.stream && html`<label class="inline">${t('img.partials')}
        <select name="partial_images" value=${String(settings.partial_images)} onChange=${(e) => upd('partial_images')(Number(e.currentTarget.value))}>
          ${[1, 2, 3].map((n) => html`<option value=${n}>${n}</option>`)}
        </select></label>`}
    </div>
  </section>`;
}

function Sources({ sources, setSources, control }) {
  const fileInput = useRef();
  const add = (files) => setSources([...sources, ...[...files].map((f) => asSource(f, f.name))]);
  const remove = (id) => setSources(sources.filter((s) => s.id !== id));
  const first = (id) => setSources([...sources.filter((s) => s.id === id), ...sources.filter((s) => s.id !== id)]);
  return html`<section class="panel" aria-labelledby="src-h">
    <h2 id="src-h" class="first">${t('img.sources')}</h2>
    <div class="row tight">
      <label class="button-like">${t('img.upload')}
        <input ref=${fileInput} class="sr-only" type="file" name="upload" accept="image/png,image/jpeg,image/webp" multiple
          onChange=${(e) => { add(e.currentTarget.files); e.currentTarget.value = ''; }} />
      </label>
      <span class="muted small">${t('img.sourcesHint')}</span>
    </div>
    ${sources.length > 0 && html`<ul class="sources" aria-label=${t('img.sourcesList')}>
      ${sources.map((s, i) => html`<li key=${s.id} data-testid="source">
        <${BlobImage} blob=${s.blob} alt=${s.name} />
        <span class="small">${i === 0 ? html`<strong>${t('img.firstMasked')}</strong>` : i + 1} ${s.name}</span>
        <span class="row tight">
          ${i > 0 && html`<button type="button" onClick=${() => first(s.id)} aria-label=${t('img.maskInstead', { name: s.name })}>${t('img.makeFirst')}</button>`}
          <button type="button" onClick=${() => remove(s.id)} aria-label=${t('img.removeNamed', { name: s.name })}>${t('img.remove')}</button>
        </span>
      </li>`)}
    </ul>`}
    ${sources.length > 0 && html`<${MaskEditor} source=${sources[0]} control=${control} />`}
  </section>`;
}

function ResultCard({ entry, onEdit, onDelete, current }) {
  const s = entry.settings;
  const details = [s.model, s.size, s.quality, s.background, s.output_format, `n=${s.n}`, s.stream ? t('img.streamed') : ''].filter(Boolean).join(' · ');
  return html`<article class="result" data-testid=${current ? 'current-result' : 'history-entry'} data-entry=${entry.id}
    aria-label=${entry.mode === 'edit' ? t('img.entryEdit', { prompt: entry.prompt }) : t('img.entryGenerate', { prompt: entry.prompt })}>
    <div class="thumbs">
      ${entry.images.map((blob, i) => html`<figure>
        <${BlobImage} blob=${blob} alt=${`${entry.prompt} (${i + 1})`} data-testid="result-image" />
        <figcaption class="row tight">
          <${DownloadLink} blob=${blob} name=${`aiohub-${entry.id}-${i + 1}.${extOf(blob)}`} />
          <button type="button" onClick=${() => onEdit(blob, `${entry.id}-${i + 1}.${extOf(blob)}`)}>${t('img.editThis')}</button>
        </figcaption>
      </figure>`)}
    </div>
    <p class="prompt"><span class="badge">${entry.mode === 'edit' ? t('img.badgeEdit') : t('img.badgeGenerate')}</span> ${entry.prompt}</p>
    <p class="muted small">${details} · <time datetime=${new Date(entry.created).toISOString()}>${fmtDateTime(entry.created)}</time>
      ${entry.elapsed_ms ? ` · ${fmtSeconds(entry.elapsed_ms)}` : ''}</p>
    ${!current && html`<button type="button" class="danger" onClick=${() => onDelete(entry)} aria-label=${t('img.deleteNamed', { prompt: entry.prompt })}>${t('img.delete')}</button>`}
  </article>`;
}

function App() {
  const [apiKey, setApiKey] = useState(getKey());
  const [models, setModels] = useState([]);
  const [modelsState, setModelsState] = useState({ loading: false, error: '' });
  const [settings, setSettings] = useState(loadSettings);
  const [mode, setMode] = useState('generate');
  const [prompt, setPrompt] = useState(ADDRESS.prompt ?? '');
  const [sources, setSources] = useState([]);
  const [busy, setBusy] = useState(false);
  const [elapsed, setElapsed] = useState(0);
  const [partial, setPartial] = useState(null);
  const [arrived, setArrived] = useState([]);
  const [current, setCurrent] = useState(null);
  const [error, setError] = useState(null);
  const [history, setHistory] = useState([]);
  const [historyError, setHistoryError] = useState('');
  const mask = useRef({ painted: false, exportMask: async () => null });
  const abort = useRef(null);
  const promptRef = useRef();

  const onKey = (k) => { setApiKey(k); setKey(k); if (!k) setModels([]); };
  const modelsSeq = useRef(0);
  const loadModels = async (k = apiKey) => {
    if (!k) return;
    const seq = ++modelsSeq.current;
    setModelsState({ loading: true, error: '' });
    try {
      const all = await listModels(k);
      if (seq !== modelsSeq.current) return; // a newer key's list is on its way
      setModels(all);
      // The default model is not served to this key: start from one that is
      // (a model named in the address stays).
      const images = all.filter(looksLikeImageModel);
      setSettings((s) => (s.model === DEFAULTS.model && !ADDRESS.model && images.length && !all.includes(s.model) ? { ...s, model: images[0] } : s));
      setModelsState({ loading: false, error: '' });
    } catch (e) {
      if (seq !== modelsSeq.current) return;
      setModels([]);
      setModelsState({ loading: false, error: t('pg.modelsFailed', { status: e.status ? ` (${e.status})` : '', message: e.message }) });
    }
  };
  // A pasted key lists its models after a short pause.
  useEffect(() => {
    if (!/^sk-\S{8,}/.test(apiKey)) return undefined;
    const t = setTimeout(() => loadModels(apiKey), 350);
    return () => clearTimeout(t);
  }, [apiKey]);
  useEffect(() => { localStorage.setItem(SETTINGS, JSON.stringify(settings)); }, [settings]);
  const refreshHistory = () => listEntries().then(setHistory, (e) => setHistoryError(t('img.historyUnavailable', { message: e.message })));
  useEffect(() => { refreshHistory(); }, []);
  useEffect(() => {
    if (!busy) return undefined;
    const start = Date.now();
    setElapsed(0);
    const t = setInterval(() => setElapsed(Date.now() - start), 100);
    return () => clearInterval(t);
  }, [busy]);

  const canRun = !busy && apiKey && settings.model.trim() && prompt.trim() && (mode === 'generate' || sources.length > 0);
  const run = async (e) => {
    e?.preventDefault();
    if (!canRun) return;
    setBusy(true);
    setError(null);
    setPartial(null);
    setArrived([]);
    setCurrent(null);
    const controller = new AbortController();
    abort.current = controller;
    const started = Date.now();
    try {
      const maskBlob = mode === 'edit' ? await mask.current.exportMask() : null;
      const { images, usage } = await runImages({
        key: apiKey, mode, settings: { ...settings, prompt }, sources, mask: maskBlob, signal: controller.signal,
        onPartial: (blob, index) => setPartial({ blob, index }),
        onImage: (blob) => { setPartial(null); setArrived((a) => [...a, blob]); },
      });
      const entry = await addEntry({
        mode, prompt, images, usage, elapsed_ms: Date.now() - started,
        settings: { ...settings, model: settings.model.trim(), n: Number(settings.n) || 1, masked: !!maskBlob, sources: mode === 'edit' ? sources.length : 0 },
      }).catch((err) => {
        setHistoryError(t('img.notSaved', { message: err.message }));
        return { id: `unsaved-${started}`, created: started, mode, prompt, images, settings };
      });
      setCurrent(entry);
      setPartial(null);
      setArrived([]);
      refreshHistory();
    } catch (err) {
      if (err.name === 'AbortError') setError({ message: t('pg.cancelled') });
      else setError(err);
    } finally {
      setArrived([]);
      setBusy(false);
      abort.current = null;
    }
  };
  // Escape cancels a running request. Listening from the start (rather than
  // from the render that shows the progress) leaves no moment in which a
  // request runs and Escape does nothing: `abort.current` is set before it starts.
  useEffect(() => {
    const onKey = (e) => { if (e.key === 'Escape') abort.current?.abort(); };
    addEventListener('keydown', onKey);
    return () => removeEventListener('keydown', onKey);
  }, []);
  const onPromptKey = (e) => { if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) run(e); };
  const editFrom = (blob, name) => {
    setMode('edit');
    setSources((s) => [...s, asSource(blob, name)]);
    setTimeout(() => promptRef.current?.focus(), 0);
  };
  const remove = async (entry) => {
    await deleteEntry(entry.id);
    if (current?.id === entry.id) setCurrent(null);
    refreshHistory();
  };

  useEffect(() => { document.title = t('img.docTitle'); });

  return html`
    <${TopBar} brand=${t('img.brand')} current="/playground/images" />
    <main id="main" tabindex="-1" class="playground">
      <h1 class="sr-only">${t('nav.images')}</h1>
      <div class="pg-side">
        <${KeyPanel} apiKey=${apiKey} onKey=${onKey} models=${models} modelsState=${modelsState} onReload=${() => loadModels()} />
        <${SettingsPanel} settings=${settings} set=${setSettings} models=${models} />
        <${CheckKey} apiKey=${apiKey} />
      </div>
      <div class="pg-main">
        <form class="panel" onSubmit=${run} aria-label=${t('img.request')}>
          <div class="row tight" role="radiogroup" aria-label=${t('img.mode')}>
            ${[['generate', t('img.generate')], ['edit', t('img.edit')]].map(([id, label]) => html`<label class="check mode">
              <input type="radio" name="mode" value=${id} checked=${mode === id} onChange=${() => setMode(id)} /> ${label}</label>`)}
          </div>
          <label>${t('img.prompt')}
            <textarea ref=${promptRef} name="prompt" rows="3" required value=${prompt} placeholder=${mode === 'edit' ? t('img.promptEditHint') : t('img.promptHint')}
              onInput=${(e) => setPrompt(e.currentTarget.value)} onKeyDown=${onPromptKey}></textarea>
          </label>
          <div class="actions">
            <button class="primary" type="submit" disabled=${!canRun}>${mode === 'edit' ? t('img.edit') : t('img.generate')}</button>
            ${busy && html`<button type="button" onClick=${() => abort.current?.abort()} aria-keyshortcuts="Escape">${t('common.cancel')}</button>`}
            <span class="muted small">${t('img.keys')}${!apiKey ? ` ${t('pg.pasteKeyFirst')}` : mode === 'edit' && !sources.length ? ` ${t('img.pickFirst')}` : ''}</span>
          </div>
          ${busy && html`<div class="progress" role="status" data-testid="progress">
            <span class="spinner" aria-hidden="true"></span>
            ${mode === 'edit' ? t('img.editing') : t('img.generating')} <span data-testid="elapsed">${fmtSeconds(elapsed)}</span>
          </div>`}
          ${error && html`<div class="notice error" role="alert">
            <div data-testid="error">${error.status ? `${error.status}: ` : ''}${error.message}</div>
            ${error.requestId && html`<div class="small">${t('common.requestId')} <code data-testid="request-id">${error.requestId}</code></div>`}
          </div>`}
        </form>
        ${mode === 'edit' && html`<${Sources} sources=${sources} setSources=${setSources} control=${mask} />`}
        ${(partial || arrived.length > 0 || current) && html`<section class="panel" aria-labelledby="res-h">
          <h2 id="res-h" class="first">${t('img.result')}</h2>
          ${partial && html`<figure class="partial" data-testid="partial">
            <${BlobImage} blob=${partial.blob} alt=${t('img.partial', { n: partial.index + 1 })} data-testid="partial-image" />
            <figcaption class="muted small">${t('img.partialWorking', { n: partial.index + 1 })}</figcaption>
          </figure>`}
          ${!current && arrived.length > 0 && html`<div class="thumbs" data-testid="arrived">
            ${arrived.map((blob, i) => html`<figure><${BlobImage} blob=${blob} alt=${t('img.finished', { n: i + 1 })} /></figure>`)}
          </div>`}
          ${current && html`<${ResultCard} entry=${current} current onEdit=${editFrom} onDelete=${remove} />`}
        </section>`}
        <section class="panel" aria-labelledby="hist-h">
          <h2 id="hist-h" class="first">${t('img.history')} <span class="muted small">${t('img.historyCount', { count: history.length })}</span></h2>
          ${historyError && html`<div class="notice error" role="alert">${historyError}</div>`}
          ${history.length === 0 ? html`<p class="muted">${t('img.nothingYet')}</p>` : html`<div class="history">
            ${history.map((h) => html`<${ResultCard} key=${h.id} entry=${h} onEdit=${editFrom} onDelete=${remove} />`)}
          </div>`}
        </section>
      </div>
    </main>`;
}

mount(App);
