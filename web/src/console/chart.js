// A Preact wrapper around Chart.js, registering only what the console draws.
import { html } from 'htm/preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import {
  BarController, BarElement, CategoryScale, Chart, Filler, Legend, LinearScale, LineController, LineElement,
  PointElement, Tooltip,
} from 'chart.js';
import { getLocale } from '../shared/i18n/index.js';

Chart.register(BarController, BarElement, CategoryScale, Filler, Legend, LinearScale, LineController, LineElement,
  PointElement, Tooltip);

const css = (name) => getComputedStyle(document.documentElement).getPropertyValue(name).trim();
export const PALETTE = ['#2457d6', '#e0851b', '#1b9e5a', '#c62828', '#7b4fd6', '#0f9bb5', '#b5a00f', '#d64f9b'];

// Redraws when the theme changes (toggle or system), since colours are read from CSS.
function useThemeVersion() {
  const [version, setVersion] = useState(0);
  useEffect(() => {
    const bump = () => setVersion((v) => v + 1);
    const media = matchMedia('(prefers-color-scheme: dark)');
    addEventListener('aiohub-theme', bump);
    media.addEventListener('change', bump);
    return () => { removeEventListener('aiohub-theme', bump); media.removeEventListener('change', bump); };
  }, []);
  return version;
}

// `integer`: counts on the y axis; `yFormat`: a tick label function.
export function ChartView({ type, labels, datasets, label, integer = false, yFormat }) {
  const canvas = useRef();
  const chart = useRef();
  const themeVersion = useThemeVersion();
  useEffect(() => {
    const text = css('--muted');
    const grid = css('--border');
    const config = {
      type,
      data: { labels, datasets },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        locale: getLocale(), // numbers on the axes and in tooltips, as the rest of the page
        animation: false,
        interaction: { mode: 'index', intersect: false },
        plugins: { legend: { labels: { color: text } } },
        scales: {
          x: { ticks: { color: text, maxTicksLimit: 8 }, grid: { color: grid } },
          y: {
            ticks: { color: text, ...(integer ? { precision: 0 } : {}), ...(yFormat ? { callback: yFormat } : {}) },
            grid: { color: grid },
            beginAtZero: true,
          },
        },
      },
    };
    chart.current?.destroy();
    chart.current = new Chart(canvas.current, config);
    return () => chart.current?.destroy();
  }, [type, JSON.stringify(labels), JSON.stringify(datasets), themeVersion, getLocale()]);
  return html`<div class="chart-box"><canvas ref=${canvas} role="img" aria-label=${label}></canvas></div>`;
}
