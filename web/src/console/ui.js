// Small shared pieces: formatting, a modal dialog, a data loader hook.
import { html } from 'htm/preact';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { fmtDateTime, fmtMs, fmtNum, fmtUsd, t } from '../shared/i18n/index.js';

// Formatting for the page's language (Intl).
export const usd = fmtUsd;
export const num = fmtNum;
export const ms = fmtMs;
export const when = fmtDateTime;
export const list = (a) => (a && a.length ? a.join(', ') : '—');
export const splitList = (s) => s.split(/[,\n]/).map((x) => x.trim()).filter(Boolean);
export const intOrNull = (s) => (s === '' || s == null ? null : Math.trunc(Number(s)));
export const numOrNull = (s) => (s === '' || s == null ? null : Number(s));

// Runs `load` now and whenever `deps` change; `reload` runs it again.
export function useLoad(load, deps = []) {
  const [state, setState] = useState({ data: null, error: null, loading: true });
  const reload = useCallback(async () => {
    setState((s) => ({ ...s, loading: true }));
    try {
      setState({ data: await load(), error: null, loading: false });
    } catch (e) {
      setState({ data: null, error: e, loading: false });
    }
  }, deps);
  useEffect(() => { reload(); }, [reload]);
  return { ...state, reload };
}

export function ErrorNote({ error }) {
  if (!error) return null;
  return html`<div class="notice error" role="alert">${error.status ? `${error.status}: ` : ''}${error.message}</div>`;
}

// A native <dialog>: focus is trapped and Escape closes it.
export function Modal({ title, onClose, children }) {
  const ref = useRef();
  useEffect(() => {
    const d = ref.current;
    if (!d.open) d.showModal();
    const cancel = (e) => { e.preventDefault(); onClose(); };
    d.addEventListener('cancel', cancel);
    return () => d.removeEventListener('cancel', cancel);
  }, []);
  return html`<dialog ref=${ref} aria-labelledby="dialog-title">
    <div class="row" style="justify-content: space-between; align-items: center">
      <h2 id="dialog-title" style="margin: 0">${title}</h2>
      <button type="button" onClick=${onClose} aria-label=${t('common.close')}>✕</button>
    </div>
    ${children}
  </dialog>`;
}

export function Field({ label, children, hint }) {
  return html`<label>${label}${children}${hint ? html`<small class="muted">${hint}</small>` : null}</label>`;
}

// Controlled text input bound to form[name].
export function Input({ form, set, name, label, type = 'text', hint, ...rest }) {
  return html`<${Field} label=${label} hint=${hint}>
    <input name=${name} type=${type} value=${form[name] ?? ''} onInput=${(e) => set({ ...form, [name]: e.currentTarget.value })} ...${rest} />
  </${Field}>`;
}

export function Check({ form, set, name, label }) {
  return html`<label class="check"><input type="checkbox" name=${name} checked=${!!form[name]}
    onChange=${(e) => set({ ...form, [name]: e.currentTarget.checked })} /> ${label}</label>`;
}

export async function copyText(text) {
  try { await navigator.clipboard.writeText(text); return true; } catch { return false; }
}

// "name = value" lines <-> an object (model maps, image prices).
export const mapToText = (m) => Object.entries(m ?? {}).map(([k, v]) => `${k} = ${v}`).join('\n');
export function textToMap(text) {
  const out = {};
  for (const line of text.split('\n')) {
    const i = line.indexOf('=');
    if (i > 0) out[line.slice(0, i).trim()] = line.slice(i + 1).trim();
  }
  return out;
}
