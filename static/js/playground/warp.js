// Warped space: the input plane as a hidden layer sees it. Every point of the plane goes to the activations of two
// neurons of that layer, (a_i, a_j); the plane's straight grid lines bend into curves and the data points move with
// them. A good hidden layer pulls the classes apart so the next layer can cut them with a straight line.
// The view asks the server for its numbers only while it is open (a `warp` subscription), at most 4 times a second.
//
// Facts published (progress.js): warpLayer — the hidden layer shown, counting from 1 as on the page (null while the
// view is closed or has nothing to draw); warpUnits — the two neurons shown, counting from 1 ([i, j] or null).

import { el, setChildren, fmt } from '../shared/dom.js';
import { classColor, diverging, rgb } from '../shared/colors.js';
import { publish } from '../shared/progress.js';

const SIZE = 320;          // canvas pixels (scaled by CSS)
const PAD = 14;
const LINE_COLORS = { horizontal: [96, 112, 134], vertical: [150, 120, 170] };

/** Pairs (i, j), i < j, of a layer with n neurons in reading order; a single neuron pairs with itself. */
export function neuronPairs(n) {
  if (n <= 1) return [[0, 0]];
  const pairs = [];
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) pairs.push([i, j]);
  return pairs;
}

export function createWarp({ state, latest, actions }) {
  const host = document.getElementById('warp');
  const summary = el('summary', { class: 'warp-summary' }, 'Warped space ',
    el('span', { class: 'group-note' }, 'how a hidden layer sees the plane'));
  const canvas = el('canvas', { class: 'warp-canvas', id: 'warp-canvas', width: SIZE, height: SIZE, role: 'img',
    'aria-label': 'The input plane and its data points as the chosen hidden layer sees them' });
  const note = el('p', { class: 'warp-note', id: 'warp-note', 'aria-live': 'polite' });
  const layerName = el('output', { class: 'warp-name', id: 'warp-layer' }, '–');
  const pairName = el('output', { class: 'warp-name', id: 'warp-pair' }, '–');
  const button = (id, text, label, onclick) => el('button', { type: 'button', class: 'secondary small', id,
    'aria-label': label, title: label, onclick }, text);
  const controls = el('div', { class: 'warp-controls' },
    el('div', { class: 'warp-step' }, el('span', { class: 'ctl-caption' }, 'Layer'),
      button('warp-layer-prev', '◀', 'Previous hidden layer', () => moveLayer(-1)), layerName,
      button('warp-layer-next', '▶', 'Next hidden layer', () => moveLayer(1))),
    el('div', { class: 'warp-step' }, el('span', { class: 'ctl-caption' }, 'Neurons'),
      button('warp-pair-prev', '◀', 'Previous pair of neurons', () => movePair(-1)), pairName,
      button('warp-pair-next', '▶', 'Next pair of neurons', () => movePair(1))));
  const axes = el('p', { class: 'hint warp-axes', id: 'warp-axes' });
  setChildren(host, summary, el('div', { class: 'warp-body' },
    el('p', { class: 'hint' }, 'Each point of the input plane is moved to where two neurons of a hidden layer put it: ',
      'across = one neuron\'s activation, up = the other\'s. Straight grid lines bend; classes that were tangled ',
      'come apart as the network learns.'),
    controls, canvas, axes, note));
  host.open = state.get('warp');
  host.addEventListener('toggle', () => {
    if (host.open !== state.get('warp')) state.set({ warp: host.open });
  });
  const ctx = canvas.getContext('2d');
  let layer = 0;
  let pair = 0;
  let sent = '';            // the subscription last sent, as JSON ('' = none)

  function hiddenWidths() {
    const sizes = latest.sizes;
    return sizes ? sizes.slice(1, -1) : [];
  }

  function available() {
    return latest.isPlane && hiddenWidths().length > 0;
  }

  function clampChoice() {
    const widths = hiddenWidths();
    if (!widths.length) return;
    layer = Math.min(layer, widths.length - 1);
    pair = Math.min(pair, neuronPairs(widths[layer]).length - 1);
  }

  function moveLayer(step) {
    const n = hiddenWidths().length;
    if (!n) return;
    layer = (layer + step + n) % n;
    pair = 0;
    subscribe();
  }

  function movePair(step) {
    const widths = hiddenWidths();
    if (!widths.length) return;
    const n = neuronPairs(widths[layer]).length;
    pair = (pair + step + n) % n;
    subscribe();
  }

  /** Send the subscription the view needs now (or its end), only when it changed. */
  function subscribe() {
    clampChoice();
    const want = host.open && available();
    const units = want ? neuronPairs(hiddenWidths()[layer])[pair] : null;
    const message = want ? { type: 'warp', layer, units } : { type: 'warp', layer: null };
    const key = JSON.stringify(message);
    if (key !== sent && (want || sent !== '')) {
      if (actions.send(message)) sent = want ? key : '';
    }
    showNames();
  }

  function showNames() {
    const widths = hiddenWidths();
    if (!widths.length) {
      layerName.textContent = '–';
      pairName.textContent = '–';
      return;
    }
    const [i, j] = neuronPairs(widths[layer])[pair];
    layerName.textContent = `${layer + 1} of ${widths.length}`;
    pairName.textContent = i === j ? `${i + 1}` : `${i + 1} & ${j + 1}`;
    for (const id of ['warp-layer-prev', 'warp-layer-next']) document.getElementById(id).disabled = widths.length < 2;
    for (const id of ['warp-pair-prev', 'warp-pair-next']) document.getElementById(id).disabled = widths[layer] < 2;
  }

  function range(values) {
    let lo = Infinity;
    let hi = -Infinity;
    for (const v of values) {
      if (v === null || !Number.isFinite(v)) continue;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    if (!(hi > lo)) {
      const mid = Number.isFinite(lo) ? lo : 0;
      return [mid - 1, mid + 1];
    }
    const margin = 0.04 * (hi - lo);
    return [lo - margin, hi + margin];
  }

  function draw(view) {
    ctx.clearRect(0, 0, SIZE, SIZE);
    ctx.fillStyle = '#fbfbf9';
    ctx.fillRect(0, 0, SIZE, SIZE);
    const lines = view.horizontal.concat(view.vertical);
    const xs = [];
    const ys = [];
    for (const line of lines) for (const p of line) { xs.push(p[0]); ys.push(p[1]); }
    for (const p of view.points) { xs.push(p[0]); ys.push(p[1]); }
    const [x0, x1] = range(xs);
    const [y0, y1] = range(ys);
    const px = (v) => PAD + ((v - x0) / (x1 - x0)) * (SIZE - 2 * PAD);
    const py = (v) => SIZE - PAD - ((v - y0) / (y1 - y0)) * (SIZE - 2 * PAD);
    for (const kind of ['horizontal', 'vertical']) {
      const middle = (view[kind].length - 1) / 2;
      view[kind].forEach((line, k) => {
        ctx.strokeStyle = rgb(LINE_COLORS[kind], k === middle ? 0.95 : 0.45);
        ctx.lineWidth = k === middle ? 1.6 : 1;
        ctx.beginPath();
        let started = false;
        for (const p of line) {
          if (p[0] === null || p[1] === null) { started = false; continue; }
          if (started) ctx.lineTo(px(p[0]), py(p[1]));
          else ctx.moveTo(px(p[0]), py(p[1]));
          started = true;
        }
        ctx.stroke();
      });
    }
    const regression = latest.data && latest.data.task === 'regression';
    let scale = 1;
    if (regression) scale = Math.max(1e-9, ...view.labels.map((v) => Math.abs(v)));
    view.points.forEach((p, n) => {
      if (p[0] === null || p[1] === null) return;
      const label = view.labels[n];
      ctx.fillStyle = rgb(regression ? diverging(label / scale) : classColor(label | 0));
      ctx.beginPath();
      ctx.arc(px(p[0]), py(p[1]), 2.2, 0, 2 * Math.PI);
      ctx.fill();
    });
    const activation = latest.network && latest.network.activations ? latest.network.activations[view.layer] : '';
    const [i, j] = view.units;
    axes.textContent = `Across: neuron ${i + 1} of layer ${view.layer + 1}, ${fmt(x0, 2)} to ${fmt(x1, 2)} · `
      + `up: neuron ${j + 1}, ${fmt(y0, 2)} to ${fmt(y1, 2)}${activation ? ` (${activation})` : ''}.`;
  }

  function render() {
    const view = latest.warp;
    const open = host.open;
    if (!open || !available()) {
      note.textContent = !latest.isPlane ? 'The warped view needs data on the plane (two inputs).'
        : 'Add a hidden layer to see how it warps the plane.';
      note.hidden = !open || available();
      canvas.hidden = !available();
      axes.hidden = !available();
      publish({ warpLayer: null, warpUnits: null });
      return;
    }
    canvas.hidden = false;
    axes.hidden = false;
    if (!view) return;
    note.hidden = view.layer !== null;
    if (view.layer === null) {
      note.textContent = view.message || '';
      return;
    }
    // the server clamps to the network it has: follow it
    layer = view.layer;
    const pairs = neuronPairs(view.hidden[layer] ?? 1);
    const found = pairs.findIndex(([a, b]) => a === view.units[0] && b === view.units[1]);
    if (found >= 0) pair = found;
    showNames();
    draw(view);
    publish({ warpLayer: view.layer + 1, warpUnits: view.units.map((u) => u + 1) });
  }

  return {
    update(flags) {
      if (flags.has('welcome')) sent = '';       // a new socket: subscribe again
      if (flags.has('state') && host.open !== state.get('warp')) host.open = state.get('warp');
      if (flags.has('welcome') || flags.has('config') || flags.has('data') || flags.has('network')
          || flags.has('state')) {
        subscribe();
        if (!host.open) latest.warp = null;
        render();
      }
      if (flags.has('warp')) {
        if (!host.open) latest.warp = null;       // one that was on its way when the view closed
        render();
      }
    },
  };
}
