// The loss chart: training and test loss against iterations, the gap between them shaded (a wide gap where
// test loss sits above training loss is overfitting), a log-scale toggle, a smoothing slider, and hovering to
// read the values at any point.

import { el, setChildren, fmt, count } from '../shared/dom.js';

const TRAIN = '#3a4a5c';
const TEST = '#8a55c9';
const GAP = 'rgba(138, 85, 201, 0.16)';

function smooth(values, amount) {
  if (amount <= 0) return values;
  const out = new Array(values.length);
  let acc = null;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === null || !Number.isFinite(v)) { out[i] = v; continue; }
    acc = acc === null ? v : amount * acc + (1 - amount) * v;
    out[i] = acc;
  }
  return out;
}

/** A round step (1, 2 or 5 times a power of ten, at least 1) no smaller than `raw`. */
function roundStep(raw) {
  if (!(raw > 1)) return 1;
  const power = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 5, 10].map((m) => m * power).find((v) => v >= raw);
}

/** The iteration at which training reached `epoch`, read off the history rows (interpolated between two rows). */
function iterationAt(rows, epoch) {
  let hi = rows.findIndex((r) => r.epoch >= epoch);
  if (hi < 0) hi = rows.length - 1;
  if (hi === 0) return rows[0].iteration;
  const a = rows[hi - 1];
  const b = rows[hi];
  const t = b.epoch > a.epoch ? (epoch - a.epoch) / (b.epoch - a.epoch) : 1;
  return a.iteration + t * (b.iteration - a.iteration);
}

export function createChart({ state, latest }) {
  const host = document.getElementById('chart');
  const canvas = el('canvas', { class: 'chart-canvas', id: 'loss-chart', role: 'img', 'aria-label': 'Loss over iterations' });
  const readout = el('div', { class: 'chart-readout', id: 'chart-readout', 'aria-live': 'off' }, '');
  const logBox = el('input', { type: 'checkbox', id: 'log-scale', onchange: () => state.set({ log_scale: logBox.checked }) });
  const smoothInput = el('input', { type: 'range', id: 'smoothing', min: 0, max: 0.95, step: 0.05, 'aria-label': 'Smoothing',
    oninput: () => state.set({ smoothing: Number(smoothInput.value) }) });
  const head = el('div', { class: 'chart-head' },
    el('span', { class: 'chart-title' }, 'Loss'),
    el('span', { class: 'key' }, el('i', { class: 'key-line', style: `background:${TRAIN}` }), 'training'),
    el('span', { class: 'key' }, el('i', { class: 'key-line', style: `background:${TEST}` }), 'test'),
    el('span', { class: 'key', id: 'chart-gap-key' }, el('i', { class: 'key-line key-gap', style: `background:${GAP}` }), 'gap'),
    el('label', { class: 'check small', dataset: { ctl: 'log_scale' } }, logBox, ' log'),
    el('label', { class: 'check small slider-inline', dataset: { ctl: 'smoothing' } }, 'smooth ', smoothInput));
  const wrap = el('div', { class: 'chart-wrap' }, canvas, readout);
  setChildren(host, head, wrap);

  const ctx = canvas.getContext('2d');
  let key = '';
  let hoverX = null;
  let lastDraw = 0;
  // the canvas's CSS size, read by a ResizeObserver: reading clientWidth while drawing would force a layout of
  // everything the other views have just changed, every frame
  let size = { w: 0, h: 0 };
  // the labels' size follows the page's small text (larger in projector mode); read with the size, not per frame
  let font = 11;
  const readFont = () => { font = parseFloat(getComputedStyle(canvas).fontSize) || 11; };
  new ResizeObserver(([entry]) => {
    const box = entry.contentRect;
    size = { w: box.width, h: box.height };
    readFont();
    draw(true);
  }).observe(canvas);

  canvas.addEventListener('pointermove', (event) => {
    const box = canvas.getBoundingClientRect();
    hoverX = (event.clientX - box.left) / box.width;
    draw(true);
  });
  canvas.addEventListener('pointerleave', () => {
    hoverX = null;
    draw(true);
  });

  function draw(force) {
    const rows = latest.history;
    const { w, h } = size;
    if (!w || !h) return;
    const dpr = window.devicePixelRatio || 1;
    const last = rows.length ? rows[rows.length - 1] : null;
    const k = `${w}|${h}|${dpr}|${font}|${rows.length}|${last && last.iteration}|${last && last.train_loss}|${state.get('log_scale')}|${state.get('smoothing')}|${hoverX}`;
    if (!force && k === key) return;
    key = k;
    if (canvas.width !== Math.round(w * dpr) || canvas.height !== Math.round(h * dpr)) {
      canvas.width = Math.round(w * dpr);
      canvas.height = Math.round(h * dpr);
    }
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, w, h);
    const pad = { l: Math.round(3.5 * font), r: 8, t: 6, b: Math.round(1.5 * font) };
    const log = state.get('log_scale');
    const amount = state.get('smoothing');
    const tr = smooth(rows.map((r) => r.train_loss), amount);
    const te = smooth(rows.map((r) => r.test_loss), amount);
    const tf = (v) => (v === null || v === undefined || !Number.isFinite(v) ? null : log ? Math.log10(Math.max(v, 1e-8)) : v);
    let lo = Infinity;
    let hi = -Infinity;
    for (const arr of [tr, te]) for (const v of arr) { const y = tf(v); if (y !== null) { lo = Math.min(lo, y); hi = Math.max(hi, y); } }
    ctx.font = `${font}px system-ui, sans-serif`;
    ctx.fillStyle = '#5b6672';
    ctx.strokeStyle = '#e3e7ec';
    ctx.lineWidth = 1;
    if (!Number.isFinite(lo)) {
      ctx.fillText('The loss appears here once training starts.', pad.l, h / 2);
      readout.textContent = '';
      return;
    }
    if (!log) lo = Math.min(lo, 0);
    if (hi - lo < 1e-9) hi = lo + (log ? 1 : 1e-3);
    const x0 = rows[0].iteration;
    const x1 = Math.max(rows[rows.length - 1].iteration, x0 + 1);
    const X = (it) => pad.l + ((it - x0) / (x1 - x0)) * (w - pad.l - pad.r);
    const Y = (v) => pad.t + (1 - (v - lo) / (hi - lo)) * (h - pad.t - pad.b);
    // the plot's geometry, shared by the pieces drawn below
    const plot = { rows, w, h, pad, log, lo, hi, x0, x1, X, Y, tf,
      stride: Math.max(1, Math.floor(rows.length / (w - pad.l - pad.r))) };
    drawGrid(plot);
    drawEpochAxis(plot);
    drawGap(plot, tr, te);
    drawLine(plot, tr, TRAIN, 1.6);
    drawLine(plot, te, TEST, 1.6);
    drawHover(plot);
  }

  /** Three horizontal grid lines with their loss values. */
  function drawGrid({ w, pad, log, lo, hi, Y }) {
    for (let i = 0; i <= 2; i++) {
      const v = lo + ((hi - lo) * i) / 2;
      const y = Y(v);
      ctx.beginPath();
      ctx.moveTo(pad.l, y + 0.5);
      ctx.lineTo(w - pad.r, y + 0.5);
      ctx.stroke();
      ctx.fillText(fmt(log ? 10 ** v : v, 2), 2, y + font / 3);
    }
  }

  /** The x axis: ticks at round epochs, each where training reached it (the curve runs over iterations). */
  function drawEpochAxis({ rows, w, h, pad, X }) {
    const e0 = rows[0].epoch;
    const e1 = rows[rows.length - 1].epoch;
    const step = roundStep((e1 - e0) / Math.max(1, Math.floor((w - pad.l - pad.r) / 64)));
    ctx.fillText('epoch', 2, h - 3);
    const left = ctx.measureText('epoch').width + 6;
    for (let e = Math.ceil(e0 / step) * step; e <= e1; e += step) {
      const x = X(iterationAt(rows, e));
      const text = count(e);
      const half = ctx.measureText(text).width / 2;
      ctx.beginPath();
      ctx.moveTo(x + 0.5, h - pad.b);
      ctx.lineTo(x + 0.5, h - pad.b + 3);
      ctx.stroke();
      ctx.fillText(text, Math.min(Math.max(x - half, left), w - 2 * half - 1), h - 3);
    }
  }

  /** One loss curve, broken where the values are unknown. */
  function drawLine({ rows, stride, X, Y, tf }, values, color, width) {
    ctx.strokeStyle = color;
    ctx.lineWidth = width;
    ctx.lineJoin = 'round';
    ctx.beginPath();
    let open = false;
    for (let i = 0; i < rows.length; i += stride) {
      const y = tf(values[i]);
      if (y === null) { open = false; continue; }
      if (!open) ctx.moveTo(X(rows[i].iteration), Y(y));
      else ctx.lineTo(X(rows[i].iteration), Y(y));
      open = true;
    }
    const lastY = tf(values[rows.length - 1]);
    if (open && lastY !== null) ctx.lineTo(X(rows[rows.length - 1].iteration), Y(lastY));
    ctx.stroke();
  }

  /** The gap: the band between the two curves, over the rows where both are known. */
  function drawGap({ rows, stride, X, Y, tf }, tr, te) {
    const both = [];
    for (let i = 0; i < rows.length; i += stride) if (tf(tr[i]) !== null && tf(te[i]) !== null) both.push(i);
    if (both.length > 1) {
      ctx.fillStyle = GAP;
      ctx.beginPath();
      both.forEach((i, k) => (k ? ctx.lineTo : ctx.moveTo).call(ctx, X(rows[i].iteration), Y(tf(tr[i]))));
      for (let k = both.length - 1; k >= 0; k--) ctx.lineTo(X(rows[both[k]].iteration), Y(tf(te[both[k]])));
      ctx.closePath();
      ctx.fill();
    }
  }

  /** The vertical cursor at the row nearest the pointer, and that row's values in the readout. */
  function drawHover({ rows, w, h, pad, x0, x1, X }) {
    if (hoverX !== null) {
      const it = x0 + ((hoverX * w - pad.l) / (w - pad.l - pad.r)) * (x1 - x0);
      let best = 0;
      for (let i = 0; i < rows.length; i++) if (Math.abs(rows[i].iteration - it) < Math.abs(rows[best].iteration - it)) best = i;
      const r = rows[best];
      const x = X(r.iteration);
      ctx.strokeStyle = '#9aa5b1';
      ctx.lineWidth = 1;
      ctx.beginPath();
      ctx.moveTo(x + 0.5, pad.t);
      ctx.lineTo(x + 0.5, h - pad.b);
      ctx.stroke();
      readout.textContent = `epoch ${count(r.epoch)} · iteration ${count(r.iteration)} · training ${fmt(r.train_loss, 4)} · test ${fmt(r.test_loss, 4)}`;
    } else {
      readout.textContent = '';
    }
  }

  return {
    update(flags) {
      if (flags.has('state')) {
        logBox.checked = state.get('log_scale');
        if (document.activeElement !== smoothInput) smoothInput.value = String(state.get('smoothing'));
      }
      // the curve does not need every frame: new rows are drawn at most 20 times a second
      if (flags.has('layout')) readFont();
      const urgent = flags.has('history') || flags.has('state') || flags.has('layout');
      if (urgent || (flags.has('frame') && performance.now() - lastDraw > 50)) {
        lastDraw = performance.now();
        draw(false);
      }
    },
  };
}
