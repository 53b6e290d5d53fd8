// Light/dark: follows the system until the user picks one (kept in localStorage).
import { html } from 'htm/preact';
import { useState } from 'preact/hooks';

const KEY = 'aiohub-theme';

export function applyStoredTheme() {
  const t = localStorage.getItem(KEY);
  if (t === 'light' || t === 'dark') document.documentElement.dataset.theme = t;
}

function current() {
  const t = document.documentElement.dataset.theme;
  if (t) return t;
  return matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

export function ThemeToggle() {
  const [theme, setTheme] = useState(current());
  const flip = () => {
    const next = theme === 'dark' ? 'light' : 'dark';
    document.documentElement.dataset.theme = next;
    localStorage.setItem(KEY, next);
    setTheme(next);
    dispatchEvent(new Event('aiohub-theme'));
  };
  return html`<button type="button" onClick=${flip} aria-label="Switch to ${theme === 'dark' ? 'light' : 'dark'} theme">
    ${theme === 'dark' ? '☀ Light' : '☾ Dark'}
  </button>`;
}
