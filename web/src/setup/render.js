// Fills the set-up texts of clients.json. In English this must match
// src/web/client_config.cpp character for character: `aiohub client-config`
// prints the same text. Each client (and trouble entry) may carry a "zh-CN"
// object with the same fields translated (name, protocol, files[].title and
// optionally .text, notes); the command line reads only the English fields.
import { getLocale, t } from '../shared/i18n/index.js';

export const KEY_PLACEHOLDER = 'sk-YOUR-AIOHUB-KEY';

export function normalizeRoot(url) {
  let u = url.trim().replace(/\/+$/, '');
  if (u.endsWith('/v1')) u = u.slice(0, -3);
  return u.replace(/\/+$/, '');
}

export function fill(text, { root, key, model }) {
  const r = normalizeRoot(root);
  const values = { root: r, v1: `${r}/v1`, key: key || KEY_PLACEHOLDER, model };
  return text.replace(/\{\{([^}]*)\}\}/g, (whole, name) => (name in values ? values[name] : whole));
}

// The client (or trouble entry) with its fields in the page's language.
export function localized(entry, locale = getLocale()) {
  const tr = entry[locale];
  if (!tr) return entry;
  const out = { ...entry, ...tr };
  if (entry.files) out.files = entry.files.map((f, i) => ({ ...f, ...(tr.files?.[i] ?? {}) }));
  if (!tr.notes) out.notes = entry.notes;
  return out;
}

// A client named by its id or one of its aliases (/setup#cline).
export const findClient = (clients, name) => clients.find((c) => c.id === name || (c.aliases ?? []).includes(name));

// The parts the page shows, and the plain text the CLI prints.
export function renderClient(entry, values) {
  const client = localized(entry);
  const v = { ...values, model: values.model || client.default_model };
  const root = normalizeRoot(v.root);
  const v1 = client.base === 'v1';
  const header = [
    `# ${client.name}`,
    t('setup.plain.protocol', { protocol: client.protocol, endpoint: client.endpoint }),
    v1 ? t('setup.plain.baseV1', { url: `${root}/v1` }) : t('setup.plain.baseRoot', { url: root }),
    t('setup.plain.servedBy', { endpoint: client.endpoint, groups: client.groups.join(', ') }),
  ];
  const files = client.files.map((f) => ({ title: f.title, path: f.path || '', lang: f.lang, text: fill(f.text, v) }));
  const notes = (client.notes || []).map((n) => fill(n, v));
  let text = header.join('\n') + '\n';
  for (const f of files) text += `\n## ${f.title}${f.path ? ` [${f.path}]` : ''}\n${f.text}\n`;
  if (notes.length) text += `\n${t('setup.plain.notes')}\n` + notes.map((n) => `- ${n}\n`).join('');
  return { baseUrl: v1 ? `${root}/v1` : root, files, notes, text, model: v.model, name: client.name, protocol: client.protocol };
}
