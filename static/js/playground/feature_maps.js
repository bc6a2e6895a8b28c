// The input features as functions of a point (x₁, x₂) of the plane, exactly as engine/features.py computes them,
// and their maps over the plane: the feature column paints the ones switched off, the output view enlarges any.

export const FORMULAS = {
  x1: (a) => a,
  x2: (a, b) => b,
  x1sq: (a) => (a * a) / 6,
  x2sq: (a, b) => (b * b) / 6,
  x1x2: (a, b) => (a * b) / 6,
  sinx1: (a) => Math.sin(a),
  sinx2: (a, b) => Math.sin(b),
};

export const EXPLAIN = {
  x1: 'x₁, the horizontal coordinate', x2: 'x₂, the vertical coordinate', x1sq: 'x₁² (scaled by 1/6)',
  x2sq: 'x₂² (scaled by 1/6)', x1x2: 'x₁·x₂ (scaled by 1/6)', sinx1: 'sin x₁', sinx2: 'sin x₂',
};

/** The feature over a size×size grid of the plane [−6, 6]², row 0 at the top: { values (size², Float32), big = max |v| }. */
export function featureMap(name, size) {
  const f = FORMULAS[name];
  const values = new Float32Array(size * size);
  let big = 1e-9;
  for (let r = 0; r < size; r++) {
    for (let c = 0; c < size; c++) {
      const v = f(-6 + ((c + 0.5) * 12) / size, 6 - ((r + 0.5) * 12) / size);
      values[r * size + c] = v;
      big = Math.max(big, Math.abs(v));
    }
  }
  return { values, big };
}
