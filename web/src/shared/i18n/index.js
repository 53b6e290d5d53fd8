// Two languages, one tiny t(): every user-visible string is in en.json and
// zh-CN.json (flat "area.name" keys; {name} placeholders; "_one"/"_other"
// variants when a `count` is given). The language comes from localStorage
// (the switcher's choice), else navigator.languages, else English. Numbers,
// money and dates are formatted with Intl for that language.
import en from './en.json';
import zh from './zh-CN.json';

export const LOCALES = { en, 'zh-CN': zh };
export const LOCALE_NAMES = { en: 'English', 'zh-CN': '简体中文' };
const STORE = 'aiohub-lang';

export function detectLocale(stored, languages) {
  if (stored && stored in LOCALES) return stored;
  for (const l of languages ?? []) {
    const low = String(l).toLowerCase();
    if (low.startsWith('zh')) return 'zh-CN';
    if (low.startsWith('en')) return 'en';
  }
  return 'en';
}

const readStored = () => { try { return localStorage.getItem(STORE); } catch { return null; } };
let locale = detectLocale(readStored(), navigator.languages?.length ? navigator.languages : [navigator.language]);
document.documentElement.lang = locale;

export const getLocale = () => locale;

export function setLocale(next) {
  if (!(next in LOCALES) || next === locale) return;
  locale = next;
  try { localStorage.setItem(STORE, next); } catch { /* private mode: this page only */ }
  document.documentElement.lang = next;
  dispatchEvent(new Event('aiohub-lang'));
}

const plurals = {};
const pluralRule = (n) => (plurals[locale] ??= new Intl.PluralRules(locale)).select(n);

function lookup(key, vars) {
  const m = LOCALES[locale];
  if (vars && typeof vars.count === 'number') {
    const v = m[`${key}_${pluralRule(vars.count)}`] ?? m[`${key}_other`];
    if (v != null) return v;
  }
  return m[key] ?? en[key] ?? key;
}

// t('keys.title') -> "Keys"; t('x.y', { name: 'bob' }) fills {name}.
export function t(key, vars) {
  const s = lookup(key, vars);
  return vars ? s.replace(/\{(\w+)\}/g, (w, n) => (n in vars ? String(vars[n]) : w)) : s;
}

// Like t(), but the values may be elements: returns an array for htm.
export function tx(key, vars) {
  const parts = [];
  const s = lookup(key, vars);
  let at = 0;
  for (const m of s.matchAll(/\{(\w+)\}/g)) {
    if (!vars || !(m[1] in vars)) continue;
    parts.push(s.slice(at, m.index), vars[m[1]]);
    at = m.index + m[0].length;
  }
  parts.push(s.slice(at));
  return parts;
}

// ---- Intl formatting for the current language ----
const cache = new Map();
function fmt(Kind, opts = {}) {
  const id = `${locale}|${Kind.name}|${JSON.stringify(opts)}`;
  if (!cache.has(id)) cache.set(id, new Kind(locale, opts));
  return cache.get(id);
}

export const fmtNum = (v) => (v == null ? '—' : fmt(Intl.NumberFormat).format(Number(v)));
// Cents, or up to six decimals for amounts under a cent.
export function fmtUsd(v) {
  if (v == null) return '—';
  const n = Number(v);
  const small = n !== 0 && Math.abs(n) < 0.01;
  return fmt(Intl.NumberFormat, { style: 'currency', currency: 'USD', minimumFractionDigits: 2, maximumFractionDigits: small ? 6 : 2 }).format(n);
}
export const fmtUsdShort = (v) => fmt(Intl.NumberFormat, { style: 'currency', currency: 'USD', maximumSignificantDigits: 2 }).format(Number(v));
export const fmtMs = (v) => (v == null ? '—' : fmt(Intl.NumberFormat, { style: 'unit', unit: 'millisecond', maximumFractionDigits: 0 }).format(Math.round(v)));
export const fmtSeconds = (ms) => t('common.seconds', { n: fmt(Intl.NumberFormat, { minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(ms / 1000) });
export const fmtPercent = (ratio) => fmt(Intl.NumberFormat, { style: 'percent', minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(ratio);
export const fmtDateTime = (tsMs) => (tsMs ? fmt(Intl.DateTimeFormat, { dateStyle: 'medium', timeStyle: 'medium' }).format(new Date(tsMs)) : '—');
export const fmtDay = (tsMs) => fmt(Intl.DateTimeFormat, { month: 'short', day: 'numeric' }).format(new Date(tsMs));
export const fmtTime = (tsMs) => fmt(Intl.DateTimeFormat, { hour: '2-digit', minute: '2-digit' }).format(new Date(tsMs));
export const fmtList = (items) => fmt(Intl.ListFormat, { type: 'conjunction' }).format(items.map(String));
