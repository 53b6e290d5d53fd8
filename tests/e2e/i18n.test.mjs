// The web pages' two catalogues (web/src/shared/i18n/en.json, zh-CN.json) and
// the Chinese texts of web/src/clients.json: no browser, no gateway. Fails when
// one catalogue lacks a key the other has, when a {placeholder} differs between
// them, when a page calls t('…') with a key the catalogue does not have (or
// with anything but a literal key, which could not be checked), or when a key
// is no longer used.

import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { REPO_ROOT } from './lib/gateway.mjs';

const WEB_SRC = path.join(REPO_ROOT, 'web', 'src');
const I18N = path.join(WEB_SRC, 'shared', 'i18n');
const LOCALES = ['en', 'zh-CN'];
const catalogue = Object.fromEntries(LOCALES.map((l) => [l, JSON.parse(readFileSync(path.join(I18N, `${l}.json`), 'utf8'))]));
const PLURAL = /_(zero|one|two|few|many|other)$/;

function sources(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return sources(p);
    return e.name.endsWith('.js') ? [p] : [];
  });
}

// Files that use the catalogue (and the i18n module itself), without their comments.
const pages = sources(WEB_SRC)
  .map((f) => ({ file: path.relative(REPO_ROOT, f), text: readFileSync(f, 'utf8') }))
  .filter((f) => f.file.endsWith('i18n/index.js') || /from '[./]*(shared\/)?i18n\/index\.js'/.test(f.text))
  .map((f) => ({ ...f, code: f.text.replace(/^\s*\/\/.*$/gm, '').replace(/\/\*[\s\S]*?\*\//g, '') }));

const placeholders = (s) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

test('both catalogues have the same keys, none empty, with the same placeholders', () => {
  const [en, zh] = LOCALES.map((l) => catalogue[l]);
  const onlyEn = Object.keys(en).filter((k) => !(k in zh));
  const onlyZh = Object.keys(zh).filter((k) => !(k in en));
  assert.deepEqual(onlyEn, [], `keys missing from zh-CN.json: ${onlyEn.join(', ')}`);
  assert.deepEqual(onlyZh, [], `keys missing from en.json: ${onlyZh.join(', ')}`);
  for (const l of LOCALES) {
    for (const [k, v] of Object.entries(catalogue[l])) {
      assert.equal(typeof v, 'string', `${l} ${k} is not a string`);
      assert.ok(v.trim(), `${l} ${k} is empty`);
    }
  }
  for (const k of Object.keys(en)) {
    // A plural form may leave the count out ("1 model" vs "{count} models").
    const a = placeholders(en[k]).filter((p) => !PLURAL.test(k) || p !== 'count');
    const b = placeholders(zh[k]).filter((p) => !PLURAL.test(k) || p !== 'count');
    assert.deepEqual(b, a, `placeholders of ${k} differ: en ${en[k]} / zh-CN ${zh[k]}`);
  }
});

test('every t() key a page uses is in the catalogue, and every catalogue key is used', () => {
  assert.ok(pages.length >= 10, `found only ${pages.length} files using the catalogue`);
  const used = new Set();
  const problems = [];
  for (const { file, code } of pages) {
    for (const m of code.matchAll(/(?<!function )(?<![\w.$])tx?\(\s*([^\s)])/g)) {
      if (m[1] !== "'") problems.push(`${file}: t() without a literal key near "${code.slice(m.index, m.index + 50)}"`);
    }
    for (const m of code.matchAll(/(?<!function )(?<![\w.$])tx?\(\s*'([^']+)'/g)) {
      const key = m[1];
      used.add(key);
      for (const l of LOCALES) {
        if (!(key in catalogue[l]) && !(`${key}_other` in catalogue[l])) problems.push(`${file}: '${key}' is not in ${l}.json`);
      }
    }
  }
  assert.deepEqual(problems, []);
  const unused = Object.keys(catalogue.en).filter((k) => !used.has(k) && !used.has(k.replace(PLURAL, '')));
  assert.deepEqual(unused, [], `catalogue keys no page uses: ${unused.join(', ')}`);
});

test('clients.json: every client and trouble entry has its Chinese text; aliases are unique', () => {
  const doc = JSON.parse(readFileSync(path.join(WEB_SRC, 'clients.json'), 'utf8'));
  const names = [];
  for (const c of doc.clients) {
    const zh = c['zh-CN'];
    assert.ok(zh, `${c.id} has no zh-CN`);
    assert.ok(zh.name?.trim() && zh.protocol?.trim(), `${c.id}: zh-CN name and protocol`);
    assert.equal(zh.files?.length, c.files.length, `${c.id}: one zh-CN file entry per file`);
    for (const [i, f] of zh.files.entries()) assert.ok(f.title?.trim(), `${c.id}: zh-CN title of file ${i + 1}`);
    assert.equal(zh.notes?.length ?? 0, c.notes?.length ?? 0, `${c.id}: one zh-CN note per note`);
    names.push(c.id, ...(c.aliases ?? []));
  }
  for (const t of doc.troubleshooting) {
    assert.ok(t['zh-CN']?.symptom?.trim() && t['zh-CN']?.answer?.trim(), `trouble "${t.symptom}" has no zh-CN`);
  }
  const dup = names.filter((n, i) => names.indexOf(n) !== i);
  assert.deepEqual(dup, [], `an id or alias names two clients: ${dup}`);
  // The set-up texts say what really happens to a key out of quota.
  const all = JSON.stringify(doc);
  assert.ok(!/401[^"]*out of quota|out of quota[^"]*401/i.test(all), 'an out-of-quota key gets 429, not 401');
  assert.match(all, /429 insufficient_quota/);
});
