// The admin API client. The admin token lives in sessionStorage only: it is
// gone when the tab closes and never reaches localStorage or a cookie.
import { t } from '../shared/i18n/index.js';

const TOKEN = 'aiohub-admin-token';

export const getToken = () => sessionStorage.getItem(TOKEN) || '';
export const setToken = (t) => sessionStorage.setItem(TOKEN, t);
export const clearToken = () => sessionStorage.removeItem(TOKEN);

export class ApiError extends Error {
  constructor(status, message, type) {
    super(message);
    this.status = status;
    this.type = type;
  }
}

let onUnauthorized = () => {};
export const setUnauthorizedHandler = (fn) => { onUnauthorized = fn; };

export async function api(method, path, body, token = getToken()) {
  const headers = { Authorization: `Bearer ${token}` };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let res;
  try {
    res = await fetch(`/api/${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch (e) {
    throw new ApiError(0, t('common.unreachable', { message: e.message }), 'network');
  }
  const text = await res.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch { /* not JSON */ }
  if (!res.ok) {
    const err = data?.error;
    const message = err?.message || text || `HTTP ${res.status}`;
    if (res.status === 401) onUnauthorized();
    throw new ApiError(res.status, message, err?.type);
  }
  return data;
}

export const get = (path) => api('GET', path);
export const post = (path, body) => api('POST', path, body ?? {});
export const patch = (path, body) => api('PATCH', path, body);
export const put = (path, body) => api('PUT', path, body);
export const del = (path) => api('DELETE', path);
export const enc = encodeURIComponent;
