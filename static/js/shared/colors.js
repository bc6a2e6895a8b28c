// Colour scales shared by every view that paints a map, and a small canvas wrapper that paints a quantised
// map (u8 values with lo/hi, as in the binary frame) through a 256-entry lookup table.
//
// Orange = negative / class 0, blue = positive / class 1: a pair that stays distinct for the common forms of
// colour blindness. Multi-class colours follow the Okabe–Ito idea of hues that differ in lightness too.

import { SPEC } from '/spec.js';

// a map cell's code q (one byte) stands for lo + q / LEVELS · (hi − lo) (the binary frame, SPEC.frame)
const LEVELS = SPEC.frame.levels;

/** The value of cell `i` of a quantised map { lo, hi, q }. */
export function mapValue(map, i) {
  return map.lo + (map.q[i] / LEVELS) * (map.hi - map.lo);
}

export const NEG = [224, 123, 26];
export const POS = [31, 111, 178];
export const MID = [246, 246, 243];
export const CLASS_COLORS = [
  [224, 123, 26], [31, 111, 178], [0, 150, 110], [204, 96, 160], [110, 88, 190],
  [200, 165, 20], [86, 180, 233], [150, 90, 55], [96, 105, 115], [213, 70, 50],
];

function pack(r, g, b, a = 255) {
  return ((a << 24) | (b << 16) | (g << 8) | r) >>> 0;
}

export function rgb(c, alpha = 1) {
  return alpha === 1 ? `rgb(${c[0]},${c[1]},${c[2]})` : `rgba(${c[0]},${c[1]},${c[2]},${alpha})`;
}

export function classColor(k) {
  return CLASS_COLORS[((k % CLASS_COLORS.length) + CLASS_COLORS.length) % CLASS_COLORS.length];
}


function mix(a, b, t) {
  return [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, a[2] + (b[2] - a[2]) * t];
}

/** Diverging colour for t in [−1, 1]: orange … near-white … blue. */
export function diverging(t) {
  const s = Math.max(-1, Math.min(1, Number.isFinite(t) ? t : 0));
  return s < 0 ? mix(MID, NEG, -s) : mix(MID, POS, s);
}

/** Diverging colour stepped into `steps` bands per side (the discretised view). */
export function divergingStepped(t, steps) {
  const s = Math.max(-1, Math.min(1, Number.isFinite(t) ? t : 0));
  const q = Math.sign(s) * Math.ceil(Math.abs(s) * steps - 1e-9) / steps;
  return diverging(q);
}

/**
 * How to turn a unit's value into t ∈ [−1, 1] for its activation:
 * sigmoid/step/softmax outputs live in [0, 1]; tanh in [−1, 1]; unbounded ones are divided by their largest
 * magnitude when it exceeds 1, so the shape stays visible without hiding small values.
 */
export function unitScale(activation, lo, hi) {
  if (activation === 'sigmoid' || activation === 'step' || activation === 'softmax') return (v) => 2 * v - 1;
  if (activation === 'tanh') return (v) => v;
  const big = Math.max(Math.abs(lo), Math.abs(hi));
  return big > 1 ? (v) => v / big : (v) => v;
}

// the diverging scale sampled finely once, so painting a map needs no colour arithmetic per cell
const STEPS = 512;
const DIVERGING = new Uint32Array(STEPS + 1);
for (let i = 0; i <= STEPS; i++) {
  const c = diverging((2 * i) / STEPS - 1);
  DIVERGING[i] = pack(Math.round(c[0]), Math.round(c[1]), Math.round(c[2]));
}

/** 256-entry table for a quantised map on the diverging scale: q → colour(toT(lo + q/LEVELS·(hi − lo))). */
export function lutDiverging(map, toT, gain = 1) {
  const lut = new Uint32Array(256);
  const span = map.hi - map.lo;
  for (let q = 0; q < 256; q++) {
    let t = toT(map.lo + (q / LEVELS) * span) * gain;
    if (!(t >= -1)) t = t > 0 ? 1 : -1;   // NaN and −∞ → −1, +∞ → 1
    if (t > 1) t = 1;
    lut[q] = DIVERGING[Math.round((t + 1) * 0.5 * STEPS)];
  }
  return lut;
}

/** 256-entry table of packed RGBA for a quantised map: q → colour(lo + q/LEVELS·(hi − lo)). */
export function lutFor(map, colorOf) {
  const lut = new Uint32Array(256);
  const span = map.hi - map.lo;
  for (let q = 0; q < 256; q++) {
    const c = colorOf(map.lo + (q / LEVELS) * span);
    lut[q] = pack(c[0] | 0, c[1] | 0, c[2] | 0);
  }
  return lut;
}

/** A canvas whose pixels are a map's cells: drawn at data resolution, scaled by CSS. */
export class MapCanvas {
  constructor(canvas) {
    this.canvas = canvas;
    this.ctx = canvas.getContext('2d');
    this.size = 0;
    this.image = null;
    this.pixels = null;
  }

  resize(size) {
    if (size === this.size) return;
    this.size = size;
    this.canvas.width = size;
    this.canvas.height = size;
    this.image = this.ctx.createImageData(size, size);
    this.pixels = new Uint32Array(this.image.data.buffer);
  }

  /** Paint a quantised map through a lookup table. */
  paint(map, size, lut) {
    this.resize(size);
    const q = map.q;
    const px = this.pixels;
    const n = size * size;
    for (let i = 0; i < n; i++) px[i] = lut[q[i]];
    this.ctx.putImageData(this.image, 0, 0);
  }

  /** Paint by a function of the cell index returning packed RGBA. */
  paintWith(size, fn) {
    this.resize(size);
    const px = this.pixels;
    const n = size * size;
    for (let i = 0; i < n; i++) px[i] = fn(i);
    this.ctx.putImageData(this.image, 0, 0);
  }

  clear(color = MID) {
    this.paintWith(Math.max(this.size, 2), () => pack(color[0], color[1], color[2]));
  }
}

export { pack };

/**
 * Paint K class-probability maps: each cell takes the colour of its most probable class, faded toward white by
 * how unsure the network is (probability 1/K → white, 1 → full colour). `discrete` drops the fading.
 */
export function paintClasses(mapCanvas, block, discrete) {
  const maps = block.maps;
  const k = maps.length;
  const size = block.size;
  const n = size * size;
  const scale = maps.map((m) => (m.hi - m.lo) / LEVELS);
  const colors = maps.map((_, j) => classColor(j));
  const floor = 1 / k;
  mapCanvas.paintWith(size, (i) => {
    let best = 0;
    let top = -Infinity;
    for (let j = 0; j < k; j++) {
      const v = maps[j].lo + maps[j].q[i] * scale[j];
      if (v > top) {
        top = v;
        best = j;
      }
    }
    const c = colors[best];
    if (discrete) return pack(c[0], c[1], c[2]);
    const t = Math.max(0, Math.min(1, (top - floor) / (1 - floor)));
    const w = 0.12 + 0.78 * t;
    return pack(MID[0] + (c[0] - MID[0]) * w, MID[1] + (c[1] - MID[1]) * w, MID[2] + (c[2] - MID[2]) * w);
  });
  return n;
}
