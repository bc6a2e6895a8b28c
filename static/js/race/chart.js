// The race chart: every lane's training loss against epochs in one chart (one colour and dash pattern per lane,
// a legend that names the lanes), the target loss as a dashed line, a log-scale toggle, hover to read values.

import { el, setChildren, fmt, count } from '../shared/dom.js';
import { LANE_COLORS, LANE_DASHES } from './names.js';

const PAD = { l: 44, r: 10, t: 8, b: 20 };

export function createRaceChart({ state, latest, actions }) {
  const host = document.getElementById('race-chart');
  const canvas = el('canvas', { class: 'race-chart-canvas', id: 'race-chart-canvas', role: 'img',
    'aria-label': 'Training loss of every lane over epochs' });
  const legend = el('ul', { class: 'race-legend', id: 'race-legend' });
  const logBox = el('input', { type: 'checkbox', id: 'race-log', onchange: () => state.set({ log_scale: logBox.checked }) });
  const readout = el('div', { class: 'chart-readout', id: 'race-readout', 'aria-live': 'off' }, '');
  setChildren(host, el('div', { class: 'race-chart-head' }, legend, el('label', { class: 'check small' }, logBox, ' log scale')),
    el('div', { class: 'race-chart-wrap' }, canvas), readout);
  const ctx = canvas.getContext('2d');
  let hoverX = null;
  let lastDraw = 0;
  let legendKey = '';

  canvas.addEventListener('pointermove', (event) => {
    const box = canvas.getBoundingClientRect();
    hoverX = event.clientX - box.left;
    draw();
  });
  canvas.addEventListener('pointerleave', () => {
    hoverX = null;
    draw();
  });

  function showLegend() {
    const lanes = (latest.frame && latest.frame.lanes) || [];
    const labels = state.get('lanes').map((_, k) => actions.label(k));
    const notes = labels.map((_, k) => {
      const lane = lanes[k];
      if (!lane) return '';
      if (lane.diverged) return 'diverged';
      if (lane.finished_at !== null) return `target at epoch ${count(lane.finished_at)}`;
      return '';
    });
    const key = JSON.stringify([labels, notes, latest.frame && latest.frame.winner]);
    if (key === legendKey) return;
    legendKey = key;
    setChildren(legend, labels.map((label, k) => el('li', { class: `race-key${latest.frame && latest.frame.winner === k ? ' is-winner' : ''}` },
      el('i', { class: `key-line lane-${k}`, style: `border-top-color:${LANE_COLORS[k]}` }),
      el('span', { class: 'race-key-label' }, label),
      notes[k] ? el('span', { class: 'race-key-note' }, notes[k]) : null)));
  }

  function draw() {
    const w = canvas.clientWidth;
    const h = canvas.clientHeight;
    if (!w || !h) return;
    const dpr = window.devicePixelRatio || 1;
    if (canvas.width !== Math.round(w * dpr) || canvas.height !== Math.round(h * dpr)) {
      canvas.width = Math.round(w * dpr);
      canvas.height = Math.round(h * dpr);
    }
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, w, h);
    const log = state.get('log_scale');
    const target = state.get('target_loss');
    const tf = (v) => (v === null || v === undefined || !Number.isFinite(v) ? null : log ? Math.log10(Math.max(v, 1e-8)) : v);
    const lanes = latest.history.slice(0, state.get('lanes').length);
    let lo = tf(target);
    let hi = lo;
    let last = 10;
    for (const rows of lanes) {
      for (const row of rows || []) {
        const y = tf(row.train_loss);
        if (y !== null) { lo = Math.min(lo, y); hi = Math.max(hi, y); }
        last = Math.max(last, row.epoch);
      }
    }
    ctx.font = '11px system-ui, sans-serif';
    ctx.lineWidth = 1;
    if (!log) lo = Math.min(lo, 0);
    if (hi - lo < 1e-9) hi = lo + (log ? 1 : 0.1);
    const X = (e) => PAD.l + (e / last) * (w - PAD.l - PAD.r);
    const Y = (v) => PAD.t + (1 - (v - lo) / (hi - lo)) * (h - PAD.t - PAD.b);
    ctx.strokeStyle = '#e3e7ec';
    ctx.fillStyle = '#6a7683';
    for (let i = 0; i <= 3; i++) {
      const v = lo + ((hi - lo) * i) / 3;
      ctx.beginPath();
      ctx.moveTo(PAD.l, Math.round(Y(v)) + 0.5);
      ctx.lineTo(w - PAD.r, Math.round(Y(v)) + 0.5);
      ctx.stroke();
      ctx.fillText(fmt(log ? 10 ** v : v, 2), 4, Y(v) + 4);
    }
    ctx.fillText('0', PAD.l, h - 5);
    const end = `epoch ${count(last)}`;
    ctx.fillText(end, w - PAD.r - ctx.measureText(end).width, h - 5);
    // the target: the finish line
    ctx.save();
    ctx.strokeStyle = '#1b2430';
    ctx.setLineDash([5, 4]);
    ctx.beginPath();
    ctx.moveTo(PAD.l, Y(tf(target)));
    ctx.lineTo(w - PAD.r, Y(tf(target)));
    ctx.stroke();
    ctx.restore();
    ctx.fillStyle = '#1b2430';
    ctx.fillText(`target ${fmt(target, 3)}`, PAD.l + 4, Y(tf(target)) - 4);
    lanes.forEach((rows, k) => {
      if (!rows || !rows.length) return;
      ctx.save();
      ctx.strokeStyle = LANE_COLORS[k];
      ctx.lineWidth = state.get('projector') ? 3 : 2;
      ctx.setLineDash(LANE_DASHES[k]);
      ctx.lineJoin = 'round';
      ctx.beginPath();
      let open = false;
      for (const row of rows) {
        const y = tf(row.train_loss);
        if (y === null) { open = false; continue; }
        if (open) ctx.lineTo(X(row.epoch), Y(y));
        else ctx.moveTo(X(row.epoch), Y(y));
        open = true;
      }
      ctx.stroke();
      ctx.restore();
    });
    if (hoverX !== null && hoverX > PAD.l) {
      const epoch = Math.round(((hoverX - PAD.l) / (w - PAD.l - PAD.r)) * last);
      ctx.strokeStyle = '#9aa5b1';
      ctx.beginPath();
      ctx.moveTo(Math.round(X(epoch)) + 0.5, PAD.t);
      ctx.lineTo(Math.round(X(epoch)) + 0.5, h - PAD.b);
      ctx.stroke();
      const parts = lanes.map((rows, k) => {
        const row = (rows || []).reduce((best, r) => (best === null || Math.abs(r.epoch - epoch) < Math.abs(best.epoch - epoch) ? r : best), null);
        return row ? `${'ABCD'[k]} ${fmt(row.train_loss, 3)}` : null;
      }).filter(Boolean);
      readout.textContent = `epoch ${count(epoch)} · training loss ${parts.join(' · ')}`;
    } else {
      readout.textContent = '';
    }
  }

  return {
    update(flags) {
      if (flags.has('state')) logBox.checked = state.get('log_scale');
      if (flags.has('frame') || flags.has('race') || flags.has('state')) showLegend();
      const urgent = flags.has('history') || flags.has('state') || flags.has('layout') || flags.has('race')
        || (flags.has('frame') && latest.runState !== 'playing');
      if (urgent || (flags.has('frame') && performance.now() - lastDraw > 50)) {
        lastDraw = performance.now();
        draw();
      }
    },
  };
}
