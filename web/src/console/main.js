// The console: sign in with the admin token, then one page per concern,
// chosen by the URL hash (#/keys) so that reloads and links keep the place.
import '../shared/style.css';
import { html, render } from 'htm/preact';
import { useEffect, useState } from 'preact/hooks';
import { applyStoredTheme, ThemeToggle } from '../shared/theme.js';
import { api, clearToken, getToken, setToken, setUnauthorizedHandler } from './api.js';
import { Dashboard } from './pages/dashboard.js';
import { Keys } from './pages/keys.js';
import { Channels } from './pages/channels.js';
import { Groups } from './pages/groups.js';
import { Logs } from './pages/logs.js';

const PAGES = [
  { id: 'dashboard', title: 'Dashboard', view: Dashboard },
  { id: 'keys', title: 'Keys', view: Keys },
  { id: 'channels', title: 'Channels', view: Channels },
  { id: 'groups', title: 'Groups & prices', view: Groups },
  { id: 'logs', title: 'Logs', view: Logs },
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
      setError(err.status === 401 ? 'That admin token is not valid.' : err.message);
    } finally {
      setBusy(false);
    }
  };
  return html`<main class="signin"><form class="panel" onSubmit=${submit}>
    <h1>aiohub console</h1>
    <label>Admin token
      <input name="token" type="password" autocomplete="current-password" required autofocus value=${token}
        onInput=${(e) => setTok(e.currentTarget.value)} />
    </label>
    <p class="muted">Printed once at the first start of the gateway. Kept in this tab only (sessionStorage).</p>
    ${error && html`<div class="notice error" role="alert">${error}</div>`}
    <div class="actions"><button class="primary" type="submit" disabled=${busy}>Sign in</button></div>
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
  useEffect(() => { document.title = `${page.title} · aiohub console`; }, [page]);
  if (!signedIn) return html`<${SignIn} onSignedIn=${() => setSignedIn(true)} />`;
  const signOut = () => { clearToken(); setSignedIn(false); };
  const View = page.view;
  return html`
    <header class="top">
      <span class="brand">aiohub</span>
      <nav class="tabs" aria-label="Console sections">
        ${PAGES.map((p) => html`<a href="#/${p.id}" aria-current=${p === page ? 'page' : undefined}>${p.title}</a>`)}
        <a href="/setup">Client set-up</a>
        <a href="/playground/images">Image playground</a>
      </nav>
      <${ThemeToggle} />
      <button type="button" onClick=${signOut}>Sign out</button>
    </header>
    <main id="content"><${View} params=${route.params} /></main>`;
}

applyStoredTheme();
render(html`<${App} />`, document.getElementById('app'));
