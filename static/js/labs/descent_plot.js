// The picture of one-weight gradient descent: the loss curve L(w), the minimum, the path of earlier steps, the
// current point with its tangent, and the next step −η·slope as an arrow along the w axis. Drawing only: the numbers
// come from the server's one_weight_path answer, `k` is the step being shown.

const INK = '#1b2430';
const MUTED = '#6a7683';
const GRID = '#e8ebef';
const CURVE = '#3a4656';
const PATH = 'rgb(224, 123, 26)';
const TANGENT = 'rgb(31, 111, 178)';

/** Draw `answer` at step k on `canvas` (sized to its box, sharp on high-density screens). */
export function drawDescent(canvas, answer, k) {
  const box = canvas.getBoundingClientRect();
  const ratio = window.devicePixelRatio || 1;
  const width = Math.max(200, Math.round(box.width));
  const height = Math.max(160, Math.round(box.height));
  if (canvas.width !== width * ratio || canvas.height !== height * ratio) {
    canvas.width = width * ratio;
    canvas.height = height * ratio;
  }
  const ctx = canvas.getContext('2d');
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  ctx.clearRect(0, 0, width, height);
  if (!answer) return;

  const font = parseFloat(getComputedStyle(document.body).fontSize) || 14;
  const pad = { left: font * 4, right: font * 1.2, top: font * 1.2, bottom: font * 3.4 };
  const ws = answer.curve.w;
  const losses = answer.curve.loss.map((v) => (v === null ? Infinity : v));
  const x0 = ws[0];
  const x1 = ws[ws.length - 1];
  const yMax = Math.max(...losses.filter(Number.isFinite), 1e-9) * 1.08;
  const plot = { l: pad.left, r: width - pad.right, t: pad.top, b: height - pad.bottom };
  // the picture's geometry and type, shared by the pieces drawn below
  const view = {
    ctx, font, width, height, pad, plot, x0, x1, yMax,
    small: `${Math.round(font * 0.86)}px system-ui, sans-serif`,
    label: `600 ${Math.round(font)}px system-ui, sans-serif`,
    thick: font / 14,                     // heavier lines with larger text (projector)
    px: (w) => plot.l + ((w - x0) / (x1 - x0)) * (plot.r - plot.l),
    py: (loss) => plot.b - (loss / yMax) * (plot.b - plot.t),
  };
  const now = answer.path[k];
  drawAxes(view);
  ctx.save();
  ctx.beginPath();
  ctx.rect(plot.l, plot.t - 1, plot.r - plot.l, plot.b - plot.t + 2);
  ctx.clip();
  drawCurve(view, answer.optimum, ws, losses);
  drawPath(view, answer.path, k);
  drawTangentAndLanding(view, now, answer.path[k + 1]);
  ctx.restore();
  drawStepArrow(view, now);
  drawLabels(view, now, answer.optimum);
}

/** The grid with its tick values, the two axes and their names. */
function drawAxes({ ctx, font, height, plot, x0, x1, yMax, small, px, py }) {
  ctx.font = small;
  ctx.lineWidth = 1;
  ctx.fillStyle = MUTED;
  ctx.textAlign = 'center';
  ctx.textBaseline = 'top';
  for (const w of ticks(x0, x1, Math.max(4, Math.floor((plot.r - plot.l) / (font * 6))))) {
    ctx.strokeStyle = GRID;
    line(ctx, px(w), plot.t, px(w), plot.b);
    ctx.fillText(number(w), px(w), plot.b + font * 0.4);
  }
  ctx.textAlign = 'right';
  ctx.textBaseline = 'middle';
  for (const loss of ticks(0, yMax, Math.max(3, Math.floor((plot.b - plot.t) / (font * 3))))) {
    ctx.strokeStyle = GRID;
    line(ctx, plot.l, py(loss), plot.r, py(loss));
    ctx.fillText(number(loss), plot.l - font * 0.5, py(loss));
  }
  ctx.strokeStyle = MUTED;
  line(ctx, plot.l, plot.b, plot.r, plot.b);
  line(ctx, plot.l, plot.t, plot.l, plot.b);
  ctx.textAlign = 'right';
  ctx.textBaseline = 'bottom';
  ctx.fillText('weight w →', plot.r, height - font * 0.2);
  ctx.save();
  ctx.translate(font * 0.9, plot.t);
  ctx.rotate(-Math.PI / 2);
  ctx.textAlign = 'right';
  ctx.textBaseline = 'middle';
  ctx.fillText('loss L(w) →', 0, 0);
  ctx.restore();
}

/** The minimum (dashed) and the loss curve L(w). */
function drawCurve({ ctx, plot, thick, px, py }, optimum, ws, losses) {
  ctx.strokeStyle = MUTED;
  ctx.setLineDash([4, 4]);
  line(ctx, px(optimum), plot.t, px(optimum), plot.b);
  ctx.setLineDash([]);

  ctx.strokeStyle = CURVE;
  ctx.lineWidth = 2.5 * thick;
  ctx.beginPath();
  ws.forEach((w, i) => (i ? ctx.lineTo(px(w), py(losses[i])) : ctx.moveTo(px(w), py(losses[i]))));
  ctx.stroke();
}

/** Earlier steps: straight hops from point to point, older ones fainter. */
function drawPath({ ctx, thick, px, py }, path, k) {
  const first = Math.max(0, k - 40);
  for (let i = first; i < k; i += 1) {
    const a = path[i];
    const b = path[i + 1];
    ctx.globalAlpha = 0.35 + 0.65 * ((i - first + 1) / (k - first));
    ctx.strokeStyle = PATH;
    ctx.lineWidth = 2 * thick;
    line(ctx, px(a.w), py(a.loss), px(b.w), py(b.loss));
    ctx.fillStyle = PATH;
    dot(ctx, px(a.w), py(a.loss), 3.5 * thick);
  }
  ctx.globalAlpha = 1;
}

/** The tangent at the current point, where the next step lands on the curve (hollow), and the current point. */
function drawTangentAndLanding({ ctx, plot, x0, x1, yMax, thick, px, py }, now, nextPoint) {
  // tangent: L(w) + slope·(u − w) over a fixed stretch of the picture
  const reach = (x1 - x0) * 0.16;
  ctx.strokeStyle = TANGENT;
  ctx.lineWidth = 2 * thick;
  line(ctx, px(now.w - reach), py(now.loss - now.slope * reach), px(now.w + reach), py(now.loss + now.slope * reach));

  if (nextPoint && nextPoint.w >= x0 && nextPoint.w <= x1 && nextPoint.loss <= yMax) {
    ctx.strokeStyle = PATH;
    ctx.setLineDash([3, 3]);
    line(ctx, px(nextPoint.w), plot.b, px(nextPoint.w), py(nextPoint.loss));
    ctx.setLineDash([]);
    ctx.lineWidth = 2 * thick;
    ring(ctx, px(nextPoint.w), py(nextPoint.loss), 5 * thick);
  }
  ctx.fillStyle = INK;
  dot(ctx, px(now.w), Math.max(plot.t + 4, py(now.loss)), 6.5 * thick);
}

/** The next step −η·slope as an arrow below the axis from w to w + step, clipped to the picture, with its size. */
function drawStepArrow({ ctx, font, width, pad, plot, label, thick, px }, now) {
  const arrowY = plot.b + font * 1.9;
  if (Math.abs(now.step) > 1e-12) {
    const from = clamp(px(now.w), plot.l, plot.r);
    const to = clamp(px(now.w + now.step), plot.l, plot.r);
    ctx.strokeStyle = PATH;
    ctx.fillStyle = PATH;
    ctx.lineWidth = 2.5 * thick;
    line(ctx, from, arrowY, to, arrowY);
    const dir = Math.sign(to - from) || Math.sign(now.step);
    ctx.beginPath();
    ctx.moveTo(to, arrowY);
    ctx.lineTo(to - dir * font * 0.7, arrowY - font * 0.4);
    ctx.lineTo(to - dir * font * 0.7, arrowY + font * 0.4);
    ctx.fill();
    ctx.font = label;
    ctx.textBaseline = 'middle';
    // the label goes beside the arrow's tail, on whichever side has room, else on the arrow's longer half
    const text = `step ${signed(now.step)}`;
    const size = ctx.measureText(text).width;
    const tail = from + (dir < 0 ? font * 0.6 : -font * 0.6 - size);
    const head = to + (dir < 0 ? -font * 1.1 - size : font * 1.1);
    const fits = (left) => left >= plot.l - pad.left / 2 && left + size <= width - 2;
    const left = fits(tail) ? tail : fits(head) ? head : clamp((from + to) / 2 - size / 2, 2, width - size - 2);
    ctx.textAlign = 'left';
    if (!fits(tail) && !fits(head)) {
      ctx.fillStyle = '#fff';
      ctx.fillRect(left - 4, arrowY - font * 0.7, size + 8, font * 1.4);
      ctx.fillStyle = PATH;
    }
    ctx.fillText(text, left, arrowY);
  }
}

/** Labels on top: the current point and the minimum. */
function drawLabels({ ctx, font, plot, x0, x1, small, label, px, py }, now, optimum) {
  ctx.font = label;
  ctx.textBaseline = 'bottom';
  const cx = px(now.w);
  const cy = Math.max(plot.t + font * 2.6, py(now.loss) - font * 0.7);
  ctx.textAlign = cx > (plot.l + plot.r) / 2 ? 'right' : 'left';
  const shift = ctx.textAlign === 'right' ? -font * 0.8 : font * 0.8;
  if (now.w >= x0 && now.w <= x1) {
    ctx.fillStyle = INK;
    ctx.fillText(`w = ${number(now.w)}`, cx + shift, cy - font * 1.2);
    ctx.fillStyle = TANGENT;
    ctx.fillText(`slope ${number(now.slope)}`, cx + shift, cy);
  } else {
    ctx.fillStyle = INK;
    ctx.textAlign = now.w > x1 ? 'right' : 'left';
    ctx.fillText(`w = ${number(now.w)} ${now.w > x1 ? '→' : '←'} off the picture`, now.w > x1 ? plot.r - 4 : plot.l + 4, plot.t + font * 1.4);
  }
  ctx.font = small;
  ctx.fillStyle = MUTED;
  ctx.textAlign = 'center';
  ctx.textBaseline = 'top';
  ctx.fillText(`lowest loss at w* = ${number(optimum)}`, clamp(px(optimum), plot.l + font * 6, plot.r - font * 6), plot.t + font * 0.2);
}

function line(ctx, ax, ay, bx, by) {
  ctx.beginPath();
  ctx.moveTo(ax, ay);
  ctx.lineTo(bx, by);
  ctx.stroke();
}

function dot(ctx, x, y, r) {
  ctx.beginPath();
  ctx.arc(x, y, r, 0, 2 * Math.PI);
  ctx.fill();
}

function ring(ctx, x, y, r) {
  ctx.beginPath();
  ctx.arc(x, y, r, 0, 2 * Math.PI);
  ctx.stroke();
}

function clamp(v, lo, hi) {
  return Math.min(hi, Math.max(lo, v));
}

/** About `count` round tick values covering [lo, hi]. */
function ticks(lo, hi, count) {
  const raw = (hi - lo) / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * power).find((s) => s >= raw);
  const out = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Math.abs(v) < step * 1e-9 ? 0 : v);
  return out;
}

/** A number for the picture: up to 4 decimals, exponent when huge, a true minus sign. */
export function number(v) {
  if (!Number.isFinite(v)) return '–';
  const text = Math.abs(v) >= 1e5 ? v.toExponential(2) : String(Number(v.toFixed(4)));
  return text.replace('-', '−');
}

/** Four significant digits, for tables: 3.00001 → 3, 1668.1088 → 1668. */
export function short(v) {
  if (!Number.isFinite(v)) return '–';
  const text = Math.abs(v) >= 1e5 ? v.toExponential(2) : String(Number(v.toPrecision(4)));
  return text.replace('-', '−');
}

/** With its sign always written: +0.8, −0.8. */
export function signed(v, format = number) {
  return v > 0 ? `+${format(v)}` : format(v);
}
