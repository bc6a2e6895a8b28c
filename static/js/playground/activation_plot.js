// Element-wise activations a = f(z) and their slopes f′(z), the same formulas as engine/activations.py, and a small
// plot of both with chosen z values marked: a dot on f and a dot on f′ at each z.

import { SPEC } from '/spec.js';

const LEAKY_SLOPE = SPEC.leaky_slope;
const sigmoid = (z) => 1 / (1 + Math.exp(-z));

/** name → [f(z), f′(z)]; softmax is not element-wise and has no entry. */
export const CURVES = {
  linear: [(z) => z, () => 1],
  step: [(z) => (z >= 0 ? 1 : 0), () => 0],
  sigmoid: [sigmoid, (z) => sigmoid(z) * (1 - sigmoid(z))],
  tanh: [(z) => Math.tanh(z), (z) => 1 - Math.tanh(z) ** 2],
  relu: [(z) => Math.max(0, z), (z) => (z > 0 ? 1 : 0)],
  leaky_relu: [(z) => (z > 0 ? z : LEAKY_SLOPE * z), (z) => (z > 0 ? 1 : LEAKY_SLOPE)],
};

const BOUNDED = new Set(['step', 'sigmoid', 'tanh']);

/** How f′ is written for a neuron, as people read it in a textbook. */
export const SLOPE_TEXT = {
  linear: 'f′(z) = 1',
  step: 'f′(z) = 0 (flat on both sides)',
  sigmoid: 'f′(z) = a·(1 − a)',
  tanh: 'f′(z) = 1 − a²',
  relu: 'f′(z) = 1 if z > 0, else 0',
  leaky_relu: `f′(z) = 1 if z > 0, else ${LEAKY_SLOPE}`,
};

/**
 * Draw f (solid) and f′ (dashed) of `name` on z ∈ [−span, span] into `canvas` (CSS size width × height), with a
 * dot on each curve at every z in `marks`; the mark at index `strong` is drawn larger. Returns false for softmax.
 */
export function drawActivation(canvas, name, { width, height, marks = [], strong = -1, span = 3 } = {}) {
  const curve = CURVES[name];
  const dpr = window.devicePixelRatio || 1;
  canvas.width = Math.round(width * dpr);
  canvas.height = Math.round(height * dpr);
  const ctx = canvas.getContext('2d');
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, width, height);
  if (!curve) return false;
  const pad = Math.max(2, Math.round(height * 0.08));
  const X = (z) => ((Math.max(-span, Math.min(span, z)) + span) / (2 * span)) * (width - 2 * pad) + pad;
  // bounded curves fill the height; unbounded ones keep slope 1 on the diagonal and leave the box past it
  const top = BOUNDED.has(name) ? 1.3 : span;
  const Y = (v) => height / 2 - (v * (height / 2 - pad)) / top;
  const clampY = (y) => Math.max(1, Math.min(height - 1, y));
  ctx.strokeStyle = '#d5dae0';
  ctx.lineWidth = 1;
  ctx.beginPath();
  ctx.moveTo(0, Math.round(Y(0)) + 0.5); ctx.lineTo(width, Math.round(Y(0)) + 0.5);
  ctx.moveTo(Math.round(X(0)) + 0.5, 0); ctx.lineTo(Math.round(X(0)) + 0.5, height);
  ctx.stroke();
  const lineWidth = Math.max(1.6, height / 40);
  [[curve[1], '#8a55c9', [2, 2]], [curve[0], '#1b2430', []]].forEach(([f, color, dash]) => {
    ctx.strokeStyle = color;
    ctx.setLineDash(dash.map((d) => d * lineWidth / 1.6));
    ctx.lineWidth = lineWidth;
    ctx.beginPath();
    for (let i = 0; i <= 120; i++) {
      const z = -span + (2 * span * i) / 120;
      if (i === 0) ctx.moveTo(X(z), Y(f(z))); else ctx.lineTo(X(z), Y(f(z)));
    }
    ctx.stroke();
  });
  ctx.setLineDash([]);
  marks.forEach((z, k) => {
    if (!Number.isFinite(z)) return;
    const r = k === strong ? Math.max(3, height / 22) : Math.max(2, height / 34);
    [[curve[1], '#8a55c9'], [curve[0], '#1b2430']].forEach(([f, color]) => {
      ctx.fillStyle = color;
      ctx.strokeStyle = '#fff';
      ctx.lineWidth = 1;
      ctx.beginPath();
      ctx.arc(X(z), clampY(Y(f(z))), r, 0, 2 * Math.PI);
      ctx.fill();
      ctx.stroke();
    });
  });
  return true;
}

/**
 * The neuron whose z the activation control marks: the hovered neuron (latest.focusUnit) when it uses `activation`,
 * else the first neuron that does (a hidden one; the output of a perceptron); its numbers for the pinned point.
 * Null when no point is pinned or no layer uses this activation.
 */
export function inspectedNeuron(latest, activation) {
  const insp = latest.inspection;
  const sizes = latest.sizes;
  if (!latest.pinned || !insp || !Array.isArray(insp.layers) || !sizes || insp.layers.length !== sizes.length - 1) return null;
  const last = insp.layers.length - 1;
  const candidates = [];
  insp.layers.forEach((layer, l) => layer.z.forEach((z, k) => candidates.push({ l, k, z, act: layer.activation,
    name: l === last ? `out ${k + 1}` : `L${l + 1}·${k + 1}` })));
  const offsets = [];
  let at = 0;
  for (let l = 1; l < sizes.length; l++) { offsets.push(at); at += sizes[l]; }
  const usable = candidates.filter((c) => c.act === activation);
  const hovered = usable.find((c) => offsets[c.l] + c.k === latest.focusUnit);
  const pick = hovered || usable[0];
  return pick ? { name: pick.name, z: pick.z } : null;
}

/** The activation control's small plot: f and f′ of `activation`, the inspected neuron's z marked on both. */
export function plotChosenActivation(canvas, activation, latest, title) {
  const neuron = CURVES[activation] ? inspectedNeuron(latest, activation) : null;
  const key = JSON.stringify([activation, title, neuron, window.devicePixelRatio]);
  if (canvas.dataset.drawn === key) return neuron;   // redrawn with every frame otherwise
  canvas.dataset.drawn = key;
  drawActivation(canvas, activation, { width: 64, height: 26, marks: neuron ? [neuron.z] : [], strong: 0 });
  let text = `${title}: f(z) solid, its slope f′(z) dashed, for z from −3 to 3`;
  if (neuron) {
    const [f, df] = CURVES[activation];
    const show = (v) => String(Number(v.toPrecision(4))).replace('-', '−');
    text += `; ${neuron.name} at the pinned point: z = ${show(neuron.z)}, f(z) = ${show(f(neuron.z))}, f′(z) = ${show(df(neuron.z))}`;
  } else {
    text += '; pin a point on the map to mark a neuron’s z';
  }
  canvas.setAttribute('aria-label', text);
  canvas.title = text;
  canvas.dataset.z = neuron ? String(neuron.z) : '';
  return neuron;
}
