// Paint a mask on the first edit image. OpenAI's mask semantics: a PNG of the
// image's size whose fully transparent pixels mark the area to edit; the rest
// is opaque. The strokes live in an off-screen canvas at the image's own
// resolution; the visible canvas shows the image with the strokes tinted.
import { html } from 'htm/preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { t } from '../shared/i18n/index.js';

const TINT = 'rgb(0, 210, 255)';

function loadImage(blob) {
  return new Promise((resolve, reject) => {
    const url = URL.createObjectURL(blob);
    const img = new Image();
    img.onload = () => resolve({ img, url });
    img.onerror = () => { URL.revokeObjectURL(url); reject(new Error(t('mask.notImage'))); };
    img.src = url;
  });
}

const toBlob = (canvas) => new Promise((r) => canvas.toBlob(r, 'image/png'));

export function MaskEditor({ source, control }) {
  const view = useRef();
  const strokes = useRef(null);
  const image = useRef(null);
  const last = useRef(null);
  const [brush, setBrush] = useState(40);
  const [painted, setPainted] = useState(false);
  const [size, setSize] = useState(null);
  const [error, setError] = useState('');

  const redraw = () => {
    const c = view.current;
    if (!c || !image.current) return;
    const g = c.getContext('2d');
    g.clearRect(0, 0, c.width, c.height);
    g.drawImage(image.current, 0, 0);
    g.globalAlpha = 0.55;
    g.drawImage(strokes.current, 0, 0);
    g.globalAlpha = 1;
  };

  useEffect(() => {
    let url = null;
    let live = true;
    setError('');
    setPainted(false);
    loadImage(source.blob).then(({ img, url: u }) => {
      url = u;
      if (!live) return;
      image.current = img;
      const w = img.naturalWidth;
      const h = img.naturalHeight;
      strokes.current = Object.assign(document.createElement('canvas'), { width: w, height: h });
      view.current.width = w;
      view.current.height = h;
      setSize({ w, h });
      redraw();
    }, (e) => live && setError(e.message));
    return () => { live = false; if (url) URL.revokeObjectURL(url); };
  }, [source]);

  const toImage = (e) => {
    const r = view.current.getBoundingClientRect();
    const scale = view.current.width / r.width;
    return { x: (e.clientX - r.left) * scale, y: (e.clientY - r.top) * scale, scale };
  };
  const stroke = (from, to) => {
    const g = strokes.current.getContext('2d');
    g.strokeStyle = TINT;
    g.fillStyle = TINT;
    g.lineCap = 'round';
    g.lineJoin = 'round';
    g.lineWidth = brush * to.scale;
    g.beginPath();
    if (from) {
      g.moveTo(from.x, from.y);
      g.lineTo(to.x, to.y);
      g.stroke();
    } else {
      g.arc(to.x, to.y, (brush * to.scale) / 2, 0, Math.PI * 2);
      g.fill();
    }
    setPainted(true);
    redraw();
  };
  const down = (e) => {
    if (!strokes.current || e.button !== 0) return;
    e.preventDefault();
    view.current.setPointerCapture?.(e.pointerId);
    last.current = toImage(e);
    stroke(null, last.current);
  };
  const move = (e) => {
    if (!last.current) return;
    const p = toImage(e);
    stroke(last.current, p);
    last.current = p;
  };
  const up = () => { last.current = null; };

  const clear = () => {
    const s = strokes.current;
    if (!s) return;
    s.getContext('2d').clearRect(0, 0, s.width, s.height);
    setPainted(false);
    redraw();
  };
  // Keyboard way to a useful mask: invert turns "keep this" into "edit this".
  const invert = () => {
    const s = strokes.current;
    if (!s) return;
    const flipped = Object.assign(document.createElement('canvas'), { width: s.width, height: s.height });
    const g = flipped.getContext('2d');
    g.fillStyle = TINT;
    g.fillRect(0, 0, s.width, s.height);
    g.globalCompositeOperation = 'destination-out';
    g.drawImage(s, 0, 0);
    const sg = s.getContext('2d');
    sg.clearRect(0, 0, s.width, s.height);
    sg.drawImage(flipped, 0, 0);
    setPainted(true);
    redraw();
  };

  // The parent asks for the mask when it sends the edit: null when nothing is painted.
  control.current = {
    painted,
    async exportMask() {
      const s = strokes.current;
      if (!s || !painted) return null;
      const out = Object.assign(document.createElement('canvas'), { width: s.width, height: s.height });
      const g = out.getContext('2d');
      g.fillStyle = '#000';
      g.fillRect(0, 0, out.width, out.height);
      g.globalCompositeOperation = 'destination-out';
      g.drawImage(s, 0, 0);
      return toBlob(out);
    },
  };

  return html`<div class="mask-editor">
    <div class="row mask-tools">
      <label>${t('mask.brush')} <span class="muted">${brush}px</span>
        <input type="range" min="4" max="200" step="2" value=${brush} aria-label=${t('mask.brush')}
          onInput=${(e) => setBrush(Number(e.currentTarget.value))} />
      </label>
      <button type="button" onClick=${clear} disabled=${!painted}>${t('mask.clear')}</button>
      <button type="button" onClick=${invert}>${t('mask.invert')}</button>
      <span class="muted" data-testid="mask-state">${painted ? t('mask.painted') : t('mask.none')}</span>
    </div>
    ${error && html`<div class="notice error" role="alert">${error}</div>`}
    <canvas ref=${view} class="mask-canvas" data-testid="mask-canvas" aria-label=${t('mask.canvas', { name: source.name || t('mask.firstImage'), size: size ? ` (${size.w}×${size.h})` : '' })}
      onPointerDown=${down} onPointerMove=${move} onPointerUp=${up} onPointerCancel=${up} onLostPointerCapture=${up}></canvas>
  </div>`;
}
