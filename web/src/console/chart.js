// A Preact wrapper around Chart.js, registering only what the console draws.
import { html } from 'htm/preact';
import { useEffect, useRef } from 'preact/hooks';
import {
  BarController, BarElement, CategoryScale, Chart, Filler, Legend, LinearScale, LineController, LineElement,
  PointElement, Tooltip,
} from 'chart.js';

Chart.register(BarController, BarElement, CategoryScale, Filler, Legend, LinearScale, LineController, LineElement,
  PointElement, Tooltip);

const css = (name) => getComputedStyle(document.documentElement).getPropertyValue(name).trim();
export const PALETTE = ['#2457d6', '#e0851b', '#1b9e5a', '#c62828', '#7b4fd6', '#0f9bb5', '#b5a00f', '#d64f9b'];

export function ChartView({ type, labels, datasets, label, options = {} }) {
  const canvas = useRef();
  const chart = useRef();
  useEffect(() => {
    const text = css('--muted');
    const grid = css('--border');
    const config = {
      type,
      data: { labels, datasets },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        interaction: { mode: 'index', intersect: false },
        plugins: { legend: { labels: { color: text } } },
        scales: {
          x: { ticks: { color: text, maxTicksLimit: 8 }, grid: { color: grid } },
          y: { ticks: { color: text }, grid: { color: grid }, beginAtZero: true },
        },
        ...options,
      },
    };
    chart.current?.destroy();
    chart.current = new Chart(canvas.current, config);
    return () => chart.current?.destroy();
  }, [type, JSON.stringify(labels), JSON.stringify(datasets), document.documentElement.dataset.theme]);
  return html`<div class="chart-box"><canvas ref=${canvas} role="img" aria-label=${label}></canvas></div>`;
}
