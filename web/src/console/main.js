// The console: sign in with the admin token, then one page per concern,
// chosen by the URL hash (#/keys) so that reloads and links keep the place.
import '../shared/style.css';
import { html } from 'htm/preact';
import { useEffect, useState } from 'preact/hooks';
import { LangSwitch, mount, SkipLink } from '../shared/chrome.js';
import { t } from '../shared/i18n/index.js';
import { ThemeToggle } from '../shared/theme.js';
import { api, clearToken, getToken, setToken, setUnauthorizedHandler } from './api.js';
import { Dashboard } from './pages/dashboard.js';
import { Keys } from './pages/keys.js';
import { Channels } from './pages/channels.js';
import { Groups } from './pages/groups.js';
import { Logs } from './pages/logs.js';

const PAGES = [
  { id: 'dashboard', title: () => t('nav.dashboard'), view: Dashboard },
  { id: 'keys', title: () => t('nav.keys'), view: Keys },
  { id: 'channels', title: () => t('nav.channels'), view: Channels },
  { id: 'groups', title: () => t('nav.groups'), view: Groups },
  { id: 'logs', title: () => t('nav.logs'), view: Logs },
];

function parseHash() {
  const [path, query = ''] = location.hash.replace(/^#\/?/, '').split('?');
  return { page: path || 'dashboard', params: new URLSearchParams(query) };
}

function SignIn({ onSignedIn }) {
  const [token, setTok] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const submit = async (e) => {
    e.preventDefault();
    setBusy(true);
    setError('');
    try {
      await api('GET', 'settings', undefined, token.trim());
      setToken(token.trim());
      onSignedIn();
    } catch (err) {
      setError(err.status === 401 ? t('signin.invalid') : err.message);
    } finally {
      setBusy(false);
    }
  };
  return html`<${SkipLink} />
    <header class="top"><span class="brand">aiohub</span><${LangSwitch} /><${ThemeToggle} /></header>
    <main id="main" tabindex="-1" class="signin"><form class="panel" onSubmit=${submit}>
    <h1>${t('signin.title')}</h1>
    <label>${t('signin.token')}
      <input name="token" type="password" autocomplete="current-password" required autofocus value=${token}
        onInput=${(e) => setTok(e.currentTarget.value)} />
    </label>
    <p class="muted">${t('signin.hint')}</p>
    ${error && html`<div class="notice error" role="alert">${error}</div>`}
    <div class="actions"><button class="primary" type="submit" disabled=${busy}>${t('signin.submit')}</button></div>
  </form></main>`;
}

function App() {
  const [signedIn, setSignedIn] = useState(!!getToken());
  const [route, setRoute] = useState(parseHash());
  useEffect(() => {
    const onHash = () => setRoute(parseHash());
    addEventListener('hashchange', onHash);
    setUnauthorizedHandler(() => { clearToken(); setSignedIn(false); });
    return () => removeEventListener('hashchange', onHash);
  }, []);
  const page = PAGES.find((p) => p.id === route.page) || PAGES[0];
  useEffect(() => { document.title = t('console.docTitle', { page: signedIn ? page.title() : t('signin.submit') }); });
  if (!signedIn) return html`<${SignIn} onSignedIn=${() => setSignedIn(true)} />`;
  const signOut = () => { clearToken(); setSignedIn(false); };
  const View = page.view;
  return html`
    <${SkipLink} />
    <header class="top">
      <span class="brand">aiohub</span>
      <nav class="tabs" aria-label=${t('console.sections')}>
        ${PAGES.map((p) => html`<a href="#/${p.id}" aria-current=${p === page ? 'page' : undefined}>${p.title()}</a>`)}
        <a href="/setup">${t('nav.setup')}</a>
        <a href="/playground/chat">${t('nav.chat')}</a>
        <a href="/playground/images">${t('nav.images')}</a>
      </nav>
      <${LangSwitch} />
      <${ThemeToggle} />
      <button type="button" onClick=${signOut}>${t('console.signOut')}</button>
    </header>
    <main id="main" tabindex="-1"><${View} params=${route.params} /></main>`;
}

mount(App);
