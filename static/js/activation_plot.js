// Element-wise activations a = f(z) and their slopes f′(z), the same formulas as engine/activations.py, and a small
// plot of both with chosen z values marked: a dot on f and a dot on f′ at each z.

const LEAKY_SLOPE = 0.1;
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
  const Y = (v) => height / 2 - (Math.max(-1.3, Math.min(1.3, v)) * (height / 2 - pad)) / 1.3;
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
      ctx.arc(X(z), Y(f(z)), r, 0, 2 * Math.PI);
      ctx.fill();
      ctx.stroke();
    });
  });
  return true;
}
