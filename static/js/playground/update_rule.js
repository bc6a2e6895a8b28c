// The optimizer's update rule, written out with the numbers of one parameter (the step-through's update step).
// The inspector sends, per parameter, the gradient the optimizer takes g (∂L/∂w plus any L1/L2 slope), the weight
// before and after, and the moments the optimizer keeps before and after (momentum's velocity v or Adam's m in `m`,
// the running g² in `s`), plus the step count t and the optimizer's settings (engine/optimizers.py has the maths).

import { fmt } from '../shared/dom.js';

/** A number as the step-through writes it (4 significant digits), and in brackets when negative inside a product. */
export const num = (v) => fmt(v, 4);
export const paren = (v) => (v < 0 ? `(${num(v)})` : num(v));

/** The rule in symbols, for the update step's heading line. */
export const RULES = {
  sgd: 'w ← w − η·g',
  momentum: 'v ← μ·v − η·g, then w ← w + v',
  adagrad: 's ← s + g², then w ← w − η·g / (√s + ε)',
  rmsprop: 's ← ρ·s + (1 − ρ)·g², then w ← w − η·g / (√s + ε)',
  adam: 'm ← β₁·m + (1 − β₁)·g, s ← β₂·s + (1 − β₂)·g², then w ← w − η·m̂ / (√ŝ + ε) with m̂ = m/(1 − β₁ᵗ), ŝ = s/(1 − β₂ᵗ)',
};

/**
 * The rule with one parameter's numbers: p = {old, g, now, m, newM, s, newS}; update = {optimizer, t, learning_rate, …}.
 * Returns one line such as "v = 0.9 × 0.01 − 0.03 × 0.5 = −0.006; w = 0.2 + (−0.006) = 0.194".
 */
export function spellUpdate(update, p) {
  const eta = num(update.learning_rate);
  const g = paren(p.g);
  switch (update.optimizer) {
    case 'momentum':
      return `v = μ·v − η·g = ${num(update.momentum)} × ${paren(p.m)} − ${eta} × ${g} = ${num(p.newM)}; `
        + `w = w + v = ${num(p.old)} + ${paren(p.newM)} = ${num(p.now)}`;
    case 'adagrad':
      return `s = s + g² = ${num(p.s)} + ${g}² = ${num(p.newS)}; `
        + `w = w − η·g / (√s + ε) = ${num(p.old)} − ${eta} × ${g} / (${num(Math.sqrt(p.newS))} + ${num(update.epsilon)}) = ${num(p.now)}`;
    case 'rmsprop':
      return `s = ρ·s + (1 − ρ)·g² = ${num(update.rho)} × ${num(p.s)} + ${num(1 - update.rho)} × ${g}² = ${num(p.newS)}; `
        + `w = w − η·g / (√s + ε) = ${num(p.old)} − ${eta} × ${g} / (${num(Math.sqrt(p.newS))} + ${num(update.epsilon)}) = ${num(p.now)}`;
    case 'adam': {
      const mHat = p.newM / (1 - update.beta1 ** update.t);
      const sHat = p.newS / (1 - update.beta2 ** update.t);
      return `m = β₁·m + (1 − β₁)·g = ${num(update.beta1)} × ${paren(p.m)} + ${num(1 - update.beta1)} × ${g} = ${num(p.newM)}; `
        + `s = β₂·s + (1 − β₂)·g² = ${num(p.newS)}; step ${update.t}: m̂ = ${num(mHat)}, ŝ = ${num(sHat)}; `
        + `w = w − η·m̂ / (√ŝ + ε) = ${num(p.old)} − ${eta} × ${paren(mHat)} / ${num(Math.sqrt(sHat) + update.epsilon)} = ${num(p.now)}`;
    }
    default:
      return `w = w − η·g = ${num(p.old)} − ${eta} × ${g} = ${num(p.now)}`;
  }
}
