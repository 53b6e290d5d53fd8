// What every page has: a skip link, the top bar with the page links, the
// language switcher and the theme toggle; and mount(), which renders a page
// again (state kept) when the language changes.
import { html, render } from 'htm/preact';
import { useEffect, useState } from 'preact/hooks';
import { getLocale, LOCALE_NAMES, setLocale, t } from './i18n/index.js';
import { applyStoredTheme, ThemeToggle } from './theme.js';

export function LangSwitch() {
  return html`<label class="lang-switch">
    <span class="sr-only">${t('common.language')}</span>
    <select name="lang" aria-label=${t('common.language')} value=${getLocale()} onChange=${(e) => setLocale(e.currentTarget.value)}>
      ${Object.entries(LOCALE_NAMES).map(([id, name]) => html`<option value=${id} lang=${id}>${name}</option>`)}
    </select>
  </label>`;
}

// Moves focus past the top bar. Focus is moved by script, not by the #main
// fragment, because the console and /setup keep their own state in the hash.
export function SkipLink() {
  const skip = (e) => {
    e.preventDefault();
    document.getElementById('main')?.focus();
  };
  return html`<a class="skip-link" href="#main" onClick=${skip}>${t('common.skip')}</a>`;
}

// The pages outside the console, in the order of the top bar.
const PAGES = [
  ['/playground/chat', () => t('nav.chat')],
  ['/playground/images', () => t('nav.images')],
  ['/setup', () => t('nav.setup')],
  ['/console/', () => t('nav.console')],
];

// `current`: the path of this page (marked aria-current); `children`: extra controls.
export function TopBar({ brand, current, children }) {
  return html`<${SkipLink} />
    <header class="top">
      <span class="brand">${brand}</span>
      <nav class="tabs" aria-label=${t('nav.pages')}>
        ${PAGES.map(([href, label]) => html`<a href=${href} aria-current=${href === current ? 'page' : undefined}>${label()}</a>`)}
      </nav>
      <${LangSwitch} />
      <${ThemeToggle} />
      ${children}
    </header>`;
}

export function mount(App) {
  applyStoredTheme();
  function Root() {
    const [, bump] = useState(0);
    useEffect(() => {
      const on = () => bump((v) => v + 1);
      addEventListener('aiohub-lang', on);
      return () => removeEventListener('aiohub-lang', on);
    }, []);
    return html`<${App} />`;
  }
  render(html`<${Root} />`, document.getElementById('app'));
}
