// Light/dark: follows the system until the user picks one (kept in localStorage).
import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import { t } from './i18n/index.js';

const KEY = 'aiohub-theme';

export function applyStoredTheme() {
  const v = localStorage.getItem(KEY);
  if (v === 'light' || v === 'dark') document.documentElement.dataset.theme = v;
}

function current() {
  const v = document.documentElement.dataset.theme;
  if (v) return v;
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
  return html`<button type="button" onClick=${flip} aria-label=${theme === 'dark' ? t('theme.toLight') : t('theme.toDark')}>
    ${theme === 'dark' ? t('theme.light') : t('theme.dark')}
  </button>`;
}
