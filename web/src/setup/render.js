// Fills the set-up texts of clients.json. Must match src/web/client_config.cpp
// character for character: `aiohub client-config` prints the same text.
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

// The parts the page shows, and the plain text the CLI prints.
export function renderClient(client, values) {
  const v = { ...values, model: values.model || client.default_model };
  const root = normalizeRoot(v.root);
  const v1 = client.base === 'v1';
  const header = [
    `# ${client.name}`,
    `# Protocol: ${client.protocol} (endpoint "${client.endpoint}")`,
    `# Base URL: ${v1 ? `${root}/v1 (with /v1)` : `${root} (the gateway root, no /v1)`}`,
    `# Served by: a key whose group allows "${client.endpoint}" and has the model (e.g. ${client.groups.join(', ')})`,
  ];
  const files = client.files.map((f) => ({ title: f.title, path: f.path || '', lang: f.lang, text: fill(f.text, v) }));
  const notes = (client.notes || []).map((n) => fill(n, v));
  let text = header.join('\n') + '\n';
  for (const f of files) text += `\n## ${f.title}${f.path ? ` [${f.path}]` : ''}\n${f.text}\n`;
  if (notes.length) text += '\n## Notes\n' + notes.map((n) => `- ${n}\n`).join('');
  return { baseUrl: v1 ? `${root}/v1` : root, files, notes, text, model: v.model };
}
