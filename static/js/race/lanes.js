// The lanes side by side: each lane's decision map (what its network answers over the plane, with the training
// points), its epoch and training loss now, and whether it reached the target, diverged, or won.

import { SPEC } from '/spec.js';
import { el, setChildren, fmt, count } from '../shared/dom.js';
import { MapCanvas, lutDiverging, paintClasses, classColor, diverging, rgb } from '../shared/colors.js';
import { LANE_COLORS, LANE_LETTERS } from './names.js';

const EXTENT = SPEC.plane.extent;

/** Paint a lane's output block: K class colours, or the diverging scale for one output. */
function paintOutput(map, block, task, activation, scale) {
  if (task === 'multiclass' || block.maps.length > 1) {
    paintClasses(map, block, false);
    return;
  }
  const m = block.maps[0];
  const toT = task === 'regression' ? (v) => v / scale
    : activation === 'sigmoid' || activation === 'step' ? (v) => 2 * v - 1 : (v) => Math.max(-1, Math.min(1, v));
  map.paint(m, block.size, lutDiverging(m, toT, task === 'regression' ? 1 : 0.92));
}

export function createRaceLanes({ state, latest, actions }) {
  const host = document.getElementById('race-lanes');
  let cards = [];
  let cardsKey = '';
  const offscreen = new MapCanvas(document.createElement('canvas'));

  function build() {
    const n = state.get('lanes').length;
    cards = [];
    for (let k = 0; k < n; k++) {
      const canvas = el('canvas', { class: 'race-map', id: `lane-${k}-map`, role: 'img', 'aria-label': `Lane ${LANE_LETTERS[k]}: what its network answers over the plane` });
      const title = el('span', { class: 'race-card-title', id: `lane-${k}-label` }, '');
      const badge = el('span', { class: 'race-badge', id: `lane-${k}-badge`, hidden: true }, '');
      const epoch = el('output', { class: 'race-card-value', id: `lane-${k}-epoch` }, '0');
      const loss = el('output', { class: 'race-card-value', id: `lane-${k}-loss` }, '–');
      const card = el('figure', { class: 'race-card', style: `--lane:${LANE_COLORS[k]}` },
        el('figcaption', { class: 'race-card-head' }, el('span', { class: 'lane-letter' }, LANE_LETTERS[k]), title),
        el('div', { class: 'race-map-box' }, canvas, badge),
        el('div', { class: 'race-card-stats' },
          el('span', {}, 'Epoch ', epoch), el('span', {}, 'Training loss ', loss)));
      cards.push({ card, canvas, title, badge, epoch, loss });
    }
    setChildren(host, cards.map((c) => c.card));
    host.style.setProperty('--lanes', String(Math.max(2, n)));
  }

  function targetScale() {
    const data = latest.data;
    let big = 0;
    for (const p of (data && data.train) || []) big = Math.max(big, Math.abs(p[2]));
    return big > 0 ? big : 1;
  }

  function drawCard(c, k) {
    const block = latest.maps[k];
    const w = c.canvas.clientWidth;
    if (!w) return;
    const dpr = window.devicePixelRatio || 1;
    const px = Math.round(w * dpr);
    if (c.canvas.width !== px) {
      c.canvas.width = px;
      c.canvas.height = px;
    }
    const ctx = c.canvas.getContext('2d');
    ctx.clearRect(0, 0, px, px);
    const data = latest.data;
    if (!block || !data || !data.is_plane) {
      ctx.fillStyle = '#6a7683';
      ctx.font = `${12 * dpr}px system-ui, sans-serif`;
      ctx.fillText(data && !data.is_plane ? 'No map: this data set is not a plane.' : '', 8 * dpr, 20 * dpr);
      return;
    }
    const acts = (latest.race && latest.race.network.activations) || [];
    paintOutput(offscreen, block, data.task, acts[acts.length - 1], targetScale());
    ctx.imageSmoothingEnabled = true;
    ctx.drawImage(offscreen.canvas, 0, 0, px, px);
    const lane = latest.frame && latest.frame.lanes[k];
    if (lane && lane.diverged) {
      ctx.fillStyle = 'rgba(240, 242, 245, 0.85)';
      ctx.fillRect(0, 0, px, px);
    }
    const r = Math.max(1.6, Math.min(3.2, w / 90)) * dpr;
    const scale = targetScale();
    ctx.lineWidth = Math.max(0.8, dpr * 0.8);
    ctx.strokeStyle = 'rgba(255,255,255,0.9)';
    for (const p of data.train || []) {
      ctx.beginPath();
      ctx.arc(((p[0] + EXTENT) / (2 * EXTENT)) * px, ((EXTENT - p[1]) / (2 * EXTENT)) * px, r, 0, 2 * Math.PI);
      ctx.fillStyle = data.task === 'regression' ? rgb(diverging(p[2] / scale)) : rgb(classColor(p[2] | 0));
      ctx.fill();
      ctx.stroke();
    }
  }

  function showNumbers() {
    const f = latest.frame;
    cards.forEach((c, k) => {
      c.title.textContent = actions.summary(k);
      const lane = f && f.lanes[k];
      c.epoch.textContent = lane ? count(lane.epoch) : '0';
      c.loss.textContent = lane ? fmt(lane.train_loss, 3) : '–';
      let badge = '';
      if (lane && lane.diverged) badge = `Diverged in epoch ${count(lane.epoch + 1)}`;
      else if (lane && lane.finished_at !== null) badge = f.winner === k ? `Winner · epoch ${count(lane.finished_at)}` : `Target at epoch ${count(lane.finished_at)}`;
      c.badge.textContent = badge;
      c.badge.hidden = !badge;
      c.card.classList.toggle('is-winner', Boolean(f && f.winner === k));
      c.card.classList.toggle('is-diverged', Boolean(lane && lane.diverged));
    });
  }

  return {
    update(flags) {
      const key = String(state.get('lanes').length);
      if (key !== cardsKey) {
        cardsKey = key;
        build();
      }
      if (flags.has('frame') || flags.has('state') || flags.has('race')) showNumbers();
      if (flags.has('frame') || flags.has('data') || flags.has('layout') || flags.has('state')) cards.forEach(drawCard);
    },
  };
}
