// The input features as functions of a point (x₁, x₂) of the plane, exactly as engine/features.py computes them,
// and their maps over the plane: the feature column paints the ones switched off, the output view enlarges any.
// Their names, labels, the plane's extent and the products' scale are the server's (SPEC); the formulas are code.

import { SPEC } from '/spec.js';

/** The plane's features in the engine's order, and how they are written (x₁², sin x₁, …). */
export const FEATURE_NAMES = Object.keys(SPEC.choices.features);
export const FEATURE_LABELS = SPEC.labels.features;

const EXTENT = SPEC.plane.extent;
const SCALE = SPEC.plane.feature_scale;     // the products are divided by it, so they stay within the plane

export const FORMULAS = {
  x1: (a) => a,
  x2: (a, b) => b,
  x1sq: (a) => (a * a) / SCALE,
  x2sq: (a, b) => (b * b) / SCALE,
  x1x2: (a, b) => (a * b) / SCALE,
  sinx1: (a) => Math.sin(a),
  sinx2: (a, b) => Math.sin(b),
};

const L = FEATURE_LABELS;
export const EXPLAIN = {
  x1: `${L.x1}, the horizontal coordinate`, x2: `${L.x2}, the vertical coordinate`, x1sq: `${L.x1sq} (scaled by 1/${SCALE})`,
  x2sq: `${L.x2sq} (scaled by 1/${SCALE})`, x1x2: `${L.x1x2} (scaled by 1/${SCALE})`, sinx1: L.sinx1, sinx2: L.sinx2,
};

/** The feature over a size×size grid of the plane [−extent, extent]², row 0 at the top: { values (size², Float32),
 * big = max |v| }. */
export function featureMap(name, size) {
  const f = FORMULAS[name];
  const values = new Float32Array(size * size);
  let big = 1e-9;
  for (let r = 0; r < size; r++) {
    for (let c = 0; c < size; c++) {
      const v = f(-EXTENT + ((c + 0.5) * 2 * EXTENT) / size, EXTENT - ((r + 0.5) * 2 * EXTENT) / size);
      values[r * size + c] = v;
      big = Math.max(big, Math.abs(v));
    }
  }
  return { values, big };
}
